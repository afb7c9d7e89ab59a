"""The entities of a project, as immutable values.

Each entity is stored as a plain record (a dict) in a TinyDB table named by `TABLE`;
`to_record` and `from_record` convert. Entities never change in place: an edit makes a
new value with `dataclasses.replace`, so an old value can be kept for undo.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache

PROJECT_MEMO = "project"
MEMO_KINDS = ("project", "document", "code", "coding", "journal", "annotation", "case", "attribute")
# The table a memo's target is an id in; an annotation is a memo on a span of its document.
MEMO_TARGET_TABLES = {"document": "documents", "code": "codes", "coding": "codings", "annotation": "documents"}
# Kinds whose target is a name, as Margin holds these only as attribute values and keys:
# a case memo's target is the case (the `case` attribute's value), an attribute's the key.
NAMED_TARGET_KINDS = ("case", "attribute")


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: its spoken content is text[start:end] of its document."""

    index: int
    speaker: str
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None


@cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


class _Entity:
    __slots__ = ()  # no instance dict: a Coding is built twice as fast, and 50,000 take less memory
    TABLE = ""

    def to_record(self) -> dict:
        return {name: getattr(self, name) for name in _field_names(type(self))}

    @classmethod
    def from_record(cls, record: dict):
        try:
            return cls(**record)
        except TypeError:  # a record from a newer Margin may carry fields this one lacks
            names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
            return cls(**{k: v for k, v in record.items() if k in names})


@dataclass(frozen=True, slots=True)
class Coder(_Entity):
    TABLE = "coders"
    id: str
    name: str
    created: str


@dataclass(frozen=True, slots=True)
class Document(_Entity):
    """An imported transcript. Its text lives in sources/<id>.txt, checked by sha256."""

    TABLE = "documents"
    id: str
    name: str
    sha256: str
    length: int
    format: str
    turns: tuple[Turn, ...]
    attributes: dict = field(default_factory=dict)
    words: int = 0
    imported_from: str = ""
    created: str = ""
    modified: str = ""

    @property
    def case(self) -> str:
        return str(self.attributes.get("case", ""))

    def to_record(self) -> dict:
        record = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "turns"}
        record["attributes"] = dict(self.attributes)
        record["turns"] = [[t.speaker, t.start, t.end, t.time_start, t.time_end] for t in self.turns]
        return record

    @classmethod
    def from_record(cls, record: dict) -> Document:
        turns = tuple(
            Turn(i, speaker, start, end, t0, t1)
            for i, (speaker, start, end, t0, t1) in enumerate(record["turns"])
        )
        return cls(**{**record, "turns": turns, "attributes": dict(record.get("attributes", {}))})

    def turn_at(self, position: int) -> Turn | None:
        """The turn holding `position`; in a speaker label or a heading, the turn that follows."""
        lo, hi = 0, len(self.turns)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.turns[mid].end <= position:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.turns):
            return self.turns[lo]
        return self.turns[-1] if self.turns else None


@dataclass(frozen=True, slots=True)
class Code(_Entity):
    """A code in the codebook tree. `codable` False makes it a pure grouping (category)."""

    TABLE = "codes"
    id: str
    name: str
    parent: str | None
    color: str
    description: str = ""
    codable: bool = True
    created: str = ""
    modified: str = ""


@dataclass(frozen=True, slots=True)
class Coding(_Entity):
    """A code applied to text[start:end] (code points) of one document by one coder."""

    TABLE = "codings"
    id: str
    document: str
    code: str
    start: int
    end: int
    text: str
    coder: str
    created: str = ""
    modified: str = ""
    exemplar: bool = False  # marked as a quote that shows what its code means (reports print it)


@dataclass(frozen=True, slots=True)
class Memo(_Entity):
    """Markdown text on the project, a document, a code, a coding, a case or an attribute;
    a journal entry; or an annotation: a note on text[start:end] of its document, with no code."""

    TABLE = "memos"
    id: str
    kind: str
    target: str | None
    text: str
    author: str
    title: str = ""
    created: str = ""
    modified: str = ""
    start: int | None = None  # an annotation's span (code points, end exclusive); None otherwise
    end: int | None = None

    def to_record(self) -> dict:
        """Without the span unless it has one, so other memos' records stay as they were."""
        record = {name: getattr(self, name) for name in _field_names(Memo)}
        if self.start is None and self.end is None:
            del record["start"], record["end"]
        return record


ENTITIES = {cls.TABLE: cls for cls in (Coder, Document, Code, Coding, Memo)}
