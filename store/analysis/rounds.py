"""Rounds: per case (participant) and code, in which rounds the code is present, and what
changed between the case's first and last round: appeared, disappeared or kept.

A case is the value of the `case` attribute, a round the value of the `by` attribute,
both of the documents; documents without either are left out. A case with a single
round has nothing to compare: its rows say so with change "" (see docs/analysis.md)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from operator import attrgetter

from store.analysis.cell import EMPTY, Cell
from store.analysis.frequencies import check_attribute, codes_in, natural_order
from store.analysis.columns import gather_document, gathered
from store.analysis.live import summed
from store.analysis.scope import EVERYTHING, Scope, code_ids, codings_in, documents_in
from store.attribute_values import group_names, spellings, tidy
from store.errors import BadInput
from store.model import Code

CHANGES = ("appeared", "disappeared", "kept")


@dataclass(frozen=True)
class RoundRow:
    case: str
    code: Code
    path: str
    present: dict[str, Cell]  # each of the case's rounds, in order -> the code's codings there
    change: str  # appeared | disappeared | kept; "" when the case has one round


def rounds(project, scope: Scope = EVERYTHING, case: str = "case", by: str = "round", columns: bool = True) -> list[RoundRow]:
    """Rows for each case (in natural order) and each code with codings in that case (in
    codebook order). From the kept columns when they apply (`columns` False: never), a
    cell's codings then listed from the plain path when asked for."""
    check_attribute(project, case)
    check_attribute(project, by)
    if case == by:
        raise BadInput(f"--case and --by are both {case!r}; compare rounds of a case, such as --case case --by round")
    held: dict[str, set[str]] = defaultdict(set)  # case -> its rounds
    place = _placed(project, case, by)
    for document in documents_in(project, scope):
        if (where := place(document)) is not None:
            held[where[0]].add(where[1])
    found = _counted(project, scope, case, by, held) if columns else None
    if found is None:
        found = _plain(project, scope, case, by, held)
    else:
        plain = _plain_cells(project, scope, case, by, held)
        found = {key: Cell.lazy(n, partial(lambda key: plain()[key].codings, key)) for key, n in found.items()}
    rows = []
    codes = codes_in(project, scope)
    paths = {code.id: project.codebook.path(code) for code in codes}
    for name in natural_order(held):
        order = natural_order(held[name])
        for code in codes:
            present = {r: cell for r in order if (cell := found.get((name, code.id, r)))}
            if present:
                cells = {r: present.get(r, EMPTY) for r in order}
                rows.append(RoundRow(name, code, paths[code.id], cells, _change(cells, order)))
    return rows


def _plain(project, scope: Scope, case: str, by: str, held) -> dict[tuple[str, str, str], Cell]:
    """(case, code, round) -> the codings there, over every coding in scope."""
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    documents, place = project.state.documents, _placed(project, case, by)
    for document_id, codings in groupby(codings_in(project, scope), key=attrgetter("document")):
        where = place(documents[document_id])
        if where is not None and where[0] in held:
            name, value = where
            for coding in codings:
                found[name, coding.code, value].append(coding.id)
    return {key: Cell(len(ids), tuple(ids)) for key, ids in found.items()}


def _plain_cells(project, scope: Scope, case: str, by: str, held):
    """A function giving the plain path's cells, computed once, when first asked for."""
    found: dict = {}

    def cells() -> dict:
        if not found:
            found.update(_plain(project, scope, case, by, held))
            found[None] = EMPTY
        return found

    return cells


def _counted(project, scope: Scope, case: str, by: str, held) -> dict[tuple[str, str, str], int] | None:
    """(case, code, round) -> how many codings, from the live columns' per-document
    contributions or the kept columns, or None."""
    wanted = code_ids(project, scope)
    kind = ("rounds", case, by, scope.coder, scope.speakers, scope.not_speakers, frozenset(wanted) if wanted is not None else None)
    found = summed(project, kind, documents_in(project, scope), partial(_contribution, scope, case, by, wanted))
    if found is not None:
        return _regrouped(project, case, by, found)
    documents = gathered(project, scope, wanted)
    if documents is None:
        return None
    found: dict[tuple[str, str, str], int] = defaultdict(int)
    place = _placed(project, case, by)
    for part in documents:
        where = place(part.document)
        if where is not None and where[0] in held:
            name, value = where
            for code, n in Counter(part.codes).items():
                found[name, code, value] += n
    return found


def _contribution(scope: Scope, case: str, by: str, wanted: set[str] | None, document, files) -> dict:
    """One document's codings per (case, code, round) as its attributes spell them; none
    without a case or a round. `_regrouped` puts spellings of one value together."""
    attributes = document.attributes
    if attributes.get(case, "") == "" or attributes.get(by, "") == "":
        return {}
    name, value = str(attributes[case]), str(attributes[by])
    here = gather_document(document, files, scope, wanted)
    return {(name, code, value): n for code, n in Counter(here.codes).items()}


def _placed(project, case: str, by: str):
    """A function document -> (its case, its round), or None when it lacks either; values
    grouped as `--attr` compares them ("P1" and "p1 " are one case: attribute_values.py)."""
    case_of, round_of = group_names(project, case), group_names(project, by)

    def place(document) -> tuple[str, str] | None:
        name, value = case_of(document), round_of(document)
        return (name, value) if name and value else None

    return place


def _regrouped(project, case: str, by: str, found: dict) -> dict[tuple[str, str, str], int]:
    """The summed contributions under the names `_placed` gives ("P1" and "p1 " one
    case): a contribution keeps its document's own spelling, since the grouping follows
    every document of the project and a contribution is remade for one document only."""
    documents = project.documents.all()
    cases, rounds_ = spellings(documents, case), spellings(documents, by)
    regrouped: dict[tuple[str, str, str], int] = defaultdict(int)
    for (name, code, value), n in found.items():
        name, value = cases.get(name) or tidy(name), rounds_.get(value) or tidy(value)
        if name and value:
            regrouped[name, code, value] += n
    return regrouped


def _change(present: dict[str, Cell], order: list[str]) -> str:
    if len(order) < 2:
        return ""
    first, last = present[order[0]].value > 0, present[order[-1]].value > 0
    if first and last:
        return "kept"
    if last:
        return "appeared"
    if first:
        return "disappeared"
    return ""
