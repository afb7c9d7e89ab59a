"""The disagreement review: decisions in the store, and the screen driven by keys at 80x24."""

from __future__ import annotations

import pytest

from store.project import Project
from store.team import review
from tests.team.test_agreement_cli import coded_study


@pytest.fixture(autouse=True)
def no_user_keymap(tmp_path, monkeypatch):
    monkeypatch.setenv("MARGIN_KEYMAP", str(tmp_path / "no-keymap.toml"))
    monkeypatch.setenv("MARGIN_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def consensus_codings(project) -> list:
    ids = {c.id for c in project.state.coders.values() if c.name == review.CONSENSUS}
    return sorted((c.code, c.start, c.end) for c in project.state.codings.values() if c.coder in ids)


def test_each_decision_is_one_undoable_action(tmp_path):
    coded_study(tmp_path / "study")
    with Project.open(tmp_path / "study", coder="reviewer") as p:
        coders = [p.coder_named("alice"), p.coder_named("bob")]
        items = review.passages(p, ["alice", "bob"])
        assert len(items) == 2  # Trust: "her judgement." alice only; Worry: alice only
        trust = next(i for i in items if p.state.codes[i.code].name == "Trust")
        into = review.consensus_coder(p)
        review.decide(p, trust, "first", coders, into)
        alice_trust = [c for c in p.state.codings.values() if c.coder == coders[0].id and c.code == trust.code and c.document == trust.document]
        assert consensus_codings(p) == [(trust.code, alice_trust[0].start, alice_trust[0].end)]
        assert review.decided(review.decisions(p)[trust.key]).startswith("alice's")
        p.undo()  # takes back the coding and the memo together
        assert consensus_codings(p) == [] and trust.key not in review.decisions(p)
        review.decide(p, trust, "second", coders, into)  # bob's shorter coding
        bob_trust = [c for c in p.state.codings.values() if c.coder == coders[1].id]
        assert consensus_codings(p) == [(trust.code, bob_trust[0].start, bob_trust[0].end)]
        review.discuss(p, trust, "We agreed judgement is trust.")
        review.decide(p, trust, "neither", coders, into)  # decided again: the discussion stays
        assert (trust.code, bob_trust[0].start, bob_trust[0].end) in consensus_codings(p)  # what both coded
        memo = review.decisions(p)[trust.key]
        assert memo.text.startswith("Decision: neither") and "We agreed judgement is trust." in memo.text


async def test_review_screen_walks_and_settles_every_disagreement(tmp_path):
    from tui.app import MarginApp
    from tui.screens.disagreement import Disagreements

    coded_study(tmp_path / "study")
    with Project.open(tmp_path / "study", coder="reviewer") as project:
        app = MarginApp(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("D")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, Disagreements)
            title = str(screen.query_one("#review-title").render())
            assert "0 of 2 reviewed" in title and "alice and bob" in title
            help_line = screen.query_one(".dialog-help")
            assert help_line.region.bottom <= 24 and help_line.region.height >= 1  # on screen at 80x24 (wrapped, never cut)
            assert "alice" in str(screen.query_one("#review-first").render())
            figures = str(screen.query_one("#review-figures").render())
            await pilot.press("p", "1", "p")  # decide the passage, come back to it
            await pilot.pause()
            assert "1 of 2 reviewed" in str(screen.query_one("#review-title").render())
            assert str(screen.query_one("#review-figures").render()) != figures  # the consensus moved
            assert len(consensus_codings(project)) == 1
            await pilot.press("u")
            await pilot.pause()
            assert "0 of 2 reviewed" in str(screen.query_one("#review-title").render())
            assert consensus_codings(project) == []
            await pilot.press("b", "0")
            await pilot.pause()
            assert "2 of 2 reviewed" in str(screen.query_one("#review-title").render())
            await pilot.press("m", *"talked it over", "enter")
            await pilot.pause()
            memos = review.decisions(project)
            assert any("talked it over" in m.text for m in memos.values())
            await pilot.press("t")
            await pilot.pause()
            assert "by document" in str(screen.query_one("#review-title").render())
            assert "κ" in str(screen.query_one("#review-figures").render())
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, Disagreements)
