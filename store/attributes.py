"""Reading attribute tables: one row per document, one column per attribute."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from store.clock import now
from store.documents import _check_key
from store.errors import BadInput, UnknownName
from store.exporters.tabular import read_csv
from store.importers import decode_bytes
from store.model import Document
from store.text import one_line

if TYPE_CHECKING:
    from store.workspace import Workspace

SHOWN = 10  # changed values listed one by one; the rest are counted


def read_attribute_table(project: Workspace, path: Path) -> tuple[list[tuple[Document, dict[str, str]]], list[str]]:
    """Each known row's document and its non-empty values, and the names of rows whose
    document is not in the project (a participants sheet often lists more people than
    have been imported). UnknownName when no row names a document of the project."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path} is not a file; give a CSV table with a header `document,<key>,...`")
    rows = read_csv(decode_bytes(path.read_bytes(), path.name), path.name)
    if len(rows) < 2 or len(rows[0]) < 2:
        raise BadInput(f"{path.name} needs a header `document,<key>,...` and one row per document")
    keys = [_check_key(k) for k in rows[0][1:]]
    assignments, unknown = [], []
    for row in rows[1:]:
        if not row or not row[0].strip():
            continue
        try:
            document = project.documents.get(row[0].strip())
        except UnknownName:
            unknown.append(_short(row[0]))
            continue
        values = {k: v.strip() for k, v in zip(keys, row[1:]) if v.strip()}
        assignments.append((document, values))
    if not assignments:
        names = ", ".join(unknown[:5]) or "none"
        raise UnknownName(f"{path.name} names no document of the project (it names {names}); see `margin docs`")
    return assignments, unknown


def _short(name: str) -> str:
    name = one_line(name)
    return name if len(name) <= 40 else name[:39] + "…"


@dataclass
class AttributeImport:
    """What `margin attrs import` did, value by value."""

    source: str
    keep: bool
    added: int = 0  # a key the document did not have
    same: int = 0  # already so
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)  # (document, key, old, new)
    unknown: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "kept as they were (--keep)" if self.keep else "changed"
        lines = [
            f"Attributes from {self.source}: {self.added} set, {len(self.changes)} {verb}, {self.same} already so."
        ]
        arrow = "≠" if self.keep else "→"
        lines += [f"  {doc}: {key} {old} {arrow} {new}" for doc, key, old, new in self.changes[:SHOWN]]
        if len(self.changes) > SHOWN:
            lines.append(f"  ... and {len(self.changes) - SHOWN} more")
        if self.changes and not self.keep:
            lines.append("`margin undo` puts the old values back.")
        return lines


def import_attributes(project: Workspace, path: Path, keep: bool = False) -> AttributeImport:
    """Set the table's values as one undoable action. An existing different value is
    replaced (and listed, old and new), or with `keep` left alone and listed."""
    assignments, unknown = read_attribute_table(project, path)
    result = AttributeImport(Path(path).name, keep, unknown=unknown)
    stamp = now()
    with project.operation(f"import attributes from {result.source}"):
        for document, values in assignments:
            document = project.state.documents[document.id]  # a second row for it sees the first
            attributes = dict(document.attributes)
            for key, value in values.items():
                old = attributes.get(key)
                if old == value:
                    result.same += 1
                    continue
                if old is None:
                    result.added += 1
                else:
                    result.changes.append((document.name, key, old, value))
                    if keep:
                        continue
                attributes[key] = value
            if attributes != document.attributes:
                project.put(replace(document, attributes=attributes, modified=stamp))
    return result
