"""Code frequencies: per code, its codings, documents, cases and words coded, and the
share of the corpus's words; rolled up into parents or broken down by a grouping.

The definitions are in docs/analysis.md; this module also holds what the other analyses
share: words as positions in a document, groupings, and the order of attribute values.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from store.analysis.cell import Cell
from store.analysis.scope import EVERYTHING, Scope, code_ids, codings_in, documents_in, speaker_allowed, speaker_of
from store.attribute_values import group_names, spellings
from store.errors import BadInput, UnknownName
from store.model import Code, Coding, Document
from store.words import words_of

GROUPINGS = ("document", "case", "coder", "speaker")


@dataclass(frozen=True)
class Frequency:
    code: Code
    path: str
    group: str  # "" without `by`
    codings: Cell
    documents: int
    cases: int
    words: int
    share: float  # words / the words of the text in scope (of the group's text with `by`)


# ---------------------------------------------------------------------- words


def covered(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of word ranges [first, after) as sorted, disjoint, non-touching ranges."""
    merged: list[list[int]] = []
    for first, after in sorted(ranges):
        if first >= after:
            continue
        if merged and first <= merged[-1][1]:
            if after > merged[-1][1]:
                merged[-1][1] = after
        else:
            merged.append([first, after])
    return [(a, b) for a, b in merged]


def union_size(ranges: list[tuple[int, int]]) -> int:
    """The words the ranges cover together (the size of `covered(ranges)`), in one pass."""
    total, reached = 0, -1
    for first, after in sorted(ranges):
        if after > reached and first < after:
            total += after - max(first, reached)
            reached = after
    return total


def shared_words(spans: dict) -> tuple[dict, dict]:
    """For one document's word ranges per key (a code): the words each key covers, and
    per pair of keys (the smaller first) the words both cover. Each key's covered words
    are disjoint ranges, so a sweep over all keys' ranges in order of start meets each
    overlap of two keys' ranges once."""
    own: dict = {}
    both: dict = defaultdict(int)
    ranges = []
    for key, key_ranges in spans.items():
        merged = covered(key_ranges)
        own[key] = sum(after - first for first, after in merged)
        ranges += [(first, after, key) for first, after in merged]
    ranges.sort()
    open_: list = []  # (after, key) of ranges not yet ended
    for first, after, key in ranges:
        if open_:
            open_ = [o for o in open_ if o[0] > first]
        for other_after, other in open_:
            both[(other, key) if other < key else (key, other)] += (after if after < other_after else other_after) - first
        open_.append((after, key))
    return own, both


@dataclass(frozen=True)
class Coded:
    """One document's codings in scope, in position order, with the words each touches."""

    document: Document
    codings: list[Coding]
    words: list[tuple[int, int]]


def coded_documents(project, scope: Scope, words: bool = True) -> list[Coded]:
    """The documents in scope that hold codings in scope, in document order: what every
    analysis reads, once. Without `words`, for figures that show none, each coding's words
    are left empty, (0, 0), and no document's words are looked up."""
    documents = project.state.documents
    found = []
    for document_id, group in groupby(codings_in(project, scope), key=attrgetter("document")):
        codings = list(group)
        document = documents[document_id]
        found.append(Coded(document, codings, words_of(project, document).spans(codings) if words else [(0, 0)] * len(codings)))
    return found


# ---------------------------------------------------------------------- groupings


def natural_order(values) -> list[str]:
    """Attribute values in order: as numbers when every non-empty value is a finite one,
    else as text (case-insensitive); the empty value last. ("nan", as a spreadsheet may
    write a missing value, is text: as a number it sorts anywhere, and rounds would
    compare the wrong first and last round.)"""
    values = set(values)
    filled = [v for v in values if v != ""]
    try:
        ordered = sorted(filled, key=lambda v: (_finite(v), v))
    except ValueError:
        ordered = sorted(filled, key=lambda v: (v.casefold(), v))
    return ordered + ([""] if "" in values else [])


def _finite(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def check_attribute(project, key: str) -> str:
    """An attribute key some document has; anything else is a one-line error."""
    keys = project.documents.attribute_keys()
    if key not in keys:
        known = ", ".join(keys) or "none yet (set them with `margin attrs`)"
        raise UnknownName(f"no document has the attribute {key!r}; attributes: {known}")
    return key


def grouping(project, by: str | None):
    """A function (document, coding) -> group name for `by`, checked first. Cases and
    attribute values group as `--attr` compares them (store/attribute_values.py)."""
    if by is None:
        return lambda document, coding: ""
    if by == "document":
        return lambda document, coding: document.name
    if by == "case":
        case_of = group_names(project, "case")
        return lambda document, coding: case_of(document)
    if by == "coder":
        coders = project.state.coders
        return lambda document, coding: coders[coding.coder].name if coding.coder in coders else coding.coder
    if by == "speaker":
        return speaker_of
    if by.startswith("attr.") and by != "attr.":
        value_of = group_names(project, check_attribute(project, by[5:]))
        return lambda document, coding: value_of(document)
    raise BadInput(f"cannot break down by {by!r}; use document, case, coder, speaker or attr.KEY")


def group_order(project, by: str | None, groups) -> list[str]:
    """Groups in the order a reader expects: documents as the project lists them, coders
    and speakers by name, cases and attribute values naturally (numbers as numbers)."""
    if by == "document":
        rank = {d.name: i for i, d in enumerate(project.documents.all())}
        return sorted(set(groups), key=lambda g: rank.get(g, len(rank)))
    return natural_order(groups)


def group_words(project, scope: Scope, by: str | None) -> dict[str, int]:
    """The words of the text in scope per group, counted as scope.corpus_words counts
    them (the turns of the speakers in scope, or a whole document without turns) but on
    the word index, so that words coded and words of the text agree. Every coder's group
    is the whole text in scope: each coder reads all of it."""
    totals: dict[str, int] = defaultdict(int)
    name = grouping(project, by if by not in ("speaker", "coder") else None)
    for document in documents_in(project, scope):
        index = words_of(project, document)
        group = name(document, None)
        if not document.turns:
            if scope.speakers is None:
                totals[group] += len(index.starts)
            continue
        for turn in document.turns:
            if speaker_allowed(scope, turn.speaker):
                first, after = index.span(turn.start, turn.end)
                totals[turn.speaker if by == "speaker" else group] += after - first
    if by == "coder":
        whole = totals.pop("", 0)
        return defaultdict(lambda: whole)
    return totals


def codes_in(project, scope: Scope) -> list[Code]:
    """The codes in scope in codebook order (the code and its sub-codes, or every code)."""
    wanted = code_ids(project, scope)
    return [c for c in project.codebook.all() if wanted is None or c.id in wanted]


# ---------------------------------------------------------------------- frequencies


def frequencies(project, scope: Scope = EVERYTHING, by: str | None = None, rollup: bool = False) -> list[Frequency]:
    """One row per code in codebook order (every code in scope, even with no codings), or
    with `by`, one row per code and group that has codings (codes first, then groups)."""
    return counted(project, scope, by, rollup, words=True)


def counted(project, scope: Scope, by: str | None, rollup: bool, words: bool) -> list[Frequency]:
    """The frequencies; without `words` (for figures that show none), every row's words
    and share are 0, and no word is looked up."""
    return counted_with_totals(project, scope, by, rollup, words, totals=False)[0]


def counted_with_totals(
    project, scope: Scope, by: str | None, rollup: bool, words: bool, totals: bool
) -> tuple[list[Frequency], list[Frequency]]:
    """The frequencies by `by` and, with `totals`, the frequencies without grouping from
    the same pass (the matrix's row totals: what two groups share counts once there).
    From the kept columns where they apply (`from_columns`), else over the codings."""
    fast = columns_with_totals(project, scope, by, rollup, words, totals)
    if fast is not None:
        return fast
    return plain_counted(project, scope, by, rollup, words, totals)


def plain_counted(
    project, scope: Scope, by: str | None, rollup: bool, words: bool, totals: bool
) -> tuple[list[Frequency], list[Frequency]]:
    """`counted_with_totals` over every coding in scope (the plain path)."""
    group_of = grouping(project, by)
    per_document = by is not None and by not in ("coder", "speaker")  # one group per document
    codes = codes_in(project, scope)
    targets = _targets(project, codes, rollup)
    grouped, whole = _Tally(), _Tally() if totals and by is not None else None
    case_of = group_names(project, "case")
    for coded in coded_documents(project, scope, words):
        document = coded.document
        here: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)  # -> word ranges in this document
        everywhere: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        group = group_of(document, None) if per_document else ""
        for coding, span in zip(coded.codings, coded.words):
            if by and not per_document:
                group = group_of(document, coding)
            for code_id in targets.get(coding.code, ()):
                grouped.found[code_id, group].append(coding.id)
                here[code_id, group].append(span)
                if whole is not None:
                    whole.found[code_id, ""].append(coding.id)
                    everywhere[code_id, ""].append(span)
        grouped.add(here, case_of(document))
        if whole is not None:
            whole.add(everywhere, case_of(document))
    corpus = group_words(project, scope, by) if words else defaultdict(int)
    groups = group_order(project, by, {g for _, g in grouped.found}) if by else [""]
    rows = grouped.rows(project, codes, groups, corpus, keep_empty=by is None)
    if not totals:
        return rows, []
    if whole is None:  # without `by` the rows are the totals
        return rows, rows
    return rows, whole.rows(project, codes, [""], group_words(project, scope, None) if words else defaultdict(int), keep_empty=True)


class _Tally:
    """Per (code id, group): the codings, and per document the words, documents and cases."""

    def __init__(self):
        self.found: dict[tuple[str, str], list[str]] = defaultdict(list)  # coding ids in document order
        self.words: dict[tuple[str, str], int] = defaultdict(int)
        self.documents: dict[tuple[str, str], int] = defaultdict(int)
        self.cases: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, here: dict[tuple[str, str], list[tuple[int, int]]], case: str) -> None:
        """One document's word ranges per key."""
        for key, ranges in here.items():
            self.words[key] += union_size(ranges)
            self.documents[key] += 1
            if case:
                self.cases[key].add(case)

    def rows(self, project, codes: list[Code], groups: list[str], corpus, keep_empty: bool) -> list[Frequency]:
        rows = []
        for code in codes:
            path = project.codebook.path(code)
            for group in groups:
                key = (code.id, group)
                if key not in self.found and not keep_empty:
                    continue
                ids = self.found.get(key, ())
                words = self.words.get(key, 0)
                rows.append(
                    Frequency(
                        code=code,
                        path=path,
                        group=group,
                        codings=Cell(len(ids), tuple(ids)),
                        documents=self.documents.get(key, 0),
                        cases=len(self.cases.get(key, ())),
                        words=words,
                        share=words / corpus[group] if corpus[group] else 0.0,
                    )
                )
        return rows


def _targets(project, codes: list[Code], rollup: bool) -> dict[str, tuple[str, ...]]:
    """For each code in scope, the codes in scope its codings count for: itself, and with
    `rollup` its ancestors too."""
    if not rollup:
        return {c.id: (c.id,) for c in codes}
    wanted = {c.id for c in codes}
    return {c.id: tuple(x.id for x in [c, *project.codebook.ancestors(c)] if x.id in wanted) for c in codes}


# ---------------------------------------------------------------------- from the kept columns


def from_columns(project, scope: Scope, by: str | None, rollup: bool) -> list[Frequency] | None:
    """The frequencies from store/analysis/columns.py's kept columns, without building a
    coding, or None where that path does not apply (speakers in the scope or the grouping,
    groups by coder, columns that would not be exactly the codings). The same figures as
    `counted`; a cell lists its codings, from the plain path, only when asked for."""
    found = columns_with_totals(project, scope, by, rollup, words=True, totals=False)
    return None if found is None else found[0]


def columns_with_totals(
    project, scope: Scope, by: str | None, rollup: bool, words: bool, totals: bool
) -> tuple[list[Frequency], list[Frequency]] | None:
    """`counted_with_totals` from the kept columns, in one pass, or None (see from_columns).
    A document is in one group here, so its figures for the totals are its group's."""
    found = _live_with_totals(project, scope, by, rollup, words, totals)
    if found is not None:
        return found
    if scope.speakers is not None or scope.not_speakers or by in ("speaker", "coder"):
        return None
    group_of = grouping(project, by)  # checks `by` first, as the plain path does
    from store.analysis.columns import columns_of

    files = columns_of(project)
    if files is None:
        return None
    codes = codes_in(project, scope)
    targets = _targets(project, codes, rollup)
    in_scope = {d.id: d for d in documents_in(project, scope)}
    by_document: dict[str, list] = defaultdict(list)
    for columns in files:
        if columns.document in in_scope and (scope.coder is None or columns.coder == scope.coder):
            by_document[columns.document].append(columns)
    grouped, case_of = _ColumnTally(), group_names(project, "case")
    whole = _ColumnTally() if totals and by is not None else None
    for document_id, found in by_document.items():
        document = in_scope[document_id]
        group = group_of(document, None)
        here: dict[str, list] = defaultdict(list)
        for columns in found:
            for code, begin, end, union in columns.runs():
                for target in targets.get(code, ()):
                    here[target].append((columns, begin, end, union))
        case = case_of(document)
        for target, parts in here.items():
            count, covered_words = _covered(parts)
            grouped.add((target, group), count, covered_words, case)
            if whole is not None:
                whole.add((target, ""), count, covered_words, case)
    groups = group_order(project, by, {g for _, g in grouped.counts}) if by else [""]
    corpus = _corpus_words(project, scope, by, in_scope, by_document) if words else None
    rows = grouped.rows(project, codes, groups, corpus, plain_cells(project, scope, by, rollup), keep_empty=by is None)
    if not totals:
        return rows, []
    if whole is None:
        return rows, rows
    corpus = _corpus_words(project, scope, None, in_scope, by_document) if words else None
    return rows, whole.rows(project, codes, [""], corpus, plain_cells(project, scope, None, rollup), keep_empty=True)


class _ColumnTally:
    """Per (code id, group): codings, words covered, documents and cases, from columns."""

    def __init__(self):
        self.counts: dict[tuple[str, str], int] = defaultdict(int)
        self.words: dict[tuple[str, str], int] = defaultdict(int)
        self.documents: dict[tuple[str, str], int] = defaultdict(int)
        self.cases: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, key: tuple[str, str], count: int, words: int, case: str) -> None:
        self.counts[key] += count
        self.words[key] += words
        self.documents[key] += 1
        if case:
            self.cases[key].add(case)

    def rows(self, project, codes: list[Code], groups: list[str], corpus, plain, keep_empty: bool) -> list[Frequency]:
        """The rows as `_Tally.rows` makes them; without `corpus`, words and share are 0."""
        rows = []
        for code in codes:
            path = project.codebook.path(code)
            for group in groups:
                key = (code.id, group)
                if key not in self.counts and not keep_empty:
                    continue
                words = self.words.get(key, 0) if corpus is not None else 0
                total = corpus[group] if corpus is not None else 0
                rows.append(
                    Frequency(
                        code=code, path=path, group=group,
                        codings=Cell.lazy(self.counts.get(key, 0), lambda key=key: plain().get(key, ())),
                        documents=self.documents.get(key, 0), cases=len(self.cases.get(key, ())),
                        words=words, share=words / total if total else 0.0,
                    )
                )  # fmt: skip
        return rows


def plain_cells(project, scope: Scope, by: str | None, rollup: bool):
    """A function giving {(code id, group): the coding ids} from the plain path, computed
    once, when a cell's codings are first asked for."""
    found: dict = {}

    def cells() -> dict:
        if not found:
            rows = plain_counted(project, scope, by, rollup, words=False, totals=False)[0]
            found.update({(f.code.id, f.group): f.codings.codings for f in rows})
            found[None] = ()  # computed (a scope without codes has no rows)
        return found

    return lambda: cells()


def _corpus_words(project, scope: Scope, by: str | None, in_scope: dict, by_document: dict) -> dict[str, int]:
    """group_words without a speaker filter, taking a document's words from its columns."""
    from store.analysis.columns import document_words

    totals: dict[str, int] = defaultdict(int)
    name = grouping(project, by)
    for document in in_scope.values():
        found = by_document.get(document.id)
        totals[name(document, None)] += found[0].words if found else document_words(words_of(project, document), document)
    return totals


# ---------------------------------------------------------------------- per document, kept live


def _live_with_totals(
    project, scope: Scope, by: str | None, rollup: bool, words: bool, totals: bool
) -> tuple[list[Frequency], list[Frequency]] | None:
    """`columns_with_totals` summed from the live columns' per-document contributions
    (store/analysis/live.py), or None where the project keeps none or the scope or the
    grouping is by speaker (a coding's speaker is its turn's: the plain path)."""
    if scope.speakers is not None or scope.not_speakers or by == "speaker":
        return None
    grouping(project, by)  # checks `by` first, as the other paths do
    rows = _live_rows(project, scope, by, rollup, words, keep_empty=by is None)
    if rows is None or not totals:
        return None if rows is None else (rows, [])
    if by is None:
        return rows, rows
    return rows, _live_rows(project, scope, None, rollup, words, keep_empty=True)


def _live_rows(project, scope: Scope, by: str | None, rollup: bool, words: bool, keep_empty: bool) -> list[Frequency] | None:
    found = live_tally(project, scope, by, rollup)
    if found is None:
        return None
    tally, corpus, codes = found
    groups = group_order(project, by, {g for _, g in tally.counts}) if by else [""]
    return tally.rows(project, codes, groups, corpus if words else None, plain_cells(project, scope, by, rollup), keep_empty)


def live_tally(project, scope: Scope, by: str | None, rollup: bool):
    """(the _ColumnTally, the words of each group's text, the codes in scope) summed from
    the live columns' contributions, or None where the project keeps none (the caller
    leaves out speakers: a coding's speaker is its turn's)."""
    from functools import partial

    from store.analysis.live import summed

    codes = codes_in(project, scope)
    targets = _targets(project, codes, rollup)
    coders = tuple(sorted((c.id, c.name) for c in project.state.coders.values())) if by == "coder" else ()
    kind = ("frequencies", by, scope.coder, tuple(sorted(targets.items())), coders, _spellings(project, by))
    contribute = partial(_contribution, project, scope, by, grouping(project, by), group_names(project, "case"), targets)
    sums = summed(project, kind, documents_in(project, scope), contribute)
    if sums is None:
        return None
    tally, corpus = _ColumnTally(), defaultdict(int)
    counts, words, documents, cases = tally.counts, tally.words, tally.documents, tally.cases
    for key, value in sums.items():
        size = len(key)
        if size == 2:
            counts[key], words[key], documents[key] = value & _FIELD, (value >> _BITS) & _FIELD, value >> (2 * _BITS)
        elif size == 3:
            cases[key[:2]].add(key[2])
        else:
            corpus[key[0]] = value
    if by == "coder":
        whole = corpus.pop("", 0)
        corpus = defaultdict(lambda: whole)
    return tally, corpus, codes


def _covered(parts: list) -> tuple[int, int]:
    """(codings, words coded) of one code's runs of codings, `(columns, begin, end,
    words)` each, from one or more coders' files: words counted once where they overlap."""
    if len(parts) == 1:
        _, begin, end, covered_words = parts[0]
        return end - begin, covered_words
    count = sum(end - begin for _, begin, end, _ in parts)
    return count, union_size([span for c, b, e, _ in parts for span in zip(c.first[b:e], c.after[b:e])])


_BITS = 40  # a contribution packs a code's codings, words and documents in one integer, 40 bits each
_FIELD = (1 << _BITS) - 1  # (sums of packed integers add field by field: no figure reaches 2**40)


def _spellings(project, by: str | None) -> tuple:
    """The spellings the contributions group under (cases, and `by`'s attribute values):
    part of the contributions' kind, so that a change of who spells a value first (its
    first document recoded) remakes them rather than leave a document under an old name."""
    attributes = ["case"] + ([by[5:]] if by and by.startswith("attr.") else [])
    documents = project.documents.all()
    return tuple(tuple(sorted(spellings(documents, a).items())) for a in attributes)


def _contribution(project, scope: Scope, by: str | None, group_of, case_of, targets: dict, document, files) -> dict:
    """One document's frequencies: (code, group) its codings, words coded and 1 (it holds
    the code), packed in one integer (`_BITS` each, codings lowest); (code, group, case)
    1 for its case; (group,) its words (the group's text; a coder's group is the whole
    text: ("",))."""
    from store.analysis.columns import document_words

    found: dict = defaultdict(int)
    group = "" if by == "coder" else group_of(document, None)
    here: dict = defaultdict(list)
    coders = project.state.coders
    for columns in files:
        if scope.coder is not None and columns.coder != scope.coder:
            continue
        if by == "coder":
            group = coders[columns.coder].name if columns.coder in coders else columns.coder
        for code, begin, end, union in columns.runs():
            for target in targets.get(code, ()):
                here[target, group].append((columns, begin, end, union))
    case = case_of(document)
    for (target, group), parts in here.items():
        count, covered_words = _covered(parts)
        found[target, group] += count | covered_words << _BITS | 1 << (2 * _BITS)
        if case:
            found[target, group, case] += 1
    text = files[0].words if files else document_words(words_of(project, document), document)
    found[("" if by == "coder" else group_of(document, None),)] += text
    return dict(found)
