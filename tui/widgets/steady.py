"""Scroll bars that a layout of the screen leaves alone when nothing about them changed."""

from __future__ import annotations

from math import ceil

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip


class SteadyScrollBars:
    """Textual's ScrollView repaints its scroll bars on every layout of the screen, as the
    layout hands it its region's size as its virtual size (never the real one, which the
    widget sets itself). Each layout, showing or hiding the code picker included, then
    re-rendered every scroll bar line of the reader and the panes, and with those columns
    dirty, every line of the screen (15 of the 38 ms of a picker's opening at 200x50).
    When nothing it shows from changed since the last update (its size, its container's,
    its own virtual size, which bars it shows) there is nothing to do."""

    _steady = None  # what the last full update saw

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        seen = (size, container_size, self.virtual_size, self.show_vertical_scrollbar, self.show_horizontal_scrollbar)
        if seen == self._steady and size == self._size:
            return False
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        self._steady = (size, container_size, self.virtual_size, self.show_vertical_scrollbar,
                        self.show_horizontal_scrollbar)
        return changed


def thumb(bar: ScrollBar, position: float) -> tuple[int, int] | None:
    """The eighths of a cell the thumb of `bar` spans at `position`, computed as Textual's
    ScrollBarRender.render_bar draws it (None: no thumb is drawn)."""
    size, virtual = bar.size.height, ceil(bar.window_virtual_size)
    window = ceil(bar.window_size) if bar.window_size < bar.window_virtual_size else 0
    if not (window and size and virtual and size != virtual):
        return None
    thumb = max(1, window / (virtual / size))
    start = int((size - thumb) * (position / (virtual - window)) * 8)
    return start, start + ceil(thumb * 8)


def plain(widget) -> bool:
    """No border, padding, outline, tint, hatch or opacity: nothing Textual's styles cache
    adds to a line of `widget` but the line filters."""
    styles = widget.styles
    return (not any(styles.gutter) and not any(edge for edge, _ in styles.outline) and not styles.tint.a
            and widget.opacity == 1 and styles.text_opacity == 1 and not styles.has_rule("hatch"))


class LineBar(ScrollBar):
    """The reader's vertical scroll bar, drawn line by line. Textual's draws every line of
    the bar through Rich and then styles each changed line whenever its thumb moves: on a
    page down at 200x50 that was 1 ms, as much as a fifth of the reader's rows. This one
    takes the bar's cells from the same `ScrollBarRender.render_bar` and keeps the strip of
    every line whose cell is as it was (a page down moves a few cells of 49)."""

    _lines: list[tuple[Segment, Strip]] = []  # each line's cell and the strip drawn from it
    _drawn: tuple = ()  # the size and filters the lines were drawn at

    def render_lines(self, crop: Region) -> list[Strip]:
        if not (self.vertical and plain(self)):
            return super().render_lines(crop)
        width, height = self.size
        drawn = (width, height, tuple(self.get_line_filters()), self.background_colors[1], self.visual_style.rich_style)
        if self._dirty_regions or drawn != self._drawn or len(self._lines) != height:  # as Widget.render_line
            renderable = self.render()  # its colours, as Textual takes them (hover, grab, the parent's styles)
            if not isinstance(renderable, ScrollBarRender):
                return super().render_lines(crop)
            self._draw(renderable, drawn)
        strips = [strip for _, strip in self._lines[crop.y : crop.bottom]]
        if crop.column_span != (0, width):
            strips = [strip.crop(*crop.column_span) for strip in strips]
        return strips

    def _draw(self, renderable: ScrollBarRender, drawn: tuple) -> None:
        """The lines as Textual's Widget.render_line and styles cache would make them: the
        widget's style under each cell (as Rich's `_Styled`), cut or padded to the width,
        then the app's line filters."""
        width, height, filters, background, base = drawn
        style = renderable.style if isinstance(renderable.style, Style) else Style.parse(renderable.style)
        cells = renderable.render_bar(
            size=height, virtual_size=renderable.virtual_size, window_size=renderable.window_size,
            position=renderable.position, thickness=width, vertical=True,
            back_color=style.bgcolor or Color.parse("#555555"), bar_color=style.color or Color.parse("bright_magenta"),
        ).segments
        old = self._lines if drawn == self._drawn else []
        lines = []
        for y, cell in enumerate(cells[:height]):
            if y < len(old) and old[y][0] == cell:
                lines.append(old[y])
                continue
            strip = Strip([Segment(cell.text, base + cell.style if base else cell.style)]).adjust_cell_length(width, base)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            lines.append((cell, strip))
        self._lines, self._drawn = lines, drawn
        self._dirty_regions.clear()
