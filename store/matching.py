"""Finding spans to code: text matches (auto-coding), turns and speakers."""

from __future__ import annotations

import bisect
import re

from store.errors import BadInput, NotFound
from store.model import Document


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


def extend_spans(document: Document, text: str, spans: list[tuple[int, int]], unit: str) -> list[tuple[int, int]]:
    """Matches widened to the sentence or turn around them (auto-coding with context),
    in order and without repeats."""
    from store.motions import sentence_span

    widened = []
    for start, end in spans:
        if unit == "turn" and (turn := document.turn_at(start)) is not None:
            start, end = min(start, turn.start), max(end, turn.end)
        elif unit == "sentence":
            start, end = sentence_span(document, text, start)[0], max(end, sentence_span(document, text, end - 1)[1])
        widened.append((start, end))
    return sorted(set(widened))


def turn_span(document: Document, number: int) -> tuple[int, int]:
    """The content of turn `number` (1-based, as `margin show` prints it)."""
    if not 1 <= number <= len(document.turns):
        raise BadInput(f"{document.name} has turns 1 to {len(document.turns)}; there is no turn {number}")
    turn = document.turns[number - 1]
    return turn.start, turn.end


def speaker_spans(document: Document, speaker: str) -> list[tuple[int, int]]:
    spans = [(t.start, t.end) for t in document.turns if t.speaker.casefold() == speaker.casefold()]
    if not spans:
        speakers = ", ".join(sorted({t.speaker for t in document.turns})) or "none"
        raise NotFound(f"{document.name} has no turns by {speaker!r}; speakers: {speakers}")
    return spans


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
