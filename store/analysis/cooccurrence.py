"""Code co-occurrence: for each pair of codes, how often they occur together.

Never every coding against every other: per document, one sweep over the codings in
order of position finds the codings that overlap (or lie within N words of each other),
and the turn and document modes gather codes per unit. Definitions: docs/analysis.md.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import partial

from store.analysis.cell import Cell
from store.analysis.columns import Gathered, gather_document, gathered, turns_touched
from store.analysis.frequencies import Coded, codes_in, coded_documents, shared_words
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


@dataclass
class _Part:
    """One document's codings in scope, as the tallies read them: per coding its code's
    rank, its words [first, after), its characters [start, end) and the turns of its
    first and last character; `units` is the document's turns (1 without turns)."""

    ranks: list[int]
    first: Sequence[int]
    after: Sequence[int]
    start: Sequence[int]
    end: Sequence[int]
    turn_first: Sequence[int]
    turn_last: Sequence[int]
    units: int
    shared: tuple[dict, dict] | None = None  # shared_words of the document, when the columns kept it

    @classmethod
    def of(cls, coded: Coded, rank: dict[str, int]) -> _Part:
        codings = coded.codings
        turns = turns_touched(coded.document, codings)
        return cls(
            [rank[c.code] for c in codings], [w[0] for w in coded.words], [w[1] for w in coded.words],
            [c.start for c in codings], [c.end for c in codings], [t[0] for t in turns], [t[1] for t in turns],
            max(len(coded.document.turns), 1),
        )  # fmt: skip

    @classmethod
    def of_columns(cls, found: Gathered, rank: dict[str, int]) -> _Part:
        return cls(
            list(map(rank.__getitem__, found.codes)), found.first, found.after, found.start, found.end,
            found.turn_first, found.turn_last, max(len(found.document.turns), 1), _kept_shared(found, rank),
        )  # fmt: skip


def _kept_shared(found: Gathered, rank: dict[str, int]) -> tuple[dict, dict] | None:
    """The document's words coded per code and per pair as its one file's columns kept
    them, when the document's codings in scope are exactly that file's; else None."""
    if len(found.segments) != 1:
        return None
    columns, indices = found.segments[0]
    if len(indices) != len(columns.first):
        return None
    ranks = [rank[code] for code in columns.codes]
    own = dict(zip(ranks, columns.unions))
    both = {}
    for a, b, words in zip(columns.pair_a, columns.pair_b, columns.pair_words):
        a, b = ranks[a], ranks[b]
        both[(a, b) if a < b else (b, a)] = words
    return own, both


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


def _linked(parts: list[_Part], mode: str, near: int) -> _Tally:
    """overlap and words:N: a co-occurrence of A and B is a chain of A and B codings, each
    meeting the next (a connected group of the meeting graph kept to A and B), so that it
    never counts more than either code's codings."""
    counts: dict[int, int] = defaultdict(int)
    edges: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    base = 0
    for part in parts:
        rank = part.ranks
        for r in rank:
            counts[r] += 1
        if mode == "overlap":
            spans = list(zip(part.start, part.end))
        else:
            spans = [(first, after + near + 1) for first, after in zip(part.first, part.after)]
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


def _units(parts: list[_Part], mode: str) -> _Tally:
    """turn and document: a code's count is the units (turns, or documents) that hold it,
    a pair's those that hold both. A turn holds the codings whose span touches it; a
    document without turns is one unit. Each code's units are a bit set, so a pair's count
    is one AND of two sets; a pair's codings are found only when asked for."""
    held: dict[int, set[int]] = defaultdict(set)  # code -> units
    unit = 0
    for part in parts:
        if mode == "document":
            for r in set(part.ranks):
                held[r].add(unit)
            unit += 1
            continue
        for r, first, last in zip(part.ranks, part.turn_first, part.turn_last):
            if first == last:
                held[r].add(unit + first)
            else:
                held[r].update(range(unit + first, unit + last + 1))
        unit += part.units
    codes = sorted(held)
    masks = {r: _bits(held[r], unit) for r in codes}
    together = {}
    for n, a in enumerate(codes):
        mask = masks[a]
        for b in codes[n + 1 :]:
            common = (mask & masks[b]).bit_count()
            if common:
                together[a, b] = common
    return _Tally({r: len(held[r]) for r in codes}, together, partial(_behind, parts, mode, masks, {}))


def _bits(units, size: int) -> int:
    """The set of unit numbers as an int's bits."""
    bits = bytearray(size // 8 + 1)
    for u in units:
        bits[u >> 3] |= 1 << (u & 7)
    return int.from_bytes(bits, "little")


def _held(parts: list[_Part], mode: str) -> dict[int, dict[int, list[int]]]:
    """code -> unit -> the codings there (indices into those in scope)."""
    held: dict[int, dict[int, list[int]]] = defaultdict(dict)
    base = unit = 0
    for part in parts:
        for n, r in enumerate(part.ranks):
            if mode == "document":
                held[r].setdefault(unit, []).append(base + n)
            else:
                for u in range(part.turn_first[n], part.turn_last[n] + 1):
                    held[r].setdefault(unit + u, []).append(base + n)
        unit += 1 if mode == "document" else part.units
        base += len(part.ranks)
    return held


def _behind(parts, mode: str, masks: dict[int, int], kept: dict, key: tuple[int, int]) -> set[int]:
    """The codings of both codes in the units that hold both (a coding in two turns once)."""
    if not kept:
        kept["held"] = _held(parts, mode)
    held = kept["held"]
    common, found = masks[key[0]] & masks[key[1]], set()
    while common:  # each unit of both, lowest first: costs what the pair holds, not what each code holds
        low = common & -common
        unit = low.bit_length() - 1
        common ^= low
        for r in key:
            found.update(held[r][unit])
    return found


def _tally(parts: list[_Part], within: str) -> _Tally:
    mode, near = parse_within(within)
    if mode in ("document", "turn"):
        return _units(parts, mode)
    return _linked(parts, mode, near)


# ---------------------------------------------------------------------- words in common


def _shared_words(parts: list[_Part]) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """Words coded per code, and words coded with both codes per pair, summed over the
    documents (frequencies.shared_words per document, or what the columns kept)."""
    own: dict[int, int] = defaultdict(int)
    both: dict[tuple[int, int], int] = defaultdict(int)
    for part in parts:
        if part.shared is not None:
            here_own, here_both = part.shared
        else:
            spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for r, first, after in zip(part.ranks, part.first, part.after):
                spans[r].append((first, after))
            here_own, here_both = shared_words(spans)
        for r, words in here_own.items():
            own[r] += words
        for key, words in here_both.items():
            both[key] += words
    return own, both


# ---------------------------------------------------------------------- the table


def _prepared(project, scope: Scope, columns: bool = True) -> tuple[list[Code], list[_Part], list[str] | None]:
    """The codes in scope, each document's codings as parts, and the codings' ids in the
    parts' order; from the kept columns when they apply, where the ids are None (a cell's
    codings then come from the plain path, when asked for)."""
    codes = codes_in(project, scope)
    rank = {c.id: n for n, c in enumerate(codes)}
    found = gathered(project, scope, set(rank)) if columns else None
    if found is not None:
        return codes, [_Part.of_columns(g, rank) for g in found], None
    plain = coded_documents(project, scope)
    return codes, [_Part.of(coded, rank) for coded in plain], [c.id for coded in plain for c in coded.codings]


def _listed(ids: list[str], behind: Callable[[tuple[int, int]], Collection[int]], key: tuple[int, int]) -> tuple[str, ...]:
    return tuple(map(ids.__getitem__, sorted(behind(key))))


def code_counts(project, scope: Scope = EVERYTHING, within: str = "overlap") -> dict[str, int]:
    """Each code's own count in the co-occurrence table (0 for codes in scope without)."""
    parse_within(within)
    codes, parts, _ = _prepared(project, scope)
    counts = _tally(parts, within).counts
    return {c.id: counts.get(n, 0) for n, c in enumerate(codes)}


def cooccurrence(project, scope: Scope = EVERYTHING, within: str = "overlap", columns: bool = True) -> list[Pair]:
    """Every pair of codes that occur together at least once, each unordered pair once,
    code_a before code_b in codebook order. `columns` False takes the plain path (the
    tests compare the two)."""
    return table(project, scope, within, columns)[0]


def table(project, scope: Scope = EVERYTHING, within: str = "overlap", columns: bool = True) -> tuple[list[Pair], dict[str, int]]:
    """`cooccurrence` and `code_counts` from one sweep (what a heat map shows), or from
    the live columns' per-document contributions where the project keeps them."""
    parse_within(within)
    found = _live_table(project, scope, within) if columns else None
    if found is not None:
        return found
    codes, parts, ids = _prepared(project, scope, columns)
    tally = _tally(parts, within)
    counts = {c.id: tally.counts.get(n, 0) for n, c in enumerate(codes)}
    return _pairs(project, scope, within, codes, _shared_words(parts), ids, tally), counts


# ---------------------------------------------------------------------- per document, kept live


class _EveryPair:
    """A document's contribution in document mode: each of its codes once, and every pair
    of them (listed when added, never kept: a document of 100 codes has 4,950 pairs)."""

    __slots__ = ("codes", "words")

    def __init__(self, codes: list[str], words: dict):
        self.codes, self.words = codes, words

    def items(self):
        codes = self.codes
        for n, a in enumerate(codes):
            yield ("n", a), 1
            for b in codes[n + 1 :]:
                yield ("p", a, b), 1
        yield from self.words.items()


def _contribution(document, files, scope: Scope, wanted: set[str], within: str):
    """One document's part of the table, keyed by code ids (the smaller id first in a
    pair): ("n", code) its count, ("p", a, b) together, ("o", code) and ("b", a, b) the
    words coded (for Jaccard). Exactly additive: co-occurrences never cross documents."""
    here = gather_document(document, files, scope, wanted)
    if not here.codes:
        return {}
    ids = sorted(set(here.codes))
    part = _Part.of_columns(here, {code: n for n, code in enumerate(ids)})
    own, both = _shared_words([part])
    words = {("o", ids[r]): w for r, w in own.items() if w}
    words.update({("b", ids[a], ids[b]): w for (a, b), w in both.items() if w})
    if parse_within(within)[0] == "document":
        return _EveryPair(ids, words)
    tally = _tally([part], within)
    words.update({("n", ids[r]): n for r, n in tally.counts.items()})
    words.update({("p", ids[a], ids[b]): n for (a, b), n in tally.together.items()})
    return words


def _live_table(project, scope: Scope, within: str) -> tuple[list[Pair], dict[str, int]] | None:
    """`table` summed from the live columns' contributions (store/analysis/live.py), or None."""
    from store.analysis.live import summed
    from store.analysis.scope import documents_in

    codes = codes_in(project, scope)
    rank = {c.id: n for n, c in enumerate(codes)}
    wanted = set(rank)
    kind = ("cooccurrence", within, scope.coder, scope.speakers, scope.not_speakers, frozenset(wanted) if scope.code else None)
    sums = summed(project, kind, documents_in(project, scope), partial(_contribution, scope=scope, wanted=wanted, within=within))
    if sums is None:
        return None
    counts: dict[int, int] = {}
    together: dict[tuple[int, int], int] = {}
    own: dict[int, int] = {}
    both: dict[tuple[int, int], int] = {}
    for key, value in sums.items():
        if any(code not in rank for code in key[1:]):
            continue  # a code no longer in scope (the codebook changed after the contribution)
        if len(key) == 2:
            (counts if key[0] == "n" else own)[rank[key[1]]] = value
        else:
            a, b = rank[key[1]], rank[key[2]]
            (together if key[0] == "p" else both)[(a, b) if a < b else (b, a)] = value
    tally = _Tally(counts, together, None)
    found = {c.id: counts.get(n, 0) for n, c in enumerate(codes)}
    return _pairs(project, scope, within, codes, (own, both), None, tally), found


def _pairs(project, scope: Scope, within: str, codes, shared, ids, tally) -> list[Pair]:
    own, both = shared
    if ids is None:
        plain = _plain_pairs(project, scope, within)
        listing = lambda key: plain()[key]  # noqa: E731
    else:
        listing = partial(_listed, ids, tally.codings)
    pairs = []
    for a, b in sorted(tally.together):
        n12, n1, n2 = tally.together[a, b], tally.counts[a], tally.counts[b]
        union = own.get(a, 0) + own.get(b, 0) - both.get((a, b), 0)  # a code over no words has no entry
        pairs.append(
            Pair(
                code_a=codes[a],
                code_b=codes[b],
                together=Cell.lazy(n12, partial(listing, (a, b))),
                count_a=n1,
                count_b=n2,
                c_coefficient=n12 / (n1 + n2 - n12) if n1 + n2 - n12 else 0.0,
                jaccard=both.get((a, b), 0) / union if union else 0.0,
            )
        )
    return pairs


def _plain_pairs(project, scope: Scope, within: str):
    """A function giving {(rank a, rank b): coding ids} from the plain path, computed once."""
    found: dict = {}

    def pairs() -> dict:
        if not found:
            codes, parts, ids = _prepared(project, scope, columns=False)
            tally = _tally(parts, within)
            found.update({key: _listed(ids, tally.codings, key) for key in tally.together})
            found[None] = ()
        return found

    return pairs
