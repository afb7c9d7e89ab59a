"""A table of figures as a heat map: shaded cells that always show their number.

The shade (five levels, `heatmap--0` to `heatmap--4` in app.tcss) only repeats what the
number says, so the table reads the same with 16 colours or with NO_COLOR. A Line API
widget: `render_line` draws only what is on screen. The header line and the label column
stay put; the rows scroll under the header and the columns scroll beside the labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from store.analysis.cell import Cell
from tui.cells import cut, cut_apart, fit_path, ljust, rjust, width as cells

LEVELS = 5
COLUMN_MAX = 10  # a column title is cut to this when space is short; the cursor's detail line shows it whole
LABEL_SHARE = 0.35 # the label column takes at most this share of the width


class Mark(NamedTuple):
    """One cell as shown: its figure, the text of its number and its shade (a tuple: a
    matrix makes tens of thousands, and a frozen dataclass's are four times as dear)."""

    cell: Cell
    text: str
    level: int = 0  # 0 (nothing) to 4 (the most); -1: not shaded (a code with itself, a total)


@dataclass(frozen=True)
class GridRow:
    label: str
    marks: tuple[Mark | None, ...] = ()  # one per column; None: nothing to show there
    note: str = ""  # a word after the label (rounds: appeared, disappeared, kept)
    heading: bool = False  # a row that only names what follows; the cursor skips it
    colour: str = ""


@dataclass
class Grid:
    columns: tuple[str, ...]
    rows: Sequence[GridRow]  # a list, or tui.widgets.bars.Rows made as drawn (then measured by its view)
    corner: str = ""  # the title over the labels
    note_title: str = ""
    widths: list[int] = field(default_factory=list)  # per column, set by `measure`
    longest: int = 0  # the longest label (set by `measure`)
    note_width: int = 0
    measured: bool = False

    def measured_as(self, widths: list[int], longest: int, notes: int) -> "Grid":
        """Measured by the view from its sums (each column's widest figure, the widest label
        and note, in cells), for rows made lazily: `measure` would make every row."""
        self.widths = [max(2, max(min(cells(title), COLUMN_MAX), w)) + 1 for title, w in zip(self.columns, widths)]
        self.longest = max(cells(self.corner), longest)
        self.note_width = max(cells(self.note_title), notes) + 1 if notes else 0
        self.measured = True
        return self

    def measure(self) -> None:
        """Each column's width (its cut title or its longest number, whichever is wider),
        the longest label and the note column's width: once, not per line drawn."""
        widths = [min(cells(title), COLUMN_MAX) for title in self.columns]
        longest, notes = cells(self.corner), 0
        for row in self.rows:
            longest = max(longest, cells(row.label))
            notes = max(notes, cells(row.note))
            for i, mark in enumerate(row.marks):
                if mark is not None and cells(mark.text) > widths[i]:
                    widths[i] = cells(mark.text)
        self.widths = [max(2, w) + 1 for w in widths]
        self.longest = longest
        self.note_width = max(cells(self.note_title), notes) + 1 if notes else 0
        self.measured = True


def level(value: float, maximum: float) -> int:
    """The shade of `value` on a scale to `maximum`: 0 only for nothing, else 1 to 4."""
    if value <= 0 or maximum <= 0:
        return 0
    return max(1, min(LEVELS - 1, math.ceil(value / maximum * (LEVELS - 1))))


class Heatmap(Widget, can_focus=True):
    """The cursor is (row, column) into `grid`; the screen's actions move it."""

    COMPONENT_CLASSES = {
        "heatmap--header", "heatmap--heading", "heatmap--label", "heatmap--note", "heatmap--plain",
        "heatmap--cursor", "heatmap--current", *(f"heatmap--{n}" for n in range(LEVELS)),
    }  # fmt: skip

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.grid = Grid((), [])
        self.grid.measure()
        self._styles: dict[str, Style] | None = None
        self.row: int | None = None
        self.column = 0
        self.top = 0
        self.left = 0
        self._visible: tuple[tuple, range] | None = None
        self._widths: tuple[tuple, list[int]] | None = None
        self._label: tuple[tuple, int] | None = None  # the labels' width, by grid and width

    # ------------------------------------------------------------------ content

    def show(self, grid: Grid, row: int = 0, column: int = 0) -> None:
        if not grid.measured:
            grid.measure()
        self.grid, self.top, self.left, self.row = grid, 0, 0, None
        self._visible = None
        self.column = max(0, min(column, len(grid.columns) - 1))
        self.go(row)

    @property
    def current(self) -> tuple[GridRow, Mark | None] | None:
        if self.row is None:
            return None
        row = self.grid.rows[self.row]
        return row, row.marks[self.column] if self.column < len(row.marks) else None

    def go(self, index: int, direction: int = 1) -> None:
        """The cursor to row `index`, or the nearest row that is not a heading."""
        rows = self.grid.rows
        self.row = None
        if rows:
            index = max(0, min(index, len(rows) - 1))
            for step in (direction, -direction):
                i = index
                while 0 <= i < len(rows) and rows[i].heading:
                    i += step
                if 0 <= i < len(rows):
                    self.row = i
                    break
        self._scroll_to_cursor()
        self.refresh()

    def move(self, rows: int = 0, columns: int = 0) -> None:
        if columns:
            self.column = max(0, min(self.column + columns, len(self.grid.columns) - 1))
        if rows or self.row is None:
            self.go((self.row or 0) + rows, 1 if rows >= 0 else -1)
        else:
            self._scroll_to_cursor()
            self.refresh()

    @property
    def page(self) -> int:
        return max(1, self.size.height - 2)

    # ------------------------------------------------------------------ geometry

    def _label_width(self, width: int) -> int:
        """The labels' share of the width, or more when every column fits beside them with
        its whole title (a long code name no longer takes the room the titles need)."""
        key = (id(self.grid), width)
        if self._label is None or self._label[0] != key:
            whole = sum(max(w, cells(title) + 1) for title, w in zip(self.grid.columns, self.grid.widths))
            spare = width - whole - self._note_width() - 3
            self._label = (key, max(6, min(self.grid.longest, max(int(width * LABEL_SHARE), spare))) + 1)
        return self._label[1]

    def _note_width(self) -> int:
        return self.grid.note_width

    def visible_columns(self, width: int | None = None) -> range:
        """The columns on screen from `left`, as many as fit beside the labels (worked out
        once per grid, width and scroll, not on every line drawn)."""
        width = self.size.width if width is None else width
        key = (id(self.grid), width, self.left)
        if self._visible is not None and self._visible[0] == key:
            return self._visible[1]
        shown = self._visible_columns(width)
        self._visible = (key, shown)
        return shown

    def _visible_columns(self, width: int) -> range:
        room = width - self._label_width(width) - self._note_width() - 2  # 2: the › marker
        widths = self.column_widths(width)
        end = self.left
        while end < len(widths) and room >= widths[end]:
            room -= widths[end]
            end += 1
        return range(self.left, max(end, min(self.left + 1, len(widths))))

    def column_widths(self, width: int) -> list[int]:
        """Each column's width at `width`: the measured one (titles cut to COLUMN_MAX), or,
        when every column fits beside the labels with room to spare, wider, up to its whole
        title, the room shared evenly (a wide terminal shows "Peer support worker" whole)."""
        key = (id(self.grid), width)
        if self._widths is None or self._widths[0] != key:
            self._widths = (key, self._spread(width))
        return self._widths[1]

    def _spread(self, width: int) -> list[int]:
        widths = list(self.grid.widths)
        room = width - self._label_width(width) - self._note_width() - 2 - sum(widths)
        wanted = [cells(title) + 1 - w for title, w in zip(self.grid.columns, widths)]
        while room > 0 and any(n > 0 for n in wanted):
            growing = [i for i, n in enumerate(wanted) if n > 0]
            share = max(1, room // len(growing))
            for i in growing:
                step = min(share, wanted[i], room)
                widths[i] += step
                wanted[i] -= step
                room -= step
                if room == 0:
                    break
        return widths

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.size.height - 1)
        if self.row is not None:
            first = self.row - 1 if self.row > 0 and self.grid.rows[self.row - 1].heading else self.row
            if first < self.top:
                self.top = first
            elif self.row >= self.top + height:
                self.top = self.row - height + 1
        self.top = max(0, min(self.top, max(0, len(self.grid.rows) - height)))
        if self.column < self.left:
            self.left = self.column
        while self.left < self.column and self.column not in self.visible_columns():
            self.left += 1

    def on_resize(self) -> None:
        self._scroll_to_cursor()
        self.refresh()

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self._style("")
        if y == 0:
            return self._header(width).crop_extend(0, width, base)
        index = self.top + y - 1
        if index >= len(self.grid.rows):
            return Strip.blank(width, base)
        return self._row(index, width).crop_extend(0, width, base)

    def _style(self, name: str) -> Style:
        """The widget's style plus component `name` ("" for the widget's own), worked out
        once per style change: asking the DOM for it on every cell costs a frame."""
        if self._styles is None:
            base = self.rich_style
            self._styles = {"": base, "cursor": self.get_component_rich_style("heatmap--cursor", partial=True)}
            for component in self.COMPONENT_CLASSES - {"heatmap--cursor"}:
                self._styles[component.removeprefix("heatmap--")] = base + self.get_component_rich_style(component)
        return self._styles[name]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _header(self, width: int) -> Strip:
        grid, style = self.grid, self._style("header")
        label_w, note_w = self._label_width(width), self._note_width()
        shown = self.visible_columns(width)
        more_left, more_right = self.left > 0, shown.stop < len(grid.columns)
        corner = ljust(cut(grid.corner, label_w - 2), label_w - 1) + ("‹" if more_left else " ")
        segments = [Segment(corner, style), Segment(ljust(cut(grid.note_title, note_w), note_w), style)]
        widths = self.column_widths(width)
        titles = cut_apart([grid.columns[i] for i in shown], [widths[i] - 1 for i in shown])
        for i, short in zip(shown, titles):
            title = rjust(short, widths[i])
            current = i == self.column and self.row is not None
            segments.append(Segment(title, style + self._style("current") if current else style))
        if more_right:
            segments.append(Segment(" ›", style))
        return Strip(segments)

    def _row(self, index: int, width: int) -> Strip:
        grid, row = self.grid, self.grid.rows[index]
        label_w, note_w = self._label_width(width), self._note_width()
        if row.heading:
            return Strip([Segment(cut(row.label, width), self._style("heading"))])
        here = index == self.row
        label_style = self._style("current" if here else "label")
        if row.colour and not here:
            label_style += Style.parse(row.colour)
        segments = [
            Segment(ljust(fit_path(row.label, label_w - 1), label_w), label_style),
            Segment(ljust(cut(row.note, note_w), note_w), self._style("note")),
        ]
        widths = self.column_widths(width)
        for i in self.visible_columns(width):
            mark = row.marks[i] if i < len(row.marks) else None
            text = rjust(mark.text if mark is not None else "", widths[i] - 1)
            if mark is None:
                style = self._style("")
            else:
                style = self._style("plain" if mark.level < 0 else str(mark.level))
            if here and i == self.column:  # only reverse and bold, over the cell's shade
                style += self._style("cursor")
            segments.append(Segment(" ", self._style("")))
            segments.append(Segment(text, style))
        return Strip(segments)
