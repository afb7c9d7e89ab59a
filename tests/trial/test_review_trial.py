"""The disagreement review, tried as a team would: undo returns to the passage it took
back, and passages at the same offsets in two documents (transcripts that open alike)
are separate passages with separate decisions."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.importers import parse_text
from store.project import Project
from store.team import review
from tests.conftest import INTERVIEW
from tests.team.test_agreement_cli import coded_study

DOCUMENTS = ("N1", "N2", "N3")


@pytest.fixture(autouse=True)
def no_user_keymap(tmp_path, monkeypatch):
    monkeypatch.setenv("MARGIN_KEYMAP", str(tmp_path / "no-keymap.toml"))
    monkeypatch.setenv("MARGIN_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def alike_study(folder) -> None:
    """Three interviews that open alike, each coded the same way: alice codes Trust and
    Worry, bob a shorter Trust, so every disagreement sits at the same offsets in each."""
    with Project.init(folder, name="Alike", coder="alice") as p:
        trust, worry = p.codebook.add("Trust"), p.codebook.add("Worry")
        for n, name in enumerate(DOCUMENTS):
            doc = p.documents.import_parsed(parse_text(INTERVIEW + "\nNurse: Yes." * (n + 1) + "\n", "txt"), name, {}).document
            text = p.text(doc.id)
            at = text.index("Now I trust")
            p.codings.apply(doc, trust, at, at + len("Now I trust her judgement."))
            p.codings.apply(doc, worry, text.index("Some of us"), text.index("But she"))
    with Project.open(folder, coder="bob") as p:
        for name in DOCUMENTS:
            p.codings.apply(p.documents.get(name), p.codebook.get("Trust"), at, at + len("Now I trust"))


def shown(screen) -> str:
    return str(screen.query_one("#review-passage").render()) + str(screen.query_one("#review-decision").render())


async def open_review(app, pilot):
    from tui.screens.disagreement import Disagreements

    await pilot.press("D")
    await pilot.pause()
    assert isinstance(app.screen, Disagreements)
    return app.screen


async def test_undo_in_the_review_returns_to_the_undone_passage(tmp_path):
    """On main, `u` took the decision back but stayed on the next passage (2/2)."""
    from tui.app import MarginApp

    coded_study(tmp_path / "study")
    with Project.open(tmp_path / "study", coder="reviewer") as project:
        app = MarginApp(project)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_review(app, pilot)
            first = screen.current
            await pilot.press("1")
            await pilot.pause()
            assert screen.current != first and shown(screen).startswith("2/2")
            await pilot.press("u")
            await pilot.pause()
            assert screen.current == first
            assert shown(screen).startswith("1/2") and "Not reviewed yet" in shown(screen)
            assert "0 of 2 reviewed" in str(screen.query_one("#review-title").render())


async def test_alike_passages_in_two_documents_are_reviewed_apart(tmp_path):
    """On main, deciding Trust in N1 marked Trust in N2 and N3 reviewed too (one memo
    title for all three), so their consensus was never made."""
    from tui.app import MarginApp

    alike_study(tmp_path / "study")
    with Project.open(tmp_path / "study", coder="reviewer") as project:
        app = MarginApp(project)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_review(app, pilot)
            assert len(screen.items) == 6
            for done in range(1, 7):
                await pilot.press("1")
                await pilot.pause()
                assert f"{done} of 6 reviewed" in str(screen.query_one("#review-title").render())
        consensus = project.coder_named(review.CONSENSUS).id
        made = {(c.document, c.code) for c in project.state.codings.values() if c.coder == consensus}
        assert len(made) == 6  # each document's Trust and Worry


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(review.CHOICES)), min_size=1, max_size=6), st.integers(0, 6))
def test_decisions_are_exactly_the_passages_decided_and_undo_names_each(tmp_path_factory, steps, undos):
    """The class: any sequence of decisions over alike passages marks exactly the passages
    decided, and each undo changes exactly the newest decided passage's memo."""
    folder = tmp_path_factory.mktemp("alike") / "study"
    alike_study(folder)
    with Project.open(folder, coder="reviewer") as p:
        coders = [p.coder_named("alice"), p.coder_named("bob")]
        items = review.passages(p, ["alice", "bob"])
        into = review.consensus_coder(p)
        logged = []  # the decisions that changed something (deciding again alike logs nothing)
        for which, choice in steps:
            before = review.decisions(p)
            review.decide(p, items[which], choice, coders, into)
            touched = review.changed(before, review.decisions(p))
            assert touched <= {items[which].key}
            logged += [which] if touched else []
        done = review.decisions(p)
        assert {i.key for i in items if review.decided(done.get(i.key))} == {items[w].key for w, _ in steps}
        for which in list(reversed(logged))[:undos]:
            before = review.decisions(p)
            p.undo()
            assert review.changed(before, review.decisions(p)) == {items[which].key}


async def test_leaving_and_returning_takes_up_at_the_first_passage_not_reviewed(tmp_path):
    """On main, D opened again on passage 1, already decided, after 2 of 6 were reviewed."""
    from tui.app import MarginApp

    alike_study(tmp_path / "study")
    with Project.open(tmp_path / "study", coder="reviewer") as project:
        app = MarginApp(project)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_review(app, pilot)
            await pilot.press("1", "2", "m", *"we agree", "enter", "escape")
            await pilot.pause()
            screen = await open_review(app, pilot)
            assert shown(screen).startswith("3/6") and "Not reviewed yet" in shown(screen)
            assert "2 of 6 reviewed" in str(screen.query_one("#review-title").render())
        memos = review.decisions(project)
        assert sum("we agree" in m.text for m in memos.values()) == 1  # the discussion of passage 3, not yet decided
