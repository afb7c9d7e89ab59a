"""Code co-occurrence: for each pair of codes, how often they occur together.

Never every coding against every other: per document, one sweep over the codings in
order of position finds the codings that overlap (or lie within N words of each other),
and the turn and document modes gather codes per unit. Definitions: docs/analysis.md.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from store.analysis.cell import Cell
from store.analysis.frequencies import Coded, codes_in, coded_documents, covered
from store.analysis.scope import EVERYTHING, Scope
from store.errors import BadInput
from store.model import Code

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
    """What the sweep found, by code rank (codebook order): per code its count; per pair
    (a, b), a before b, the co-occurrences and the codings in them (by reading order)."""

    counts: dict[int, int]
    together: dict[tuple[int, int], int]
    codings: dict[tuple[int, int], Collection[int]]  # indices into the codings in scope


def meeting(spans: list[tuple[int, int]]):
    """Pairs (i, j) of intervals [start, end) that share a point: the sweep. Intervals are
    taken in order of start; those still open when one starts are the ones it meets.
    Costs n log n plus the pairs found."""
    open_: list[tuple[int, int]] = []  # (end, i), a heap
    for i in sorted(range(len(spans)), key=spans.__getitem__):
        start, end = spans[i]
        while open_ and open_[0][0] <= start:
            heapq.heappop(open_)
        if end > start:
            for _, j in open_:
                yield j, i
            heapq.heappush(open_, (end, i))


def _linked(found: list[Coded], ranks: list[list[int]], mode: str, near: int) -> _Tally:
    """overlap and words:N: a co-occurrence of A and B is a chain of A and B codings, each
    meeting the next (a connected group of the meeting graph kept to A and B), so that it
    never counts more than either code's codings."""
    counts: dict[int, int] = defaultdict(int)
    edges: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    base = 0
    for coded, rank in zip(found, ranks):
        for r in rank:
            counts[r] += 1
        if mode == "overlap":
            spans = [(c.start, c.end) for c in coded.codings]
        else:
            spans = [(first, after + near + 1) for first, after in coded.words]
        for i, j in meeting(spans):
            a, b = rank[i], rank[j]
            if a < b:
                edges[a, b].append((base + i, base + j))
            elif b < a:
                edges[b, a].append((base + j, base + i))
        base += len(rank)
    together = {key: _groups(pairs) for key, pairs in edges.items()}
    return _Tally(counts, together, {key: {x for e in pairs for x in e} for key, pairs in edges.items()})


def _groups(edges: list[tuple[int, int]]) -> int:
    """The number of connected groups the edges make (union-find)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    joined = 0
    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
            joined += 1
    return len(parent) - joined


def _units(found: list[Coded], ranks: list[list[int]]) -> _Tally:
    """turn: the units are turns (the turns a coding's span touches; a document without
    turns is one unit); a code's count is the turns that hold it, a pair's the turns that
    hold both."""
    counts: dict[int, int] = defaultdict(int)
    together: dict[tuple[int, int], int] = defaultdict(int)
    behind: dict[tuple[int, int], list[int]] = defaultdict(list)
    base = 0
    for coded, rank in zip(found, ranks):
        held: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))  # unit -> code -> codings
        for n, (r, touched) in enumerate(zip(rank, _turns_touched(coded))):
            for unit in touched:
                held[unit][r].append(base + n)
        base += len(rank)
        for codes in held.values():
            ordered = sorted(codes)
            for n, a in enumerate(ordered):
                counts[a] += 1
                for b in ordered[n + 1 :]:
                    together[a, b] += 1
                    behind[a, b] += codes[a] + codes[b]
    return _Tally(counts, together, {key: set(found) for key, found in behind.items()})  # a coding in two turns once


def _turns_touched(coded: Coded) -> list[range]:
    """Per coding, the turns from its first character's to its last character's (a
    character in a speaker label belongs to the turn that follows, as Document.turn_at)."""
    turns = coded.document.turns
    if not turns:
        return [range(1)] * len(coded.codings)
    ends, last = [t.end for t in turns], len(turns) - 1
    return [
        range(min(bisect_right(ends, c.start), last), min(bisect_right(ends, max(c.start, c.end - 1)), last) + 1)
        for c in coded.codings
    ]


def _documents(ranks: list[list[int]]) -> _Tally:
    """document: a code's count is the documents holding it, a pair's those holding both.
    Every pair of codes of a document co-occurs, so the pairs are found by intersecting
    each two codes' sets of documents rather than by listing each document's pairs."""
    held: dict[int, dict[int, list[int]]] = defaultdict(dict)  # code -> document -> codings
    base = 0
    for d, rank in enumerate(ranks):
        for n, r in enumerate(rank):
            held[r].setdefault(d, []).append(base + n)
        base += len(rank)
    codes = sorted(held)
    keys = {r: held[r].keys() for r in codes}
    together, behind = {}, {}
    for n, a in enumerate(codes):
        for b in codes[n + 1 :]:
            common = keys[a] & keys[b]
            if common:
                together[a, b] = len(common)
                behind[a, b] = [i for d in common for i in held[a][d] + held[b][d]]
    return _Tally({r: len(keys[r]) for r in codes}, together, behind)


def _tally(found: list[Coded], ranks: list[list[int]], within: str) -> _Tally:
    mode, near = parse_within(within)
    if mode == "document":
        return _documents(ranks)
    if mode == "turn":
        return _units(found, ranks)
    return _linked(found, ranks, mode, near)


# ---------------------------------------------------------------------- words in common


def _shared_words(found: list[Coded], ranks: list[list[int]]) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """Words coded per code, and words coded with both codes per pair: one sweep per
    document over the boundaries of each code's covered words."""
    own: dict[int, int] = defaultdict(int)
    both: dict[tuple[int, int], int] = defaultdict(int)
    for coded, rank in zip(found, ranks):
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for r, words in zip(rank, coded.words):
            spans[r].append(words)
        events = []
        for r, ranges in spans.items():
            for first, after in covered(ranges):
                own[r] += after - first
                events += [(first, 1, r), (after, 0, r)]
        events.sort()
        active: list[int] = []  # code ranks, sorted
        for n, (position, starts, r) in enumerate(events):
            if starts:
                insort(active, r)
            else:
                active.remove(r)
            if len(active) > 1 and n + 1 < len(events) and events[n + 1][0] > position:
                width = events[n + 1][0] - position
                for k, a in enumerate(active):
                    for b in active[k + 1 :]:
                        both[a, b] += width
    return own, both


# ---------------------------------------------------------------------- the table


def _prepared(project, scope: Scope) -> tuple[list[Code], list[Coded], list[list[int]]]:
    codes = codes_in(project, scope)
    rank = {c.id: n for n, c in enumerate(codes)}
    found = coded_documents(project, scope)
    return codes, found, [[rank[c.code] for c in coded.codings] for coded in found]


def code_counts(project, scope: Scope = EVERYTHING, within: str = "overlap") -> dict[str, int]:
    """Each code's own count in the co-occurrence table (0 for codes in scope without)."""
    parse_within(within)
    codes, found, ranks = _prepared(project, scope)
    counts = _tally(found, ranks, within).counts
    return {c.id: counts.get(n, 0) for n, c in enumerate(codes)}


def cooccurrence(project, scope: Scope = EVERYTHING, within: str = "overlap") -> list[Pair]:
    """Every pair of codes that occur together at least once, each unordered pair once,
    code_a before code_b in codebook order."""
    parse_within(within)
    codes, found, ranks = _prepared(project, scope)
    tally = _tally(found, ranks, within)
    own, both = _shared_words(found, ranks)
    ids = [c.id for coded in found for c in coded.codings]
    pairs = []
    for a, b in sorted(tally.together):
        n12, n1, n2 = tally.together[a, b], tally.counts[a], tally.counts[b]
        union = own[a] + own[b] - both.get((a, b), 0)
        pairs.append(
            Pair(
                code_a=codes[a],
                code_b=codes[b],
                together=Cell(n12, tuple(map(ids.__getitem__, sorted(tally.codings[a, b])))),
                count_a=n1,
                count_b=n2,
                c_coefficient=n12 / (n1 + n2 - n12) if n1 + n2 - n12 else 0.0,
                jaccard=both.get((a, b), 0) / union if union else 0.0,
            )
        )
    return pairs
