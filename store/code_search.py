"""Ranking codes for the code picker, and the near-duplicate check for new codes.

The ranking is in tiers, so that what the researcher typed decides the order and fuzzy
similarity only orders what is left (case, spacing and punctuation are ignored):

0. exact: the typed text is a code's path, or the end of exactly one code's path (its leaf
   name, or `PDP/ICE > Uses PDPs and ICE plots`);
1. prefix: the leaf name starts with the typed text (`compl` finds `Compliment`); with `>`,
   the last typed segment starts the leaf and the earlier ones start its ancestors, in order;
2. words: every typed word starts a word of the leaf name (2), of the path (3), of the path
   or definition (4) (`scatter interact`);
5. typo: every typed word is the start of a word of the path but for a typo (`supervison`);
6. fuzzy: rapidfuzz's partial ratio over the path.

Inside a tier, recent codes come first, then the more used, then the shorter path.
"+ New code" belongs after the last hit of tier `TYPED` or better, so it never outranks a
code holding every typed word.

`CodeIndex` is built once per codebook version so a keystroke only scans prepared strings:
tiers 0–4 are dictionary look-ups and substring tests; fuzzy matching, the slow part, runs
only for three or more letters and only when the earlier tiers leave room.
"""

from __future__ import annotations

import bisect
import heapq
import math
import weakref
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat
from operator import attrgetter, eq, itemgetter

from store.codebook import SEPARATOR
from store.model import Code
from store.patterns import later

EXACT, PREFIX, LEAF_WORDS, PATH_WORDS, ALL_WORDS, TYPO, FUZZY = range(7)
TYPED = TYPO  # a hit this good holds what was typed: "+ New code" goes below it
_MIN_SCORE = 45
_FUZZY_FROM = 3  # letters typed before fuzzy matching starts (two letters match anything)
_WORD = later(r"\w+")
_NOT_WORD = later(r"\W+")


@dataclass(frozen=True, slots=True)
class CodeHit:
    code: Code
    path: str
    description: str
    count: int
    score: float
    tier: int = FUZZY


def words(text: str) -> list[str]:
    """The words of `text`, case-folded, without punctuation."""
    return _WORD.findall(text.casefold())


def segments(path: str) -> list[str]:
    """A typed or stored path as one key per segment (`Benefits >` keeps its empty last one:
    it asks for the children)."""
    keys = [" ".join(words(part)) for part in path.split(">")]
    return [k for k in keys[:-1] if k] + keys[-1:]


class CodeIndex:
    """The codebook prepared for ranking."""

    def __init__(self, codes: list[Code], paths: list[str], counts: dict[str, int]):
        self.codes = codes
        self.paths = paths
        self.counts = [counts.get(c.id, 0) for c in codes]
        self._counted = counts
        self._segments = [segments(p) for p in paths]
        self._leaf = [s[-1] for s in self._segments]
        self._ancestors = [tuple(s[:-1]) for s in self._segments]
        self._leaves = sorted((leaf, i) for i, leaf in enumerate(self._leaf))  # for the prefix tier
        self._leaf_words = _Texts(f" {leaf}" for leaf in self._leaf)
        self._path_words = _Texts(" " + " ".join(s) for s in self._segments)
        self._all_words = _Texts(f"{p} {_NOT_WORD.sub(' ', c.description.casefold())}" for p, c in zip(self._path_words, codes))
        from rapidfuzz import utils  # imported here: the app's first frame does not need it

        self._paths = [utils.default_process(p) for p in paths]
        self._by_id = {c.id: i for i, c in enumerate(codes)}
        self._full: dict[str, list[int]] = defaultdict(list)
        self._tails: dict[str, list[int]] = defaultdict(list)
        self._order: list[int] = []  # each code's place in the order used inside a tier
        self._sort_by_use()
        for i, keys in enumerate(self._segments):
            self._full[">".join(keys)].append(i)
            for start in range(1, len(keys)):
                self._tails[">".join(keys[start:])].append(i)

    def _sort_by_use(self) -> None:
        paths, counts = self.paths, self.counts
        by_use = sorted(range(len(self.codes)), key=lambda i: (-counts[i], len(paths[i]), paths[i]))
        self._order = [0] * len(self.codes)
        for place, i in enumerate(by_use):
            self._order[i] = place

    def recount(self, counts: dict[str, int]) -> None:
        """New coding counts for the same codebook: re-sorts only when a count changed."""
        if counts == self._counted:
            return
        self._counted = counts
        self.counts = [counts.get(c.id, 0) for c in self.codes]
        self._sort_by_use()

    @classmethod
    def of(cls, project) -> CodeIndex:
        """The project's index, built once per codebook: opening the picker again after
        coding only refreshes the counts (the codes dict compares by identity, in C)."""
        codes_now = project.state.codes
        cached = _INDEXES.get(project)
        if cached is not None and cached[0] == codes_now:
            cached[1].recount(project.codebook.counts())
            return cached[1]
        codes = project.codebook.all()
        index = cls(codes, [project.codebook.path(c) for c in codes], project.codebook.counts())
        _INDEXES[project] = (dict(codes_now), index)
        return index

    def rank(self, query: str, recent: list[str] = (), limit: int = 9) -> list[CodeHit]:
        """The best `limit` codes for `query`; with an empty query, recent codes then the tree."""
        typed = segments(query)
        if not any(typed):
            order = list(dict.fromkeys(self._by_id[c] for c in recent if c in self._by_id))
            chosen = set(order)
            for i in range(len(self.codes)):  # then the tree, only as far as is shown
                if len(order) >= limit:
                    break
                if i not in chosen:
                    order.append(i)
            return [self._hit(i, EXACT, 0.0) for i in order[:limit]]
        bonus = {self._by_id[c]: n for n, c in enumerate(recent[:12]) if c in self._by_id}
        hits: list[CodeHit] = []
        seen: set[int] = set()
        for tier, found, scores in self._tiers(typed, limit):
            found = [i for i in found if i not in seen]
            seen.update(found)
            hits += [self._hit(i, tier, scores.get(i, 0.0)) for i in self._best(found, limit - len(hits), bonus, scores)]
            if len(hits) >= limit:
                break
        return hits

    def _tiers(self, typed: list[str], limit: int):
        """(tier, code indices, fuzzy scores) from the best tier down, computed only as far as
        the caller reads: two letters that start enough leaf names never reach the word scans."""
        exact = self._exact(typed)
        yield EXACT, [] if exact is None else [exact], {}
        yield PREFIX, self._prefixed(typed), {}
        needles = [f" {w}" for w in " ".join(typed).split()]
        for tier, texts in ((LEAF_WORDS, self._leaf_words), (PATH_WORDS, self._path_words), (ALL_WORDS, self._all_words)):
            yield tier, _holding(needles, texts), {}
        if len("".join(typed)) >= _FUZZY_FROM:
            scores = self._fuzzy(" ".join(typed), limit)
            typo = [i for i in scores if self._typo_of(i, [n[1:] for n in needles])]
            yield TYPO, typo, scores
            yield FUZZY, list(scores), scores

    def _best(self, found: list[int], room: int, bonus: dict[int, int], scores: dict[int, float]) -> list[int]:
        """The first `room` of one tier: recent codes, then by fuzzy score, use, shorter path."""
        if room <= 0 or not found:
            return []
        if not scores and not bonus.keys() & set(found):
            return heapq.nsmallest(room, found, key=self._order.__getitem__)  # the common case, in C
        return heapq.nsmallest(room, found, key=lambda i: (bonus.get(i, 99), -scores.get(i, 0.0), self._order[i]))

    def exact(self, name: str) -> Code | None:
        """The code whose path, or the unique end of whose path, is `name` (case, spacing
        and punctuation ignored)."""
        i = self._exact(segments(name))
        return None if i is None else self.codes[i]

    def _exact(self, typed: list[str]) -> int | None:
        if not typed[-1]:
            return None
        key = ">".join(typed)
        found = self._full.get(key) or self._tails.get(key, [])
        return found[0] if len(found) == 1 else None

    def _prefixed(self, typed: list[str]) -> list[int]:
        last, earlier = typed[-1], typed[:-1]
        if earlier:
            return self._prefixed_under(earlier, last)
        low = bisect.bisect_left(self._leaves, (last, -1))
        high = bisect.bisect_left(self._leaves, (last + "\U0010ffff", -1))  # past every leaf starting so
        return [i for _, i in self._leaves[low:high]]

    def _prefixed_under(self, earlier: list[str], last: str) -> list[int]:
        """Codes whose leaf starts with `last` under ancestors matching `earlier`, in order.
        Every word typed before the last `>` is in the path, so a scan in C narrows the codes
        first, and the ordered check is asked once per parent path (`Theme 1 >` asked it of
        all 5,000 leaves: 31 ms)."""
        ancestors, leaves, fits, hits = self._ancestors, self._leaf, {}, []
        for i in _holding([f" {w}" for segment in earlier for w in segment.split()], self._path_words):
            fit = fits.get(ancestors[i])
            if fit is None:
                fit = fits[ancestors[i]] = _in_order(earlier, ancestors[i])
            if fit and leaves[i].startswith(last):
                hits.append(i)
        return hits

    def _fuzzy(self, query: str, limit: int) -> dict[int, float]:
        """Partial-ratio scores over paths (definitions count through the word tiers: a fuzzy
        pass over them would cost three times as much for little)."""
        from rapidfuzz import fuzz, process

        found = process.extract(query, self._paths, scorer=fuzz.partial_ratio, processor=None,
                                limit=limit * 4, score_cutoff=_MIN_SCORE)
        return {i: score + math.log1p(self.counts[i]) for _, score, i in found}

    def _typo_of(self, i: int, typed_words: list[str]) -> bool:
        """Whether every typed word starts a word of the path but for a typo."""
        path_words = self._path_words[i].split()
        return all(any(_starts_but_for_typo(w, p) for p in path_words) for w in typed_words)

    def _hit(self, i: int, tier: int, score: float) -> CodeHit:
        code = self.codes[i]
        return CodeHit(code, self.paths[i], code.description, self.counts[i], score, tier)


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # project -> (its codes then, index)


class _Texts(list):
    """Texts to scan for word starts, with all of them joined once so that a needle's
    matches can be counted in C: the rarest needle is scanned for first."""

    def __init__(self, texts):
        super().__init__(texts)
        self.joined = "\n".join(self)


def _holding(needles: list[str], texts: list[str]) -> list[int]:
    """Indices of the texts holding every needle (one scan per needle over what is left,
    the rarest first when the texts are `_Texts`)."""
    if not needles:
        return []
    joined = getattr(texts, "joined", None)
    if joined is not None and len(needles) > 1:
        needles = sorted(needles, key=joined.count)
    if joined is not None and needles[0] not in joined:
        return []
    found = [i for i, text in enumerate(texts) if needles[0] in text]
    for needle in needles[1:]:
        found = [i for i in found if needle in texts[i]]
    return found


def _in_order(wanted: list[str], ancestors: list[str]) -> bool:
    """Whether each wanted segment's words start words of one of the ancestors, in order
    (gaps allowed: `techn > liked` finds `PDPilot Techniques Usage > Ranking > Liked …`)."""
    rest = iter(f" {a}" for a in ancestors)
    return all(any(all(f" {w}" in a for w in segment.split()) for a in rest) for segment in wanted)


@lru_cache(maxsize=1)
def _levenshtein():
    """rapidfuzz's Levenshtein, imported once when first needed (not for the first frame)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein


def _allowance(length: int) -> int:
    """Typos forgiven in a word this long: none in short words, where one letter is a new word."""
    return 0 if length < 4 else 1 if length < 8 else 2


def _starts_but_for_typo(typed: str, word: str) -> bool:
    if word.startswith(typed):
        return True
    Levenshtein = _levenshtein()
    allowed = _allowance(len(typed))
    return allowed > 0 and any(
        Levenshtein.distance(typed, word[:n], score_cutoff=allowed) <= allowed
        for n in (len(typed) - 1, len(typed), len(typed) + 1)
        if 0 < n <= len(word)
    )


# ---------------------------------------------------------------------------- near-duplicates


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    typed: str  # the segment of the new path that is new
    existing: str  # the path of the existing code it is close to
    meant: str  # the new path with that segment (and what follows, where it can) corrected

    def __str__(self) -> str:
        said = f"“{self.typed}” is close to the existing “{self.existing}”"
        return said if self.meant == self.existing else f"{said}: did you mean “{self.meant}”?"


def near_duplicates(codes: list[Code], path: str, limit: int = 3) -> list[NearDuplicate]:
    """What the new code `path` may be a typo of, checked segment by segment: the first
    segment that is not in the tree is compared with its would-be siblings (so a typo in a
    parent is caught), and a new top-level code also with codes anywhere (a forgotten parent)."""
    tree = _Tree(codes)
    names = [" ".join(part.split()) for part in path.split(">") if part.strip()]
    parent: Code | None = None
    for depth, name in enumerate(names):
        siblings = tree.children(parent)
        same = next((c for c in siblings if c.name.casefold() == name.casefold()), None)
        if same is not None:
            parent = same
            continue
        close = _similar_to(name, siblings)
        if not close and parent is None:
            close = _similar_to(name, codes)
        return [NearDuplicate(name, tree.path(c), tree.corrected(c, names[depth + 1 :])) for c in close[:limit]]
    return []  # the code exists


def near_duplicate_warning(codes: list[Code], path: str) -> str:
    """The near-duplicates of `path` in one line, or "" when there are none."""
    return "; ".join(str(n) for n in near_duplicates(codes, path))


def similar_names(a: str, b: str) -> bool:
    """Whether two code names are one or two typos apart. Words are compared in place, so
    siblings made from one template (`Highlighting was useful`, `Highlighted histograms
    useful`; `Band 5`, `Band 6`) differ in a whole word and are not similar."""
    (wa, ja), (wb, jb) = _name_words(a), _name_words(b)
    return ja == jb or _typos_apart(wa, wb)  # equal joined: only case, spacing or punctuation differ


def _similar_to(name: str, codes) -> list[Code]:
    """The codes whose names are `similar_names` to `name`, in their order, found by maps
    of C functions (a call of `similar_names` for each of 5,000 codes took 20-50 ms of
    `margin codes add`): their words; the names whose words, joined, are the same; and of
    those with as many words, the ones whose words have in each place the digits of
    `name`'s there (a typo keeps a word's digits: Round 1, Round 2), compared word by word."""
    wa, ja = _name_words(name)
    codes = list(codes)
    found = list(map(_WORD.findall, map(str.casefold, map(_NAME, codes))))
    same = set(compress(range(len(codes)), map(eq, map("".join, found), repeat(ja))))
    counted = list(compress(range(len(codes)), map(eq, map(len, found), repeat(len(wa)))))
    for place, word in enumerate(wa):  # digits compared by \d (within isdigit's): never too strict
        column = map(itemgetter(place), map(found.__getitem__, counted))
        digits = _NOT_DIGITS.sub("", word)
        counted = list(compress(counted, map(eq, map(_NOT_DIGITS.sub, repeat(""), column), repeat(digits))))
    typos = {i for i in counted if i not in same and _typos_apart(wa, found[i])}
    return [codes[i] for i in sorted(same | typos)]


_NAME = attrgetter("name")
_NOT_DIGITS = later(r"\D+")


def _typos_apart(wa, wb) -> bool:
    """Whether two names' words (as many of each) differ by one or two typos in all."""
    if len(wa) != len(wb):
        return False
    edits = 0
    for x, y in zip(wa, wb):
        if x != y:
            typo = _word_typo(x, y)
            if typo is None:
                return False
            edits += typo
    return edits <= 2


@lru_cache(maxsize=1 << 14)
def _name_words(name: str) -> tuple[tuple[str, ...], str]:
    """A name's words and them joined, kept: a new code is compared with every code
    (`margin codes add` at 5,000 codes spent 20-70 ms on this), whose names repeat."""
    found = tuple(words(name))
    return found, "".join(found)


@lru_cache(maxsize=1 << 16)
def _word_typo(x: str, y: str) -> int | None:
    """Edits between two words if one is a typo or another ending of the other, else None."""
    if _digits(x) != _digits(y):
        return None  # Round 1, Round 2
    if _stem(x) == _stem(y):
        return 1
    from rapidfuzz.distance import Levenshtein

    allowed = _allowance(min(len(x), len(y)))
    distance = Levenshtein.distance(x, y, score_cutoff=allowed)
    return distance if distance <= allowed else None


def _digits(word: str) -> str:
    return "".join(ch for ch in word if ch.isdigit())


_ENDINGS = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("e", ""))


def _stem(word: str) -> str:
    """The word without one plural or verb ending (boundaries → boundary, highlighting →
    highlight, uses → use), keeping at least three letters."""
    for ending, instead in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return _stem(word[: -len(ending)] + instead) if ending in ("es", "s") else word[: -len(ending)] + instead
    return word


class _Tree:
    def __init__(self, codes: list[Code]):
        self._codes = {c.id: c for c in codes}
        self._children: dict[str | None, list[Code]] = defaultdict(list)
        for code in codes:
            self._children[code.parent].append(code)

    def children(self, parent: Code | None) -> list[Code]:
        return self._children[parent.id if parent else None]

    def path(self, code: Code) -> str:
        names = []
        while code is not None:
            names.append(code.name)
            code = self._codes.get(code.parent)
        return SEPARATOR.join(reversed(names))

    def corrected(self, code: Code, rest: list[str]) -> str:
        """`code`'s path followed by `rest`, each name replaced by an existing child that is
        the same or similar, while there is one."""
        names = [self.path(code)]
        for name in rest:
            kids = self.children(code) if code is not None else []
            code = next((c for c in kids if c.name.casefold() == name.casefold()), None) or next(
                (c for c in kids if similar_names(name, c.name)), None)
            names.append(code.name if code is not None else name)
        return SEPARATOR.join(names)


def recent_codes(project, limit: int = 9, codings=None) -> list[str]:
    """Ids of the codes this coder applied most recently, newest first (among `codings`,
    by default every coding of the project)."""
    coder = project.coder.id if project.coder else None
    codings = project.state.codings.values() if codings is None else codings
    mine = [c for c in codings if c.coder == coder]
    seen: list[str] = []
    # A stable sort, reversed: newest first, and of equal times the one put last first.
    # (Sorting an index by a Python key took 0.17 s at 200,000 codings, before the first frame.)
    for coding in reversed(sorted(mine, key=attrgetter("created"))):
        if coding.code not in seen:
            seen.append(coding.code)
            if len(seen) == limit:
                break
    return seen
