"""`margin codes import FILE`: merge another tool's codebook into the project's.

A code already there (the same id, or the same name under the same parent, ignoring
case) is not added again; it only gains the imported definition if it had none. All of
it is one operation, so one undo takes it back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from store.clock import new_id, now
from store.codebook import PALETTE
from store.errors import BadInput
from store.model import Code
from store.refi.codebook_csv import read_csv_codebook, taguette_paths
from store.refi.codebook_xml import CodeSpec
from store.refi.naming import code_name, colour
from store.refi.package import Package
from store.refi.reader import read_codebook_xml, read_project
from store.refi.safety import MAX_MEMBER
from store.refi.tree import check_tree
from store.text import plural

if TYPE_CHECKING:
    from store.project import Project

CSV_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class MergeResult:
    source: str
    added: int
    already_there: int
    described: int

    def line(self) -> str:
        return (
            f"Imported the codebook of {self.source}: {plural(self.added, 'code')} added, {self.already_there} already there"
            + (f" ({self.described} gained a definition)" if self.described else "")
        )


def read_codebook(path: Path) -> list[CodeSpec]:
    """The codes of a .qdc, a .qdpx/.qde project or a CSV codebook, parents first."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".qdpx", ".qde"):
        package = Package(path)
        try:
            project = read_project(package.qde(), path.name)
            return taguette_paths(project.codes, project.origin)
        finally:
            package.close()
    if suffix not in (".qdc", *CSV_SUFFIXES):
        raise BadInput(f"{path.name}: codebooks are read from .qdc, .qdpx, .qde or .csv files, not {suffix or 'this file'}")
    if not path.is_file():
        raise BadInput(f"{path} does not exist or is not a file")
    if path.stat().st_size > MAX_MEMBER:
        raise BadInput(f"{path.name} is too large to be a codebook")
    data = path.read_bytes()
    if suffix == ".qdc":
        book = read_codebook_xml(data, path.name)
        return taguette_paths(book.codes, book.origin)
    return read_csv_codebook(data, path.name)


def merge_codes(project: Project, specs: list[CodeSpec], label: str) -> MergeResult:
    if not specs:
        raise BadInput(f"{label} holds no codes")
    codes = project.state.codes
    by_place = {(c.parent, c.name.casefold()): c for c in codes.values()}
    id_of: dict[str, str] = {}
    added = matched = described = 0
    stamp = now()
    with project.operation(f"import codebook {label}"):
        for spec in specs:
            parent = id_of.get(spec.parent or "")
            name = code_name(spec.name)
            existing = codes.get(spec.guid) or by_place.get((parent, name.casefold()))
            if existing is not None:
                matched += 1
                if spec.description and not existing.description:
                    project.put(replace(existing, description=spec.description, modified=stamp))
                    described += 1
            else:
                existing = Code(
                    id=spec.guid if spec.guid not in codes else new_id(),
                    name=name,
                    parent=parent,
                    color=colour(spec.color) or PALETTE[len(codes) % len(PALETTE)],
                    description=spec.description,
                    codable=spec.codable,
                    created=stamp,
                    modified=stamp,
                )
                project.put(existing)
                by_place[(parent, name.casefold())] = existing
                added += 1
            id_of[spec.guid] = existing.id
        check_tree({c.id: c.parent for c in codes.values()}, {c.id: c.name for c in codes.values()}, label)
    return MergeResult(label, added, matched, described)
