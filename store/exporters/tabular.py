"""Writing tables as CSV that R, pandas, Excel and LibreOffice all read back cleanly, and
reading the CSV tables researchers bring (attributes, codebooks)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

from store.errors import BadInput
from store.exporters.output import open_export, write_export
from store.patterns import later

# A cell starting with one of these is run as a formula by Excel and LibreOffice
# (CSV injection); a leading apostrophe makes it plain text there.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A plain number such as a negative κ (-0.25) is no formula: guarding it would make R and
# pandas read the column as text.
_NUMBER = later(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and _NUMBER.match(value) is None:
        return "'" + value
    return value


def to_csv(header: list[str], rows: Iterable[list], safe: bool = True, bom: bool = False) -> str:
    """CSV text: every field quoted where needed, CRLF records (RFC 4180), UTF-8.

    The text is what `csv.writer` writes (a property test holds it to that), built a
    column at a time: Python's csv writer manages about 30 MB a second here, and a
    200,000-coding export is 50 MB. A column without a formula start or a character that
    needs quoting is found so by C-level scans and joined as it is."""
    rows = rows if isinstance(rows, list) else list(rows)
    body = _rows_text(rows, safe) if rows else ""
    if body is None:  # rows of different lengths: the csv module's way
        buffer = io.StringIO()
        csv.writer(buffer).writerows([neutralise(v) for v in row] if safe else row for row in rows)
        body = buffer.getvalue()
    return ("\ufeff" if bom else "") + _rows_text([header], False) + body


def _rows_text(rows: list[list], safe: bool) -> str | None:
    if len(set(map(len, rows))) != 1:
        return None
    width = len(rows[0])
    if width == 0:
        return "\r\n" * len(rows)
    return "".join(_chunk_text(rows[n : n + CHUNK], safe, width == 1) for n in range(0, len(rows), CHUNK))


CHUNK = 20_000  # rows turned into columns at once: what is held twice meanwhile


def _chunk_text(rows: list[list], safe: bool, alone: bool) -> str:
    columns = [_column_cells(column, safe, alone) for column in zip(*rows)]
    return "\r\n".join(map(",".join, zip(*columns))) + "\r\n"


_QUOTED = later('[",\r\n]')
# A cell that starts like a formula, in a column joined by NUL (one search: six substring
# scans took fourteen times as long over text of four-byte characters)
_CELL_START = later("\x00[" + re.escape("".join(FORMULA_STARTS)) + "]")


def _column_cells(column: tuple, safe: bool, alone: bool) -> list[str] | tuple:
    """The column's cells as CSV fields (`alone`: the row's only field, where csv writes
    an empty one as "" so that the line is not blank). A column of text where nothing
    needs changing is found so by one join and one search, both in C."""
    try:
        joined = "\x00".join(column)
    except TypeError:  # not all text
        if set(map(type, column)) <= {int}:
            return list(map(str, column))
        cells = [_cell(neutralise(v) if safe else v) for v in column]
    else:
        if not _notable(joined) and not (alone and "" in column):
            return column
        cells = list(map(neutralise, column)) if safe else column
    cells = [_quote(c) for c in cells]
    return ['""' if c == "" else c for c in cells] if alone else cells


def _notable(joined: str) -> bool:
    """Whether a column joined by NUL has a character that needs quoting or a cell that
    starts like a formula (each a C-level scan: one regular expression with both is slow)."""
    if _QUOTED.search(joined) is not None or joined.startswith(FORMULA_STARTS):
        return True
    return _CELL_START.search(joined) is not None


def csv_field(value, safe: bool = True) -> str:
    """One cell as `to_csv` writes it (the formula guard when `safe`, then quoting): for
    writers that format their rows themselves (store/exporters/segments.py)."""
    if isinstance(value, str):
        if safe:
            value = neutralise(value)
        return value if _QUOTED.search(value) is None else '"' + value.replace('"', '""') + '"'
    return _cell(value)


def _cell(value) -> str:
    """A value as csv.writer writes it: None empty, floats by repr, the rest by str."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _quote(cell: str) -> str:
    if _QUOTED.search(cell) is None:
        return cell
    return '"' + cell.replace('"', '""') + '"'


def write_file(text: str, path: str | Path) -> None:
    """Write an export, readable by its owner only: atomically to a file, straight into a
    FIFO or device (store/exporters/output.py)."""
    write_export(path, text.encode("utf-8"))


def write_pieces(pieces: Iterable[str | bytes], path: str | Path) -> None:
    """`write_file` for text made a piece at a time (str, or bytes in UTF-8 already): each
    piece is written as it comes, so the whole text is never held (a 200,000-coding table
    is 50 MB)."""
    with open_export(Path(path)) as handle:
        for piece in pieces:
            handle.write(piece if isinstance(piece, bytes) else piece.encode("utf-8"))


def read_csv(text: str, label: str, delimiter: str = ",") -> list[list[str]]:
    """The rows of a CSV table, or one clear error.

    Python's csv refuses a field over 128 KiB by default (a long code definition or
    a pasted memo), so the limit is raised to the text's length: no field can be longer
    than its file, whose size the callers have already bounded. Lines split only on CR
    and LF (`str.splitlines` would also split on form feeds and U+2028 inside a cell)."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        raise BadInput(f"{label} is not a readable CSV table (line {reader.line_num}: {exc}); save it again as CSV") from None
