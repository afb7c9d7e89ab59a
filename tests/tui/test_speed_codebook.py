"""A codebook change (rename, colour, add, move, an add undone) costs what it touches: the
reader keeps its index of the document's codings (they did not change), the codes pane
moves the lines of the one code changed without a rebuild or a layout of the screen, and
the screen shows the change as a full repaint would."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.screen import Screen

from store import annotations
from store.codings import Codings
from tests.tui.test_speed import big_codebook, counting, pane_as_the_codebook_says, screen_matches_a_full_repaint  # noqa: F401
from tui.widgets.codes_pane import CodesPane, changed_codes
from tui.widgets.reader import Reader


@pytest.fixture(autouse=True)
def no_idle_work(monkeypatch):
    """What the app does at idle (a checkpoint, the analysis views built ahead in a thread)
    is off the keys' path and not what these tests count: on a loaded machine a test
    outlasted the idle second, and the views' build was counted as the key's."""
    from tui.app import MarginApp

    monkeypatch.setattr(MarginApp, "checkpoint_when_idle", lambda self: None)


def reader_text(app) -> str:
    reader = app.query_one(Reader)
    return "\n".join(reader.render_line(y).text for y in range(reader.size.height))


def changes(book, code, parent, other):
    """Each kind of codebook change, as (kind, a function making it)."""
    return [
        ("rename", lambda: book.rename(book.get(code.id), "Zq renamed")),
        ("colour", lambda: book.color(book.get(code.id), "#123456")),
        ("add", lambda: book.add(f"{book.path(book.get(parent.id))} > Zz added")),
        ("move", lambda: book.move(book.get(code.id), book.get(other.id))),
    ]


async def test_a_codebook_change_keeps_the_readers_index_and_shows(make_app, big_codebook, monkeypatch):
    project = big_codebook
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        coding = project.codings.for_document(app.document)[0]
        book = project.codebook
        code = book.get(coding.code)
        app.reader.jump(coding.start)
        await pilot.pause()
        parent = book.find_path("Theme 3 > Group 1")
        other = book.find_path("Theme 4")
        for kind, change in changes(book, code, parent, other):
            change()
            with counting(monkeypatch, (Codings, "for_document")) as calls, \
                    counting(monkeypatch, (annotations, "of_document")) as notes:
                app.project_changed()
                await pilot.pause()
            assert calls["Codings.for_document"] == 0 and notes["module.of_document"] == 0, kind
            if kind == "rename":
                assert "Zq renamed" in reader_text(app)
            await screen_matches_a_full_repaint(app, pilot)
        await pilot.press("u")  # the move undone; then a coding change is indexed as before
        await pilot.pause()
        app.last_code = code.id
        await pilot.press("J", ".")
        await pilot.pause()
        assert {c.id for cs in app.reader._by_turn.values() for c in cs} == \
            {c.id for c in project.codings.for_document(app.document)}
        await screen_matches_a_full_repaint(app, pilot)


async def test_adding_moving_and_undoing_codes_move_lines_without_a_rebuild(make_app, big_codebook, monkeypatch):
    """Adding or moving a code rebuilt the codes pane (every code's line) and set its
    virtual size, a layout of the whole screen: 20-30 ms at 5,000 codes, 200x50."""
    project = big_codebook
    app = make_app()
    book = project.codebook
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        pane = app.query_one(CodesPane)
        code, parent, other = book.find_path("Theme 3 > Group 1"), book.find_path("Theme 2 > Group 0"), book.find_path("Relationships")
        pane.highlighted = pane.get_option_index(code.id)
        kinds = [(kind, change) for kind, change in changes(book, code, parent, other) if kind in ("add", "move")]
        kinds += [("an add undone", lambda: project.undo()), ("a top-level add", lambda: book.add("Aaa first")),
                  ("a move to the top", lambda: book.move(book.get(code.id), None))]
        for kind, change in kinds:
            await pilot.pause()
            change()
            with counting(monkeypatch, (CodesPane, "_rebuild"), (Screen, "_refresh_layout")) as calls:
                app.project_changed()
                await pilot.pause()
            assert calls["CodesPane._rebuild"] == 0 and calls["Screen._refresh_layout"] == 0, kind
            pane_as_the_codebook_says(pane, project)
            assert pane.code.id == code.id, kind  # the highlight stays on its code
            assert pane.vertical_scrollbar.window_virtual_size == len(pane._rows) == pane.virtual_size.height
            await screen_matches_a_full_repaint(app, pilot)


EDITS = st.lists(st.tuples(st.sampled_from(["add", "replace", "remove last", "remove any"]), st.integers(0, 30)), max_size=6)


@settings(max_examples=200, deadline=None)
@given(size=st.integers(0, 12), edits=EDITS)
def test_changed_codes_agrees_with_a_brute_force_comparison(size, edits):
    """Every id added, removed or given a new value, however the dict was edited."""
    old = {f"c{i}": object() for i in range(size)}
    new = dict(old)
    for n, (edit, at) in enumerate(edits):
        keys = list(new)
        if edit == "add":
            new[f"new{n}"] = object()
        elif keys and edit == "replace":
            new[keys[at % len(keys)]] = object()
        elif keys and edit == "remove last":
            del new[keys[-1]]
        elif keys:
            del new[keys[at % len(keys)]]
    expected = {k for k in old.keys() | new.keys() if old.get(k) is not new.get(k)}
    found = changed_codes(old, new)
    assert set(found) == expected and len(found) == len(expected)
