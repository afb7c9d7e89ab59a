"""The code matrix: codes (rows, codebook order) by documents, cases, coders or the values
of an attribute (columns); each cell counts codings, documents, cases or words and holds
the codings behind it. A cell is the frequencies of its code broken down by the column's
grouping, so a row adds up to the code's frequencies wherever the columns split them.
Each row's total is the same count over every column at once: for codings the row's sum,
for documents, cases and words what the columns share is counted once (two coders'
codings of one passage are one passage's words), as `stats codes` counts them."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.analysis.cell import EMPTY, Cell
from store.analysis.frequencies import codes_in, counted_with_totals, group_order, grouping
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
    rows, whole = counted_with_totals(project, scope, cols, rollup=False, words=count == "words", totals=True)
    cells = {(row.code.id, row.group): _cell(row, count) for row in rows}  # a cell of 0 words may still hold codings
    totals = {row.code.id: _cell(row, count) for row in whole if row.codings.value}
    return Matrix(codes_in(project, scope), _columns(project, scope, cols, rows), cells, totals)


def _cell(row, count: str) -> Cell:
    """The row's figure for `count`, its codings listed when asked for (as the row's are)."""
    if count == "codings":
        return row.codings
    return Cell.lazy(row.codings.value if count == "codings" else getattr(row, count), lambda: row.codings.codings)


def _columns(project, scope: Scope, cols: str, rows) -> list[str]:
    """Every column the scope has: its documents, their cases or attribute values (the
    empty value for documents without), or the coders of its codings (the groups of the
    rows by coder, each of which holds codings)."""
    name = grouping(project, cols)
    if cols == "coder":
        values = {row.group for row in rows}
    else:
        values = {name(d, None) for d in documents_in(project, scope)}
    return group_order(project, cols, values)
