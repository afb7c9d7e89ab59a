"""Speakers: who speaks in the documents' turns, and correcting their names.

A speaker is the name on a turn (`Turn.speaker`), taken from the transcript's labels at
import. The stored text never changes (codings point into it), so a typo such as
`Particpant:` is corrected on the turns: renaming a speaker to a name that already speaks
merges the two. Each rename is one undoable action over one document or every document.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from store.clock import now
from store.errors import BadInput, Refused, UnknownName
from store.model import Document
from store.text import one_line, refuse_unshown


@dataclass(frozen=True, slots=True)
class Speaker:
    """One speaker's name with how many turns and documents carry it."""

    name: str
    turns: int
    documents: tuple[str, ...]  # names, in project order
    like: str = ""  # a more common speaker this name is one or two letters from (a typo?)


def key(name: str) -> str:
    """Names compare ignoring case and spacing: "interviewer " is "Interviewer"."""
    return " ".join(name.casefold().split())


def spoken(documents: list[Document], names, where: str) -> frozenset[str]:
    """Every spelling on `documents`' turns of each of `names` (compared by `key`). A name
    that no turn there carries is a typo that would give empty results, so it is UnknownName,
    saying who does speak."""
    if not names:
        return frozenset()  # nothing to look up: no need to build every document's turns
    spellings: dict[str, set[str]] = {}
    for document in documents:
        for turn in document.turns:
            spellings.setdefault(key(turn.speaker), set()).add(turn.speaker)
    missing = [n for n in names if key(n) not in spellings]
    if missing:
        known = ", ".join(sorted({s for v in spellings.values() for s in v}, key=str.casefold)[:12]) or "none"
        raise UnknownName(f"no turns by {', '.join(map(repr, missing))} in {where}; speakers: {known} (see `margin speakers`)")
    return frozenset(s for n in names for s in spellings[key(n)])


def speakers(documents: list[Document]) -> list[Speaker]:
    """Every speaker of `documents`, most turns first; a rare name one or two edits from
    a more common one is marked `like` it (the `Particpant:` of a transcript's typo)."""
    turns: dict[str, int] = {}
    where: dict[str, list[str]] = {}
    for document in documents:
        for turn in document.turns:
            turns[turn.speaker] = turns.get(turn.speaker, 0) + 1
            names = where.setdefault(turn.speaker, [])
            if not names or names[-1] != document.name:
                names.append(document.name)
    ordered = sorted(turns, key=lambda n: (-turns[n], n.casefold()))
    return [Speaker(n, turns[n], tuple(where[n]), _like(n, ordered, turns)) for n in ordered]


def _like(name: str, ordered: list[str], turns: dict[str, int]) -> str:
    from rapidfuzz.distance import Levenshtein  # here: importing it cost every `margin apply` 50 ms

    for other in ordered:
        if turns[other] <= turns[name] or key(other) == key(name):
            continue
        if len(key(name)) >= 5 and Levenshtein.distance(key(name), key(other), score_cutoff=2) <= 2:
            return other
    return ""


@dataclass(frozen=True, slots=True)
class Renamed:
    old: str
    new: str
    turns: int
    documents: int
    merged: bool  # NEW already spoke, so the two are now one speaker


def rename(project, old: str, new: str, document: Document | None = None) -> Renamed:
    """Rename speaker `old` to `new` in `document`, or in every document when None: one
    undoable action. When `new` already speaks there, the two speakers become one."""
    refuse_unshown(new, "a speaker's name")
    new = one_line(new).rstrip(":").strip()
    if not new:
        raise BadInput("give the new speaker name, as in: margin speakers rename Particpant Participant")
    scope = [document] if document is not None else project.documents.all()
    where = document.name if document is not None else "any document"
    spoken(scope, [old], where)
    changed = [d for d in scope if any(key(t.speaker) == key(old) for t in d.turns)]
    if all(t.speaker == new for d in changed for t in d.turns if key(t.speaker) == key(old)):
        raise Refused(f"the speaker is already named {new!r}")
    merged = key(new) != key(old) and any(key(t.speaker) == key(new) for d in scope for t in d.turns)
    count = 0
    summary = f"merge speaker {old} into {new}" if merged else f"rename speaker {old} to {new}"
    with project.operation(f"{summary} in {where}"):
        for doc in changed:
            turns = tuple(replace(t, speaker=new) if key(t.speaker) == key(old) else t for t in doc.turns)
            count += sum(1 for t in doc.turns if key(t.speaker) == key(old))
            project.put(replace(doc, turns=turns, modified=now()))
    return Renamed(old, new, count, len(changed), merged)
