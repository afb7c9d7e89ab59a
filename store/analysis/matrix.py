"""The code matrix: codes (rows, codebook order) by documents, cases, coders or the values
of an attribute (columns); each cell counts codings, documents, cases or words and holds
the codings behind it. A cell is the frequencies of its code broken down by the column's
grouping, so a row adds up to the code's frequencies wherever the columns split them.
Each row's total is the same count over every column at once: for codings the row's sum,
for documents, cases and words what the columns share is counted once (two coders'
codings of one passage are one passage's words), as `stats codes` counts them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from store.analysis.cell import EMPTY, Cell
from store.analysis.frequencies import codes_in, counted_with_totals, group_order, grouping, live_tally, plain_cells
from store.analysis.scope import EVERYTHING, Scope, documents_in
from store.errors import BadInput
from store.model import Code

COLUMNS = ("document", "case", "coder", "attr.KEY")
COUNTS = ("codings", "documents", "cases", "words")


@dataclass(frozen=True)
class Matrix:
    codes: list[Code]
    columns: list[str]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (code id, column); cells without codings left out
    totals: dict[str, Cell] = field(default_factory=dict)  # code id -> the row's total; codes without codings left out

    def cell(self, code_id: str, column: str) -> Cell:
        return self.cells.get((code_id, column), EMPTY)

    def total(self, code_id: str) -> Cell:
        return self.totals.get(code_id, EMPTY)


def matrix(project, scope: Scope = EVERYTHING, cols: str = "document", count: str = "codings") -> Matrix:
    if cols not in ("document", "case", "coder") and not cols.startswith("attr."):
        raise BadInput(f"--cols {cols!r} is not one of document, case, coder or attr.KEY")
    if count not in COUNTS:
        raise BadInput(f"--count {count!r} is not one of {', '.join(COUNTS)}")
    found = _live_matrix(project, scope, cols, count)
    if found is not None:
        return found
    rows, whole = counted_with_totals(project, scope, cols, rollup=False, words=count == "words", totals=True)
    cells = {(row.code.id, row.group): _cell(row, count) for row in rows}  # a cell of 0 words may still hold codings
    totals = {row.code.id: _cell(row, count) for row in whole if row.codings.value}
    return Matrix(codes_in(project, scope), _columns(project, scope, cols, {row.group for row in rows}), cells, totals)


def _live_matrix(project, scope: Scope, cols: str, count: str) -> Matrix | None:
    """The matrix from the live columns' sums (frequencies.live_tally) without making a
    row per cell, or None where the project keeps none or the scope names speakers."""
    if scope.speakers is not None or scope.not_speakers:
        return None
    grouped = live_tally(project, scope, cols, rollup=False)
    whole = live_tally(project, scope, None, rollup=False) if grouped is not None else None
    if whole is None:
        return None
    tally, _, codes = grouped
    cells = _live_cells(tally, count, plain_cells(project, scope, cols, False))
    totals = {code: cell for (code, _), cell in _live_cells(whole[0], count, plain_cells(project, scope, None, False)).items()}
    return Matrix(codes, _columns(project, scope, cols, {g for _, g in tally.counts}), cells, totals)


def _live_cells(tally, count: str, plain) -> dict[tuple[str, str], Cell]:
    """Per (code id, group) with codings, the figure `count` counts, its codings listed
    from the plain path when asked for (as every column path lists them)."""
    values = tally.counts if count == "codings" else tally.documents if count == "documents" else tally.words
    if count == "cases":
        values = {key: len(found) for key, found in tally.cases.items()}
    return {key: Cell.lazy(values.get(key, 0), partial(_listed, plain, key)) for key in tally.counts}


def _listed(plain, key) -> tuple[str, ...]:
    return plain().get(key, ())


def _cell(row, count: str) -> Cell:
    """The row's figure for `count`, its codings listed when asked for (as the row's are)."""
    if count == "codings":
        return row.codings
    return Cell.lazy(row.codings.value if count == "codings" else getattr(row, count), lambda: row.codings.codings)


def _columns(project, scope: Scope, cols: str, groups: set[str]) -> list[str]:
    """Every column the scope has: its documents, their cases or attribute values (the
    empty value for documents without), or the coders of its codings (the groups of the
    rows by coder, each of which holds codings)."""
    name = grouping(project, cols)
    if cols == "coder":
        values = groups
    else:
        values = {name(d, None) for d in documents_in(project, scope)}
    return group_order(project, cols, values)
