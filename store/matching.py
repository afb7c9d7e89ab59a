"""Finding spans to code: text matches (auto-coding), turns and speakers."""

from __future__ import annotations

import bisect
import re

from store.errors import BadInput
from store.model import Document
from store.speakers import key as speaker_key, spoken


def match_pattern(needle: str, whole_words: bool = True) -> re.Pattern:
    """A pattern for `needle` that ignores how whitespace runs and line breaks fall; with
    `whole_words` it does not match inside a word ("we" does not match "Interviewer")."""
    words = needle.split()
    if not words:
        raise BadInput("the text to match is empty; give some words of the segment")
    body = r"\s+".join(re.escape(word) for word in words)
    before = r"(?<!\w)" if whole_words and re.match(r"\w", words[0]) else ""
    after = r"(?!\w)" if whole_words and re.search(r"\w$", words[-1]) else ""
    return re.compile(before + body + after)


def find_matches(text: str, needle: str) -> list[tuple[int, int]]:
    """Whole-word matches; failing those, matches that start or end inside a word (segments
    cut by other tools, such as MAXQDA's, often do)."""
    for whole_words in (True, False):
        found = [m.span() for m in match_pattern(needle, whole_words).finditer(text)]
        if found:
            return found
    return []


def search(text: str, pattern: str, ignore_case: bool = True) -> list[tuple[int, int]]:
    """Regex search (case-insensitive by default); a bad regex is a user's mistake, not a crash."""
    try:
        compiled = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise BadInput(f"{pattern!r} is not a valid search pattern ({exc}); escape special characters with \\") from None
    return [m.span() for m in compiled.finditer(text) if m.end() > m.start()]


EXTEND_UNITS = ("word", "sentence", "turn")


def extend_spans(document: Document, text: str, spans: list[tuple[int, int]], unit: str) -> list[tuple[int, int]]:
    """Matches widened to the word, sentence or turn around them (auto-coding with
    context), in order and without repeats; never beyond the turn that holds them."""
    from store.motions import sentence_span

    if unit not in ("", *EXTEND_UNITS):
        raise BadInput(f"extend to one of {', '.join(EXTEND_UNITS)}; not {unit!r}")
    widened = []
    for start, end in spans:
        turn = document.turn_at(start)
        inside = turn is not None and turn.start <= start < end <= turn.end  # else a span made across turns
        if unit == "turn" and turn is not None:
            start, end = min(start, turn.start), max(end, turn.end)
        elif unit == "sentence":
            start, end = sentence_span(document, text, start)[0], max(end, sentence_span(document, text, end - 1)[1])
        elif unit == "word":
            start, end = word_span(text, start, end)
        if inside:
            start, end = max(start, turn.start), min(end, turn.end)
        widened.append((start, end))
    return sorted(set(widened))


def word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """`start:end` grown to whole words: a hit "scatter plot" in "scatter plots" becomes
    "scatter plots"; an apostrophe between letters is part of a word ("don't")."""
    while start > 0 and _in_word(text, start - 1):
        start -= 1
    while end < len(text) and _in_word(text, end):
        end += 1
    return start, end


def _in_word(text: str, position: int) -> bool:
    char = text[position]
    if char.isalnum() or char == "_":
        return True
    return (
        char in "'’"
        and 0 < position < len(text) - 1
        and text[position - 1].isalnum()
        and text[position + 1].isalnum()
    )


def in_turns(document: Document, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans that lie inside one turn's spoken content (not in a speaker label)."""
    if not document.turns:
        return spans
    kept = []
    for start, end in spans:
        turn = document.turn_at(start)
        if turn is not None and turn.start <= start and end <= turn.end:
            kept.append((start, end))
    return kept


def touching_turns(document: Document, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans that take in some spoken content: not ones wholly inside a speaker label
    or a gap. A quoted segment may run across turns, labels and all (`apply --match`)."""
    if not document.turns:
        return spans
    return [(s, e) for s, e in spans if (turn := document.turn_at(s)) is not None and turn.start < e and s < turn.end]


def by_speakers(
    document: Document, spans: list[tuple[int, int]], speakers: tuple[str, ...] = (), not_speakers: tuple[str, ...] = ()
) -> list[tuple[int, int]]:
    """The spans in turns of `speakers` (any, when empty) and not of `not_speakers`
    (names compared ignoring case and spacing)."""
    keep = {speaker_key(s) for s in speakers}
    drop = {speaker_key(s) for s in not_speakers}
    if not keep and not drop:
        return spans
    kept = []
    for start, end in spans:
        turn = document.turn_at(start)
        name = speaker_key(turn.speaker) if turn is not None else ""
        if (not keep or name in keep) and name not in drop:
            kept.append((start, end))
    return kept


def turn_span(document: Document, number: int) -> tuple[int, int]:
    """The content of turn `number` (1-based, as `margin show` prints it)."""
    if not 1 <= number <= len(document.turns):
        raise BadInput(f"{document.name} has turns 1 to {len(document.turns)}; there is no turn {number}")
    turn = document.turns[number - 1]
    return turn.start, turn.end


def speaker_spans(document: Document, speaker: str) -> list[tuple[int, int]]:
    names = spoken([document], [speaker], document.name)
    return [(t.start, t.end) for t in document.turns if t.speaker in names]


def parse_span(text: str) -> tuple[int, int]:
    start, sep, end = text.partition(":")
    try:
        return int(start), int(end)
    except ValueError:
        raise BadInput(f"span {text!r} is not START:END in characters, for example 120:245") from None


class LineIndex:
    """1-based line numbers of code-point offsets, by binary search over line starts."""

    def __init__(self, text: str):
        self.starts = [0]
        position = text.find("\n")
        while position != -1:
            self.starts.append(position + 1)
            position = text.find("\n", position + 1)

    def line(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position)
