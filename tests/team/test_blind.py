"""Blind double coding: while blind, another coder's codings and annotations appear nowhere
on screen.

The check is by comparison: two copies of the demo project that differ only in bob's
codings (bob is a coder in both) are opened blind as the demo's coder, and every screen
along one walk through the app (each document top to bottom, every coded segment, the
codes pane, retrieval of every code, the analysis screen) must be drawn identically.
Then ctrl+b shows bob's codings, and the screens must differ: the check can fail."""

from __future__ import annotations

import random
import shutil

import pytest

from store import annotations
from store.demo import DEMO_CODER, build_demo
from store.project import Project
from store.team.blind import BlindView
from tests.tui.conftest import DEMO_TEXTS

@pytest.fixture(autouse=True)
def no_user_keymap(tmp_path, monkeypatch):
    monkeypatch.setenv("MARGIN_KEYMAP", str(tmp_path / "no-keymap.toml"))
    monkeypatch.setenv("MARGIN_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def bob_codes(folder, rng: random.Random, codings: bool) -> int:
    """bob is a coder; with `codings`, he codes a turn or two of every document and
    annotates one."""
    with Project.open(folder, coder="bob") as p:
        p.add_coder("bob")
        if not codings:
            return 0
        codes = [c for c in p.codebook.all() if c.codable]
        made = 0
        for document in p.documents.all():
            for turn in rng.sample(document.turns, min(3, len(document.turns))):
                p.codings.apply(document, rng.choice(codes), turn.start, turn.end)
                made += 1
            turn = rng.choice(document.turns)  # and an annotation: a note on a passage shows a view too
            annotations.annotate(p, document, turn.start, turn.end, "bob wonders about this")
        return made


@pytest.fixture
def twins(tmp_path):
    base = build_demo(tmp_path / "base", DEMO_TEXTS)
    shutil.copytree(base, tmp_path / "bob")
    bob_codes(base, random.Random(1), codings=False)
    made = bob_codes(tmp_path / "bob", random.Random(1), codings=True)
    assert made > 5
    return base, tmp_path / "bob"


WALK = [
    ["G"], ["g"], *[["]"]] * 12, ["o", "p02", "enter"], ["G"], *[["["]] * 8,
    ["o", "p03", "enter"], *[["]"]] * 6, ["f3"], ["tab"], ["enter"], ["escape"],
    ["j"], ["enter"], ["escape"], ["j", "j"], ["enter"], ["escape"], ["escape"],
    ["%"], ["escape"],
]  # fmt: skip


async def screens(folder, keys_after=()) -> list[str]:
    """The screens of the walk, opened blind as the demo's coder with no remembered place."""
    import os

    from tui.app import MarginApp

    os.environ["MARGIN_STATE_DIR"] = str(folder.parent / f"state-{folder.name}-{len(keys_after)}")
    drawn = []
    with Project.open(folder, coder=DEMO_CODER) as project:
        app = MarginApp(project, blind=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for keys in keys_after:
                await pilot.press(*keys)
            assert "(blind)" in str(app.query_one("#status").render()) or keys_after
            for keys in WALK:
                await pilot.press(*keys)
                await app.workers.wait_for_complete()  # the analysis screen counts in a thread
                await pilot.pause()
                drawn.append(app.export_screenshot())
    return drawn


async def test_other_coders_codings_appear_nowhere_while_blind(twins):
    base, with_bob = twins
    plain, blind = await screens(base), await screens(with_bob)
    assert len(plain) == len(WALK)
    for step, (a, b) in enumerate(zip(plain, blind)):
        assert a == b, f"bob's codings show at step {step}: {WALK[step]}"
    shown = await screens(with_bob, keys_after=[["ctrl+b"]])
    assert any(a != b for a, b in zip(plain, shown))  # seeing the others does change the screen


def test_blind_view_counts_and_changes(twins):
    _, with_bob = twins
    with Project.open(with_bob, coder=DEMO_CODER) as project:
        view = BlindView(project)
        me = project.coder.id
        assert view.state.codings and all(c.coder == me for c in view.state.codings.values())
        every = project.codebook.counts()
        mine = view.codebook.counts()
        assert sum(mine.values()) < sum(every.values())
        view.blind = False
        assert view.codebook.counts() == every
        view.blind = True
        code = next(c for c in project.codebook.all() if every.get(c.id))
        view.codebook.delete(code, force=True)  # through the view: bob's codings go too
        assert not any(c.code == code.id for c in project.state.codings.values())


@pytest.mark.parametrize("args, env, expected", [(["open", "--blind"], {}, True), (["open"], {"MARGIN_BLIND": "1"}, True), (["open"], {}, False)])
def test_open_blind_flag_and_setting(tmp_path, monkeypatch, args, env, expected):
    from click.testing import CliRunner

    import tui.launch
    from tui.cli import cli

    seen = {}
    monkeypatch.setattr(tui.launch, "run_app", lambda *a, **k: seen.update(k))
    monkeypatch.delenv("MARGIN_BLIND", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli, ["-p", str(tmp_path), *args])
    assert result.exit_code == 0, result.output
    assert seen["blind"] is expected


def test_every_way_the_state_gives_codings_is_filtered_while_blind():
    """The class of leak the merge with the per-document store found: a new State method
    that hands out codings (codings_of) went straight to every coder's codings. Each public
    State member about codings must be BlindState's own."""
    from store.state import State
    from store.team.blind import BlindState

    about_codings = {n for n in dir(State) if not n.startswith(("_", "defer")) and "coding" in n and n != "codings_loaded"}
    assert about_codings >= {"codings", "codings_by_document", "codings_by_code", "codings_of"}
    assert not about_codings - set(vars(BlindState)), about_codings - set(vars(BlindState))
