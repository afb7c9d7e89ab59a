"""What a report holds, as plain values: the builders (builders.py) fill them from the
project, the renderers (html, Markdown, Word) lay them out, and pseudonymising walks them.

Everything a reader sees is a string in these values (charts carry their data, not
drawn SVG), so replacing names over the whole tree covers every format at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace


@dataclass(frozen=True)
class Quote:
    """A coded passage as printed: the words and where they come from."""

    text: str  # its lines (one a turn, for a passage over several turns) joined by "\n"
    participant: str
    document: str
    turn: str  # "turn 12" ("" for a document without turns)
    speaker: str
    exemplar: bool = False
    memos: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """One code of the codebook."""

    path: str
    name: str
    depth: int
    definition: str
    category: bool
    colour: str
    codings: int
    participants: int
    memos: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    left_out: int = 0  # passages of the code not quoted
    anchor: str = ""


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart's data: `kind` "bars" (one value per label) or "heat" (rows by columns)."""

    title: str
    kind: str
    labels: tuple[str, ...]
    columns: tuple[str, ...] = ()
    values: tuple[tuple[float, ...], ...] = ()  # bars: one row; heat: one row per label


@dataclass(frozen=True)
class Report:
    kind: str  # codebook | participant | analysis
    title: str
    project: str
    created: str
    scope: str  # the filters, in words ("" for none)
    intro: str = ""
    sections: tuple[Section, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    questions: bool = False  # room for the researcher's questions under each code
    warnings: tuple[str, ...] = field(default=(), compare=False)


def map_strings(value, change):
    """`value` (a report or any part of it) with `change` applied to every string in it."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, tuple):
        return tuple(map_strings(item, change) for item in value)
    if is_dataclass(value):
        return replace(value, **{f.name: map_strings(getattr(value, f.name), change) for f in fields(value)})
    return value


def all_text(value) -> str:
    """Every string in `value`, one a line: what a reader of the report can see."""
    found: list[str] = []
    map_strings(value, lambda text: found.append(text) or text)
    return "\n".join(found)
