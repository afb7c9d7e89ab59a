"""Codebooks as CSV from other tools: Taguette's `tag,description,…`, Margin's own
`code_path,…`, and any `Code`/`Description` table whose paths use `>`, `/` or `.`.

Taguette writes a tag's path (`Explainability techniques > Marginal plots`) both in its
CSV and as the flat `name` of a code in its .qdc; `taguette_paths` reads the .qdc's names
as the CSV's are read, so the two files of one project give one codebook.
"""

from __future__ import annotations

from store.errors import BadInput
from store.exporters.tabular import read_csv
from store.refi import guids
from store.refi.codebook_xml import CodeSpec
from store.refi.texts import Undecodable, decode

PATH_COLUMNS = ("code_path", "code path", "path", "code", "codes", "tag", "code name", "name", "category")
DESCRIPTION_COLUMNS = ("description", "definition", "code description", "memo", "comment")
COLOUR_COLUMNS = ("color", "colour")
CODABLE_COLUMNS = ("codable", "iscodable")
SEPARATORS = (">", "/")


def read_csv_codebook(data: bytes, label: str) -> list[CodeSpec]:
    rows = _rows(data, label)
    header = [h.strip().casefold() for h in rows[0]]
    path_col = _column(header, PATH_COLUMNS)
    if path_col is None:
        raise BadInput(f"{label} has no code column (one of: {', '.join(PATH_COLUMNS)}); its header is {rows[0]}")
    columns = {k: _column(header, names) for k, names in (("description", DESCRIPTION_COLUMNS), ("color", COLOUR_COLUMNS), ("codable", CODABLE_COLUMNS))}
    paths = [row[path_col].strip() for row in rows[1:] if len(row) > path_col and row[path_col].strip()]
    split = _splitter(paths)
    specs: dict[str, CodeSpec] = {}
    for row in rows[1:]:
        if len(row) <= path_col or not row[path_col].strip():
            continue
        cell = {k: (row[c].strip() if c is not None and c < len(row) else "") for k, c in columns.items()}
        _add_path(specs, split(row[path_col]), cell)
    return list(specs.values())


def _rows(data: bytes, label: str) -> list[list[str]]:
    try:
        text = decode(data).removeprefix("\ufeff")
    except Undecodable as exc:
        raise BadInput(f"{label} cannot be read: {exc}; save it as UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = read_csv(text, label, delimiter)
    if len(rows) < 2:
        raise BadInput(f"{label} holds no codes (a header and at least one row are needed)")
    return rows


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def _splitter(paths: list[str]):
    """How this file writes a path: the first separator found in any path; `.` only when
    every dotted name splits cleanly (`support.family`, not `1. Intro` or `Dr. Who`)."""
    for sep in SEPARATORS:
        if any(sep in p for p in paths):
            return lambda p, sep=sep: [part.strip() for part in p.split(sep) if part.strip()]
    dotted = [p for p in paths if "." in p]
    if dotted and all(all(part and part == part.strip() for part in p.split(".")) for p in dotted):
        return lambda p: p.split(".")
    return lambda p: [p.strip()]


def taguette_paths(specs: list[CodeSpec], origin: str) -> list[CodeSpec]:
    """A Taguette .qdc's flat codes as the tree its CSV gives (other tools' codes as they are).

    Each tag keeps its own GUID (codings refer to it); a parent that is no tag of its own
    gets the GUID the CSV reader gives it. Shorter paths go first, so a tag that is also a
    parent is made before its children."""
    if not origin.strip().casefold().startswith("taguette") or any(spec.parent for spec in specs):
        return specs
    split = _splitter([spec.name.strip() for spec in specs])
    tags = [(split(spec.name), spec) for spec in specs if spec.name.strip()]  # the CSV reader skips blank tags too
    paths = sorted(((names, spec) for names, spec in tags if names), key=lambda pair: len(pair[0]))
    tree: dict[str, CodeSpec] = {}
    for names, spec in paths:
        cell = {"color": spec.color or "", "description": spec.description, "codable": "" if spec.codable else "no"}
        _add_path(tree, names, cell, spec.guid)
    return list(tree.values())


def _add_path(specs: dict[str, CodeSpec], names: list[str], cell: dict[str, str], own: str | None = None) -> None:
    """Add a row's code (with the GUID `own`, if it has one) and any missing parents (a
    later row may still describe a parent)."""
    parent = None
    for depth, name in enumerate(names):
        key = "\x1f".join(n.casefold() for n in names[: depth + 1])
        guid = specs[key].guid if key in specs else guids.derived("csv codebook", key)
        if depth == len(names) - 1:
            guid = guid if key in specs else own or guid
            codable = cell["codable"].casefold() not in ("no", "false", "0")
            specs[key] = CodeSpec(guid, name, parent, cell["color"] or None, cell["description"], codable)
        elif key not in specs:
            specs[key] = CodeSpec(guid, name, parent, None, "", True)
        parent = guid
