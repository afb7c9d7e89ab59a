"""Reading attribute tables: one row per document, one column per attribute."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from store.documents import _check_key
from store.errors import BadInput, NotFound
from store.importers import decode_bytes
from store.model import Document

if TYPE_CHECKING:
    from store.project import Project


def read_attribute_table(project: Project, path: Path) -> tuple[list[tuple[Document, dict[str, str]]], list[str]]:
    """Each known row's document and its non-empty values, and the names of rows whose
    document is not in the project (a participants sheet often lists more people than
    have been imported). Refused when no row names a document of the project."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path} is not a file; give a CSV table with a header `document,<key>,...`")
    rows = list(csv.reader(decode_bytes(path.read_bytes(), path.name).splitlines()))
    if len(rows) < 2 or len(rows[0]) < 2:
        raise BadInput(f"{path.name} needs a header `document,<key>,...` and one row per document")
    keys = [_check_key(k) for k in rows[0][1:]]
    assignments, unknown = [], []
    for row in rows[1:]:
        if not row or not row[0].strip():
            continue
        try:
            document = project.documents.get(row[0].strip())
        except NotFound:
            unknown.append(row[0].strip())
            continue
        values = {k: v.strip() for k, v in zip(keys, row[1:]) if v.strip()}
        assignments.append((document, values))
    if not assignments:
        names = ", ".join(unknown[:5]) or "none"
        raise NotFound(f"{path.name} names no document of the project (it names {names}); see `margin docs`")
    return assignments, unknown
