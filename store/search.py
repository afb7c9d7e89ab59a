"""Searching documents: matches in one text and keyword-in-context hits across the corpus."""

from __future__ import annotations

from dataclasses import dataclass

from store.matching import search
from store.model import Document

CONTEXT = 40


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


def spoken_matches(document: Document, text: str, pattern: str) -> list[tuple[int, int]]:
    """Regex matches (case-insensitive) inside the document's turns, not its speaker labels."""
    found = search(text, pattern)
    if not document.turns:
        return found
    kept = []
    for start, end in found:
        turn = document.turn_at(start)
        if turn is not None and turn.start <= start and end <= turn.end:
            kept.append((start, end))
    return kept


def corpus_search(project, pattern: str, limit: int = 5000) -> list[Hit]:
    """Keyword-in-context hits for `pattern` in every document, in document order."""
    hits: list[Hit] = []
    for document in project.documents.all():
        text = project.text(document.id)
        for start, end in spoken_matches(document, text, pattern):
            turn = document.turn_at(start)
            hits.append(
                Hit(
                    document,
                    start,
                    end,
                    turn.speaker if turn else "",
                    _one_line(text[max(turn.start if turn else 0, start - CONTEXT) : start]),
                    _one_line(text[start:end]),
                    _one_line(text[end : min(turn.end if turn else len(text), end + CONTEXT)]),
                )
            )
            if len(hits) >= limit:
                return hits
    return hits


def _one_line(text: str) -> str:
    return " ".join(text.split()) if text.strip() else ""
