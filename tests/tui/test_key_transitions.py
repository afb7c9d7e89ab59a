"""Keys typed with no pause land where a slow typist's would (issue 8, the tuifix findings).

A burst is sent straight to the driver, every key before the app has handled any, as tmux
`send-keys` or a fast typist does; the same keys pressed one at a time with the app idle
between them are the slow typist. Both must end in the same state.
"""

from __future__ import annotations

import unicodedata

import pytest

from textual import events
from textual.app import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

from tui.screens.code_picker import CodePicker


def key_event(key: str) -> events.Key:
    """The event Pilot's `press` makes for `key`."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        character = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        character = key if len(key) == 1 else None
    return events.Key(key, character)


async def burst(pilot, *keys: str) -> None:
    """Send every key at once, then wait until the app has handled them all."""
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)
    for _ in range(200):
        await pilot.pause(0.02)
        if not getattr(getattr(app, "key_gate", None), "waiting", None) and app.message_queue_size == 0:
            break
    await pilot.pause()


def code_paths(project) -> list[str]:
    return sorted(project.codebook.path(c) for c in project.state.codes.values())


async def settle_dialogs(pilot) -> None:
    """Answer yes to whatever asks (which code was meant, a near-duplicate), as a user would."""
    app = pilot.app
    for _ in range(5):
        if app.screen is app.screen_stack[0]:
            return
        await pilot.press("y")


async def test_a_key_right_after_enter_in_the_picker_is_not_part_of_the_new_name(make_app, project):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", *"Things > Zebra1", "enter")
        await settle_dialogs(pilot)
        await pilot.press("j", "c", *"Things > Kiwi")
        await burst(pilot, "enter", "z")  # z 0 s after Enter; the trial's came 0.3 s later
        await settle_dialogs(pilot)
        things = [p for p in code_paths(project) if p.startswith("Things")]
        assert things == ["Things", "Things > Kiwi", "Things > Zebra1"]


async def test_keys_typed_with_the_c_reach_the_picker(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(pilot, "c", *"trus")
        assert CodePicker.shown_on(app.screen)
        assert app.screen.query_one("#picker-input").value == "trus"


# ---------------------------------------------------------------- every header and footer fits 80 columns


def shown_text(widget) -> str:
    return "".join("".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height))


def cut_labels(screen) -> list[str]:
    """The titles, headers and footers of `screen` whose text is not shown whole."""
    from textual.widgets import Label

    cut = []
    for label in screen.query(Label):
        if not label.display or not label.region or not ({"dialog-title", "dialog-help"} & set(label.classes) or label.id == "analysis-options"):
            continue
        text = str(label.render()).replace(" ", "")
        inside = label.region.right <= label.parent.content_region.right <= screen.region.right
        if text and (not inside or text not in shown_text(label).replace(" ", "")):
            cut.append(str(label.render()))
    return cut


SCREENS = {
    "picker": ("c",),
    "prompt": ("/",),
    "auto-code": ("/", *"peers?", "enter", "A", *"Peer talk > Mentions", "enter"),
    "analysis-filter": ("%", "f", *"profession=Psychiatrist -speaker=Interviewer", "enter"),
    "help": ("?",),
    "journal": ("R",),
    "search-results": ("F", *"ward", "enter"),
}


@pytest.mark.parametrize("name", list(SCREENS))
async def test_every_dialog_header_and_footer_fits_80_columns(make_app, name):
    """Issue 8 (tuifix 5): the auto-code footer showed `n / es`, the analysis filter was cut."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for key in SCREENS[name]:
            await pilot.press(key)
            await pilot.pause()
        assert app.screen is not app.screen_stack[0] or CodePicker.shown_on(app.screen) or app.dialog, name
        assert cut_labels(app.screen) == []


# ---------------------------------------------------------------- fast typist = slow typist

PIECES = [
    ("j",), ("J",), ("k",), ("w",), ("s",), ("escape",),
    ("c", *"Things > Kiwi", "enter"),
    ("c", *"trus", "enter"),
    ("c", *"Role", "enter"),
    ("c", "1"),
    ("c", *"rel", "down", "enter"),
    ("c", *"Tr", "enter", "y"),
    ("c", *"Tr", "enter", "n"),
    ("c", *"zz", "escape"),
    ("/", *"ward", "enter"),
    ("u",), ("U",),
]


def state_of(app) -> tuple:
    """What a researcher would see: the codebook, every coding, the screen and its filter."""
    project = app.project
    order = {d.id: n for n, d in enumerate(project.documents.all())}  # ids differ between two demos
    codings = sorted((order[c.document], c.start, c.end, project.codebook.path(project.state.codes[c.code]))
                     for c in project.state.codings.values())
    shown = app.dialog or app.screen  # a dialog is an overlay on the screen
    field = shown.query("Input")
    return (code_paths(project), codings, type(shown).__name__, field.first().value if field else None,
            app.reader.cursor if hasattr(app.reader, "cursor") else None)


async def run_keys(tmp_path, name: str, keys: list[str], fast: bool) -> tuple:
    from store.demo import build_demo
    from store.project import Project
    from tests.tui.conftest import DEMO_TEXTS
    from tui.app import MarginApp

    project = Project.open(build_demo(tmp_path / name, DEMO_TEXTS), coder="tester")
    try:
        app = MarginApp(project)
        async with app.run_test(size=(100, 30)) as pilot:
            if fast:
                await burst(pilot, *keys)
            else:
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause()
            await pilot.pause()
            return state_of(app)
    finally:
        project.close()


@pytest.mark.parametrize("seed", range(4))
async def test_keys_typed_with_no_pause_end_where_a_slow_typists_do(tmp_path, seed):
    """Seeded random runs of dialog transitions (open, type, Enter, answer, cancel, undo),
    typed once key by key with the app idle between and once as one burst."""
    import random

    rng = random.Random(seed)
    keys = [key for _ in range(5) for key in rng.choice(PIECES)]
    slow = await run_keys(tmp_path, "slow", keys, fast=False)
    fast = await run_keys(tmp_path, "fast", keys, fast=True)
    assert fast == slow, keys
