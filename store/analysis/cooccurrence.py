"""Code co-occurrence: for each pair of codes, how often they occur together.

Never every coding against every other: per document, one sweep over the codings in
order of position finds the codings that overlap (or lie within N words of each other),
and the turn and document modes gather codes per unit. Definitions: docs/analysis.md.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial

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
    codings: Callable[[tuple[int, int]], Collection[int]]  # a pair's codings: indices into those in scope


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
    return _Tally(counts, together, lambda key: {x for e in edges[key] for x in e})


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


def _units(found: list[Coded], ranks: list[list[int]], mode: str) -> _Tally:
    """turn and document: a code's count is the units (turns, or documents) that hold it,
    a pair's those that hold both. A turn holds the codings whose span touches it; a
    document without turns is one unit. Each code's units are a bit set, so a pair's count
    is one AND of two sets, and its codings are listed only when asked for."""
    held: dict[int, dict[int, list[int]]] = defaultdict(dict)  # code -> unit -> codings (indices)
    base = unit = 0
    for coded, rank in zip(found, ranks):
        if mode == "document":
            for n, r in enumerate(rank):
                held[r].setdefault(unit, []).append(base + n)
            unit += 1
        else:
            touched = _turns_touched(coded)
            for n, r in enumerate(rank):
                for u in touched[n]:
                    held[r].setdefault(unit + u, []).append(base + n)
            unit += max(len(coded.document.turns), 1)
        base += len(rank)
    codes = sorted(held)
    masks = {r: _bits(held[r], unit) for r in codes}
    together = {}
    for n, a in enumerate(codes):
        mask = masks[a]
        for b in codes[n + 1 :]:
            common = (mask & masks[b]).bit_count()
            if common:
                together[a, b] = common
    return _Tally({r: len(held[r]) for r in codes}, together, lambda key: _behind(held, masks, key))


def _bits(units, size: int) -> int:
    """The set of unit numbers as an int's bits."""
    bits = bytearray(size // 8 + 1)
    for u in units:
        bits[u >> 3] |= 1 << (u & 7)
    return int.from_bytes(bits, "little")


def _behind(held: dict[int, dict[int, list[int]]], masks: dict[int, int], key: tuple[int, int]) -> set[int]:
    """The codings of both codes in the units that hold both (a coding in two turns once)."""
    common, found = masks[key[0]] & masks[key[1]], set()
    while common:  # each unit of both, lowest first: costs what the pair holds, not what each code holds
        low = common & -common
        unit = low.bit_length() - 1
        common ^= low
        for r in key:
            found.update(held[r][unit])
    return found


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


def _tally(found: list[Coded], ranks: list[list[int]], within: str) -> _Tally:
    mode, near = parse_within(within)
    if mode in ("document", "turn"):
        return _units(found, ranks, mode)
    return _linked(found, ranks, mode, near)


# ---------------------------------------------------------------------- words in common


def _shared_words(found: list[Coded], ranks: list[list[int]]) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """Words coded per code, and words coded with both codes per pair: per document, each
    code's covered words are disjoint ranges, so a sweep over all codes' ranges in order
    of start meets each overlap of two codes' ranges once."""
    own: dict[int, int] = defaultdict(int)
    both: dict[tuple[int, int], int] = defaultdict(int)
    for coded, rank in zip(found, ranks):
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for r, words in zip(rank, coded.words):
            spans[r].append(words)
        ranges = []
        for r, code_ranges in spans.items():
            for first, after in covered(code_ranges):
                own[r] += after - first
                ranges.append((first, after, r))
        ranges.sort()
        open_: list[tuple[int, int]] = []  # (after, code) of ranges not yet ended
        for first, after, r in ranges:
            open_ = [o for o in open_ if o[0] > first]
            for other_after, other in open_:
                both[(other, r) if other < r else (r, other)] += (after if after < other_after else other_after) - first
            open_.append((after, r))
    return own, both


# ---------------------------------------------------------------------- the table


def _prepared(project, scope: Scope) -> tuple[list[Code], list[Coded], list[list[int]]]:
    codes = codes_in(project, scope)
    rank = {c.id: n for n, c in enumerate(codes)}
    found = coded_documents(project, scope)
    return codes, found, [[rank[c.code] for c in coded.codings] for coded in found]


def _listed(ids: list[str], behind: Callable[[tuple[int, int]], Collection[int]], key: tuple[int, int]) -> tuple[str, ...]:
    return tuple(map(ids.__getitem__, sorted(behind(key))))


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
                together=Cell.lazy(n12, partial(_listed, ids, tally.codings, (a, b))),
                count_a=n1,
                count_b=n2,
                c_coefficient=n12 / (n1 + n2 - n12) if n1 + n2 - n12 else 0.0,
                jaccard=both.get((a, b), 0) / union if union else 0.0,
            )
        )
    return pairs
