"""Searching documents: matches in one text, keyword-in-context hits across the corpus,
and the passages an auto-coding rule picks out (`Rule`, `auto_code_spans`)."""

from __future__ import annotations

from dataclasses import dataclass

from store.errors import BadInput
from store.matching import by_speakers, extend_spans, find_matches, in_turns, search, touching_turns
from store.model import Document
from store.speakers import spoken
from store.text import plural

CONTEXT = 40
LIMIT = 5000


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: `text[start:end]` of `document`, with the words around it on one line."""

    document: Document
    start: int
    end: int
    speaker: str
    left: str
    match: str
    right: str


class Hits(list):
    """Corpus hits in document order; `capped` when the search stopped at its limit."""

    capped: bool = False
    limit: int = LIMIT


@dataclass(frozen=True, slots=True)
class Rule:
    """What auto-coding codes: the matches of `pattern` (words with any spacing, or a
    regex ignoring case, inside turns), or every turn when it is empty; each widened to its word,
    sentence or turn (`extend`); kept only in turns of `speakers` (any, when empty) and
    not of `not_speakers`."""

    pattern: str = ""
    regex: bool = False
    extend: str = ""
    speakers: tuple[str, ...] = ()
    not_speakers: tuple[str, ...] = ()

    def describe(self) -> str:
        """The rule in a few words, for confirmations and log summaries."""
        said = f"“{self.pattern}”" if self.pattern else "every turn"
        if self.extend:
            said += f" with its {self.extend}"
        if self.speakers:
            said += " in turns of " + ", ".join(self.speakers)
        if self.not_speakers:
            said += " leaving out " + ", ".join(self.not_speakers)
        return said


def spoken_matches(document: Document, text: str, pattern: str) -> list[tuple[int, int]]:
    """Regex matches (case-insensitive) inside the document's turns, not its speaker labels."""
    return in_turns(document, search(text, pattern))


def rule_spans(document: Document, text: str, rule: Rule) -> list[tuple[int, int]]:
    """The spans of one document that `rule` codes, in order, without repeats."""
    if not rule.pattern:
        found = [(t.start, t.end) for t in document.turns if t.end > t.start]
    elif rule.regex:
        found = spoken_matches(document, text, rule.pattern)
    else:
        found = touching_turns(document, find_matches(text, rule.pattern))
    found = by_speakers(document, found, rule.speakers, rule.not_speakers)
    return extend_spans(document, text, found, rule.extend) if rule.extend else sorted(set(found))


def auto_code_spans(project, documents: list[Document], rule: Rule) -> dict[str, list[tuple[int, int]]]:
    """Document id -> the spans `rule` codes there, for the documents with any. A
    speaker named in the rule who speaks in none of `documents` is a mistake, said so."""
    if not rule.pattern and not (rule.speakers or rule.not_speakers):
        raise BadInput("say what to code: words or a pattern to match, or the speakers whose turns to code")
    where = documents[0].name if len(documents) == 1 else f"the {plural(len(documents), 'document')}"
    spoken(documents, (*rule.speakers, *rule.not_speakers), where)
    found = {}
    for document in documents:
        spans = rule_spans(document, project.text(document.id), rule)
        if spans:
            found[document.id] = spans
    return found


def corpus_search(project, pattern: str, limit: int = LIMIT) -> Hits:
    """Keyword-in-context hits for `pattern` in every document, in document order; at
    most `limit`, and then `capped` says more were left out."""
    hits = Hits()
    hits.limit = limit
    for document in project.documents.all():
        text = project.text(document.id)
        for start, end in spoken_matches(document, text, pattern):
            if len(hits) >= limit:
                hits.capped = True
                return hits
            hits.append(_hit(document, text, start, end))
    return hits


def _hit(document: Document, text: str, start: int, end: int) -> Hit:
    turn = document.turn_at(start)
    return Hit(
        document,
        start,
        end,
        turn.speaker if turn else "",
        _one_line(text[max(turn.start if turn else 0, start - CONTEXT) : start]),
        _one_line(text[start:end]),
        _one_line(text[end : min(turn.end if turn else len(text), end + CONTEXT)]),
    )


def _one_line(text: str) -> str:
    """Text on one line; white space at its ends is kept as one space, so the context
    beside a match shows whether a word boundary is there ("plot s" vs "plots")."""
    if not text.strip():
        return " " if text else ""
    inner = " ".join(text.split())
    return (" " if text[0].isspace() else "") + inner + (" " if text[-1].isspace() else "")
