"""Names and labels made safe to store and show, and spans snapped to whole words."""

from __future__ import annotations

import unicodedata
from itertools import repeat
from operator import attrgetter

from store.graphemes import MARKS, grapheme_edge
from store.patterns import later

# A word (letters and digits with their accents, and the apostrophes inside it: "don't"
# is one word) or a run of punctuation and emoji. Word motions and word snapping share
# this one definition.
_RUN = rf"\w[\w{MARKS}]*"


# Words alone, without the runs of punctuation: what word_count, word snapping and the word index count.
LETTERS = later(rf"{_RUN}(?:['’]{_RUN})*")
WORD = later(rf"{LETTERS.pattern}|(?:[^\w\s{MARKS}][{MARKS}]*)+")
# LETTERS on a text without a combining mark (none lies below U+0300 or among the general
# punctuation, U+2000-U+206F, where English transcripts' curly quotes and dashes are):
# the same words, three times as fast (18 ms to 6 ms over the seven PDPilot interviews,
# most of a first `margin stats codes`), found by a search that costs a tenth of that.
_PLAIN_LETTERS = later(r"\w+(?:['’]\w+)*")
_NOT_PLAIN = later("[^\x00-\u02ff\u2000-\u206f]")


def letters(text: str, start: int = 0, end: int | None = None):
    """LETTERS.finditer over text[start:end], by the faster pattern where it finds the same."""
    end = len(text) if end is None else end
    pattern = LETTERS if _NOT_PLAIN.search(text, start, end) else _PLAIN_LETTERS
    return pattern.finditer(text, start, end)


def word_count(text: str) -> int:
    """Words as the reader's motions see them (letters and digits, with inner apostrophes)."""
    return len(_letters_of(text).findall(text))


def words_said(text: str, turns) -> int:
    """A document's words: those of its turns (objects with start and end), since speaker
    labels and the gaps between turns are not words of it; the whole text's without turns.
    store/words.py indexes the same words, so every count of a document's words agrees."""
    if not turns:
        return word_count(text)
    found = _letters_of(text).findall  # a list of each turn's words: a third of the time of iterating matches
    return sum(map(len, map(found, repeat(text), map(_START, turns), map(_END, turns))))


def _letters_of(text: str):
    """The pattern `letters` takes for the whole of `text` (both find the same words)."""
    return LETTERS if _NOT_PLAIN.search(text) else _PLAIN_LETTERS


_START, _END = attrgetter("start"), attrgetter("end")


# Invisible characters that belong to the text and are safe on a terminal: joiners (the
# U+200D inside 👩‍⚕️, ZWNJ in Persian), direction marks (Arabic, Hebrew), the word joiner
# and soft hyphen. str.isprintable() refuses them with every control character.
KEEP_INVISIBLE = frozenset("\u200c\u200d\u200e\u200f\u2060\u00ad\u061c")


def shows(ch: str) -> bool:
    """A character that may reach a terminal as it is: printable, a space of any kind, or
    one of KEEP_INVISIBLE; never a control character, a line or paragraph separator, a
    bidirectional override or a surrogate."""
    return ch.isprintable() or ch in KEEP_INVISIBLE or (ch.isspace() and unicodedata.category(ch) == "Zs")


LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # where str.splitlines breaks


def refuse_unshown(name: str, kind: str) -> None:
    """Refuse a name (of a code, a coder, a speaker: `kind`) holding a character that
    does not show: a line break or a control character is refused, not replaced, since a
    name quietly changed is not the one the researcher gave, and typed again it would not
    be found. A tab is let through (the callers make it a space)."""
    from store.errors import BadInput  # here: the texts of a project need no errors

    unshown = next((ch for ch in name if ch != "\t" and not shows(ch)), None)
    if unshown is None:
        return
    if unshown in LINE_BREAKS:
        what, advice = "a line break", "put the name on one line"
    elif unicodedata.category(unshown) in ("Cc", "Cf"):
        what, advice = "a control character", "leave it out"
    else:  # unassigned in this Python's Unicode, private use, a lone surrogate
        what, advice = "a character Margin cannot show", "leave it out"
    shown = name if len(name) <= 40 else name[:39] + "…"
    raise BadInput(f"{kind} cannot hold {what} (U+{ord(unshown):04X} in {shown!r}); {advice}")


def one_line(text: str) -> str:
    """Characters that show, on one line, spaces collapsed (control characters never reach a terminal).

    White space separates words either way, so when what is left after collapsing it is
    all printable (the usual passage), no character needed replacing: that answer is made
    in C, without a test per character (most of `margin find`'s own work)."""
    collapsed = " ".join(text.split())
    if collapsed.isprintable():
        return collapsed
    return " ".join("".join(ch if shows(ch) else " " for ch in text).split())


def token_start(text: str, position: int, floor: int = 0) -> int:
    """A place at or before `position` where tokenising can begin: just after the white
    space before it (tokens never hold white space), or `floor`."""
    while position > floor and not text[position - 1].isspace():
        position -= 1
    return position


def token_end(text: str, position: int, ceiling: int) -> int:
    """A place at or after `position` where tokenising can stop: the next white space."""
    while position < ceiling and not text[position].isspace():
        position += 1
    return position


def word_around(text: str, position: int) -> tuple[int, int] | None:
    """The word that a boundary at `position` cuts (between two of its letters), if any."""
    if not 0 < position < len(text) or text[position].isspace() or text[position - 1].isspace():
        return None
    for match in LETTERS.finditer(text, token_start(text, position), token_end(text, position, len(text))):
        if match.start() >= position:
            return None
        if match.end() > position:
            return match.span()
    return None


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """`text[start:end]` without white space at either edge."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def tidy_span(text: str, start: int, end: int, floor: int = 0, ceiling: int | None = None) -> tuple[int, int] | None:
    """A selection as a coder means it: whole words, no white space at either edge.

    A start or end inside a word takes in the whole word, and one inside a grapheme (an
    accent, an emoji sequence) the whole grapheme, but never beyond [floor, ceiling) (the
    turn a selection was made in). None when nothing is left.
    """
    ceiling = len(text) if ceiling is None else ceiling
    start, end = strip_span(text, max(start, floor), min(end, ceiling))
    if end <= start:
        return None
    cut = word_around(text, start)
    if cut is not None:
        start = max(floor, cut[0])
    cut = word_around(text, end)
    if cut is not None:
        end = min(ceiling, cut[1])
    return max(floor, grapheme_edge(text, start, forward=False)), min(ceiling, grapheme_edge(text, end, forward=True))
IRREGULAR = {"match": "matches", "entry": "entries", "sub-code": "sub-codes", "child": "children"}


def plural(count: int, noun: str) -> str:
    """`1 coding`, `2 codings`, `0 matches`: the count with its noun in the right number."""
    return f"{count} {noun if count == 1 else IRREGULAR.get(noun, noun + 's')}"
