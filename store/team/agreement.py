"""Intercoder agreement: percentage agreement, Cohen's κ and Krippendorff's α (nominal).

A *unit* is a character, a word, a sentence or a turn of a document. For one code, a
coder codes a unit when one of their codings of that code touches it (holds a character
of it); every other unit of a document the coder coded is "not coded". A coder who did
not code a document at all has no value there (missing data, used only by α with
`partial`). The figures are computed from additive tallies (`Tally`), so the total over
documents or codes is the tally of all their units pooled, not an average of figures.

The sweep visits the codings' ends in unit numbers, never one unit at a time: a
document of a million characters costs what its codings cost. docs/team.md defines
every figure; tests/team check them against R's psych::cohen.kappa, the `krippendorff`
package and Krippendorff's published examples.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import NamedTuple
from itertools import chain

from store.analysis.scope import Scope, code_ids, documents_in
from store.errors import BadInput
from store.model import Document
from store.motions import sentence_starts
from store.team.spans import Span, named_spans
from store.words import WordIndex, words_of

UNITS = ("character", "word", "sentence", "turn")


class Tally(NamedTuple):
    """What the statistics need of a set of units, additive over documents and codes.

    units: units with a value from at least two coders; values: those values;
    ones: values "coded"; agreed: units where every coder present gave the same value;
    pairs: Σ over units of n_coded·n_not/(m-1), Krippendorff's observed disagreement
    (times two); coded: per named coder, units coded (among `units`). A named tuple, not
    a dataclass: a large comparison makes tens of thousands."""

    units: int = 0
    values: int = 0
    ones: int = 0
    agreed: int = 0
    pairs: float = 0.0
    coded: tuple[int, ...] = ()


def total(tallies) -> Tally:
    """The tally of all their units pooled (the sums in order, as adding one by one does)."""
    tallies = list(tallies)
    if not tallies:
        return Tally()
    units, values, ones, agreed, pairs, coded = zip(*tallies)
    widths = set(map(len, coded))
    if len(widths) == 1:
        summed = tuple(map(sum, zip(*coded)))
    else:
        summed = [0] * max(widths)
        for counts in coded:
            for i, n in enumerate(counts):
                summed[i] += n
        summed = tuple(summed)
    return Tally(sum(units), sum(values), sum(ones), sum(agreed), sum(pairs, 0.0), summed)


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
    a, b = t.coded
    expected = a * b + (n - a) * (n - b)  # Pe times n², in whole numbers: κ is exactly 0 when Po is Pe (not -7.8e-16)
    if expected >= n * n:
        return None
    return (t.agreed * n - expected) / (n * n - expected)


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


def sweep(spans, present: list[int], units: int, named: int, passages: list | None = None) -> dict[str, Tally]:
    """The tally of every code in one document of `units` units, in one sorted pass.

    spans: (code, coder index, first unit, after) for each coding (a coder's codings may
    overlap: a unit counts once); present: the indices of the coders who coded the
    document (at least two); named: how many coders are compared. Codes without spans
    are left out (nobody coded them here: see `uncoded`). With a `passages` list, each
    stretch where the coders differ is appended as (code, first, after, coder indices)."""
    m = len(present)
    events = sorted(chain.from_iterable(((c, a, 1, i), (c, b, -1, i)) for c, i, a, b in spans if b > a))
    result: dict[str, Tally] = {}
    code = None
    depth = [0] * named
    for event_code, position, step, coder in events:
        if event_code != code:
            if code is not None:
                result[code] = _tally(units, m, coded, covered, agreed, pairs)
            code, last, k = event_code, position, 0
            coded, covered, agreed, pairs = [0] * named, 0, 0, 0.0
        if k and position > last:
            width = position - last
            covered += width
            if k == m:
                agreed += width
                for j in present:
                    coded[j] += width
            else:
                pairs += width * k * (m - k) / (m - 1)
                who = [j for j in present if depth[j]]
                for j in who:
                    coded[j] += width
                if passages is not None:
                    passages.append((code, last, position, tuple(who)))
        last = position
        before = depth[coder]
        depth[coder] += step
        k += (depth[coder] > 0) - (before > 0)
    if code is not None:
        result[code] = _tally(units, m, coded, covered, agreed, pairs)
    return result


def _tally(units: int, m: int, coded: list[int], covered: int, agreed: int, pairs: float) -> Tally:
    return Tally(units, m * units, sum(coded), agreed + units - covered, pairs, tuple(coded))


def uncoded(units: int, present: list[int], named: int) -> Tally:
    """The tally of a code nobody coded in a document: every unit agreed "not coded"."""
    m = len(present)
    return Tally(units, m * units, 0, units, 0.0, (0,) * named) if m >= 2 else Tally(coded=(0,) * named)


def tally(per_coder: dict[int, list[tuple[int, int]]], present: list[int], units: int, named: int) -> Tally:
    """The tally of one code in one document of `units` units: per_coder maps a coder's
    index (of `named` coders) to its ranges; only the coders `present` have values."""
    if len(present) < 2 or units <= 0:
        return Tally(coded=(0,) * named)
    spans = [("", i, a, b) for i in present for a, b in per_coder.get(i, [])]
    return sweep(spans, present, units, named).get("") or uncoded(units, present, named)


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
    """The coders compared: those named, or every coder with codings but `consensus`; at least two."""
    if names:
        coders = [project.coder_named(n) for n in names]
        if len({c.id for c in coders}) != len(coders):
            raise BadInput("a coder is named twice in --coders")
    else:
        used = {c.coder for c in project.state.codings.values()}
        coders = sorted(
            (c for c in project.state.coders.values() if c.id in used and c.name != "consensus"), key=lambda c: c.name
        )  # the review's consensus coder is compared only when named
    if len(coders) < 2:
        known = ", ".join(sorted(c.name for c in project.state.coders.values())) or "none"
        raise BadInput(f"agreement needs two coders who coded; name them with --coders A,B (coders: {known})")
    return coders


def compare(project, names: list[str] | None = None, unit: str = "character", scope: Scope = Scope(), partial: bool = False, passages: bool = False) -> Comparison:
    """Agreement of the coders over the documents in scope that every one of them coded
    (with `partial`, that at least two coded, the others missing there): a row per code
    and document where someone coded it, per code over the documents, per document over
    the codes, and overall; with `passages`, the stretches where they differ."""
    check_unit(unit)
    coders = team_coders(project, names)
    wanted_codes = code_ids(project, scope)
    documents = documents_in(project, scope)
    spans = named_spans(project, [c.id for c in coders])
    if spans is None:
        spans = _state_spans(project, coders, documents)
    per_doc = []
    for document in documents:
        mine = spans.get(document.id, ())
        who = sorted({i for _, i, _, _ in mine})
        if len(who) == len(coders) or (partial and len(who) >= 2):
            kept = mine if wanted_codes is None else [s for s in mine if s[0] in wanted_codes]
            per_doc.append((document, who, kept))
    used = {s[0] for _, _, kept in per_doc for s in kept}
    order = [c.id for c in project.codebook.all() if c.id in used]
    result = Comparison([c.name for c in coders], unit, [d for d, _, _ in per_doc], order)
    _fill(project, result, per_doc, len(coders), passages)
    return result


def _state_spans(project, coders: list, documents: list[Document]) -> dict[str, list[Span]]:
    """The plain path of `named_spans`: the named coders' codings of `documents` from the state."""
    position = {c.id: i for i, c in enumerate(coders)}
    found: dict[str, list[Span]] = {}
    for document in documents:
        codings = project.state.codings_by_document.get(document.id, {}).values()
        found[document.id] = [(c.code, position[c.coder], c.start, c.end) for c in codings if c.coder in position]
    return found


def _fill(project, result: Comparison, per_doc, named: int, passages: bool) -> None:
    """Tally every code in every document; the totals pool the units."""
    by_code: dict[str, list[Tally]] = {c: [] for c in result.codes}
    every: list[Tally] = []
    for document, present, kept in per_doc:
        index = unit_index(project, document, result.unit)
        length = unit_count(document, index)
        if index is None:  # characters: a unit is its own offset
            spans = [(code, i, start, min(end, length)) for code, i, start, end in kept]
        else:
            spans = [(code, i, *index.span(start, end)) for code, i, start, end in kept]
        found: list | None = [] if passages else None
        tallies = sweep(spans, present, length, named, found)
        nobody = uncoded(length, present, named)
        in_doc = []
        for code in result.codes:
            t = tallies.get(code)
            if t is not None:
                result.rows.append(Row(code, document.id, t))
            in_doc.append(t or nobody)
            by_code[code].append(t or nobody)
        doc_total = total(in_doc) if in_doc else Tally(coded=(0,) * named)
        result.rows.append(Row(None, document.id, doc_total))
        every.append(doc_total)
        if found:
            result.disagreements += _passages(result, document, index, found, present)
    result.rows += [Row(code, None, total(by_code[code])) for code in result.codes]
    result.rows.append(Row(None, None, total(every) if every else Tally(coded=(0,) * named)))


def _passages(result: Comparison, document: Document, index, found, present) -> list[Disagreement]:
    """The stretches where the coders differ as characters, joined while the same coders
    hold them, in code then text order."""
    out: list[Disagreement] = []
    for code, first, after, who in found:
        names = tuple(result.coders[j] for j in who)
        start, end = to_characters(index, first, after)
        last = out[-1] if out else None
        if last is not None and last.code == code and last.coders == names and last.end >= start:
            out[-1] = Disagreement(code, document.id, last.start, max(end, last.end), names)
        else:
            out.append(Disagreement(code, document.id, start, end, names))
    return out
