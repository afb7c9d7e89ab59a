"""The codebook as REFI-QDA XML: the `Code` tree shared by `.qdc` files and projects.

`write_codes` writes the tree (with memo references inside a project); reading it back
(as flat `CodeSpec`s, parents first) is part of store/refi/reader.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from store.errors import Refused
from store.model import Code
from store.refi import guids
from store.refi.xmlwriter import XmlWriter

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


@dataclass
class CodeSpec:
    """A code as another tool describes it (names are raw: cleaning happens on merge)."""

    guid: str
    name: str
    parent: str | None  # the parent's guid
    color: str | None
    description: str
    codable: bool


def code_tree(codes: dict[str, Code]) -> dict[str | None, list[Code]]:
    """Children of each parent id in a fixed order, so exports are repeatable."""
    tree: dict[str | None, list[Code]] = {}
    for code in sorted(codes.values(), key=lambda c: (c.name.casefold(), c.name, c.id)):
        tree.setdefault(code.parent, []).append(code)
    return tree


def write_codes(
    w: XmlWriter,
    tree: dict[str | None, list[Code]],
    note_refs: Callable[[str], list[str]] | None = None,
    names: dict[str, str] | None = None,
    description: Callable[[Code], str] | None = None,
) -> None:
    """The `Code` elements of `tree`, nested as the tree is (a loop with an explicit stack:
    no depth of tree exhausts Python's). `names` replaces codes' names (store/refi/peer_names.py);
    `description` gives a code's Description (its definition by default)."""
    pending: list[Code | None] = list(reversed(tree.get(None, ())))
    while pending:
        code = pending.pop()
        if code is None:  # the end of a code's children
            w.close("Code")
            continue
        name = names[code.id] if names else code.name
        w.open("Code", guid=guids.of(code.id), name=name, isCodable="true" if code.codable else "false", color=code.color or None)
        text = description(code) if description else code.description
        if text:
            w.text("Description", text)
        for note in note_refs(code.id) if note_refs else ():
            w.empty("NoteRef", targetGUID=note)
        pending.append(None)
        pending.extend(reversed(tree.get(code.id, ())))


def write_qdc(codes: dict[str, Code], origin: str, names: dict[str, str] | None = None) -> bytes:
    """A `.qdc` codebook; refused when there is no code (the schema needs at least one)."""
    if not codes:
        raise Refused("the codebook is empty, and a .qdc file needs at least one code; add codes first")
    w = XmlWriter()
    w.open("CodeBook", xmlns=CODEBOOK_NS, origin=origin)
    w.open("Codes")
    write_codes(w, code_tree(codes), names=names)
    w.close("Codes")
    w.close("CodeBook")
    return w.bytes()
