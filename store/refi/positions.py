"""Which way a source's selection positions are counted, and converting them to Margin's.

The standard says code points of the file, end exclusive; real tools differ (NVivo counts
UTF-16 units with CRLF as two, ATLAS.ti counts CRLF as one, a BOM may or may not count).
Margin stores code points of the text normalised to LF without a BOM. For each source the
readings are tried in order of likelihood; the one under which most selections land on
their quoted text (`name`), or without quotes on word boundaries, wins.

A reading is a list of "wide" characters (those not one unit long) with where they start
in units, so converting a position is one bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple

from store.patterns import later
from store.refi.xmlwriter import xml_safe

_ASTRAL = later("[\U00010000-\U0010ffff]")
_NON_ASCII = later("[^\x00-\x7f]")
_ELLIPSES = ("…", "...")


@dataclass(frozen=True)
class Convention:
    unit: str  # "code points", "UTF-16 units" or "UTF-8 bytes"
    crlf_two: bool
    bom: bool

    def describe(self) -> str:
        lines = "CRLF as 2" if self.crlf_two else "CRLF as 1"
        return f"{self.unit}, {lines}{', BOM counted' if self.bom else ''}"


CANDIDATES = tuple(
    Convention(unit, crlf_two, bom)
    for bom in (False, True)
    for unit, crlf_two in (
        ("code points", True),
        ("UTF-16 units", True),
        ("code points", False),
        ("UTF-16 units", False),
        ("UTF-8 bytes", True),
        ("UTF-8 bytes", False),
    )
)


@dataclass(frozen=True)
class Selection:
    """What a reading needs of a selection (the reader's RefiSelection has the same fields)."""

    start: int
    end: int
    name: str  # the quoted text, "" when the tool wrote none


class Placed(NamedTuple):
    """A selection in Margin's offsets; `lands` says it matches its quote or word edges.
    A tuple: one is made per selection and reading tried (a frozen dataclass costs three
    times as much to make, at 200,000 selections a second of an import)."""

    start: int
    end: int
    lands: bool


class SourceText:
    """A source file's text as Margin stores it, remembering the file's CRLFs and BOM."""

    def __init__(self, raw: str):
        self.had_bom = raw.startswith("\ufeff")
        raw = raw.removeprefix("\ufeff")
        self.crlf: list[int] = []
        parts = re.split(r"(\r\n|\r)", raw)
        out: list[str] = []
        length = 0
        for index, part in enumerate(parts):
            if index % 2:
                if part == "\r\n":
                    self.crlf.append(length)
                part = "\n"
            out.append(part)
            length += len(part)
        self.text = "".join(out)

    def candidates(self) -> list[Convention]:
        """The readings that differ for this text (others would give the same offsets)."""
        astral = _ASTRAL.search(self.text) is not None
        non_ascii = _NON_ASCII.search(self.text) is not None
        seen, found = set(), []
        for c in CANDIDATES:
            key = (
                c.unit if (c.unit == "UTF-16 units" and astral) or (c.unit == "UTF-8 bytes" and non_ascii) else "",
                c.crlf_two and bool(self.crlf),
                c.bom and self.had_bom,
            )
            if key not in seen:
                seen.add(key)
                found.append(c)
        return found

    def reader(self, convention: Convention) -> _Reader:
        return _Reader(self, convention)


class _Reader:
    def __init__(self, source: SourceText, convention: Convention):
        self.text = source.text
        self.offset = 1 if convention.bom and source.had_bom else 0
        wide: dict[int, int] = {}
        if convention.crlf_two:
            wide.update((i, 2) for i in source.crlf)
        if convention.unit == "UTF-16 units":
            wide.update((m.start(), 2) for m in _ASTRAL.finditer(self.text))
        elif convention.unit == "UTF-8 bytes":
            wide.update((m.start(), len(m[0].encode("utf-8"))) for m in _NON_ASCII.finditer(self.text))
            self.offset *= 3
        self.index = sorted(wide)
        self.width = [wide[i] for i in self.index]
        self.unit_start: list[int] = []
        extra = self.offset
        for i, w in zip(self.index, self.width):
            self.unit_start.append(i + extra)
            extra += w - 1
        self.identity = not self.unit_start and not self.offset  # `position` gives back what it is given

    def position(self, units: int, is_end: bool) -> tuple[int, bool]:
        """Margin offset for a position in units, and whether it fell between characters."""
        if not self.unit_start and not self.offset:
            return units, True
        k = bisect_right(self.unit_start, units) - 1
        if k < 0:
            exact = units >= self.offset
            return max(units - self.offset, 0), exact
        start, width, index = self.unit_start[k], self.width[k], self.index[k]
        if units == start:
            return index, True
        if units < start + width:
            return index + 1 if is_end else index, False
        return index + 1 + units - start - width, True

    def place(self, selection: Selection, quotes: bool) -> Placed:
        if self.identity:  # units are Margin's offsets (no wide character, no BOM counted): no search
            start, end = selection.start, selection.end
            lands = 0 <= start < end <= len(self.text)
        else:
            start, exact_start = self.position(selection.start, False)
            end, exact_end = self.position(selection.end, True)
            lands = exact_start and exact_end and 0 <= start < end <= len(self.text)
        if lands:
            if quotes and selection.name:
                lands = _quote_matches(self.text[start:end], selection.name)
            else:
                lands = self._on_edges(start, end)
        return Placed(start, end, lands)

    def _on_edges(self, start: int, end: int) -> bool:
        return _edge(self.text, start) and _edge(self.text, end)


def _edge(text: str, position: int) -> bool:
    return position in (0, len(text)) or not (text[position - 1].isalnum() and text[position].isalnum())


def _quote_matches(found: str, quote: str) -> bool:
    """Tools quote the selected text, some cut long quotes short with an ellipsis."""
    if found == quote:  # the usual case: `found` (Margin's text) has no CR, and a quote read from XML no forbidden character
        return True
    found, quote = xml_safe(found), quote.replace("\r\n", "\n").replace("\r", "\n")
    if found == quote:
        return True
    for ellipsis in _ELLIPSES:
        if quote.endswith(ellipsis) and len(quote) > len(ellipsis) and found.startswith(quote[: -len(ellipsis)].rstrip()):
            return True
    return " ".join(found.split()) == " ".join(quote.split())


@dataclass(frozen=True)
class Choice:
    convention: Convention
    placed: list[Placed]
    by_quotes: bool  # False: judged by word edges (no quotes, or `name` holds labels)

    @property
    def landed(self) -> int:
        return sum(p.lands for p in self.placed)


NVIVO = Convention("UTF-16 units", True, False)


def choose(source: SourceText, selections: list[Selection], first: Convention | None = None) -> Choice:
    """The reading under which most selections land (earlier candidates win ties).

    Quotes decide when any reading matches some of them; when none does (qc writes
    `line:6` as the name), word edges decide. `first` is the reading the file says it
    uses (Margin's own NVivo-flavoured export), tried first so a tie goes to it.
    """
    quoted = any(s.name for s in selections)
    best = _best(source, selections, quoted, first)
    if quoted and best.landed == 0:
        best = _best(source, selections, False, first)
    return best


def _best(source: SourceText, selections: list[Selection], quotes: bool, first: Convention | None = None) -> Choice:
    best: Choice | None = None
    candidates = source.candidates() if selections else list(CANDIDATES[:1])
    if first is not None:
        candidates = [first, *(c for c in candidates if c != first)]
    for convention in candidates:
        reader = source.reader(convention)
        choice = Choice(convention, [reader.place(s, quotes) for s in selections], quotes)
        if best is None or choice.landed > best.landed:
            best = choice
        if best.landed == len(selections):
            break
    return best
