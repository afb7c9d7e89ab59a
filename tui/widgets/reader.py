"""The transcript reader: a Line API ScrollView that renders only the rows on screen.

Each turn is a speaker row, its wrapped text and a blank row. Coded spans are tinted with
their code's colour, a bar in the left gutter marks coded lines, and the margin column on
the right names the codes that start on each line (`│` where a coding continues).
Annotated text is italic and double-underlined, and the margin starts with `✎` and the
note's first words on the line where an annotation starts. Rendered
rows are kept in an LRU cache keyed by what can change on a key press (cursor, selection)
and by their turn's stamp, which changes only when that turn's codings, annotations or
their codes' looks change; a key press, or a change to the project, repaints only the rows
on screen whose key changed, so moving the cursor or coding a turn re-renders the rows it
touches whatever the document's length. A scroll keeps the lines still on screen (shifted in
Textual's styles cache, see `_shift`) and renders only the rows new on it; the scroll bar
repaints only the cells its thumb left or reached; the status line is told in the same frame.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from store import annotations, motions
from store.model import Coding, Document, Memo
from tui.widgets.keys import bindings, clean
from tui.widgets.codes_pane import changed_codes
from tui.widgets.layout import BLANK, HEADER, Layout, Row
from tui.widgets.steady import LineBar, SteadyScrollBars, plain, thumb
from store.text import plural, tidy_span

GUTTER = 2
MOTIONS = {
    "line_down", "line_up", "char_right", "char_left", "turn_down", "turn_up", "word_forward", "word_end",
    "word_back", "sentence_forward", "sentence_back", "top", "bottom", "page_down", "page_up", "next_match",
    "previous_match", "next_coding", "previous_coding",
}  # fmt: skip
# Motions that land somewhere else in the document: the whole turn is brought into view.
# Motions that only move the cursor unless a selection was started with v.
SEARCHES = {"next_match", "previous_match", "next_coding", "previous_coding"}
JUMPS = {"turn_down", "turn_up", "top", "bottom", "next_match", "previous_match", "next_coding", "previous_coding"}
SENTENCE_MOVES = {"sentence_back", "sentence_forward"}  # in an s selection: add a sentence at the start, the end
NOTE_MARK = Style(italic=True, underline2=True)  # annotated text


class Frame(NamedTuple):
    """What the rows of one frame are rendered from (taken once per frame, not per row)."""

    width: int
    text_width: int
    margin: int
    span: tuple[int, int] | None  # the selection
    turn: object  # the cursor's Turn
    cursor_row: int
    focused: bool


class Reader(SteadyScrollBars, ScrollView, can_focus=True):
    """Cursor, selection and motions over one document; coding keys act on the selection."""

    BINDINGS = bindings("reader")
    COMPONENT_CLASSES = {
        "reader--speaker",
        "reader--current-speaker",
        "reader--dim",
        "reader--cursor",
        "reader--selection",
        "reader--match",
    }

    class Changed(Message):
        """The cursor, selection, document or pending key changed (the status line listens).

        Handed straight to the app's handler, not posted: a posted message reached the app
        after the frame of the reader's rows, so every key drew a second frame for the
        status line."""

    def __init__(self, project, **kwargs):
        super().__init__(**kwargs)
        self.project = project
        self.document: Document | None = None
        self.text = ""
        self.cursor = 0
        self.anchor: int | None = None  # selection anchor while selecting (v, V, s)
        self.visual = False  # the selection was started with v: every motion extends it
        # What the selection may span: "turn" (v: the anchor's turn only), "sentences" (s: the
        # anchor's turn, and ( and ) add whole sentences at its start or end), "turns" (V: whole
        # turns, J and K take in more) or "span" (a range made on purpose).
        self.scope = "turn"
        self.exclusive = False  # the cursor moved onto the start of a word or sentence: it ends before it
        self.goal: int | None = None  # column kept by up/down
        self.pending = ""  # "<" or ">" waiting for a motion
        self.pattern = ""
        self._matches: list[tuple[int, int]] = []
        self._painted: dict[int, tuple] = {}  # screen line -> the cache key last rendered there
        self._rows: Layout | None = None
        self._cache: LRUCache[tuple, Strip] = LRUCache(4096)
        self._version = -1
        self._indexed: Document | None = None  # the document value the codings were indexed for
        self._indexed_at: tuple = ()  # the project's changes to codings, memos and documents then
        self._ends: list[int] = []  # each turn's end, for bisecting
        self._codes: dict = {}  # the codes (state.codes, copied) the rows were rendered with
        self._stamps: dict[int, int] = {}  # turn index -> its stamp, when changed since _base
        self._base = 0  # the stamp of every turn not in _stamps
        self._last_stamp = 0
        self._by_turn: dict[int, list[Coding]] = {}
        self._coding_starts: list[int] = []
        self._notes: dict[int, list[Memo]] = {}  # turn index -> the annotations on it
        self._tints: dict[str, Style] = {}
        self._marks: dict[tuple, Style] = {}  # (colour, bold, reader style) -> a margin or gutter style
        self._styles: tuple = ()  # the styles the cached rows were rendered with
        self._style = Style()  # the reader's own style, taken once per frame (render_lines)
        self._frame: Frame | None = None  # while a frame renders
        self._components: dict[str, Style] = {}  # component styles read in this frame (see _component)
        self._underline = bool(os.environ.get("NO_COLOR"))

    # ------------------------------------------------------------------ document

    def show(self, document: Document, position: int | None = None) -> None:
        """Read `document`, with the cursor at `position` (default: the first turn)."""
        self.document = document
        self.text = self.project.text(document.id)
        self.anchor, self.goal, self.pending, self.visual = None, None, "", False
        self.matches = []
        self._version, self._indexed = -1, None
        self._rows = None
        self._relayout()
        self.cursor = motions.inside(document, position if position is not None else 0)
        self.scroll_to(y=0, animate=False, immediate=True, force=True)  # no frame of the old offset
        self._follow(center=position is not None)
        self.refresh()
        self._changed()

    def jump(self, position: int) -> None:
        """Put the cursor at `position` (its turn in view), dropping any selection."""
        self.cursor = motions.inside(self.document, position)
        self.anchor, self.visual = None, False
        self._follow(center=True)
        self._changed()

    def select(self, start: int, end: int) -> None:
        """Select text[start:end] (a range made on purpose: it may span turns) and put the
        cursor at its start."""
        self.cursor = motions.inside(self.document, start)
        self.anchor, self.visual, self.scope, self.exclusive = max(self.cursor, end - 1), False, "span", False
        self._follow(center=True)
        self._changed()

    def refresh_codings(self) -> None:
        """Redraw after the project changed (codings, codes, colours): the rows of the
        turns whose codings, annotations or codes' looks changed (see `_sync`)."""
        self._changed()

    @property
    def matches(self) -> list[tuple[int, int]]:
        return self._matches

    @matches.setter
    def matches(self, matches: list[tuple[int, int]]) -> None:
        """Search matches (start, end), sorted; setting them repaints the highlights."""
        self._matches = matches
        self._cache.clear()
        self.refresh()

    @property
    def turn(self):
        if self.document is None:
            return None
        return motions.turn_of(self.document, self.cursor) or self.document.turn_at(self.cursor)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span as it will be coded: whole words, white space trimmed, inside
        the anchor's turn unless the selection spans turns on purpose (V then J, or a range
        made with `select`); (p, p) when only white space is selected."""
        if self.anchor is None or self.document is None or not self.document.turns:
            return None
        turns = self.document.turns
        if self.scope == "turns":
            first, final = sorted(motions.turn_index(self.document, p) for p in (self.anchor, self.cursor))
            return turns[first].start, turns[final].end
        low = min(self.anchor, self.cursor)
        high = self.cursor if self.exclusive and self.cursor > self.anchor else max(self.anchor, self.cursor) + 1
        turn = turns[motions.turn_index(self.document, self.anchor)]
        floor, ceiling = (turn.start, turn.end) if self.scope in ("turn", "sentences") else (0, len(self.text))
        span = tidy_span(self.text, low, high, floor, ceiling)
        if span is None:
            return (low, low)
        start = motions.settle_start(self.document, self.text, span[0])
        end = motions.settle_end(self.document, self.text, span[1])
        return (start, end) if end > start else (low, low)

    def target_span(self) -> tuple[int, int] | None:
        """What coding keys act on: the selection, else the turn; None when that is empty."""
        span = self.selection
        if span is None:
            turn = self.turn
            if turn is None or turn.end <= turn.start:
                return None
            span = tidy_span(self.text, turn.start, turn.end)
        return span if span and span[1] > span[0] else None

    def codings_here(self) -> list[Coding]:
        """Codings under the cursor (or overlapping the selection), innermost first."""
        if self.document is None:
            return []
        self._sync()
        span = self.selection or (self.cursor, self.cursor + 1)
        turn = self.turn
        found = [c for c in self._by_turn.get(turn.index if turn else -1, []) if c.start < span[1] and c.end > span[0]]
        return sorted(found, key=lambda c: c.end - c.start)

    # ------------------------------------------------------------------ layout and rendering

    @property
    def margin_width(self) -> int:
        if self._frame is not None:
            return self._frame.margin
        width = self.scrollable_content_region.width
        return 0 if width < 40 else 14 if width < 72 else 20

    def _text_width(self) -> int:
        return self.scrollable_content_region.width - GUTTER - self.margin_width - (2 if self.margin_width else 0)

    def on_resize(self) -> None:
        if self.document is None:
            return
        if self._rows is None or self._rows.width != max(8, self._text_width()):
            self._relayout()
        self._follow()  # a lower reader may have left the cursor below its edge

    def _relayout(self) -> None:
        """Re-wrap at the current width, keeping the cursor on the same screen line (a
        pane opening or closing changes every row number below the first)."""
        if self.document is None or not self.size.width:
            return
        old, line = self._rows, None
        if old is not None:
            line = old.row_of(self.cursor) - self.scroll_offset.y
        self._rows = Layout(self.document, self.text, self._text_width())
        self._cache.clear()
        self.refresh()  # every row may have changed: nothing painted is kept (see _shift)
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))
        if old is not None:
            self._keep_cursor(line)

    def _keep_cursor(self, line: int) -> None:
        """Scroll so the cursor's row is at screen line `line`, or a third of the way down
        when it was off screen."""
        height = max(1, self.scrollable_content_region.height)
        row = self._rows.row_of(self.cursor)
        if not 0 <= line < height:
            line = height // 3
        y = max(0, min(row - line, len(self._rows) - height))
        if y != self.scroll_offset.y:
            self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """A scroll keeps the rows still on screen and renders only those new on it; the
        scroll bar repaints only when its thumb moves. Textual's ScrollView repaints every
        line and the scroll bar on any scroll: a `j` at the window's edge rendered all 23
        rows at 80x24 and the bar's 23 lines (5 ms), for one row new on screen."""
        self._move_thumb(new_value)
        if round(old_value) != round(new_value):
            self._shift(round(new_value) - round(old_value))

    def _shift(self, delta: int) -> None:
        """Move what Textual keeps rendered (its styles cache, by screen line) and the keys
        painted there `delta` lines up, and mark dirty only the lines it does not hold. The
        whole region is still sent to the screen: every line of it moved."""
        cache, height = self._styles_cache, self.size.height
        dirty = {y - delta for y in cache._dirty_lines}
        kept = {y - delta: strip for y, strip in cache._cache.items() if 0 <= y - delta < height and y - delta not in dirty}
        self._painted = {y - delta: key for y, key in self._painted.items() if 0 <= y - delta < height}
        self.refresh(self.size.region)  # marks every line dirty
        if self.styles.gutter.top or self.styles.gutter.bottom:  # a border or padding line does not move
            return
        cache._cache.clear()
        cache._cache.update(kept)
        cache._dirty_lines.clear()
        cache._dirty_lines.update(y for y in range(height) if y not in kept)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's Widget.vertical_scrollbar, made a LineBar (see tui/widgets/steady.py)."""
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = bar = LineBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    def _move_thumb(self, y: float) -> None:
        """Give the scroll bar its new position, repainting only the cells its thumb left
        or reached (at 4,000 turns a page down moves it an eighth of a cell or less; a
        repaint of the whole bar was 5 ms at 200x50)."""
        if not self.show_vertical_scrollbar:
            return
        bar = self.vertical_scrollbar
        position = bar.validate_position(y)
        old, new = thumb(bar, bar.position), thumb(bar, position)
        bar.set_reactive(ScrollBar.position, position)
        if old == new:
            return
        if old is None or new is None:
            bar.refresh()
            return
        first, last = min(old[0], new[0]) // 8, max(old[1], new[1]) // 8  # the cells between them change meaning too
        bar.refresh(Region(0, first, bar.size.width, last - first + 1))

    def _on_focus(self, event: events.Focus) -> None:
        """Focus coming or going changes only the cursor's look: repaint its row, not all
        (Textual's default repaints every row, and with them every pane on those lines)."""
        event.prevent_default()
        self.has_focus = True
        self._refresh_changed_rows()
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        self._refresh_changed_rows()
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def notify_style_update(self) -> None:
        """Drop the rendered rows only when a style they use changed. Focus moving to the
        picker or a pane changes only the cursor's style, which is in the cursor row's
        cache key: clearing every row there re-rendered the whole reader (at 200x50, most
        of the picker's opening)."""
        super().notify_style_update()
        try:
            styles = (self.rich_style, *(self.get_component_rich_style(f"reader--{name}")
                                         for name in ("speaker", "current-speaker", "dim", "selection", "match")))
        except KeyError:  # before its component styles are set up
            styles = ()
        if not styles or styles != self._styles:
            self._styles = styles
            self._tints.clear()
            self._cache.clear()

    def _sync(self) -> None:
        """Re-index the document's codings and annotations when they have changed, and give
        a new stamp to each turn whose codings, annotations or codes' colours and names
        changed: the stamp is in its rows' cache keys, so only those rows repaint (an apply
        used to repaint every row, and with them every pane beside the reader). A codebook
        change (a rename, a colour, a new or moved code) re-indexes nothing: it was 2-3 ms
        of each at 200,000 codings, sorting and bisecting the document's codings again."""
        state, blind = self.project.state, getattr(self.project, "blind", None)  # blind: what BlindView shows
        seen = (state.version, blind)
        if self.document is None or self._version == seen:
            return
        self._version = seen
        document = state.documents.get(self.document.id, self.document)
        indexed = (state.changes["codings"], state.changes["memos"], state.changes["documents"], blind)
        codes = state.codes
        if document is not self._indexed:  # another document, or its turns or speakers changed
            self._ends = [t.end for t in document.turns]
            self._index(document)
            self.document = self._indexed = document
            self._last_stamp += 1
            self._stamps, self._base = {}, self._last_stamp
            self._tints.clear()
        else:
            changed = set()
            if indexed != self._indexed_at:
                by_turn, notes = self._by_turn, self._notes
                self._index(document)
                changed = self._changed_turns(by_turn, self._by_turn) | self._changed_turns(notes, self._notes)
            if codes != self._codes:
                looks = set(changed_codes(self._codes, codes))
                for code_id in looks:
                    self._tints.pop(code_id, None)
                changed.update(t for t, found in self._by_turn.items() if any(c.code in looks for c in found))
            for turn in changed:
                self._last_stamp += 1
                self._stamps[turn] = self._last_stamp
        if codes != self._codes:
            self._codes = dict(codes)
        self._indexed_at = indexed

    def _index(self, document: Document) -> None:
        """The document's codings and annotations by turn, and where its codings start."""
        codings = self.project.codings.for_document(document)
        self._by_turn = self._by_turns(codings)
        self._notes = self._by_turns(annotations.of_document(self.project, document.id))
        self._coding_starts = sorted({c.start for c in codings})

    def _by_turns(self, spans) -> dict[int, list]:
        """Codings or annotations (in their order) by the turns they cover."""
        ends = self._ends
        last, found = max(0, len(ends) - 1), {}
        for span in spans:
            first = min(bisect_right(ends, span.start), last)
            if first == last or span.end <= ends[first]:  # inside one turn, as most are
                found.setdefault(first, []).append(span)
                continue
            final = min(bisect_right(ends, max(span.start, span.end - 1)), last)
            for index in range(first, final + 1):
                found.setdefault(index, []).append(span)
        return found

    @staticmethod
    def _changed_turns(old: dict[int, list], new: dict[int, list]) -> set[int]:
        return {t for t in old.keys() | new.keys() if old.get(t) != new.get(t)}

    def render_lines(self, crop):
        """Take the style, widths, selection and cursor row once per frame, not per row
        (Textual computes the style from every ancestor, and the content region from the
        styles)."""
        self._style = self.rich_style
        self._components = {}
        self._frame = self._frame_values()
        try:
            return self._plain_lines(crop) if plain(self) else super().render_lines(crop)
        finally:
            self._frame = None


    def _plain_lines(self, crop: Region) -> list[Strip]:
        """Textual's styles cache, less its per-line styling: it read a dozen CSS rules for
        every line (0.07 ms a line, 3.5 ms of a page down at 200x50). The same cache holds
        the lines, by screen line, so `refresh` and `_shift` work on it as before."""
        cache, (width, _) = self._styles_cache, self.size
        if width != cache._width:
            cache.clear()
            cache._width = width
        base_background, background = self.background_colors
        fill = Style.from_color(bgcolor=(base_background + background).rich_color)
        filters = self.get_line_filters()
        strips = []
        for y in crop.line_range:
            strip = None if y in cache._dirty_lines else cache._cache.get(y)
            if strip is None:
                strip = cache._cache[y] = self.render_line(y).adjust_cell_length(width, fill)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        cache._dirty_lines.difference_update(crop.line_range)
        if crop.column_span != (0, width):
            strips = [strip.crop(*crop.column_span) for strip in strips]
        return strips

    def _frame_values(self) -> Frame:
        """What every row's cache key and rendering are made from, taken once."""
        self._sync()
        self._frame = None  # margin_width and _text_width read the widths afresh
        cursor_row = self._rows.row_of(self.cursor) if self._rows is not None else -1
        return Frame(self.scrollable_content_region.width, max(8, self._text_width()), self.margin_width,
                     self.selection, self.turn, cursor_row, self.has_focus)

    def render_line(self, y: int) -> Strip:
        rendering = self._frame is not None
        frame = self._frame or self._frame_values()
        if self._rows is not None and self._rows.width != frame.text_width:
            self._relayout()  # the width changed before on_resize (or the scrollbar came or went)
            frame = self._frame_values()
        self._frame = frame if rendering else None
        if not rendering:
            self._components = {}
        width = frame.width
        index = self.scroll_offset.y + y
        if self._rows is None or index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        row = self._rows.rows[index]
        key = self._key(index, row, frame)
        self._painted[y] = key
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, width, *key[3:6]).crop_extend(0, width, self._style)  # no-op when it fits
            self._cache[key] = strip
        return strip

    def _key(self, index: int, row: Row, frame: Frame) -> tuple:
        """A row's cache key: where it is, the width, its turn's stamp, then what a key press
        can change on it: current turn, cursor column, selected part, and on the cursor's
        row whether the reader has focus (the cursor's style)."""
        width, span, turn, cursor_row, focused = frame.width, frame.span, frame.turn, frame.cursor_row, frame.focused
        stamp = self._stamps.get(row.turn, self._base)
        if row.kind == HEADER:
            return (index, width, stamp, turn is not None and turn.index == row.turn, None, None, False)
        if row.kind == BLANK:
            return (index, width, stamp, False, None, None, False)
        cursor = self.cursor - row.start if cursor_row == index else None
        selected = None
        if span and span[0] <= row.end and span[1] > row.start:
            selected = (max(span[0], row.start) - row.start, min(span[1], row.end + 1) - row.start)
        return (index, width, stamp, False, cursor, selected, cursor is not None and focused)

    def _render_row(self, row: Row, width: int, current: bool, cursor: int | None, selected) -> Strip:
        base = self._style
        if row.kind == BLANK:
            return Strip.blank(width, base)
        if row.kind == HEADER:
            return self._render_header(row, width, current)
        codings = [c for c in self._by_turn.get(row.turn, ()) if c.start <= row.end and c.end > row.start]
        segments = [self._gutter(codings, row)]
        segments += self._text_segments(row, codings, cursor, selected)
        length = row.end - row.start + (1 if cursor == row.end - row.start else 0)
        pad = self._rows.width - length
        if pad > 0:
            segments.append(Segment(" " * pad, base))
        if self.margin_width:
            segments.append(Segment("  ", base))
            note = self._note_margin(row, any(c.start >= row.start for c in codings))
            segments += note + self._margin(codings, row, self.margin_width - sum(len(n.text) for n in note))
        return _padded(segments, width, base)

    def _note_margin(self, row: Row, codes_too: bool) -> list[Segment]:
        """`✎` and the first words of an annotation starting on this row (half the margin
        when a code's name starts here too)."""
        starting = [n for n in self._notes.get(row.turn, ()) if row.start <= n.start < max(row.end, row.start + 1)]
        if not starting:
            return []
        room = self.margin_width // 2 if codes_too else self.margin_width
        words = clean(" ".join(starting[0].text.split())) or "…"
        label = f"✎{words}" if len(words) < room else f"✎{words[: max(0, room - 2)]}…"[:room]
        return [Segment(label, self._style + Style(italic=True)), *([Segment(" ", self._style)] if codes_too else [])]

    def _render_header(self, row: Row, width: int, current: bool) -> Strip:
        turn = self.document.turns[row.turn]
        speaker_style = self._component("reader--current-speaker" if current else "reader--speaker")
        dim = self._component("reader--dim")
        segments = [Segment("▸ " if current else "  ", speaker_style), Segment(clean(turn.speaker) or "—", speaker_style)]
        if turn.time_start is not None:
            segments.append(Segment(f"  {_clock(turn.time_start)}", dim))
        number = f"{row.turn + 1}/{len(self.document.turns)}"
        used = sum(len(s.text) for s in segments)
        segments.append(Segment(" " * max(1, width - used - len(number)) + number, dim))
        return Strip(segments)

    def _gutter(self, codings: list[Coding], row: Row) -> Segment:
        if not codings:
            return Segment(" " * GUTTER, self._style)
        inner = min(codings, key=lambda c: c.end - c.start)
        return Segment("▌".ljust(GUTTER), self._mark(inner.code))

    def _text_segments(self, row: Row, codings: list[Coding], cursor: int | None, selected) -> list[Segment]:
        """Split the row where any styling changes, then style each piece."""
        start, end = row.start, row.end
        cuts = {start, end}
        for coding in codings:
            cuts.update((max(start, coding.start), min(end, coding.end)))
        matches = self._matches_in(start, end)
        for m_start, m_end in matches:
            cuts.update((max(start, m_start), min(end, m_end)))
        if selected:
            cuts.update((start + selected[0], min(end, start + selected[1])))
        if cursor is not None and cursor < end - start:
            cuts.update((start + cursor, start + cursor + 1))
        notes = [n for n in self._notes.get(row.turn, ()) if n.start < end and n.end > start]
        for note in notes:
            cuts.update((max(start, note.start), min(end, note.end)))
        points = sorted(cuts)
        inner = sorted(codings, key=lambda c: c.end - c.start)  # innermost first, ties in their order
        whole = self.text[points[0] : points[-1]]
        tidy = clean if clean(whole) != whole else str  # clean each piece only when the row needs it
        segments = []
        for a, b in zip(points, points[1:]):
            if b <= a:
                continue
            style = self._style_at(a, inner, matches, cursor, selected, start)
            if notes and any(n.start <= a < n.end for n in notes):
                style += NOTE_MARK
            segments.append(Segment(tidy(self.text[a:b]), style))
        if cursor is not None and cursor >= end - start:
            segments.append(Segment(" ", self._component("reader--cursor")))
        return segments

    def _style_at(self, position: int, inner, matches, cursor, selected, row_start: int) -> Style:
        """The style at `position`: the tint of the innermost coding over it (`inner`: the
        row's codings, innermost first), then a match, the selection and the cursor."""
        style = self._style
        for coding in inner:
            if coding.start <= position < coding.end:
                style += self._tint(coding.code)
                break
        if any(a <= position < b for a, b in matches):
            style += self._component("reader--match")
        offset = position - row_start
        if selected and selected[0] <= offset < selected[1]:
            style += self._component("reader--selection")
        if cursor is not None and offset == cursor:
            style += self._component("reader--cursor")
        return style

    def _margin(self, codings: list[Coding], row: Row, room: int | None = None) -> list[Segment]:
        """`│` for each coding that continues onto this row, then names of those starting on it."""
        segments, used = [], 0
        room = self.margin_width if room is None else room
        ordered = sorted(codings, key=lambda c: (c.start, -c.end))
        for coding in ordered:
            if coding.start < row.start and used + 1 <= room:
                segments.append(Segment("│", self._mark(coding.code)))
                used += 1
        for coding in ordered:
            if coding.start >= row.start and used < room:
                code = self.project.state.codes.get(coding.code)
                name = clean(code.name if code else "?")
                fits = room - used - (1 if used else 0)
                if len(name) > fits:
                    name = name[: fits - 1] + "…" if fits > 1 else name[:fits]
                if used:
                    segments.append(Segment(" ", self._style))
                    used += 1
                segments.append(Segment(name, self._mark(coding.code, bold=True)))
                used += len(name)
        return segments

    def _component(self, name: str) -> Style:
        """A component style, read once a frame: Textual's look-up cost as much as the
        rest of a speaker row (a page down reads one for each of its speaker rows)."""
        style = self._components.get(name)
        if style is None:
            style = self._components[name] = self.get_component_rich_style(name)
        return style

    def _mark(self, code_id: str, bold: bool = False) -> Style:
        """A code's colour over the reader's style (gutter bars, margin marks and names),
        made once per colour: making them for every coding of every row was most of a
        densely coded row's rendering."""
        key = (self._code_colour(code_id), bold, self._style)
        style = self._marks.get(key)
        if style is None:
            style = self._marks[key] = self._style + Style(color=key[0], bold=bold)
        return style

    def _code_colour(self, code_id: str) -> str:
        code = self.project.state.codes.get(code_id)
        return code.color if code else "#888888"

    def _tint(self, code_id: str) -> Style:
        """A code's colour as a background mixed into the reader's, so text stays readable."""
        if code_id not in self._tints:
            background = self.styles.background if self.styles.background.a else Color(0, 0, 0)
            mixed = background.blend(Color.parse(self._code_colour(code_id)), 0.35)
            self._tints[code_id] = Style(bgcolor=mixed.rich_color, underline=self._underline)
        return self._tints[code_id]

    def _matches_in(self, start: int, end: int) -> list[tuple[int, int]]:
        if not self.matches:
            return []
        first = bisect_left(self.matches, (start - 10_000, 0))
        return [m for m in self.matches[first:] if m[0] < end and m[1] > start][:50]

    # ------------------------------------------------------------------ cursor

    def _changed(self) -> None:
        self._refresh_changed_rows()
        self.app.on_reader_changed(self.Changed())

    def _refresh_changed_rows(self) -> None:
        """Mark for repaint only the rows on screen whose cache key (cursor, selection,
        current turn, the turn's stamp) differs from the one painted there. A full repaint
        would make Textual re-render every line of the screen, every pane beside the
        reader included."""
        if self._rows is None:
            self.refresh()
            return
        frame = self._frame_values()
        top, rows = self.scroll_offset.y, self._rows.rows
        stale = [index for index in range(top, min(top + self.scrollable_content_region.height, len(rows)))
                 if self._painted.get(index - top) != self._key(index, rows[index], frame)]
        for first, count in _runs(stale):  # one refresh a run: a page down's rows were 20-49 refreshes
            self.refresh_lines(first, count)

    def _follow(self, center: bool = False) -> None:
        """Scroll so the cursor's row (and its turn's speaker row when near) is visible.

        `center` is for jumps (turns, matches, codings, retrieval): see `_show_turn`.
        """
        if self._rows is None:
            return
        if center:
            self._show_turn()
            return
        row = self._rows.row_of(self.cursor)
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        header = self._rows.turn_header[self._rows.rows[row].turn]
        if row < top + 1:
            self.scroll_to(y=max(0, header if row - header < height // 2 else row - 1), animate=False, immediate=True, force=True)
        elif row >= top + height - 1:
            self.scroll_to(y=row - height + 2, animate=False, immediate=True, force=True)

    def _show_turn(self) -> None:
        """After a jump, show the cursor's whole turn with a row of context above it.

        When the turn (speaker row to blank row) is already on screen nothing scrolls;
        otherwise its speaker row goes near the top, so the turn and what follows it are in
        view and clear of notifications at the bottom. A turn taller than the screen is
        shown from its start if the cursor is then on screen, else with the cursor a third
        of the way down.
        """
        rows = self._rows
        row = rows.row_of(self.cursor)
        turn = rows.rows[row].turn
        header = rows.turn_header[turn]
        blank = rows.turn_header[turn + 1] - 1 if turn + 1 < len(rows.turn_header) else len(rows) - 1
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        first = max(0, header - 1)
        if first >= top and blank < top + height:
            return
        if row < first + height - 1:
            y = first
        else:
            y = max(0, row - height // 3)
        self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def _move(self, position: int, keep_goal: bool = False, jump: bool = False) -> None:
        if self.document is None:
            return
        if not keep_goal:
            self.goal = None
        self.cursor = max(0, min(position, len(self.text)))
        self._follow(center=jump)
        self._changed()

    def _motion(self, name: str) -> None:
        if self.document is None or not self.document.turns:
            return
        if self.pending:
            self._move_boundary(name)
            return
        if self.scope == "sentences" and self.anchor is not None and name in SENTENCE_MOVES:
            self._add_sentence(name)
            return
        if name in SEARCHES and self.anchor is not None and not self.visual:
            self.anchor = None  # a V or s selection is not stretched across the document
        keep_goal = name in ("line_down", "line_up", "page_down", "page_up")
        target = self._target(name, self.cursor)
        self.exclusive = False
        if self.anchor is not None and self.scope in ("turn", "sentences"):  # v and s selections stay in their turn
            turn = self.document.turns[motions.turn_index(self.document, self.anchor)]
            clamped = min(max(target, turn.start), motions.last(turn))
            self.exclusive = clamped == target > self.anchor and name in motions.STARTS
            target = clamped
        self._move(target, keep_goal, jump=name in JUMPS)

    def _target(self, name: str, position: int) -> int:
        """Where motion `name` goes from `position`."""
        if name in motions.MOTIONS:
            return motions.MOTIONS[name](self.document, self.text, position)
        return getattr(self, f"_to_{name}")(position)

    def _move_boundary(self, name: str) -> None:
        """`<`/`>` then a motion: move the selection's start or end, else the coding's,
        by whole words (sentences, turns) as the motion says (store.motions.moved_span)."""
        side, self.pending = self.pending, ""
        span = self.selection
        if span is not None and span[1] > span[0]:
            start, end = self._moved(span, side, name)
            one_turn = motions.turn_index(self.document, start) == motions.turn_index(self.document, end - 1)
            self.scope, self.exclusive = ("turn" if one_turn else "span"), False
            self.anchor, cursor = (start, end - 1) if side == ">" else (end - 1, start)
            self._move(cursor)
            return
        here = self.codings_here()
        if not here:
            self.app.notify("Nothing selected and no coding under the cursor", severity="warning")
            self._changed()
            return
        coding = here[0]
        start, end = self._moved((coding.start, coding.end), side, name)
        if (start, end) == (coding.start, coding.end):
            self.app.notify("The coding cannot move that way (out of its turn, or to nothing)", severity="warning")
        elif self.app.store(self.project.codings.resize, coding, start, end) is not None:
            self.app.notify(f"Coding now {plural(end - start, 'character')}")
        self._move(end - 1 if side == ">" else start)

    def _add_sentence(self, name: str) -> None:
        """In an `s` selection, `(` takes in the sentence before its start and `)` the one
        after its end (within the turn), as `<(` and `>)` would: it stays whole sentences."""
        span = self.selection
        if span is None or span[1] <= span[0]:
            return
        side = "<" if name == "sentence_back" else ">"
        start, end = self._moved(span, side, name)
        self.anchor, cursor = (start, end - 1) if side == ">" else (end - 1, start)
        self._move(cursor)

    def _moved(self, span: tuple[int, int], side: str, name: str) -> tuple[int, int]:
        return motions.moved_span(self.document, self.text, span, side, name, lambda p: self._target(name, p))

    def _to_line_down(self, position: int, rows: int = 1) -> int:
        layout = self._rows
        here = layout.text_row_of(position)
        row = layout.rows[layout.text_rows[here]]
        self.goal = self.goal if self.goal is not None else position - row.start
        target = layout.rows[layout.text_rows[max(0, min(len(layout.text_rows) - 1, here + rows))]]
        return min(target.start + self.goal, max(target.start, target.end - (0 if target.end < self._turn_end(target) else 1)))

    def _turn_end(self, row: Row) -> int:
        return self.document.turns[row.turn].end

    def _to_line_up(self, position: int) -> int:
        return self._to_line_down(position, -1)

    def _to_page_down(self, position: int) -> int:
        return self._to_line_down(position, max(1, self.scrollable_content_region.height * 2 // 3))

    def _to_page_up(self, position: int) -> int:
        return self._to_line_down(position, -max(1, self.scrollable_content_region.height * 2 // 3))

    def _to_next_match(self, position: int) -> int:
        return self._next_in([m[0] for m in self.matches], position, "search match")

    def _to_previous_match(self, position: int) -> int:
        return self._previous_in([m[0] for m in self.matches], position, "search match")

    def _to_next_coding(self, position: int) -> int:
        self._sync()
        return self._next_in(self._coding_starts, position, "coded segment")

    def _to_previous_coding(self, position: int) -> int:
        self._sync()
        return self._previous_in(self._coding_starts, position, "coded segment")

    def _next_in(self, starts: list[int], position: int, what: str) -> int:
        index = bisect_right(starts, position)
        if index < len(starts):
            return motions.inside(self.document, starts[index])
        self.app.notify(f"No next {what}" if starts else f"No {what}s here", severity="warning", timeout=2)
        return position

    def _previous_in(self, starts: list[int], position: int, what: str) -> int:
        index = bisect_left(starts, position)
        if index > 0:
            return motions.inside(self.document, starts[index - 1])
        self.app.notify(f"No previous {what}" if starts else f"No {what}s here", severity="warning", timeout=2)
        return position

    # ------------------------------------------------------------------ selection

    def action_visual(self) -> None:
        self.anchor = None if self.anchor is not None else self.cursor
        self.visual, self.scope, self.exclusive = self.anchor is not None, "turn", False
        self._changed()

    def action_select_turn(self) -> None:
        """Select the turn; J and K then take in whole turns before or after it."""
        turn = self.turn
        if turn is not None:
            self.anchor, self.cursor = turn.start, motions.last(turn)
            self.visual, self.scope, self.exclusive = False, "turns", False
            self._follow()
            self._changed()

    def action_select_sentence(self) -> None:
        if self.document is not None and self.document.turns:
            start, end = motions.sentence_span(self.document, self.text, self.cursor)
            self.anchor, self.cursor = start, max(start, end - 1)
            self.visual, self.scope, self.exclusive = False, "sentences", False
            self._changed()

    def action_move_start(self) -> None:
        self.pending = "<"
        self._changed()

    def action_move_end(self) -> None:
        self.pending = ">"
        self._changed()

    def action_clear(self) -> None:
        if self.pending or self.anchor is not None:
            self.pending, self.anchor, self.visual = "", None, False
            self._changed()
        else:
            self.app.close_memo()

    def clear_selection(self) -> None:
        self.anchor, self.visual = None, False
        self._changed()

    # ------------------------------------------------------------------ search

    def set_search(self, pattern: str, matches: list[tuple[int, int]]) -> None:
        self.pattern, self.matches = pattern, matches
        if not self.visual:
            self.anchor = None  # searching moves the cursor; only a v selection follows it
        later = [m for m in matches if m[0] > self.cursor]
        if matches:
            self._move((later or matches)[0][0], jump=True)
        else:
            self._changed()

    # ------------------------------------------------------------------ coding keys (the app does the work)

    def action_code(self) -> None:
        self.app.code_target()

    def action_repeat_code(self) -> None:
        self.app.repeat_code()

    def action_in_vivo(self) -> None:
        self.app.code_in_vivo()

    def action_uncode(self) -> None:
        self.app.uncode_here()

    def action_exemplar(self) -> None:
        self.app.exemplar_here()

    def action_undo(self) -> None:
        self.app.undo()

    def action_redo(self) -> None:
        self.app.redo()

    def action_memo(self) -> None:
        self.app.memo_here()

    def action_annotate(self) -> None:
        self.app.annotate_here()

    def action_search(self) -> None:
        self.app.search_document()

    def action_auto_code(self) -> None:
        self.app.auto_code_matches()


def _motion_action(name: str):
    def action(self: Reader) -> None:
        self._motion(name)

    action.__name__ = f"action_{name}"
    action.__doc__ = f"Motion: {name.replace('_', ' ')}."
    return action


for _name in MOTIONS:
    setattr(Reader, f"action_{_name}", _motion_action(_name))


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Sorted indices as (first, count) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][0] + runs[-1][1] == index:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((index, 1))
    return runs


def _padded(segments: list[Segment], width: int, style: Style) -> Strip:
    """A row's segments as a strip `width` cells long when they fit in it: padded here, one
    strip made, where Textual's crop_extend made two (a page down makes one for every row
    new on screen)."""
    length = sum(cell_len(segment.text) for segment in segments)
    if length < width:
        segments.append(Segment(" " * (width - length), style))
        length = width
    return Strip(segments, length)


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
