"""The reader's rows: each turn as a speaker row, its wrapped text rows and a blank row.

Wrapping works on offsets with `str.rfind`, so a 4,000-turn hearing day is laid out in a few
milliseconds and nothing is copied; the reader renders only the rows on screen.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from store.model import Document

HEADER, TEXT, BLANK = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Row:
    kind: int
    turn: int
    start: int
    end: int


class Layout:
    """Rows of one document at one text width, and the lookups motions need."""

    def __init__(self, document: Document, text: str, width: int):
        self.width = max(8, width)
        self.rows: list[Row] = []
        self.text_rows: list[int] = []  # indexes of TEXT rows, in text order
        self.text_starts: list[int] = []
        self.turn_header: list[int] = []
        for turn in document.turns:
            self.turn_header.append(len(self.rows))
            self.rows.append(Row(HEADER, turn.index, turn.start, turn.start))
            for start, end in wrap(text, turn.start, turn.end, self.width):
                self.text_rows.append(len(self.rows))
                self.text_starts.append(start)
                self.rows.append(Row(TEXT, turn.index, start, end))
            self.rows.append(Row(BLANK, turn.index, turn.end, turn.end))

    def __len__(self) -> int:
        return len(self.rows)

    def text_row_of(self, position: int) -> int:
        """Index in `text_rows` of the row holding `position`."""
        return max(0, bisect_right(self.text_starts, position) - 1)

    def row_of(self, position: int) -> int:
        return self.text_rows[self.text_row_of(position)] if self.text_rows else 0


def wrap(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """[start, end) broken into rows of at most `width` characters, at spaces where possible.

    A row ends before the space it breaks at; line breaks inside a turn start a new row.
    """
    rows: list[tuple[int, int]] = []
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        line_end = end if newline < 0 else newline
        while line_end - position > width:
            space = text.rfind(" ", position + 1, position + width + 1)
            if space <= position:
                rows.append((position, position + width))
                position += width
            else:
                rows.append((position, space))
                position = space + 1
        rows.append((position, line_end))
        position = line_end + 1
    return rows or [(start, start)]
