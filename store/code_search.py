"""Ranking codes for the code picker: fuzzy over path, definition and usage, recent first.

`CodeIndex` is built once per codebook version (the picker rebuilds it when the project
changes) so each keystroke only runs rapidfuzz's C loops over prepared strings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from store.codebook import SEPARATOR
from store.model import Code

NEAR_DUPLICATE = 75  # a new name this similar to an existing code's name is probably a typo
STRONG = 90  # a hit this good is what the coder is typing toward
_MIN_SCORE = 45


@dataclass(frozen=True, slots=True)
class CodeHit:
    code: Code
    path: str
    description: str
    count: int
    score: float


class CodeIndex:
    """The codebook prepared for fuzzy search."""

    def __init__(self, codes: list[Code], paths: list[str], counts: dict[str, int]):
        self.codes = codes
        self.paths = paths
        self.counts = [counts.get(c.id, 0) for c in codes]
        self._paths = [utils.default_process(p) for p in paths]
        self._names = [utils.default_process(c.name) for c in codes]
        self._descriptions = [utils.default_process(c.description) for c in codes]
        self._by_id = {c.id: i for i, c in enumerate(codes)}

    @classmethod
    def of(cls, project) -> CodeIndex:
        codes = project.codebook.all()
        return cls(codes, [project.codebook.path(c) for c in codes], project.codebook.counts())

    def rank(self, query: str, recent: list[str] = (), limit: int = 9) -> list[CodeHit]:
        """The best `limit` codes for `query`; with an empty query, recent codes then the tree."""
        bonus = {code_id: 12 - i for i, code_id in enumerate(recent[:12])}
        query = utils.default_process(query)
        if not query:
            order = [self._by_id[c] for c in recent if c in self._by_id]
            order += [i for i in range(len(self.codes)) if i not in set(order)]
            return [self._hit(i, 0.0) for i in order[:limit]]
        scores: dict[int, float] = {}
        for choices, scorer, weight in (
            (self._paths, fuzz.partial_ratio, 1.0),
            (self._descriptions, fuzz.partial_ratio, 0.7),
        ):
            for _, score, i in process.extract(
                query, choices, scorer=scorer, processor=None, limit=limit * 4, score_cutoff=_MIN_SCORE
            ):
                scores[i] = max(scores.get(i, 0.0), score * weight)
        ranked = [
            (
                score
                + 0.2 * fuzz.ratio(query, self._names[i])
                + bonus.get(self.codes[i].id, 0)
                + math.log1p(self.counts[i]),
                i,
            )
            for i, score in scores.items()
        ]
        ranked.sort(key=lambda item: (-item[0], self.paths[item[1]]))
        return [self._hit(i, score) for score, i in ranked[:limit]]

    def exact(self, name: str) -> Code | None:
        """The code whose path or (unique) name is exactly `name`, ignoring case and spacing."""
        wanted = utils.default_process(" ".join(name.split()))
        for i, path in enumerate(self._paths):
            if path == wanted:
                return self.codes[i]
        named = [i for i, n in enumerate(self._names) if n == wanted]
        return self.codes[named[0]] if len(named) == 1 else None

    def near_duplicates(self, name: str, limit: int = 3) -> list[str]:
        """Paths of codes whose name is close to `name` ("did you mean …?")."""
        leaf = utils.default_process(name.split(SEPARATOR.strip())[-1])
        found = process.extract(leaf, self._names, scorer=fuzz.ratio, processor=None, limit=limit,
                                score_cutoff=NEAR_DUPLICATE)
        return [self.paths[i] for _, _, i in found]

    @staticmethod
    def prefers_existing(name: str, hits: list[CodeHit]) -> bool:
        """Whether Enter should apply the top hit rather than create `name`: only when the
        hit is strong and the typed name is no longer than the hit's path, i.e. the coder is
        typing toward an existing code, not adding words to one ("Employment terms and pay")."""
        return bool(hits) and hits[0].score >= STRONG and len(" ".join(name.split())) <= len(hits[0].path)

    def _hit(self, i: int, score: float) -> CodeHit:
        code = self.codes[i]
        return CodeHit(code, self.paths[i], code.description, self.counts[i], score)


def recent_codes(project, limit: int = 9) -> list[str]:
    """Ids of the codes this coder applied most recently, newest first."""
    coder = project.coder.id if project.coder else None
    mine = [c for c in project.state.codings.values() if c.coder == coder]
    order = sorted(range(len(mine)), key=lambda i: (mine[i].created, i), reverse=True)  # ties: newest put last
    seen: list[str] = []
    for coding in (mine[i] for i in order):
        if coding.code not in seen:
            seen.append(coding.code)
            if len(seen) == limit:
                break
    return seen
