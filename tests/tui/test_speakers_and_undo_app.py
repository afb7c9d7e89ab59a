"""In the app: `S` renames or merges a speaker; `u` undoes only the session coder's work."""

from __future__ import annotations

from textual.command import CommandPalette

from tui.screens.prompt import Prompt


def speakers_of(project):
    return {t.speaker for d in project.documents.all() for t in d.turns}


async def test_S_renames_a_speaker_in_every_document_and_u_undoes_it(make_app, project):
    assert "Aisha" in speakers_of(project)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Aisha every", "enter")
        await pilot.pause()
        assert isinstance(app.dialog, Prompt)
        await pilot.press("end", *" (nurse)", "enter")
        await pilot.pause()
        assert "Aisha (nurse)" in speakers_of(project) and "Aisha" not in speakers_of(project)
        label = app.reader.document.turns[1].speaker
        assert label == "Aisha (nurse)"  # the reader shows the document as it now is
        await pilot.press("u")
        await pilot.pause()
        assert "Aisha" in speakers_of(project) and "Aisha (nurse)" not in speakers_of(project)


async def test_u_in_the_app_leaves_another_coders_coding_alone(make_app, project):
    document = project.documents.all()[0]
    code = project.codebook.all()[-1]
    session_coder = project.coder
    project.coder = project.add_coder("bob")
    turn = document.turns[3]
    bobs = project.codings.apply(document, code, turn.start, turn.end)
    project.coder = session_coder
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert bobs.id in project.state.codings  # nothing of tester's: bob's stays
        await pilot.press("V", "c", "1")
        await pilot.pause()
        mine = [c for c in project.state.codings.values() if c.coder == session_coder.id]
        assert len(mine) == 1
        await pilot.press("u")
        await pilot.pause()
        assert mine[0].id not in project.state.codings and bobs.id in project.state.codings
        await pilot.press("u")
        await pilot.pause()
        assert bobs.id in project.state.codings
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert mine[0].id in project.state.codings
