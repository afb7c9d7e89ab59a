"""Writing tables as CSV that R, pandas, Excel and LibreOffice all read back cleanly."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable
from pathlib import Path

from store.storage import write_atomic

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


def write_output(text: str, output: str | Path | None) -> None:
    """Write to a file atomically (0600), or to standard output for None or '-'."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomic(Path(output), text.encode("utf-8"))
