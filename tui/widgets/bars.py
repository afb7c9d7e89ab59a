"""Horizontal bars drawn with block characters, one line per bar, for the analysis screen.

A Line API widget: `render_line` draws only the lines on screen from a list of plain `Bar`
rows, so a 5,000-code codebook costs what 24 lines cost. The first line is the header
(column titles) and stays put while the rows scroll under it. Heading rows (a code whose
groups follow) are shown but the cursor skips them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.widget import Widget
from textual.strip import Strip

from store.analysis.cell import Cell
from tui.cells import cut, fit_path, head, ljust, rjust, width as cells  # noqa: F401 (cut: tests take it from here)

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
GAP = 2  # columns between the number columns
BAR_MIN = 8  # number columns are dropped from the right before the bar gets narrower


class Lazy(Sequence):
    """`count` items made only when asked for, item i by `make(i)`, and kept (up to
    CACHE, then made again). Reads like a list: len, index, slice, iteration."""

    CACHE = 1 << 30

    def __init__(self, count: int, make: Callable[[int], object]):
        self._count, self._make = count, make
        self._cache: dict[int, object] = {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        row = self._cache.get(index)
        if row is None:
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            row = self._cache[index] = self._make(index)
            self._made()
        return row

    def _made(self) -> None:
        pass


class Rows(Lazy):
    """A view's rows made only when drawn (the Toolong way): row i made by `make(i)` from
    the figures' sums and kept in a small cache, so drawing a screenful of a 22,000-row
    view makes a screenful of rows, not 22,000. `made` counts them, for the tests."""

    CACHE = 512  # rows kept: a few screens at 200x50

    made = 0  # rows made by every Rows, for the tests that count the work a key does

    def _made(self) -> None:
        Rows.made += 1


@dataclass(frozen=True)
class Measures:
    """What `Bars.show` measures over every row, given by a view that makes its rows
    lazily (worked out from the sums, without making a row)."""

    maximum: float  # the longest bar's value (selectable rows only)
    numbers: tuple[int, ...]  # each number column's widest figure, in cells
    longest: int  # the widest label with its indentation, in cells


@dataclass(frozen=True)
class Bar:
    label: str  # a code path, or a group's name under its code
    value: float  # the bar's length, against the longest bar
    numbers: tuple[str, ...] = ()  # the figures at the right, one per column title
    cell: Cell | None = None  # the codings behind the bar; None: a heading (not selectable)
    depth: int = 0  # indentation, in levels of two columns
    colour: str = ""  # the code's colour for the bar


def bar_text(value: float, maximum: float, width: int) -> str:
    """A bar `width` columns long at `maximum`, in eighths of a column; any value above
    zero shows at least one eighth, so a small count never looks like none."""
    if width <= 0 or value <= 0 or maximum <= 0:
        return ""
    eighths = max(1, round(min(value, maximum) / maximum * width * 8))
    full, part = divmod(eighths, 8)
    return FULL * full + (EIGHTHS[part] if part else "")


class Bars(Widget, can_focus=True):
    """The cursor (`cursor`, an index into `rows`) is moved by the screen's actions."""

    COMPONENT_CLASSES = {"bars--cursor", "bars--header", "bars--heading", "bars--number"}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows: Sequence[Bar] = []
        self.columns: tuple[str, ...] = ()
        self.corner = ""
        self.cursor: int | None = None
        self.top = 0
        self._maximum, self._numbers, self._longest = 0, [], 0  # measured once by `show`
        self._styles: dict[tuple[str, bool], Style] | None = None

    # ------------------------------------------------------------------ content

    def show(self, rows: Sequence[Bar], columns: tuple[str, ...], corner: str = "code", cursor: int = 0,
             measures: Measures | None = None) -> None:
        """Show `rows`: a list, measured here, or `Rows` made lazily with their `measures`."""
        self.rows, self.columns, self.corner = rows, columns, corner
        if measures is None:
            measures = Measures(
                max((r.value for r in rows if r.cell is not None), default=0),
                tuple(max([0, *(cells(r.numbers[i]) for r in rows if i < len(r.numbers))]) for i in range(len(columns))),
                max((cells(r.label) + 2 * r.depth for r in rows), default=0))
        self._maximum = measures.maximum
        self._numbers = [max(cells(title), n) for title, n in zip(columns, measures.numbers)]
        self._longest = max(cells(corner), measures.longest)
        self.top = 0
        self.cursor = None
        self.go(cursor)

    @property
    def current(self) -> Bar | None:
        return self.rows[self.cursor] if self.cursor is not None else None

    def go(self, index: int, direction: int = 1) -> None:
        """Put the cursor on row `index`, or the nearest selectable row in `direction`."""
        if not self.rows:
            self.cursor = None
            self.refresh()
            return
        index = max(0, min(index, len(self.rows) - 1))
        for step in (direction, -direction):
            i = index
            while 0 <= i < len(self.rows) and self.rows[i].cell is None:
                i += step
            if 0 <= i < len(self.rows):
                self.cursor = i
                break
        else:
            self.cursor = None
        self._scroll_to_cursor()
        self.refresh()

    def move(self, delta: int) -> None:
        if self.cursor is None:
            self.go(0)
            return
        self.go(self.cursor + delta, 1 if delta >= 0 else -1)

    @property
    def page(self) -> int:
        return max(1, self.size.height - 2)

    def _scroll_to_cursor(self) -> None:
        if self.cursor is None:
            return
        height = max(1, self.size.height - 1)  # under the header
        first = self.cursor - 1 if self.cursor > 0 and self.rows[self.cursor - 1].cell is None else self.cursor
        if first < self.top:
            self.top = first
        elif self.cursor >= self.top + height:
            self.top = self.cursor - height + 1
        self.top = max(0, min(self.top, max(0, len(self.rows) - height)))

    def on_resize(self) -> None:
        self._scroll_to_cursor()
        self.refresh()

    # ------------------------------------------------------------------ drawing

    def _style(self, name: str, partial: bool = False) -> Style:
        """The widget's style plus component `name` ("" for its own), or the component's
        alone (`partial`), worked out once per style change, not on every line."""
        if self._styles is None:
            base = self.rich_style
            self._styles = {("", False): base}
            for component in self.COMPONENT_CLASSES:
                name_ = component.removeprefix("bars--")
                self._styles[name_, False] = base + self.get_component_rich_style(component)
                self._styles[name_, True] = self.get_component_rich_style(component, partial=True)
        return self._styles[name, partial]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def layout_widths(self, width: int) -> tuple[int, int, list[int]]:
        """The label's and the bar's widths and the number columns' that fit `width`."""
        numbers, longest = list(self._numbers), self._longest
        while True:
            spare = width - sum(n + GAP for n in numbers) - 1
            label = min(longest, max(10, spare * 11 // 20))
            bar = spare - label
            if bar >= BAR_MIN or len(numbers) <= 1:
                return label, max(0, bar), numbers
            numbers = numbers[:-1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self._style("")
        label_w, bar_w, numbers = self.layout_widths(width)
        if y == 0:
            header = self._style("header")
            text = ljust(head(self.corner, label_w), label_w) + " " * (bar_w + 1)
            text += "".join(rjust(t, n + GAP) for t, n in zip(self.columns, numbers))
            return Strip([Segment(text, header)]).crop_extend(0, width, base)
        index = self.top + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        return self._bar_line(self.rows[index], index == self.cursor, label_w, bar_w, numbers).crop_extend(0, width, base)

    def _bar_line(self, row: Bar, current: bool, label_w: int, bar_w: int, numbers: list[int]) -> Strip:
        base = self._style("")
        if row.cell is None:
            base = self._style("heading")
        elif current:
            base = self._style("cursor")
        indent = " " * min(2 * row.depth, max(0, label_w - 6))
        label = ljust(indent + fit_path(row.label, label_w - len(indent)), label_w)
        segments = [Segment(label + " ", base)]
        if row.cell is not None:
            bar = bar_text(row.value, self._maximum, bar_w)
            colour = Style.parse(row.colour) if row.colour else Style()
            segments.append(Segment(bar.ljust(bar_w), base + colour))
            figures = "".join(rjust(t, n + GAP) for t, n in zip(row.numbers, numbers))
            segments.append(Segment(figures, base + self._style("number", partial=True)))
        return Strip(segments)
