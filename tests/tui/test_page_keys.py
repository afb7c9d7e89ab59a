"""Page down and page up at the edges of a document and across a turn taller than the screen
(helper pgdn, issue 11): the screen they draw, and the work a page down does.

The snapshots were made on main before the page-down work (7a290d1) and must stay as they
are: a page down draws the same screen, only cheaper. Regenerate only after a deliberate
change of the reader's look, with `pytest tests/tui/test_page_keys.py --snapshot-update`.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tests.tui.test_speed import Terminal, lines_rendered, screen_matches_a_full_repaint, terminal_shows_a_full_render
from tui.widgets.reader import _padded, _runs


@pytest.fixture
def long_turn(project):
    """A document whose second turn is about 70 rows at 80 columns (three screens), coded in
    three overlapping spans, between two short turns."""
    from store.importers.document import ParsedDocument, ParsedTurn

    words = "the ward team said peer support workers were trusted because they had been there".split()
    texts = ["Short start.", " ".join(words[i % len(words)] for i in range(700)) + ".", "Short end."]
    parts, turns, offset = [], [], 0
    for index, text in enumerate(texts):
        label = ("Ann", "Bo")[index % 2]
        turns.append(ParsedTurn(label, offset + len(label) + 2, offset + len(label) + 2 + len(text)))
        parts.append(f"{label}: {text}\n\n")
        offset += len(label) + 2 + len(text) + 2
    document = project.documents.import_parsed(ParsedDocument("".join(parts), tuple(turns), "txt"), "Long turn").document
    long = turns[1]
    trust = project.codebook.find_path("Relationships > Trust")
    project.codings.apply_many(document, trust, [(long.start + 100, long.start + 2600), (long.start + 1500, long.start + 1700)])
    return document


async def _to_the_end(pilot, key: str, limit: int = 200) -> int:
    """Press `key` until the cursor stops moving, then once more (at the edge); the presses."""
    reader = pilot.app.reader
    for pressed in range(1, limit):
        cursor = reader.cursor
        await pilot.press(key)
        await pilot.pause()
        if reader.cursor == cursor:
            return pressed
    raise AssertionError(f"{key} never reached the edge")


def test_pagedown_at_the_last_page(snap_compare, make_app):
    async def run_before(pilot):
        await _to_the_end(pilot, "pagedown")
        await pilot.press("pagedown")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_pageup_at_the_first_page(snap_compare, make_app):
    async def run_before(pilot):
        await pilot.press("pagedown", "pagedown")
        await _to_the_end(pilot, "pageup")
        await pilot.press("pageup")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("pages", [1, 2, 3])
def test_pagedown_across_a_very_long_turn(snap_compare, make_app, long_turn, pages):
    async def run_before(pilot):
        pilot.app.open_document(long_turn.id)
        await pilot.pause()
        await pilot.press("J", *["pagedown"] * pages)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_page_keys_at_the_edges_draw_what_a_full_render_would(make_app, long_turn, size):
    """Every page key to both ends of the demo's first document and through the long turn:
    the terminal, fed every update the app writes, shows Textual's own full render."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        terminal = Terminal(app)
        await pilot.pause()
        for document in (None, long_turn):
            if document is not None:
                app.open_document(document.id)
            for key in ("pagedown", "pageup", "space", "pageup"):
                reader = app.reader
                for _ in range(60):
                    cursor = reader.cursor
                    await pilot.press(key)
                    await terminal_shows_a_full_render(app, pilot, terminal)
                    if reader.cursor == cursor:
                        break
            await pilot.press("G", "pageup", "g", "pagedown")
            await screen_matches_a_full_repaint(app, pilot)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_page_down_renders_only_the_reader_its_bar_and_the_status_line(make_app, monkeypatch, size):
    """The reader's lines and the status line below them touch, and made one band the
    screen's width: a page down had every pane beside the reader, their scroll bars, the
    containers and the screen render all their lines (main at 200x50: 11 widgets)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        reader = app.reader
        top = reader.scroll_offset.y
        rendered = lines_rendered(monkeypatch)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        monkeypatch.undo()
        assert reader.scroll_offset.y > top
        allowed = {"Reader#reader", "ScrollBar#None", "LineBar#None", "StatusLine#status"}
        assert set(rendered) <= allowed, rendered


@pytest.mark.parametrize("size", [(80, 24), (120, 30)])
async def test_a_page_down_draws_the_scroll_bar_without_textual_whole_bar_render(make_app, long_turn, monkeypatch, size):
    """Textual's ScrollBar draws all its lines through Rich whenever its thumb moves, which
    is on every page down here (main: once a page, 0.6 ms at 80x24 and 1 ms at 200x50 under
    load); the reader's bar takes its cells as they are and keeps the unchanged lines."""
    from textual.scrollbar import ScrollBar
    from textual.widget import Widget

    app = make_app()
    async with app.run_test(size=size) as pilot:
        app.open_document(long_turn.id)
        await pilot.pause()
        bar = app.reader.vertical_scrollbar
        thumbs, whole_renders = set(), []
        original = Widget._render_content

        def render_content(self):
            if isinstance(self, ScrollBar) and self.parent is app.reader:
                whole_renders.append(self.position)
            original(self)

        monkeypatch.setattr(Widget, "_render_content", render_content)
        for _ in range(2):
            await pilot.press("pagedown")
            await pilot.pause()
            thumbs.add(bar.position)
        monkeypatch.undo()
        assert len(thumbs) == 2 and bar.display  # the thumb moved on every page
        assert whole_renders == []


@pytest.mark.parametrize("seed", [1, 2])
async def test_the_reader_scroll_bar_draws_what_textual_scroll_bar_draws(make_app, long_turn, seed):
    """The line-drawn bar (LineBar) against Textual's own ScrollBar rendering of the same
    bar, at random sizes, scroll positions, hover and grab, in two documents: every line,
    segment by segment and style by style."""
    import random

    from textual.geometry import Offset, Region
    from textual.scrollbar import ScrollBar

    from tui.widgets.steady import LineBar

    rng = random.Random(seed)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for case in range(30):
            if case % 10 == 5:
                app.open_document(long_turn.id if case % 20 == 5 else next(iter(app.project.state.documents)))
            if case % 4 == 0:
                await pilot.resize_terminal(*rng.choice([(80, 24), (120, 40), (200, 50), (60, 12), (100, 30)]))
            reader = app.reader
            await pilot.pause()
            reader.scroll_to(y=rng.randrange(max(1, len(reader._rows))), animate=False)
            await pilot.pause()
            bar = reader.vertical_scrollbar
            assert isinstance(bar, LineBar)
            if not bar.display:
                continue
            bar.mouse_over, bar.grabbed = rng.random() < 0.3, Offset(0, 0) if rng.random() < 0.2 else None
            whole = Region(0, 0, *bar.size)
            bar.refresh()
            theirs = ScrollBar.render_lines(bar, whole)
            bar.refresh()
            ours = bar.render_lines(whole)
            assert [list(line) for line in ours] == [list(line) for line in theirs], (case, bar.size)
            bar.mouse_over, bar.grabbed = False, None


def test_a_row_is_one_strip_the_width_of_the_reader_as_crop_extend_made_it():
    """`_padded` pads a row to the reader's width in the strip it makes; a row longer than
    the width (wide characters) is left to crop_extend, as before."""
    text = st.text(alphabet="ab 漢✎", max_size=12)
    styles = st.sampled_from([Style(), Style(bold=True), Style(color="red")])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.tuples(text, styles), max_size=8), st.integers(1, 60))
    def check(pieces, width):
        segments = [Segment(t, s) for t, s in pieces]
        before = Strip(list(segments)).crop_extend(0, width, Style(italic=True))
        after = _padded(list(segments), width, Style(italic=True)).crop_extend(0, width, Style(italic=True))
        assert after.cell_length == before.cell_length == width
        assert list(Segment.simplify(after)) == list(Segment.simplify(before))

    check()


def test_runs_cover_the_indices_in_order_and_apart():
    @settings(max_examples=300, deadline=None)
    @given(st.sets(st.integers(0, 80)))
    def check(indices):
        runs = _runs(sorted(indices))
        assert [i for first, count in runs for i in range(first, first + count)] == sorted(indices)
        assert all(a[0] + a[1] < b[0] for a, b in zip(runs, runs[1:]))  # a gap between runs

    check()


def _old_text_segments(reader, row, codings, cursor, selected):
    """Reader._text_segments before the page-down work (7a290d1), for the comparison below."""
    from tui.widgets.keys import clean
    from tui.widgets.reader import NOTE_MARK

    start, end = row.start, row.end
    cuts = {start, end}
    for coding in codings:
        cuts.update((max(start, coding.start), min(end, coding.end)))
    if selected:
        cuts.update((start + selected[0], min(end, start + selected[1])))
    if cursor is not None and cursor < end - start:
        cuts.update((start + cursor, start + cursor + 1))
    notes = [n for n in reader._notes.get(row.turn, ()) if n.start < end and n.end > start]
    for note in notes:
        cuts.update((max(start, note.start), min(end, note.end)))
    points, segments = sorted(cuts), []
    for a, b in zip(points, points[1:]):
        if b <= a:
            continue
        style = reader._style
        covering = [c for c in codings if c.start <= a < c.end]
        if covering:
            style += reader._tint(min(covering, key=lambda c: c.end - c.start).code)
        offset = a - start
        if selected and selected[0] <= offset < selected[1]:
            style += reader._component("reader--selection")
        if cursor is not None and offset == cursor:
            style += reader._component("reader--cursor")
        if notes and any(n.start <= a < n.end for n in notes):
            style += NOTE_MARK
        segments.append(Segment(clean(reader.text[a:b]), style))
    if cursor is not None and cursor >= end - start:
        segments.append(Segment(" ", reader._component("reader--cursor")))
    return segments


def test_a_row_text_is_styled_as_before_the_page_down_work():
    """The row's pieces (innermost coding's tint found from the codings sorted once, text
    cleaned per piece only when the row holds a control character) against the old code,
    for random codings, notes, selections, cursors and control characters."""
    from collections import namedtuple

    from tui.widgets.layout import TEXT, Row
    from tui.widgets.reader import Reader

    Span = namedtuple("Span", "start end code")
    Note = namedtuple("Note", "start end text")

    class Stub:
        _style, _matches_in = Style(), staticmethod(lambda start, end: [])
        _text_segments, _style_at = Reader._text_segments, Reader._style_at
        _tint = staticmethod(lambda code: Style(bgcolor=("red", "blue", "green")[code]))
        _component = staticmethod(lambda name: Style(bold=True) if name.endswith("cursor") else Style(reverse=True))

    span = st.tuples(st.integers(0, 30), st.integers(1, 30), st.integers(0, 2))

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet="ab \n\x07\t", min_size=30, max_size=30), st.integers(0, 25), st.integers(1, 5),
           st.lists(span, max_size=6), st.lists(span, max_size=2), st.none() | st.integers(0, 8),
           st.none() | st.tuples(st.integers(0, 8), st.integers(0, 9)))
    def check(text, start, length, codings, notes, cursor, selected):
        stub = Stub()
        stub.text = text
        stub._notes = {0: [Note(a, a + n, "note") for a, n, _ in notes]}
        row = Row(TEXT, 0, start, min(30, start + length))
        spans = [Span(a, a + n, code) for a, n, code in codings]
        spans = [c for c in spans if c.start <= row.end and c.end > row.start]  # the row's, as _render_row passes
        assert stub._text_segments(row, spans, cursor, selected) == _old_text_segments(stub, row, spans, cursor, selected)

    check()
