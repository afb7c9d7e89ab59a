"""Which panes fit beside the reader, and how wide: the reader keeps READER_MIN columns.

Side panes are placed in the order the researcher last asked for them, each at its
preferred width, else squeezed to its least, else left hidden; the first one asked for is
shown at its least width even on a terminal too narrow for the rule, as long as the reader
keeps READER_FLOOR columns. The memo pane takes what the side panes leave beside the
reader (half of it at most) or, when that is under MEMO_LEAST, goes below the reader.
"""

from __future__ import annotations

from dataclasses import dataclass

READER_MIN = 60
READER_FLOOR = 30
SIDES = {"documents": (26, 20), "codes": (30, 20)}  # preferred, least
MEMO_LEAST = 32
WIDE = 110  # from this width both side panes are shown until the researcher hides one


@dataclass(frozen=True)
class Fit:
    widths: dict[str, int]  # side pane -> columns; 0 is hidden
    memo: int  # columns beside the reader; 0 is below it


def fit_panes(width: int, wanted: list[str], memo_open: bool = False) -> Fit:
    widths = dict.fromkeys(SIDES, 0)
    room = width - READER_MIN
    for rank, name in enumerate(wanted):
        preferred, least = SIDES[name]
        if room >= least:
            widths[name] = min(preferred, room)
        elif rank == 0 and width - least >= READER_FLOOR:
            widths[name] = least
        room -= widths[name]
    memo = 0
    if memo_open:
        beside = width - sum(widths.values())
        if beside - READER_MIN >= MEMO_LEAST:
            memo = min(beside - READER_MIN, beside // 2)
    return Fit(widths, memo)
