"""The codebook as REFI-QDA XML: the `Code` tree shared by `.qdc` files and projects.

`write_codes` writes the tree (with memo references inside a project); `read_codes`
reads it back as flat `CodeSpec`s, parents first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from store.errors import BadInput, Refused
from store.model import Code
from store.refi import guids
from store.refi.safety import parse_xml
from store.refi.xmlwriter import XmlWriter

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


@dataclass(frozen=True)
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
    parent: str | None = None,
) -> None:
    for code in tree.get(parent, ()):
        w.open("Code", guid=guids.of(code.id), name=code.name, isCodable="true" if code.codable else "false", color=code.color or None)
        if code.description:
            w.text("Description", code.description)
        for note in note_refs(code.id) if note_refs else ():
            w.empty("NoteRef", targetGUID=note)
        write_codes(w, tree, note_refs, code.id)
        w.close("Code")


def write_qdc(codes: dict[str, Code], origin: str) -> bytes:
    """A `.qdc` codebook; refused when there is no code (the schema needs at least one)."""
    if not codes:
        raise Refused("the codebook is empty, and a .qdc file needs at least one code; add codes first")
    w = XmlWriter()
    w.open("CodeBook", xmlns=CODEBOOK_NS, origin=origin)
    w.open("Codes")
    write_codes(w, code_tree(codes))
    w.close("Codes")
    w.close("CodeBook")
    return w.bytes()


def read_codes(codes_element: Element | None) -> list[CodeSpec]:
    """Every `Code` under a (namespace-stripped) `Codes` element, parents before children."""
    found: list[CodeSpec] = []

    def walk(element: Element, parent: str | None) -> None:
        for child in element.findall("Code"):
            guid = guids.normalise(child.get("guid")) or guids.derived("code", parent or "", child.get("name") or "")
            found.append(
                CodeSpec(
                    guid=guid,
                    name=child.get("name") or "",
                    parent=parent,
                    color=child.get("color"),
                    description=child.findtext("Description") or "",
                    codable=(child.get("isCodable") or "true").strip() not in ("false", "0"),
                )
            )
            walk(child, guid)

    if codes_element is not None:
        walk(codes_element, None)
    return found


def read_qdc(data: bytes, name: str) -> list[CodeSpec]:
    root = parse_xml(data, name)
    if root.tag != "CodeBook":
        raise BadInput(f"{name} is not a REFI-QDA codebook (its root element is <{root.tag}>, not <CodeBook>)")
    return read_codes(root.find("Codes"))
