"""Where word and sentence motions land, as offsets in a document's text.

The cursor only rests inside turns (speaker labels are not shown), so every motion that
lands between turns is moved to the next (or previous) turn.
"""

from __future__ import annotations

import re

from store.model import Document

_WORD = re.compile(r"\w+|[^\w\s]+")
_SENTENCE_END = re.compile(r"[.!?…]+['\"’”)\]]*\s+(?=\S)")


def inside(document: Document, position: int, forward: bool = True) -> int:
    """`position` moved into the nearest turn in the given direction."""
    turns = document.turns
    if not turns:
        return 0
    turn = document.turn_at(position)
    if turn is None:
        return turns[0].start
    if turn.start <= position <= last(turn):
        return position
    if position < turn.start:  # before the first turn (turn_at may return it)
        return turn.start
    if forward:
        return turns[turn.index + 1].start if turn.index + 1 < len(turns) else last(turn)
    return last(turn)


def last(turn) -> int:
    """The last position the cursor can take in a turn."""
    return max(turn.start, turn.end - 1)


def word_forward(document: Document, text: str, position: int) -> int:
    match = _WORD.search(text, position)
    if match and match.start() <= position:
        match = _WORD.search(text, match.end())
    if match is None:
        return position
    landed = inside(document, match.start())
    return landed if landed > position else position


def word_back(document: Document, text: str, position: int) -> int:
    turn = document.turn_at(position)
    floor = turn.start if turn else 0
    window = max(floor, position - 400)
    starts = [m.start() for m in _WORD.finditer(text, window, position)]
    if starts:
        return starts[-1]
    if turn is not None and turn.index > 0:
        previous = document.turns[turn.index - 1]
        return word_back(document, text, last(previous) + 1) if previous.end > previous.start else previous.start
    return floor


def sentence_starts(text: str, start: int, end: int) -> list[int]:
    """Starts of the sentences of text[start:end]."""
    return [start, *(m.end() for m in _SENTENCE_END.finditer(text, start, end))]


def sentence_span(document: Document, text: str, position: int) -> tuple[int, int]:
    turn = document.turn_at(position)
    if turn is None:
        return position, position + 1
    starts = sentence_starts(text, turn.start, turn.end)
    begin = max(s for s in starts if s <= position) if position >= turn.start else turn.start
    later = [s for s in starts if s > position]
    end = later[0] if later else turn.end
    while end > begin and text[end - 1].isspace():
        end -= 1
    return begin, end


def sentence_forward(document: Document, text: str, position: int) -> int:
    turn = document.turn_at(position)
    if turn is None:
        return inside(document, position)
    later = [s for s in sentence_starts(text, turn.start, turn.end) if s > position]
    if later:
        return later[0]
    return document.turns[turn.index + 1].start if turn.index + 1 < len(document.turns) else position


def sentence_back(document: Document, text: str, position: int) -> int:
    turn = document.turn_at(position)
    if turn is None:
        return position
    earlier = [s for s in sentence_starts(text, turn.start, turn.end) if s < position]
    if earlier:
        return earlier[-1]
    if turn.index == 0:
        return position
    previous = document.turns[turn.index - 1]
    return sentence_starts(text, previous.start, previous.end)[-1]
