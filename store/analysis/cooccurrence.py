"""Code co-occurrence: for each pair of codes, how often they occur together.

Never every coding against every other: per document, one sweep over the codings in
order of position finds the codings that overlap (or lie within N words of each other),
and the turn and document modes gather codes per unit. Definitions: docs/analysis.md.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from store.analysis.cell import Cell
from store.analysis.frequencies import codes_in, covered, word_index
from store.analysis.scope import EVERYTHING, Scope, codings_in
from store.errors import BadInput
from store.model import Code, Coding

MODES = ("overlap", "turn", "document", "words:N")


@dataclass(frozen=True)
class Pair:
    code_a: Code
    code_b: Code
    together: Cell  # co-occurrences, with the codings of both codes in them
    count_a: int
    count_b: int
    c_coefficient: float  # together / (count_a + count_b - together), ATLAS.ti's
    jaccard: float  # words coded with both / words coded with either


def parse_within(within: str) -> tuple[str, int]:
    """("overlap"|"turn"|"document"|"words", N); anything else is a one-line error."""
    if within in ("overlap", "turn", "document"):
        return within, 0
    name, _, number = within.partition(":")
    if name == "words" and number.isdecimal():
        return "words", int(number)
    raise BadInput(f"--within {within!r} is not one of overlap, turn, document or words:N (such as words:20)")


# ---------------------------------------------------------------------- units


@dataclass
class _Tally:
    """What the sweep found: per code its count; per pair (a, b) in codebook order the
    number of co-occurrences and the codings in them."""

    counts: dict[str, int]
    together: dict[tuple[str, str], int]
    codings: dict[tuple[str, str], set[str]]


def _by_document(project, scope: Scope) -> list[list[Coding]]:
    return [list(group) for _, group in groupby(codings_in(project, scope), key=lambda c: c.document)]


def _spans(project, codings: list[Coding], mode: str, near: int) -> list[tuple[int, int]]:
    """Each coding as an interval that meets another's exactly when the two co-occur:
    characters for overlap; word numbers widened by `near` words for words:N."""
    if mode == "overlap":
        return [(c.start, c.end) for c in codings]
    index = word_index(project.text(codings[0].document))
    spans = [index.span(c.start, c.end) for c in codings]
    return [(first, after + near + 1) for first, after in spans]


def meeting(spans: list[tuple[int, int]]):
    """Pairs (i, j) of intervals [start, end) that share a point: the sweep. Intervals are
    taken in order of start; those still open when one starts are the ones it meets.
    Costs n log n plus the pairs found."""
    open_: list[tuple[int, int]] = []  # (end, i), a heap
    for i in sorted(range(len(spans)), key=lambda k: spans[k]):
        start, end = spans[i]
        while open_ and open_[0][0] <= start:
            heapq.heappop(open_)
        if end > start:
            for _, j in open_:
                yield j, i
            heapq.heappush(open_, (end, i))


def _linked(project, found: list[list[Coding]], mode: str, near: int, rank: dict[str, int]) -> _Tally:
    """overlap and words:N: a co-occurrence of A and B is a chain of A and B codings, each
    meeting the next (a group of the meeting graph restricted to A and B), so that it
    never counts more than either code's codings."""
    counts: dict[str, int] = defaultdict(int)
    edges: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for codings in found:
        for coding in codings:
            counts[coding.code] += 1
        for i, j in meeting(_spans(project, codings, mode, near)):
            a, b = codings[i], codings[j]
            if a.code != b.code:
                key = (a.code, b.code) if rank[a.code] < rank[b.code] else (b.code, a.code)
                edges[key].append((a.id, b.id))
    together = {key: _groups(pairs) for key, pairs in edges.items()}
    return _Tally(counts, together, {key: {x for e in pairs for x in e} for key, pairs in edges.items()})


def _groups(edges: list[tuple[str, str]]) -> int:
    """The number of connected groups the edges make (union-find)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[root(a)] = root(b)
    return len({root(x) for x in parent})


def _units(project, found: list[list[Coding]], mode: str, rank: dict[str, int]) -> _Tally:
    """turn and document: the units are turns (the turns a coding's span touches; a
    document without turns is one unit) or documents; a code's count is the units that
    hold it, a pair's the units that hold both."""
    held: dict[tuple[str, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    documents = project.state.documents
    for codings in found:
        document = documents[codings[0].document]
        for coding in codings:
            for unit in _units_of(document, coding) if mode == "turn" else (0,):
                held[document.id, unit][coding.code].append(coding.id)
    counts: dict[str, int] = defaultdict(int)
    together: dict[tuple[str, str], int] = defaultdict(int)
    behind: dict[tuple[str, str], set[str]] = defaultdict(set)
    for codes in held.values():
        ordered = sorted(codes, key=rank.__getitem__)
        for n, a in enumerate(ordered):
            counts[a] += 1
            for b in ordered[n + 1 :]:
                together[a, b] += 1
                behind[a, b].update(codes[a], codes[b])
    return _Tally(counts, together, behind)


def _units_of(document, coding: Coding) -> range:
    if not document.turns:
        return range(0, 1)
    first = document.turn_at(coding.start)
    last = document.turn_at(max(coding.start, coding.end - 1))
    return range(first.index, last.index + 1)


def _tally(project, found: list[list[Coding]], within: str, rank: dict[str, int]) -> _Tally:
    mode, near = parse_within(within)
    if mode in ("turn", "document"):
        return _units(project, found, mode, rank)
    return _linked(project, found, mode, near, rank)


# ---------------------------------------------------------------------- words in common


def _shared_words(project, found: list[list[Coding]], rank: dict[str, int]) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Words coded per code, and words coded with both codes per pair: one sweep per
    document over the boundaries of each code's covered words."""
    own: dict[str, int] = defaultdict(int)
    both: dict[tuple[str, str], int] = defaultdict(int)
    for codings in found:
        index = word_index(project.text(codings[0].document))
        ranges: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for coding in codings:
            ranges[coding.code].append(index.span(coding.start, coding.end))
        events = []
        for code, spans in ranges.items():
            for first, after in covered(spans):
                own[code] += after - first
                events += [(first, 1, code), (after, -1, code)]
        events.sort(key=lambda e: e[0])
        active: set[str] = set()
        for (position, step, code), following in zip(events, events[1:] + [(None, 0, "")]):
            (active.add if step > 0 else active.discard)(code)
            if following[0] is not None and following[0] > position and len(active) > 1:
                ordered = sorted(active, key=rank.__getitem__)
                for n, a in enumerate(ordered):
                    for b in ordered[n + 1 :]:
                        both[a, b] += following[0] - position
    return own, both


# ---------------------------------------------------------------------- the table


def code_counts(project, scope: Scope = EVERYTHING, within: str = "overlap") -> dict[str, int]:
    """Each code's own count in the co-occurrence table (0 for codes in scope without)."""
    codes = codes_in(project, scope)
    rank = {c.id: n for n, c in enumerate(codes)}
    counts = _tally(project, _by_document(project, scope), within, rank).counts
    return {c.id: counts.get(c.id, 0) for c in codes}


def cooccurrence(project, scope: Scope = EVERYTHING, within: str = "overlap") -> list[Pair]:
    """Every pair of codes that occur together at least once, each unordered pair once,
    code_a before code_b in codebook order."""
    codes = codes_in(project, scope)
    rank = {c.id: n for n, c in enumerate(codes)}
    found = _by_document(project, scope)
    tally = _tally(project, found, within, rank)
    own, both = _shared_words(project, found, rank)
    order = {c.id: n for n, c in enumerate(c for codings in found for c in codings)}
    pairs = []
    for a, b in sorted(tally.together, key=lambda k: (rank[k[0]], rank[k[1]])):
        n12, n1, n2 = tally.together[a, b], tally.counts[a], tally.counts[b]
        union = own[a] + own[b] - both.get((a, b), 0)
        pairs.append(
            Pair(
                code_a=project.state.codes[a],
                code_b=project.state.codes[b],
                together=Cell(n12, tuple(sorted(tally.codings[a, b], key=order.__getitem__))),
                count_a=n1,
                count_b=n2,
                c_coefficient=n12 / (n1 + n2 - n12) if n1 + n2 - n12 else 0.0,
                jaccard=both.get((a, b), 0) / union if union else 0.0,
            )
        )
    return pairs
