"""Positions the way NVivo counts them: UTF-16 code units of a text written with CRLF
line endings (the BOM NVivo writes does not count), as its own exports show
(shared/refi/samples/nvivo12-win_oltas0517.qdpx)."""

from __future__ import annotations

from bisect import bisect_left

from store.patterns import later

NVIVO_ORIGIN = "(NVivo positions)"  # ends `origin`, so Margin's own import knows how the export counts
_WIDE = later("[\n\U00010000-\U0010ffff]")  # a line feed becomes CRLF; astral: a surrogate pair


def nvivo_text(text: str) -> bytes:
    """A stored text (LF) as NVivo writes its `.txt`: UTF-8 with a BOM, CRLF endings."""
    return ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")


class NvivoUnits:
    """Margin offsets (code points of the LF text) as NVivo positions."""

    def __init__(self, text: str):
        self.wide = [m.start() for m in _WIDE.finditer(text)]

    def position(self, offset: int) -> int:
        """Each wide character before `offset` counts one unit more."""
        return offset + bisect_left(self.wide, offset)
