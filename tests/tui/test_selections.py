"""Selections mean words and motions never crash: the real keys of issue 8's findings 1, 2,
6 and 7, on the demo and on the PDPilot P3 interview, with the store read back after."""

from __future__ import annotations

import pytest

from store.project import Project
from tests.conftest import shared
from tui.app import MarginApp


@pytest.fixture
def p3(tmp_path):
    """A project holding the PDPilot P3 interview (121 turns)."""
    project = Project.init(tmp_path / "pd", name="PDPilot", coder="tester")
    project.documents.import_file(shared("corpus", "pdpilot-interviews", "P3.txt"), name="P3")
    yield project
    project.close()


def mine(project):
    return sorted((c for c in project.state.codings.values() if c.coder == project.coder.id), key=lambda c: c.created)


def turn_text(reader, index: int) -> str:
    turn = reader.document.turns[index]
    return reader.text[turn.start : turn.end]


def status(app) -> str:
    return str(app.query_one("#status").render())


async def press_to_turn(pilot, reader, number: int) -> None:
    """`g`, then `J` until the cursor is in turn `number` (1-based, as the status shows it)."""
    await pilot.press("g", *["J"] * (number - 1))
    assert reader.turn.index == number - 1


def cursor_on_screen(reader) -> bool:
    row = reader._rows.row_of(reader.cursor)
    top, height = reader.scroll_offset.y, reader.scrollable_content_region.height
    return top <= row < top + height


# ---------------------------------------------------------------------- finding 1


async def test_b_at_the_start_of_a_turn_goes_to_the_last_word_of_the_turn_before(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        reader = app.reader
        for _ in range(4):
            await pilot.press("J")
            start = reader.cursor
            await pilot.press("b")
            before = reader.document.turns[reader.turn.index]
            assert reader.cursor < start and before.index == reader.document.turn_at(start).index - 1
            assert reader.text[reader.cursor : before.end].split().__len__() == 1  # its last word
            await pilot.press("w")
            assert reader.cursor == start
        await pilot.press("g", "b")  # the first word of all: stays
        assert reader.cursor == reader.document.turns[0].start


async def test_moving_the_end_of_a_coding_back_from_a_turn_start(make_app, project):
    app = make_app()
    async with app.run_test() as pilot:
        reader = app.reader
        await pilot.press("J", "J", "v", "i")  # the first word of turn 3, coded in vivo
        await pilot.pause()
        [coding] = mine(project)
        await pilot.press(">", "b")  # nothing is left before it in its turn: it stays
        await pilot.press("<", "b")  # and its start does not leave the turn
        await pilot.pause()
    assert (project.state.codings[coding.id].start, project.state.codings[coding.id].end) == (coding.start, coding.end)


# ---------------------------------------------------------------------- finding 2


async def test_a_sentence_selection_stops_at_its_turn_end(p3):
    app = MarginApp(p3)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = app.reader
        await press_to_turn(pilot, reader, 8)
        await pilot.press("s", ")", ")")
        assert "turns" not in status(app)
        assert reader.text[slice(*reader.selection)] == turn_text(reader, 7)
        await pilot.press(")", "w", "J", "l")  # nothing takes it past the turn's end
        assert reader.text[slice(*reader.selection)] == turn_text(reader, 7)
        await pilot.press("i")
        await pilot.pause()
        [coding] = mine(p3)
        assert coding.text == "ICE plots, I think we use regularly. PDP, I don't think so."
        await pilot.press("J", "h")  # h goes back over the turn boundary
        assert reader.turn.index == 7 and reader.text[reader.cursor] == "."
        await pilot.press(">", "h")  # and `>` then h shrinks the coding
        await pilot.pause()
    assert p3.state.codings[coding.id].text == "ICE plots, I think we use regularly. PDP, I don't think so"


async def test_a_legacy_coding_into_the_next_label_shrinks_with_h(p3):
    document = p3.documents.all()[0]
    turn, after = document.turns[7], document.turns[8]
    code = p3.codebook.add("Usage")
    p3.codings.apply(document, code, turn.start, after.start + 1)  # "... so.\n\nDan: O", as main made it
    app = MarginApp(p3)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_to_turn(pilot, app.reader, 8)
        await pilot.press(">", "h")
        await pilot.pause()
    [coding] = mine(p3)
    assert coding.text == "ICE plots, I think we use regularly. PDP, I don't think so."


async def test_only_V_then_J_spans_turns_and_the_status_says_so(p3):
    app = MarginApp(p3)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = app.reader
        await press_to_turn(pilot, reader, 8)
        await pilot.press("v", "J", "J")
        assert "turns" not in status(app) and reader.turn.index == 7
        await pilot.press("escape", "V", "J")
        assert "turns 8–9" in status(app)
        first, second = reader.document.turns[7], reader.document.turns[8]
        assert reader.selection == (first.start, second.end)
        await pilot.press("K")
        assert reader.selection == (first.start, first.end) and "turns" not in status(app)
        await pilot.press("J", "J", "i")
        await pilot.pause()
    [coding] = mine(p3)
    assert (coding.start, coding.end) == (first.start, p3.documents.all()[0].turns[9].end)


# ---------------------------------------------------------------------- finding 6


async def test_v_then_w_ends_at_the_end_of_the_word(p3):
    app = MarginApp(p3)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = app.reader
        await press_to_turn(pilot, reader, 8)
        await pilot.press("v", "w")
        assert reader.text[slice(*reader.selection)] == "ICE"
        await pilot.press("w")
        assert reader.text[slice(*reader.selection)] == "ICE plots"
        await pilot.press("e")
        assert reader.text[slice(*reader.selection)] == "ICE plots, I"
        await pilot.press("i")
        await pilot.pause()
    assert [c.text for c in mine(p3)] == ["ICE plots, I"]


async def test_e_moves_to_the_end_of_the_word(p3):
    app = MarginApp(p3)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = app.reader
        await press_to_turn(pilot, reader, 8)
        await pilot.press("e")
        assert reader.text[reader.cursor - 2 : reader.cursor + 2] == "ICE "
        await pilot.press("e")
        assert reader.text[reader.cursor - 4 : reader.cursor + 1] == "plots"


async def test_boundary_moves_keep_whole_words_on_own_window(p3):
    document = p3.documents.all()[0]
    text = p3.text(document.id)
    end = text.index("its own window.") + len("its own window.")
    turn = document.turn_at(end - 1)
    code = p3.codebook.add("Wishes")
    coding = p3.codings.apply(document, code, turn.start, end)
    app = MarginApp(p3)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_to_turn(pilot, app.reader, turn.index + 1)
        seen = []
        for keys in ((">", "b"), (">", "w"), (">", "l"), (">", "h"), ("<", "w"), ("<", "b"), ("<", "l"), ("<", "h")):
            await pilot.press(*keys)
            await pilot.pause()
            seen.append(p3.state.codings[coding.id].text)
    assert seen[0].endswith("into its own")  # was "own w"
    assert seen[1].endswith("into its own window")
    assert seen[2].endswith("into its own window.")
    assert seen[3].endswith("into its own window")
    assert seen[4].startswith("capabilities.") and seen[5].startswith("Additional capabilities.")
    assert seen[6].startswith("capabilities.") and seen[7].startswith("Additional capabilities.")
    for text_now in seen:  # never a cut word at either end
        assert text_now[0].isalnum() and (text_now[-1].isalnum() or text_now[-1] == ".")


# ---------------------------------------------------------------------- finding 7


async def test_the_cursor_stays_on_screen_when_panes_open_and_close(p3):
    app = MarginApp(p3)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = app.reader
        await press_to_turn(pilot, reader, 24)
        for key in ("f3", "f3", "f2", "f2"):
            await pilot.press(key)
            await pilot.pause()
            reader.focus()
            await pilot.pause()
            assert reader.turn.index == 23 and cursor_on_screen(reader), key
        await pilot.press("G", *["K"] * 13)
        assert reader.turn.index == 107
        await pilot.press("m")  # the memo opens beside the reader
        await pilot.pause()
        assert cursor_on_screen(reader)
        await pilot.press(*"a thought", "escape")  # back to the reader
        await pilot.pause()
        assert cursor_on_screen(reader)
        await pilot.press("escape")  # the memo closes
        await pilot.pause()
        assert reader.turn.index == 107 and cursor_on_screen(reader)


@pytest.mark.parametrize("sizes", [((120, 40), (80, 24)), ((80, 24), (200, 50))])
async def test_the_cursor_stays_on_screen_when_the_terminal_is_resized(p3, sizes):
    app = MarginApp(p3)
    async with app.run_test(size=sizes[0]) as pilot:
        reader = app.reader
        await press_to_turn(pilot, reader, 40)
        await pilot.press("j", "j")
        for size in (*sizes, sizes[0]):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert reader.turn.index == 39 and cursor_on_screen(reader), size


# ---------------------------------------------------------------------- s, then ( and )


def whole_sentences(reader, span) -> bool:
    """`span` starts where a sentence of its turn starts and ends where one ends."""
    from store import motions

    turn = reader.document.turns[motions.turn_index(reader.document, span[0])]
    starts = motions.sentence_starts(reader.text, turn.start, turn.end)
    spans = [motions.sentence_span(reader.document, reader.text, s) for s in starts]
    return span[0] in {a for a, _ in spans} and span[1] in {b for _, b in spans}


async def test_s_then_parenthesis_adds_whole_sentences_before_it(make_app, project):
    """The trial's steps: `s` on "I've been here…", then `(` took only "I've" and a second
    `(` coded a stray "I've" after the sentence before. Now `(` adds the sentence before."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        reader = app.reader
        await pilot.press("g", "J", ")", ")", "s")
        chosen = reader.selection
        assert reader.text[slice(*chosen)].startswith("I've") and whole_sentences(reader, chosen)
        await pilot.press("left_parenthesis")
        wider = reader.selection
        assert wider[1] == chosen[1] and wider[0] < chosen[0] and whole_sentences(reader, wider)
        await pilot.press("left_parenthesis")
        widest = reader.selection
        assert widest[1] == chosen[1] and widest[0] < wider[0] and whole_sentences(reader, widest)
        await pilot.press("right_parenthesis")  # the turn's last sentence: nothing after it to add
        assert reader.selection == widest
        await pilot.press("i")
        await pilot.pause()
        [coding] = mine(project)
        assert (coding.start, coding.end) == widest and coding.text.startswith("Sure.") and coding.text.endswith("changes.")
        await pilot.press("escape", "g", "J", "s", "right_parenthesis")  # ) adds the sentence after, keeping the start
        first = motions_sentence(reader, reader.document.turns[1].start)
        assert reader.selection[0] == first[0] and reader.selection[1] > first[1] and whole_sentences(reader, reader.selection)


def motions_sentence(reader, position):
    from store import motions

    return motions.sentence_span(reader.document, reader.text, position)


@pytest.mark.parametrize("keys", ["((", "()", ")(", "))((", "(((((", ")))))", "()()"])
async def test_every_run_of_parentheses_after_s_keeps_whole_sentences(make_app, project, keys):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        reader = app.reader
        for turn in (2, 6, 9):  # turns of several sentences, from the first and the last sentence
            for sentences in (0, 1, 3):  # from the turn's first sentence, its second, a later one
                await pilot.press("g", *["J"] * turn, *["right_parenthesis"] * sentences, "s")
                original = reader.selection
                for key in keys:
                    before = reader.selection
                    await pilot.press("left_parenthesis" if key == "(" else "right_parenthesis")
                    now = reader.selection
                    assert whole_sentences(reader, now), (turn, keys, reader.text[slice(*now)])
                    assert now[0] <= before[0] and now[1] >= before[1] and now[0] <= original[0] and now[1] >= original[1]
                await pilot.press("escape")
