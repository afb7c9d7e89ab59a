"""The entities of a project, as immutable values.

Each entity is stored as a plain record (a dict) in a TinyDB table named by `TABLE`;
`to_record` and `from_record` convert. Entities never change in place: an edit makes a
new value with `dataclasses.replace`, so an old value can be kept for undo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from itertools import starmap
from operator import attrgetter, itemgetter

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


class Turns(Sequence):
    """A document's turns as read from project.json, made into `Turn` values when first
    used: an open of 200 documents held 16,000 turns, most of them never looked at by
    the command that opened it (`margin docs` needs only how many). Equal to, and hashed
    like, the tuple of its turns, which it is everywhere but in cost."""

    __slots__ = ("_raw", "_turns")

    def __init__(self, raw: list):
        self._raw, self._turns = raw, None

    def _built(self) -> tuple[Turn, ...]:
        if self._turns is None:
            self._turns = tuple(
                Turn(i, speaker, start, end, t0, t1) for i, (speaker, start, end, t0, t1) in enumerate(self._raw)
            )
            self._raw = None
        return self._turns

    def __len__(self) -> int:
        return len(self._raw) if self._turns is None else len(self._turns)

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __reversed__(self):
        return reversed(self._built())

    def __eq__(self, other) -> bool:
        if isinstance(other, Turns):
            other = other._built()
        return self._built() == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._built())

    def __add__(self, other):
        return self._built() + tuple(other)

    def __repr__(self) -> str:
        return repr(self._built())

    def records(self) -> list[list]:
        """The turns as project.json stores them, without building them."""
        if self._turns is None:
            return [list(t) for t in self._raw]
        return [[t.speaker, t.start, t.end, t.time_start, t.time_end] for t in self._turns]

    def spans(self) -> tuple[tuple[int, int], ...]:
        """Each turn's (start, end), without building the turns (the analyses' cache keys)."""
        if self._turns is None:
            return tuple((t[1], t[2]) for t in self._raw)
        return tuple((t.start, t.end) for t in self._turns)


@cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@cache
def _values(cls):
    """A function giving an entity's field values as a tuple, in field order (every entity has several)."""
    return attrgetter(*_field_names(cls))


class _Entity:
    __slots__ = ()  # no instance dict: a Coding is built twice as fast, and 50,000 take less memory
    TABLE = ""

    def to_record(self) -> dict:
        names = _field_names(type(self))
        return dict(zip(names, _values(type(self))(self)))  # a merge makes 100,000: a quarter less time than getattr each

    @classmethod
    def from_record(cls, record: dict):
        try:
            return cls(**record)
        except TypeError:  # a record from a newer Margin may carry fields this one lacks
            names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
            return cls(**{k: v for k, v in record.items() if k in names})

    @classmethod
    def build_all(cls, records) -> list:
        """`from_record` of each record, positionally when every record has every field:
        a third faster, which is 10 ms of each open at 5,000 codes."""
        try:
            return list(starmap(cls, map(itemgetter(*_field_names(cls)), records)))
        except (KeyError, TypeError):  # an optional field left out: the checked way
            return [cls.from_record(record) for record in records]


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
        turns = self.turns
        record["turns"] = turns.records() if isinstance(turns, Turns) else [
            [t.speaker, t.start, t.end, t.time_start, t.time_end] for t in turns
        ]  # fmt: skip
        return record

    @classmethod
    def from_record(cls, record: dict) -> Document:
        turns = Turns(record["turns"])
        return cls(**{**record, "turns": turns, "attributes": dict(record.get("attributes", {}))})

    @classmethod
    def build_all(cls, records) -> list:
        return [cls.from_record(record) for record in records]

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
