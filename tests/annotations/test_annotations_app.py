"""The annotation key in the app, pressed for real at 80x24: `a` on a selection opens the
memo editor, the typed note becomes one annotation on that span (one undo), the reader
marks the text and shows the note's first words in the margin, and `a` on it edits it."""

from __future__ import annotations

from store import annotations
from store.project import Project
from tui.app import MarginApp

SIZE = (80, 24)


def _notes(project):
    return [m for m in project.memos.all() if m.kind == "annotation"]


def _screen_text(app) -> str:
    reader = app.reader
    return "\n".join(reader.render_line(y).text for y in range(reader.scrollable_content_region.height))


async def test_a_on_a_selection_makes_one_annotation(make_app, demo_project):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("J", "v", "e", "e")
        span = app.reader.selection
        await pilot.press("a")
        await pilot.pause()
        assert app.focused is app.query_one("#memo").area
        await pilot.press(*"Why now")
        await pilot.pause(0.8)  # the debounce writes it
        await pilot.press("escape")
        await pilot.pause()
        [note] = _notes(demo_project)
        assert (note.target, note.start, note.end, note.text) == (app.reader.document.id, *span, "Why now")
        assert note.author == demo_project.coder.id
        await pilot.pause()
        assert "✎Why now" in _screen_text(app)
        assert app.focused is app.reader and app.reader.selection is None


async def test_typing_the_note_is_one_undo(make_app, demo_project):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("J", "v", "e", "a")
        await pilot.pause()
        for word in ("first ", "second ", "third"):
            await pilot.press(*word)
            await pilot.pause(0.7)  # each pause saves
        await pilot.press("escape", "u")
        await pilot.pause()
        assert _notes(demo_project) == []
        assert "✎" not in _screen_text(app)


async def test_a_inside_an_annotation_edits_it(make_app, demo_project):
    document = demo_project.documents.all()[0]
    turn = document.turns[1]
    made = annotations.annotate(demo_project, document, turn.start, turn.start + 5, "old")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("J")
        assert app.reader.cursor == turn.start
        await pilot.press("a")
        await pilot.pause()
        assert app.query_one("#memo").area.text == "old"
        await pilot.press(*" and new")
        await pilot.press("escape")
        await pilot.pause()
    [note] = _notes(demo_project)
    assert (note.id, note.text, note.start, note.end) == (made.id, "old and new", turn.start, turn.start + 5)


async def test_an_annotation_typed_is_on_disk_after_quitting(demo_dir):
    project = Project.open(demo_dir, coder="tester")
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("J", "V", "a")
        await pilot.pause()
        await pilot.press(*"whole turn")
        await pilot.press("escape", "q")
    project.close()
    with Project.open(demo_dir, readonly=True) as again:
        [note] = _notes(again)
        turn = again.documents.all()[0].turns[1]
        assert note.text == "whole turn" and note.start >= turn.start and note.end <= turn.end
