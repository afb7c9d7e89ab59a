"""Scroll bars that a layout of the screen leaves alone when nothing about them changed."""

from __future__ import annotations

from textual.geometry import Size


class SteadyScrollBars:
    """Textual's ScrollView repaints its scroll bars on every layout of the screen, as the
    layout hands it its region's size as its virtual size (never the real one, which the
    widget sets itself). Each layout, showing or hiding the code picker included, then
    re-rendered every scroll bar line of the reader and the panes, and with those columns
    dirty, every line of the screen (15 of the 38 ms of a picker's opening at 200x50).
    When neither its size nor its container's changed there is nothing to update: a new
    virtual size comes through the widget's own `virtual_size`, which updates the bars."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        if size == self._size and container_size == self.container_size:
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)
