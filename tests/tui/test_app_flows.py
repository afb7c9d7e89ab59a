"""Pilot tests: the real keys of each flow, then the store checked afterwards."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest

from store.project import Project
from tui.app import MarginApp
from tui.screens.auto_code import AutoCode
from tui.screens.code_picker import CodePicker
from tui.screens.confirm import Confirm
from tui.screens.retrieval import Retrieval
from tui.screens.search_results import SearchResults


def first_document(project):
    return project.documents.all()[0]


def mine(project):
    return [c for c in project.state.codings.values() if c.coder == project.coder.id]


async def test_select_a_turn_and_code_it_with_an_existing_code(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "J", "V", "c")
        assert CodePicker.shown_on(app.screen)
        await pilot.press(*"role clarity", "enter")
        await pilot.pause()
    [coding] = mine(project)
    turn = first_document(project).turns[2]
    assert (coding.start, coding.end) == (turn.start, turn.end)
    assert project.codebook.path(project.state.codes[coding.code]) == "Role > Role clarity"


async def test_nothing_selected_codes_the_current_turn_and_digits_pick_a_hit(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"trust", "tab", "1")  # digits pick in the hit list
        await pilot.pause()
    [coding] = mine(project)
    assert project.state.codes[coding.code].name == "Trust"
    turn = first_document(project).turns[1]
    assert (coding.start, coding.end) == (turn.start, turn.end)


async def test_digits_type_into_the_picker_filter(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"Band 6")
        await pilot.pause()
        assert CodePicker.shown_on(app.screen)  # "6" did not pick hit 6
        assert app.screen.query_one("#picker-input").value == "Band 6"
        await pilot.press("enter")
        await pilot.pause()
        if isinstance(app.dialog, Confirm):  # near-duplicates are still asked about
            await pilot.press("y")
            await pilot.pause()
    [coding] = mine(project)
    assert project.state.codes[coding.code].name == "Band 6"


async def test_digits_pick_while_the_filter_is_empty_and_in_the_hit_list(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c")
        picker = app.screen
        second = picker.query_one("#picker-hits").get_option_at_index(1).id
        await pilot.press("2")  # empty filter: picks hit 2
        await pilot.pause()
        assert not CodePicker.shown_on(app.screen)
        [coding] = mine(project)
        assert coding.code == second
        await pilot.press("J", "c", *"role", "down")
        assert app.screen.query_one("#picker-hits").active
        await pilot.press("x")  # a letter in the list goes back to the filter
        assert app.screen.query_one("#picker-input").active
        assert app.screen.query_one("#picker-input").value == "rolex"
        await pilot.press("backspace", "tab", "1")
        await pilot.pause()
    assert len(mine(project)) == 2


async def test_create_a_new_code_from_the_picker(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "s", "c", *"Hope and belonging", "enter")
        await pilot.pause()
    code = project.codebook.get("Hope and belonging")
    [coding] = mine(project)
    assert coding.code == code.id
    assert coding.text == "Sure."  # s selects the sentence under the cursor


async def test_a_near_duplicate_name_asks_did_you_mean(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"Boundary", "down", "enter")  # the top hit, then "+ New code"
        await pilot.pause()
        assert isinstance(app.dialog, Confirm)
        assert "Role > Boundaries" in app.dialog.detail
        await pilot.press("n")
        await pilot.pause()
    assert not mine(project)
    assert project.codebook.find_path("Boundary") is None


async def test_in_vivo_codes_the_selected_words_with_a_new_code(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "v", "w", "w", "w", "i")  # the cursor on "a": "Sure. I'm" (whole words)
        await pilot.pause()
    [coding] = mine(project)
    assert project.state.codes[coding.code].name == "Sure. I'm"


async def test_undo_and_redo_a_coding(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"trust", "enter")
        await pilot.pause()
        assert len(mine(project)) == 1
        await pilot.press("u")
        assert not mine(project)
        await pilot.press("ctrl+r")
        assert len(mine(project)) == 1
        await pilot.press(".")  # the same code again on the same span is refused, not a crash
        assert len(mine(project)) == 1


async def test_x_removes_the_coding_under_the_cursor(make_app, project):
    app = make_app()
    before = len(project.state.codings)
    async with app.run_test() as pilot:
        await pilot.press("]")  # first coded segment
        await pilot.press("x")
        await pilot.pause()
    assert len(project.state.codings) == before - 1


async def test_memo_typed_is_on_disk_after_quitting(demo_dir):
    project = Project.open(demo_dir, coder="tester")
    app = MarginApp(project)
    async with app.run_test() as pilot:
        await pilot.press("J", "m")
        await pilot.pause()
        await pilot.press(*"Peers as bridge")
        await pilot.press("escape", "q")
    project.close()
    with Project.open(demo_dir, readonly=True) as reopened:
        memos = [m.text for m in reopened.memos.all() if m.kind == "document"]
    assert any(text.endswith("Peers as bridge") for text in memos)


async def test_memo_saved_while_typing_without_leaving(demo_dir):
    project = Project.open(demo_dir, coder="tester")
    app = MarginApp(project)
    async with app.run_test() as pilot:
        await pilot.press("]", "m")  # the coding under the cursor
        await pilot.pause()
        await pilot.press(*"keys again")
        await pilot.pause(0.8)  # the debounce writes it
        assert any(m.text == "keys again" for m in project.memos.all() if m.kind == "coding")


async def test_retrieval_view_jumps_to_the_coding(make_app, project):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab")  # reader -> codes
        assert app.focused.id == "codes"
        code = project.codebook.get("Relationships")
        app.query_one("#codes").highlighted = app.query_one("#codes").get_option_index(code.id)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Retrieval)
        await pilot.press("down", "enter")
        await pilot.pause()
        wanted = project.codings.query(code=code)[1]
        assert app.reader.document.id == wanted.document
        assert app.reader.cursor == wanted.start
        assert app.reader.selection is None  # a jump leaves nothing selected


async def test_retrieval_filter_by_attribute(make_app, project):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.code_retrieve(project.codebook.get("Role"))
        await pilot.pause()
        await pilot.press("f", *"round=2", "enter")
        await pilot.pause()
        shown = app.screen.query_one("#retrieval-list").option_count
    assert shown == len(project.codings.query(code=project.codebook.get("Role"), attributes={"round": "2"}))


async def test_search_then_auto_code_every_match(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("/", *"ward round", "enter")
        await pilot.pause()
        matches = list(app.reader.matches)
        assert len(matches) >= 2
        await pilot.press("n", "A")
        assert CodePicker.shown_on(app.screen)
        await pilot.press(*"challenging", "enter", "y")  # y: the code it was close to, not a new one
        await pilot.pause()
        assert isinstance(app.screen, AutoCode)
        await pilot.press("y")
        await pilot.pause()
    spans = {(c.start, c.end) for c in mine(project)}
    assert spans == set(matches)


async def test_corpus_search_lists_hits_and_jumps(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("F", *"clozapine", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SearchResults)
        await pilot.press("enter")
        await pilot.pause()
        assert app.reader.document.name == "P02 psychiatrist"
        assert app.reader.text[app.reader.cursor :].lower().startswith("clozapine")


async def test_user_keymap_overrides_an_action(demo_dir, tmp_path, monkeypatch):
    keymap_file = tmp_path / "keymap.toml"
    keymap_file.write_text('"reader.undo" = "z"\n"reader.nonsense" = "q"\n', encoding="utf-8")
    monkeypatch.setenv("MARGIN_KEYMAP", str(keymap_file))
    import keymaps

    keymap = keymaps.load()
    assert any("nonsense" in p for p in keymap.problems)
    project = Project.open(demo_dir, coder="tester")
    app = MarginApp(project, keymap)
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"trust", "enter")
        await pilot.pause()
        await pilot.press("u")  # no longer undo
        assert len(mine(project)) == 1
        await pilot.press("z")
        assert not mine(project)
    project.close()


async def test_motions_move_the_cursor(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        reader = app.reader
        document = first_document(project)
        await pilot.press("J")
        assert reader.cursor == document.turns[1].start
        await pilot.press("w")
        assert reader.text[reader.cursor] == "."
        await pilot.press(")")
        assert reader.text[reader.cursor :].startswith("I'm a Band 6")
        await pilot.press("G")
        assert reader.cursor == document.turns[-1].start
        await pilot.press("g", "j", "j")
        assert reader.turn.index == 1
        await pilot.press("pagedown")
        assert reader.turn.index > 2


async def test_move_the_end_of_a_coding_with_a_motion(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("]")
        coding = app.reader.codings_here()[0]
        await pilot.press(">", "w")  # it ends at its turn's end: a word move does not leave the turn
        await pilot.pause()
        assert project.state.codings[coding.id].end == coding.end
        await pilot.press(">", "b")
        await pilot.pause()
        shrunk = project.state.codings[coding.id]
        await pilot.press(">", "w")
        await pilot.pause()
    resized = project.state.codings[coding.id]
    assert shrunk.end < coding.end and resized.start == coding.start and resized.end > shrunk.end


async def test_help_and_narrow_panes_toggle(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        assert app.query_one("#codes").region.width == 0
        await pilot.press("f3")
        await pilot.pause()
        assert app.query_one("#codes").region.width > 0
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "Help"


async def test_command_palette_runs_a_reader_action(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"next turn")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.reader.turn.index == 1


async def test_journal_adds_a_dated_entry(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("a", *"Noticed my own bias", "escape", "escape")
        await pilot.pause()
    assert [m.text for m in project.memos.journal()][-1] == "Noticed my own bias"


@pytest.fixture
def empty_journal(make_app, project):
    """The app on the demo without its journal entries: an async context that writes
    `entries` (none unless given), opens the journal (R) and gives the pilot."""
    for memo in project.memos.journal():
        project.memos.delete(memo)

    @asynccontextmanager
    async def opened(entries: tuple[str, ...] = ()):
        for text in entries:
            project.memos.add("journal", None, text)
        app = make_app()
        async with app.run_test() as pilot:
            await pilot.press("R")
            await pilot.pause()
            yield pilot

    return opened


async def test_an_empty_journal_opens_ready_to_write(empty_journal):
    from tui.screens.journal import HINT, Journal

    async with empty_journal() as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, Journal)
        editor = screen.query_one("#journal-editor")
        assert editor.area.has_focus and editor.kind == "journal" and editor.memo is None
        assert "New journal entry" in str(editor.query_one("#memo-title").render())
        assert HINT == "a: new entry · enter: write in it · esc: back/close"
        assert str(screen.query_one(".dialog-help").render()) == HINT


@pytest.mark.parametrize("entries", [(), ("one",), ("one", "two", "three")], ids=["none", "one", "three"])
async def test_the_journal_opens_on_its_newest_entry_or_a_new_one(empty_journal, entries):
    from tui.screens.journal import HINT

    async with empty_journal(entries) as pilot:
        screen = pilot.app.screen
        entry_list, editor = screen.query_one("#journal-list"), screen.query_one("#journal-editor")
        assert entry_list.option_count == len(entries)
        assert (editor.area.has_focus, entry_list.has_focus) == ((True, False) if not entries else (False, True))
        assert editor.memo is None if not entries else editor.memo.text == entries[-1]
        assert str(screen.query_one(".dialog-help").render()) == HINT


async def test_typing_in_an_empty_journal_and_saving_makes_an_entry_on_disk(empty_journal, project):
    async with empty_journal() as pilot:
        await pilot.press(*"First thought", "escape")
        await pilot.pause()
        assert pilot.app.screen.query_one("#journal-list").option_count == 1
        await pilot.press("escape")
        await pilot.pause()
    with Project.open(project.dir, readonly=True) as on_disk:
        assert [m.text for m in on_disk.memos.journal()] == ["First thought"]


async def test_fuzzy_document_picker_opens_a_document(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("o")
        await pilot.pause(0.3)
        await pilot.press(*"P03", "enter")
        await pilot.pause(0.3)
        assert app.reader.document.name == "P03 team manager"


def memo_text(app) -> str:
    return app.query_one("#memo-text").text


async def test_undoing_a_memo_empties_the_pane_and_no_later_save_brings_it_back(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        document = project.documents.get("P02 psychiatrist")  # no memo yet
        app.open_document(document.id)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"first thought", "escape")  # saved, back in the reader
        await pilot.pause()
        assert [m.text for m in project.memos.on(document.id)] == ["first thought"]
        await pilot.press("u")
        await pilot.pause()
        assert not project.memos.on(document.id)
        assert memo_text(app) == ""
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert memo_text(app) == "first thought"
        await pilot.press("m", *" more")  # typing, the debounced save still pending
        await pilot.press("tab")  # out of the memo without escape
        await pilot.pause()
        app.reader.focus()
        await pilot.press("u")  # the pending text is saved first, then that edit is undone
        await pilot.pause(0.8)  # past the debounce
        assert memo_text(app) == "first thought"
        await pilot.press("u")
        await pilot.pause(0.8)
        assert memo_text(app) == ""
    assert not project.memos.on(document.id)


async def test_one_u_undoes_a_memo_typed_over_several_saves(make_app, project):
    """Typing that outlasts the save's maximum wait is saved in steps; one spell is one undo."""
    from tui.widgets.memo_editor import MAX_WAIT

    app = make_app()
    async with app.run_test() as pilot:
        document = project.documents.get("P02 psychiatrist")
        app.open_document(document.id)
        await pilot.press("m", *"first")
        await pilot.pause(MAX_WAIT + 0.3)  # saved once
        assert [m.text for m in project.memos.on(document.id)] == ["first"]
        await pilot.press(*" thought")
        await pilot.pause(MAX_WAIT + 0.3)  # saved again
        await pilot.press(*" and more", "escape")
        await pilot.pause()
        assert [m.text for m in project.memos.on(document.id)] == ["first thought and more"]
        await pilot.press("u")
        await pilot.pause()
        assert not project.memos.on(document.id)
        assert memo_text(app) == ""


async def test_opening_another_document_closes_the_memo_after_saving_it(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("]", "m")  # the coding under the cursor
        await pilot.pause()
        await pilot.press(*"about this coding")
        await pilot.press("escape")
        await pilot.press("o")
        await pilot.pause(0.3)
        await pilot.press(*"P03", "enter")
        await pilot.pause(0.3)
        assert app.reader.document.name == "P03 team manager"
        assert not app.has_class("memo-open")
        assert not app.query_one("#memo").display or app.query_one("#memo").region.width == 0
        await pilot.press("m")
        await pilot.pause()
        assert "about this coding" not in memo_text(app)
    assert any(m.text == "about this coding" for m in project.memos.all() if m.kind == "coding")


def turn_on_screen(reader) -> tuple[bool, bool]:
    """(speaker row visible, last text row visible) for the cursor's turn."""
    rows = reader._rows
    turn = reader.turn.index
    header = rows.turn_header[turn]
    last = (rows.turn_header[turn + 1] if turn + 1 < len(rows.turn_header) else len(rows)) - 2
    top, height = reader.scroll_offset.y, reader.scrollable_content_region.height
    return top <= header < top + height, top <= last < top + height


async def test_turn_motions_show_the_whole_turn(make_app, project):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        reader = app.reader
        height = reader.scrollable_content_region.height
        seen_scroll = False
        for _ in range(14):
            await pilot.press("J")
            rows = reader._rows
            turn = reader.turn.index
            size = (rows.turn_header[turn + 1] if turn + 1 < len(rows.turn_header) else len(rows)) - rows.turn_header[turn]
            header_seen, last_seen = turn_on_screen(reader)
            assert header_seen, turn
            if size <= height:
                assert last_seen, turn
            seen_scroll = seen_scroll or reader.scroll_offset.y > 0
        assert seen_scroll
        for _ in range(6):
            await pilot.press("K")
            assert all(turn_on_screen(reader)) or turn_on_screen(reader)[0]
        await pilot.press("G")
        assert turn_on_screen(reader)[0]


async def test_next_coding_shows_its_turn_from_the_start(make_app, project):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        reader = app.reader
        for _ in range(8):
            await pilot.press("]")
            header_seen, _ = turn_on_screen(reader)
            row = reader._rows.row_of(reader.cursor)
            top, height = reader.scroll_offset.y, reader.scrollable_content_region.height
            assert top <= row < top + height - 1  # the cursor is never on the bottom edge
            assert header_seen or row - reader._rows.turn_header[reader.turn.index] >= height - 2


async def test_j_k_g_G_move_in_every_list_screen(make_app, project):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        scroll = app.screen.query_one("#help-scroll")
        await pilot.press("j", "j")
        await pilot.pause()
        assert scroll.scroll_y == 2
        await pilot.press("G")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y > 2
        await pilot.press("k", "g")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("escape")

        app.code_retrieve(project.codebook.get("Role"))
        await pilot.pause()
        hits = app.screen.query_one("#retrieval-list")
        await pilot.press("j", "j", "k")
        assert hits.highlighted == 1
        await pilot.press("G")
        assert hits.highlighted == hits.option_count - 1
        await pilot.press("g", "escape")
        assert hits.highlighted == 0

        await pilot.press("F", *"peer", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SearchResults)
        hits = app.screen.query_one("#search-list")
        await pilot.press("j", "j", "k")
        assert hits.highlighted == 1
        await pilot.press("G")
        assert hits.highlighted == hits.option_count - 1
        await pilot.press("escape")

        await pilot.press("R")
        await pilot.pause()
        await pilot.press("a", *"one", "escape", "a", *"two", "escape")
        await pilot.pause()
        entries = app.screen.query_one("#journal-list")
        assert entries.option_count >= 2 and entries.highlighted == 0
        await pilot.press("j")
        assert entries.highlighted == 1
        await pilot.press("k")
        assert entries.highlighted == 0
        await pilot.press("escape")

        await pilot.press("f2")
        await pilot.pause()
        documents = app.query_one("#documents")
        assert documents.has_focus
        await pilot.press("G")
        assert documents.highlighted == documents.option_count - 1
        await pilot.press("g")
        assert documents.highlighted == 0


async def test_search_after_a_jump_moves_the_cursor_without_selecting(make_app, project):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.code_retrieve(project.codebook.get("Relationships"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.reader.selection is None
        await pilot.press("/", *"peer", "enter")
        await pilot.pause()
        await pilot.press("n", "n")
        assert app.reader.selection is None
        await pilot.press("V", "n")  # a V selection is dropped, not stretched
        assert app.reader.selection is None
        start = app.reader.cursor
        await pilot.press("v", "n", "n")  # a v selection extends, as in vim
        assert app.reader.selection is not None and app.reader.selection[0] == start
        assert app.reader.selection[1] > start + 1


async def test_status_line_shows_the_turns_a_selection_spans(make_app, project):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("J", "V", "J", "J")  # only V then J spans turns (v stops at the turn's end)
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert "turns 2–4" in status


async def test_tab_at_80_columns_shows_and_marks_the_pane_it_moves_to(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        documents, codes = app.query_one("#documents"), app.query_one("#codes")
        assert documents.region.width == 0 and codes.region.width == 0
        await pilot.press("tab")  # left to right and round: reader, codes, documents
        await pilot.pause()
        assert codes.has_focus and codes.region.width > 0
        assert "[codes]" in str(app.query_one("#status").render())
        await pilot.press("tab")
        await pilot.pause()
        assert documents.has_focus and documents.region.width > 0
        assert codes.region.width == 0  # shown by Tab, hidden again when Tab moves on
        assert "[documents]" in str(app.query_one("#status").render())
        await pilot.press("tab")
        await pilot.pause()
        assert app.reader.has_focus and documents.region.width == 0
        assert "[" not in str(app.query_one("#status").render())
        await pilot.press("f3", "tab", "tab", "tab")  # a pane shown with F3 stays
        await pilot.pause()
        assert codes.region.width > 0


def screen_text(widget) -> str:
    return "\n".join("".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height))


LONG_NAME = "Zebra crossing procedures for the night staff rota"


async def test_long_code_names_are_cut_with_an_ellipsis_and_help_stays(make_app, project):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("J", "J", "J", "V", "c", *LONG_NAME, "enter")
        await pilot.pause()
        if isinstance(app.dialog, Confirm):
            await pilot.press("y")
            await pilot.pause()
        await pilot.press("K")
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert LONG_NAME[:10] in status and status.rstrip().endswith("? help")
        assert "…" in status
        shown = screen_text(app.reader)

        assert "Zebra crossing proc…" in shown  # the margin label, cut visibly, not overflowing


async def test_corpus_search_results_say_turns_and_count_right(make_app, project):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("F", *"clozapine", "enter")
        await pilot.pause()
        title = str(app.screen.query_one(".dialog-title").render())
        assert "in 1 document" in title and "documents" not in title
        first = app.screen.query_one("#search-list").get_option_at_index(0).prompt
        assert "turn " in str(first)


async def test_help_clears_a_stale_notification(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")  # nothing to redo
        await pilot.pause()
        assert len(app._notifications)
        await pilot.press("f1")
        await pilot.pause()
        assert not len(app._notifications)


async def test_new_code_colours_are_readable_on_the_dark_background(make_app, project):
    from textual.color import Color

    app = make_app()
    async with app.run_test(size=(80, 24)):
        background = app.reader.styles.background
        for number in range(16):  # a whole turn of the palette
            project.codebook.add(f"Colour test {number}")
        made = [c for c in project.codebook.all() if c.name.startswith("Colour test")]
        assert len(made) == 16
        for code in made:
            colour = Color.parse(code.color)
            assert colour.brightness > 0.25, code.color  # labels and ■ stay visible
            tint = background.blend(colour, 0.35)
            assert tint.brightness < 0.345, code.color  # light text stays readable on the tint


async def test_reopening_returns_to_the_last_document_and_turn(demo_dir, tmp_path):
    project = Project.open(demo_dir, coder="tester")
    app = MarginApp(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause(0.3)
        await pilot.press(*"P03", "enter")
        await pilot.pause(0.3)
        await pilot.press("J", "J", "J", "w", "q")
        cursor = app.reader.cursor
    project.close()
    assert not any(p.name == "positions.json" for p in demo_dir.rglob("*"))  # not in the project
    assert (tmp_path / "state" / "positions.json").is_file()
    project = Project.open(demo_dir, coder="tester")
    app = MarginApp(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.reader.document.name == "P03 team manager"
        assert app.reader.cursor == cursor and app.reader.turn.index == 3
    project.close()


async def test_a_code_added_in_the_codes_pane_one_typo_from_another_asks_first(make_app, project):
    from tui.screens.confirm import Confirm

    before = len(project.codebook.all())
    existing = project.codebook.all()[0].name
    typo = existing[:-1] + ("x" if existing[-1] != "x" else "y")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        app.query_one("#codes").focus()
        await pilot.pause()
        await pilot.press("a", *typo, "enter")
        await pilot.pause()
        assert isinstance(app.dialog, Confirm), "a near-duplicate was made without asking"
        await pilot.press("n")
        await pilot.pause()
        assert len(project.codebook.all()) == before
        await pilot.press("a", *"Entirely unlike anything", "enter")
        await pilot.pause()
        assert len(project.codebook.all()) == before + 1
