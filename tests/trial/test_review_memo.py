"""The discussion memo of the disagreement review keeps what was typed when Esc leaves it,
as every memo in Margin does (found in the new-user trial of issue 12: `m`, a sentence,
Esc, and the discussion was gone; the prompt said "esc cancel")."""

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


@pytest.mark.parametrize("leave", ["escape", "enter"])
async def test_discussion_memo_is_kept_however_it_is_left(tmp_path, leave):
    from tui.app import MarginApp

    coded_study(tmp_path / "study")
    with Project.open(tmp_path / "study", coder="reviewer") as project:
        app = MarginApp(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("D")
            await pilot.pause()
            await pilot.press("m")
            await pilot.pause()
            await pilot.press(*"we read it differently", leave)
            await pilot.pause()
            assert any("we read it differently" in m.text for m in review.decisions(project).values())
            await pilot.press("m")
            await pilot.pause()
            await pilot.press(*" at first", "escape")  # typed on to what was kept
            await pilot.pause()
            texts = [m.text for m in review.decisions(project).values()]
            assert any("we read it differently at first" in t for t in texts), texts
