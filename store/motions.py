"""Where the reader's motions land, as offsets in a document's text.

The cursor only rests inside turns, on `turn.start` to `last(turn)` (speaker labels and the
gaps between turns are not shown), so a motion that would land between turns lands in the
next (or previous) turn instead. Every motion here is a loop over turns and words, never
recursion, and total: from any offset, inside the text or not, it returns a cursor
position, and it stays put when there is nowhere to go.

`moved_span` is what `<` and `>` then a motion do to a selection or a coding.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from store.model import Document, Turn
from store.graphemes import grapheme_edge
from store.patterns import later
from store.text import WORD, strip_span, token_end, token_start, word_around

_SENTENCE_END = later(r"[.!?…]+['\"’”)\]]*\s+(?=\S)")

Motion = Callable[[int], int]


# ---------------------------------------------------------------------- turns


def last(turn: Turn) -> int:
    """The last position the cursor can take in a turn."""
    return max(turn.start, turn.end - 1)


def _before(document: Document, position: int) -> int:
    """Index of the last turn starting at or before `position` (-1: before the first)."""
    return bisect_right(document.turns, position, key=lambda turn: turn.start) - 1


def turn_of(document: Document, position: int) -> Turn | None:
    """The turn whose cursor positions hold `position`; None in a label, a gap or outside."""
    index = _before(document, position)
    if index < 0:
        return None
    turn = document.turns[index]
    return turn if position <= last(turn) else None


def inside(document: Document, position: int, forward: bool = True) -> int:
    """`position` moved into the nearest turn in the given direction (the other way when
    there is none that way)."""
    turns = document.turns
    if not turns:
        return 0
    index = _before(document, position)
    if index < 0:
        return turns[0].start
    if position <= last(turns[index]):
        return position
    if forward and index + 1 < len(turns):
        return turns[index + 1].start
    return last(turns[index])


def turn_index(document: Document, position: int) -> int:
    """Index of the turn the cursor would be in at `position` (snapped forward)."""
    return max(0, _before(document, inside(document, position)))


def char_right(document: Document, text: str, position: int) -> int:
    """The next grapheme (a letter with its accents, a whole emoji), not the next code point."""
    return _whole(document, text, inside(document, position + 1), forward=True)


def char_left(document: Document, text: str, position: int) -> int:
    return _whole(document, text, inside(document, position - 1, forward=False), forward=False)


def _whole(document: Document, text: str, position: int, forward: bool) -> int:
    """`position` moved out of the grapheme it cuts, the way the cursor goes, within its turn."""
    turn = turn_of(document, position)
    edge = grapheme_edge(text, position, forward)
    if turn is None or turn.start <= edge <= last(turn):
        return edge
    if forward:  # the turn's last grapheme: on to the next turn, if there is one
        beyond = inside(document, edge)
        if beyond > last(turn):
            return beyond
    return grapheme_edge(text, position, not forward)


def turn_down(document: Document, text: str, position: int) -> int:
    """The start of the next turn; stays in the last turn."""
    turn = turn_of(document, position)
    if turn is None:
        return inside(document, position)
    return document.turns[turn.index + 1].start if turn.index + 1 < len(document.turns) else position


def turn_up(document: Document, text: str, position: int) -> int:
    """The start of this turn, or of the one before when already there."""
    index = _before(document, position - 1)
    return document.turns[max(0, index)].start if document.turns else 0


def top(document: Document, text: str, position: int) -> int:
    return document.turns[0].start if document.turns else 0


def bottom(document: Document, text: str, position: int) -> int:
    return document.turns[-1].start if document.turns else 0


# ---------------------------------------------------------------------- words


def _words(text: str, turn: Turn, start: int):
    """The words (and punctuation runs) of `turn` that end after `start`, in order."""
    begin = token_start(text, min(max(start, turn.start), turn.end), turn.start)
    for match in WORD.finditer(text, begin, turn.end):
        if match.end() > start:
            yield match


def word_forward(document: Document, text: str, position: int) -> int:
    """The start of the next word after `position`, across turns; stays at the last word."""
    turns = document.turns
    for index in range(turn_index(document, position), len(turns)):
        for match in _words(text, turns[index], position + 1):
            if match.start() > position:
                return match.start()
    return inside(document, position, forward=False)


def word_end(document: Document, text: str, position: int) -> int:
    """The last letter of this word (with its accents), or of the next when already there (`e`)."""
    turns = document.turns
    for index in range(turn_index(document, position), len(turns)):
        for match in _words(text, turns[index], position + 1):
            final = grapheme_edge(text, match.end() - 1, forward=False)
            if final > position:
                return final
    return inside(document, position, forward=False)


def word_back(document: Document, text: str, position: int) -> int:
    """The start of the word before `position`, across turns; stays at the first word.

    Looks back a window at a time from a point where words begin, so a long turn costs
    no more than the words near the cursor.
    """
    turns = document.turns
    index = _before(document, position)
    while index >= 0:
        turn = turns[index]
        ceiling = min(position, turn.end)
        while ceiling > turn.start:
            floor = token_start(text, max(turn.start, ceiling - 200), turn.start)
            words = WORD.finditer(text, floor, token_end(text, ceiling, turn.end))
            starts = [m.start() for m in words if m.start() < ceiling]
            if starts:
                return starts[-1]
            ceiling = floor
        index -= 1
    return inside(document, position)


# ---------------------------------------------------------------------- sentences


def sentence_starts(text: str, start: int, end: int) -> list[int]:
    """Starts of the sentences of text[start:end]."""
    return [start, *(m.end() for m in _SENTENCE_END.finditer(text, start, end))]


def sentence_span(document: Document, text: str, position: int) -> tuple[int, int]:
    """The sentence around `position` (the next one when it is between turns), within its turn."""
    if not document.turns:
        return position, position
    turn = document.turns[turn_index(document, position)]
    position = inside(document, position)
    starts = sentence_starts(text, turn.start, turn.end)
    begin = max(s for s in starts if s <= position)
    end = next((s for s in starts if s > position), turn.end)
    return strip_span(text, begin, end)


def sentence_forward(document: Document, text: str, position: int) -> int:
    """The start of the next sentence, across turns; stays in the last sentence."""
    turns = document.turns
    for index in range(turn_index(document, position), len(turns)):
        turn = turns[index]
        later = [s for s in sentence_starts(text, turn.start, turn.end) if s > position]
        if later:
            return later[0]
    return inside(document, position, forward=False)


def sentence_back(document: Document, text: str, position: int) -> int:
    """The start of this sentence, or of the one before when already there."""
    turns = document.turns
    for index in range(_before(document, position), -1, -1):
        turn = turns[index]
        earlier = [s for s in sentence_starts(text, turn.start, turn.end) if s < position]
        if earlier:
            return earlier[-1]
    return inside(document, position)


MOTIONS: dict[str, Callable[[Document, str, int], int]] = {
    "char_right": char_right, "char_left": char_left, "turn_down": turn_down, "turn_up": turn_up,
    "top": top, "bottom": bottom, "word_forward": word_forward, "word_end": word_end,
    "word_back": word_back, "sentence_forward": sentence_forward, "sentence_back": sentence_back,
}  # fmt: skip
FORWARD = {"char_right", "turn_down", "word_forward", "word_end", "sentence_forward"}
BACKWARD = {"char_left", "turn_up", "word_back", "sentence_back"}
# Motions that land on the start of something: the end of a selection stops before it.
STARTS = {"word_forward", "word_back", "sentence_forward", "sentence_back"}


# ---------------------------------------------------------------------- boundaries


def unit_of(name: str) -> str:
    """What a boundary moved by motion `name` snaps to: whole sentences, turns or words."""
    if name.startswith("sentence"):
        return "sentence"
    if name in ("turn_down", "turn_up", "top", "bottom"):
        return "turn"
    return "word"


def moved_span(
    document: Document, text: str, span: tuple[int, int], side: str, name: str, motion: Motion
) -> tuple[int, int]:
    """`span` with its start (`side` "<") or end (">") moved by `motion` (the motion called
    `name`), snapped to whole words, or sentences or turns for those motions, in the
    direction it moved.

    Moving out grows the span by at least one unit and moving in shrinks it by at least
    one, except at the edge of the boundary's turn (only turn moves cross turns) or when
    nothing would be left: there the span stays put. A span that ends or starts in a
    label or gap (made before boundaries settled) is first settled into its turns.
    """
    start, end = settle_start(document, text, span[0]), settle_end(document, text, span[1])
    if end <= start:
        return span
    unit = unit_of(name)
    position = end - 1 if side == ">" else start
    limit = _limit(document, position, side, unit)
    for _ in range(len(text) + 1):  # every pass moves on at least one character
        moved = motion(position)
        if side == ">":
            if moved < position:  # back to the start of a word, sentence, turn: end before it
                new = _snap_end(document, text, moved + (name not in STARTS and unit != "turn"), False, unit)
                return (start, new) if new > start else (start, end)
            if moved == position or moved >= limit:
                break
            new = min(limit, _snap_end(document, text, moved + 1, True, unit))
            if new > end:
                return start, new
        else:
            if moved > position:
                new = _snap_start(document, text, moved, False, unit)
                return (new, end) if new < end else (start, end)
            if moved == position or moved < limit:
                break
            new = max(limit, _snap_start(document, text, moved, True, unit))
            if new < start:
                return new, end
        position = moved  # it moved over white space only: go on
    return start, end


def _limit(document: Document, position: int, side: str, unit: str) -> int:
    """How far a boundary may grow: the edge of its turn (of the document for turn moves)."""
    turns = document.turns
    if unit == "turn":
        return turns[-1].end if side == ">" else turns[0].start
    turn = turns[turn_index(document, position)]
    return turn.end if side == ">" else turn.start


def _snap_end(document: Document, text: str, end: int, outward: bool, unit: str) -> int:
    """An exclusive end moved to the end of a word, sentence or turn."""
    if unit == "turn":
        turn = document.turns[turn_index(document, end - 1)]
        if outward:
            return settle_end(document, text, turn.end)
        index = turn.index if end >= turn.end else turn.index - 1
        return settle_end(document, text, document.turns[index].end) if index >= 0 else 0
    if unit == "sentence":
        begin, finish = sentence_span(document, text, end - 1)
        end = finish if outward or end >= finish else begin
    else:
        cut = word_around(text, end)
        if cut is not None:
            end = cut[1] if outward else cut[0]
    return settle_end(document, text, end)


def _snap_start(document: Document, text: str, start: int, outward: bool, unit: str) -> int:
    """A start moved to the start of a word, sentence or turn."""
    if unit == "turn":
        turn = document.turns[turn_index(document, start)]
        if outward or start <= turn.start:
            return settle_start(document, text, turn.start)
        return settle_start(document, text, turn.end)
    if unit == "sentence":
        begin, finish = sentence_span(document, text, start)
        start = begin if outward or start <= begin else finish
    else:
        cut = word_around(text, start)
        if cut is not None:
            start = cut[0] if outward else cut[1]
    return settle_start(document, text, start)


OPENERS = "([{“‘«\"'"
CLOSERS = ")]}”’»\"'"


def settle_end(document: Document, text: str, end: int) -> int:
    """An exclusive end moved back over white space and a dangling opening bracket or
    quote, and out of a label or gap to the end of the turn before (so a span never ends
    on "Dan:")."""
    turns = document.turns
    index = _before(document, end - 1)
    while index >= 0:
        turn = turns[index]
        end = min(end, turn.end)
        while end > turn.start and (
            text[end - 1].isspace() or text[end - 1] in OPENERS and (end - 1 == turn.start or text[end - 2].isspace())
        ):
            end -= 1
        if end > turn.start:
            return min(turn.end, grapheme_edge(text, end, forward=True))
        index -= 1
    return turns[0].start if turns else 0


def settle_start(document: Document, text: str, start: int) -> int:
    """A start moved on over white space and a dangling closing bracket or quote, and out
    of a label or gap to the start of the next turn."""
    turns = document.turns
    index = max(0, _before(document, start))
    if turns and start >= turns[index].end and start > turns[index].start:
        index += 1
    while index < len(turns):
        turn = turns[index]
        start = max(start, turn.start)
        while start < turn.end and (
            text[start].isspace() or text[start] in CLOSERS and (start + 1 == turn.end or text[start + 1].isspace())
        ):
            start += 1
        if start < turn.end:
            return max(turn.start, grapheme_edge(text, start, forward=False))
        index += 1
    return turns[-1].end if turns else 0
