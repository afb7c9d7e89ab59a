"""Exemplar quotes: one undoable action from the store, the command line and the reader's
* key; kept across a reopen (checkpoint and log replay, read-write and read-only);
shown in the retrieval view; carried in export csv."""

from __future__ import annotations

import csv
import io

from store.exporters.segments import COLUMNS
from store.project import Project
from tests.reports.conftest import margin


def _first(project):
    document = project.documents.all()[0]
    return document, project.codings.for_document(document)[0]


def test_marking_is_one_undoable_action_and_survives_reopening(demo, demo_dir):
    document, coding = _first(demo)
    marked = demo.codings.mark_exemplar(coding)
    assert marked.exemplar and demo.state.codings[coding.id].exemplar
    demo.undo()
    assert not demo.state.codings[coding.id].exemplar
    demo.redo()
    with Project.open(demo_dir, readonly=True) as reader:  # the log replayed over the checkpoint
        assert reader.state.codings[coding.id].exemplar
    demo.close()  # a checkpoint
    for readonly in (True, False):  # read-only decodes codings files another way (msgspec)
        with Project.open(demo_dir, readonly=readonly) as again:
            assert again.state.codings[coding.id].exemplar
            assert sum(c.exemplar for c in again.state.codings.values()) == 1


def test_the_command_marks_unmarks_and_says_what_fits(demo_dir):
    with Project.open(demo_dir, readonly=True) as project:
        document, coding = _first(project)
        path = project.codebook.path(project.state.codes[coding.code])
    out = margin(demo_dir, "exemplar", document.name, "--coding", coding.id[:8]).output
    assert out.startswith(f"Marked {document.name} {coding.start}:{coding.end} as an exemplar of {path}")
    rows = list(csv.DictReader(io.StringIO(margin(demo_dir, "export", "csv").output)))
    assert {r["coding_id"]: r["exemplar"] for r in rows}[coding.id] == "yes"
    assert sum(r["exemplar"] == "yes" for r in rows) == 1
    margin(demo_dir, "undo")
    rows = list(csv.DictReader(io.StringIO(margin(demo_dir, "export", "csv").output)))
    assert all(r["exemplar"] == "no" for r in rows)
    margin(demo_dir, "exemplar", document.name, "--code", path, code=1)  # several of that code fit
    margin(demo_dir, "exemplar", document.name, "--span", "0:1", code=1)
    margin(demo_dir, "exemplar", document.name, code=2)


def test_the_csv_column_comes_after_the_fixed_ones():
    assert COLUMNS[-2:] == ["memo", "exemplar"]


async def test_star_in_the_reader_marks_the_coding_and_u_takes_it_back(demo):
    from tui.app import MarginApp
    from tui.screens.retrieval import Retrieval

    app = MarginApp(demo)
    async with app.run_test() as pilot:
        await pilot.press("]", "*")
        await pilot.pause()
        marked = [c for c in demo.state.codings.values() if c.exemplar]
        assert len(marked) == 1
        app.push_screen(Retrieval(demo, demo.state.codes[marked[0].code]))
        await pilot.pause()
        options = app.screen.query_one("#retrieval-list").options
        shown = {o.id: str(o.prompt) for o in options}
        assert shown[marked[0].id].startswith("★ ")
        assert sum(text.startswith("★") for text in shown.values()) == 1
        await pilot.press("escape", "u")
        await pilot.pause()
    assert not any(c.exemplar for c in demo.state.codings.values())
