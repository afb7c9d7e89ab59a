"""Intercoder agreement: percentage agreement, Cohen's κ and Krippendorff's α (nominal).

A *unit* is a character, a word, a sentence or a turn of a document. For one code, a
coder codes a unit when one of their codings of that code touches it (holds a character
of it); every other unit of a document the coder coded is "not coded". A coder who did
not code a document at all has no value there (missing data, used only by α with
`partial`). The figures are computed from additive tallies (`Tally`), so the total over
documents or codes is the tally of all their units pooled, not an average of figures.

The sweep works on each coder's merged spans in unit numbers, never one unit at a time:
a document of a million characters costs what its codings cost. docs/team.md defines
every figure; tests/team check them against R's psych::cohen.kappa, the `krippendorff`
package and Krippendorff's published examples.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from itertools import chain

from store.analysis.scope import Scope, code_ids, documents_in
from store.errors import BadInput
from store.model import Document
from store.motions import sentence_starts
from store.words import WordIndex, words_of

UNITS = ("character", "word", "sentence", "turn")


@dataclass(frozen=True)
class Tally:
    """What the statistics need of a set of units, additive over documents and codes.

    units: units with a value from at least two coders; values: those values;
    ones: values "coded"; agreed: units where every coder present gave the same value;
    pairs: Σ over units of n_coded·n_not/(m-1), Krippendorff's observed disagreement
    (times two); coded: per named coder, units coded (among `units`)."""

    units: int = 0
    values: int = 0
    ones: int = 0
    agreed: int = 0
    pairs: float = 0.0
    coded: tuple[int, ...] = ()

    def __add__(self, other: Tally) -> Tally:
        coded = other.coded if not self.coded else tuple(a + b for a, b in zip(self.coded, other.coded))
        return Tally(
            self.units + other.units,
            self.values + other.values,
            self.ones + other.ones,
            self.agreed + other.agreed,
            self.pairs + other.pairs,
            coded or self.coded,
        )


def total(tallies) -> Tally:
    result = Tally()
    for t in tallies:
        result = result + t
    return result


# ---------------------------------------------------------------------- the statistics


def percent_agreement(t: Tally) -> float | None:
    """Units on which every coder agrees, as a percentage of the units."""
    return 100.0 * t.agreed / t.units if t.units else None


def cohen_kappa(t: Tally) -> float | None:
    """Cohen's κ of two coders: (Po - Pe) / (1 - Pe), Pe from each coder's own share of
    coded units. None for other than two coders, or when Pe is 1 (both coded all or none)."""
    if len(t.coded) != 2 or not t.units:
        return None
    n = t.units
    a, b = t.coded[0] / n, t.coded[1] / n
    expected = a * b + (1 - a) * (1 - b)
    if expected >= 1.0:
        return None
    return (t.agreed / n - expected) / (1 - expected)


def krippendorff_alpha(t: Tally) -> float | None:
    """Krippendorff's α for nominal (here binary) data, missing values allowed:
    1 - (n-1)·D/(n_coded·n_not), n the pairable values. None when every value is the same
    (no variation: α is undefined)."""
    zeros = t.values - t.ones
    if t.ones == 0 or zeros == 0:
        return None
    return 1.0 - (t.values - 1) * t.pairs / (t.ones * zeros)


def qualcoder_kappa(t: Tally) -> float | None:
    """The κ QualCoder reports for two coders at character level (reports.py, "coder
    comparisons"), for teams comparing figures: it counts only units coded by either
    coder (u), with Po = both/u and Pe = (a/u·b/u)·((u-a)/u·(u-b)/u), a product where
    Cohen has a sum; rounded to 4 places as QualCoder shows it. Not Cohen's κ."""
    if len(t.coded) != 2:
        return None
    a, b = t.coded
    both = (a + b - (t.units - t.agreed)) // 2
    union = a + b - both
    if union == 0:
        return None
    expected = (a / union * b / union) * ((union - a) / union * (union - b) / union)
    return round((both / union - expected) / (1 - expected), 4)


# ---------------------------------------------------------------------- the sweep


def merged(spans) -> list[tuple[int, int]]:
    """The union of [first, after) ranges as sorted, disjoint, non-touching ranges."""
    out: list[list[int]] = []
    for first, after in sorted(s for s in spans if s[1] > s[0]):
        if out and first <= out[-1][1]:
            out[-1][1] = max(out[-1][1], after)
        else:
            out.append([first, after])
    return [(a, b) for a, b in out]


def segments(per_coder: list[list[tuple[int, int]]]) -> list[tuple[int, int, frozenset[int]]]:
    """The covered stretches of unit numbers, cut where the set of coders covering changes:
    (first, after, coders by index). Each coder's ranges must be `merged`."""
    events = sorted(chain.from_iterable(((a, i, 1), (b, i, -1)) for i, ranges in enumerate(per_coder) for a, b in ranges))
    found = []
    inside: set[int] = set()
    last = None
    for position, coder, step in events:
        if inside and last is not None and position > last:
            found.append((last, position, frozenset(inside)))
        if step > 0:
            inside.add(coder)
        else:
            inside.discard(coder)
        last = position
    return found


def tally(per_coder: dict[int, list[tuple[int, int]]], present: list[int], units: int, named: int) -> Tally:
    """The tally of one code in one document of `units` units: per_coder maps a coder's
    index (of `named` coders) to its merged ranges; only the coders `present` (who coded
    the document) have values."""
    m = len(present)
    if m < 2 or units <= 0:
        return Tally(coded=(0,) * named)
    ranges = [per_coder.get(i, []) for i in present]
    coded = [0] * named
    for i, r in zip(present, ranges):
        coded[i] = sum(b - a for a, b in r)
    covered = agreed_all = 0
    pairs = 0.0
    for first, after, who in segments(ranges):
        width = after - first
        k = len(who)
        covered += width
        if k == m:
            agreed_all += width
        else:
            pairs += width * k * (m - k) / (m - 1)
    ones = sum(coded)
    return Tally(units, m * units, ones, agreed_all + units - covered, pairs, tuple(coded))


# ---------------------------------------------------------------------- units of a document


def unit_index(project, document: Document, unit: str) -> WordIndex | None:
    """Where each unit of a document starts and ends; None for characters (a unit is its
    own offset)."""
    if unit == "character":
        return None
    if unit == "word":
        return words_of(project, document)
    turns = [(t.start, t.end) for t in document.turns] or [(0, document.length)]
    if unit == "turn":
        bounds = turns
    else:
        text = project.text(document.id)
        bounds = []
        for start, end in turns:
            starts = sentence_starts(text, start, end)
            bounds += list(zip(starts, [*starts[1:], end]))
    return WordIndex(array("I", (a for a, _ in bounds)), array("I", (b for _, b in bounds)))


def unit_count(document: Document, index: WordIndex | None) -> int:
    return document.length if index is None else len(index.starts)


def to_units(index: WordIndex | None, length: int, start: int, end: int) -> tuple[int, int]:
    if index is None:
        return max(0, start), min(end, length)
    return index.span(start, end)


def to_characters(index: WordIndex | None, first: int, after: int) -> tuple[int, int]:
    if index is None:
        return first, after
    return index.starts[first], index.ends[after - 1]


# ---------------------------------------------------------------------- over a project


@dataclass(frozen=True)
class Row:
    code: str | None  # code id; None: all codes
    document: str | None  # document id; None: the total over documents
    tally: Tally


@dataclass(frozen=True)
class Disagreement:
    code: str
    document: str
    start: int  # characters of the document's text
    end: int
    coders: tuple[str, ...]  # names of the coders who coded it


@dataclass
class Comparison:
    coders: list[str]  # names, in the order given
    unit: str
    documents: list[Document]
    codes: list[str]  # code ids, codebook order
    rows: list[Row] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise BadInput(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    return unit


def team_coders(project, names: list[str] | None) -> list:
    """The coders compared: those named, or every coder with codings; at least two."""
    if names:
        coders = [project.coder_named(n) for n in names]
        if len({c.id for c in coders}) != len(coders):
            raise BadInput("a coder is named twice in --coders")
    else:
        used = {c.coder for c in project.state.codings.values()}
        coders = sorted((c for c in project.state.coders.values() if c.id in used), key=lambda c: c.name)
    if len(coders) < 2:
        known = ", ".join(sorted(c.name for c in project.state.coders.values())) or "none"
        raise BadInput(f"agreement needs two coders who coded; name them with --coders A,B (coders: {known})")
    return coders


def compare(project, names: list[str] | None = None, unit: str = "character", scope: Scope = Scope(), partial: bool = False) -> Comparison:
    """Agreement of the coders over the documents in scope that every one of them coded
    (with `partial`, that at least two coded, the others missing there): a row per code
    and document, per code over the documents, per document over the codes, and overall."""
    check_unit(unit)
    coders = team_coders(project, names)
    position = {c.id: i for i, c in enumerate(coders)}
    wanted_codes = code_ids(project, scope)
    per_doc: list[tuple[Document, list[int], dict]] = []
    used: set[str] = set()
    for document in documents_in(project, scope):
        by_code: dict[str, dict[int, list]] = {}
        who: set[int] = set()
        for coding in project.codings.for_document(document):
            i = position.get(coding.coder)
            if i is None:
                continue
            who.add(i)
            if wanted_codes is None or coding.code in wanted_codes:
                by_code.setdefault(coding.code, {}).setdefault(i, []).append((coding.start, coding.end))
        if len(who) == len(coders) or (partial and len(who) >= 2):
            per_doc.append((document, sorted(who), by_code))
            used.update(by_code)
    order = [c.id for c in project.codebook.all() if c.id in used]
    result = Comparison([c.name for c in coders], unit, [d for d, _, _ in per_doc], order)
    _fill(project, result, per_doc, len(coders))
    return result


def _fill(project, result: Comparison, per_doc, named: int) -> None:
    """Tally every code in every document, keep the rows and the disagreeing passages."""
    by_code: dict[str, list[Tally]] = {c: [] for c in result.codes}
    every: list[Tally] = []
    for document, present, spans in per_doc:
        index = unit_index(project, document, result.unit)
        length = unit_count(document, index)
        in_doc = []
        for code in result.codes:
            ranges = {i: merged(to_units(index, length, s, e) for s, e in raw) for i, raw in spans.get(code, {}).items()}
            t = tally(ranges, present, length, named)
            result.rows.append(Row(code, document.id, t))
            by_code[code].append(t)
            in_doc.append(t)
            result.disagreements += _passages(result, code, document, index, ranges, present)
        doc_total = total(in_doc) if in_doc else Tally(coded=(0,) * named)
        result.rows.append(Row(None, document.id, doc_total))
        every.append(doc_total)
    for code in result.codes:
        result.rows.append(Row(code, None, total(by_code[code])))
    result.rows.append(Row(None, None, total(every) if every else Tally(coded=(0,) * named)))


def _passages(result: Comparison, code: str, document: Document, index, ranges, present) -> list[Disagreement]:
    """The stretches where the coders present differ, joined while the same coders hold them."""
    ordered = [ranges.get(i, []) for i in present]
    found: list[Disagreement] = []
    for first, after, who in segments(ordered):
        if len(who) == len(present):
            continue
        names = tuple(result.coders[present[j]] for j in sorted(who))
        start, end = to_characters(index, first, after)
        last = found[-1] if found else None
        if last is not None and last.coders == names and last.end >= start:
            found[-1] = Disagreement(code, document.id, last.start, max(end, last.end), names)
        else:
            found.append(Disagreement(code, document.id, start, end, names))
    return found
