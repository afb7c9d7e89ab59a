"""Writing tables as CSV that R, pandas, Excel and LibreOffice all read back cleanly, and
reading the CSV tables researchers bring (attributes, codebooks)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from store.errors import BadInput
from store.exporters.output import write_export

# A cell starting with one of these is run as a formula by Excel and LibreOffice
# (CSV injection); a leading apostrophe makes it plain text there.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: list[str], rows: Iterable[list], safe: bool = True, bom: bool = False) -> str:
    """CSV text: every field quoted where needed, CRLF records (RFC 4180), UTF-8."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row] if safe else row)
    return buffer.getvalue()


def write_file(text: str, path: str | Path) -> None:
    """Write an export, readable by its owner only: atomically to a file, straight into a
    FIFO or device (store/exporters/output.py)."""
    write_export(path, text.encode("utf-8"))


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
