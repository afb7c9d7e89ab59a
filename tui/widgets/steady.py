"""Scroll bars that a layout of the screen leaves alone when nothing about them changed."""

from __future__ import annotations

from math import ceil

from textual.geometry import Size
from textual.scrollbar import ScrollBar


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
