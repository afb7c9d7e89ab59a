"""Read a REFI-QDA `project.qde` into plain records, tolerating vendors' quirks.

Only reading happens here: no decision about what Margin keeps. GUIDs come out in
Margin's form (lower case, no braces); elements Margin cannot hold are named in
`unsupported` so the import can list them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from store.errors import BadInput
from store.refi import guids
from store.refi.codebook_xml import CodeSpec, read_codes

MEDIA = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio", "VideoSource": "video"}
VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


@dataclass
class Stamp:
    """Who made something and when (REFI's creatingUser / creation / modification times)."""

    user: str | None = None
    created: str = ""
    modified: str = ""


@dataclass
class RefiCoding:
    guid: str
    code: str | None
    stamp: Stamp


@dataclass
class RefiSelection:
    guid: str
    start: int
    end: int
    name: str
    description: str
    codings: list[RefiCoding]
    stamp: Stamp


@dataclass
class RefiSource:
    guid: str
    name: str
    path: str  # plainTextPath, "" when the text is inline
    content: str | None  # PlainTextContent
    description: str
    selections: list[RefiSelection]
    whole: list[RefiCoding]  # codings of the whole source
    values: dict[str, str]  # variable guid -> value
    stamp: Stamp


@dataclass
class RefiNote:
    guid: str
    name: str
    path: str
    content: str | None
    description: str
    stamp: Stamp


@dataclass
class RefiCase:
    name: str
    sources: list[str]
    values: dict[str, str]
    other_members: int  # selections and codes, which Margin's cases do not hold


@dataclass
class RefiSet:
    name: str
    sources: list[str]
    others: int  # codes and notes


@dataclass
class RefiProject:
    name: str
    origin: str
    creator: str | None
    created: str
    description: str
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: list[CodeSpec] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # guid -> name
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    note_refs: list[tuple[str, str | None, str]] = field(default_factory=list)  # (tag, owner guid, note guid)
    links: list[tuple[str, str]] = field(default_factory=list)  # (origin, target)
    kinds: dict[str, str] = field(default_factory=dict)  # guid -> element name, for link ends
    sets: list[RefiSet] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def read_project(root: Element, label: str) -> RefiProject:
    if root.tag != "Project":
        raise BadInput(f"{label} is not a REFI-QDA project (its root element is <{root.tag}>, not <Project>)")
    project = RefiProject(
        name=root.get("name") or "",
        origin=root.get("origin") or "",
        creator=guids.normalise(root.get("creatingUserGUID")),
        created=root.get("creationDateTime") or "",
        description=root.findtext("Description") or "",
    )
    for user in root.iterfind("Users/User"):
        guid = guids.normalise(user.get("guid"))
        if guid:
            project.users[guid] = user.get("name") or ""
    project.codes = read_codes(root.find("CodeBook/Codes"))
    for variable in root.iterfind("Variables/Variable"):
        guid = guids.normalise(variable.get("guid"))
        if guid:
            project.variables[guid] = variable.get("name") or ""
    project.cases = [_case(case) for case in root.iterfind("Cases/Case")]
    _sources(root, project)
    project.notes = [_note(note) for note in root.iterfind("Notes/Note")]
    project.note_refs = _note_refs(root)
    project.links = [
        (guids.normalise(link.get("originGUID")), guids.normalise(link.get("targetGUID")))
        for link in root.iterfind("Links/Link")
    ]
    if project.links:
        project.kinds = {g: e.tag for e in root.iter() if (g := guids.normalise(e.get("guid")))}
    project.sets = [_set(s) for s in root.iterfind("Sets/Set")]
    graphs = root.findall("Graphs/Graph")
    if graphs:
        project.unsupported.append(f"{len(graphs)} graph(s) (network views): {_names(graphs)}")
    return project


def _sources(root: Element, project: RefiProject) -> None:
    for element in root.iterfind("Sources/*"):
        if element.tag == "TextSource":
            project.sources.append(_text_source(element))
        elif element.tag in MEDIA:
            codings = len(element.findall(".//Coding"))
            project.unsupported.append(
                f"{MEDIA[element.tag]} source {element.get('name') or element.get('guid')!r}"
                + (f" with {codings} coding(s)" if codings else "")
            )


def _stamp(element: Element) -> Stamp:
    return Stamp(
        guids.normalise(element.get("creatingUser")),
        element.get("creationDateTime") or "",
        element.get("modifiedDateTime") or "",
    )


def _guid(element: Element, *fallback: str) -> str:
    return guids.normalise(element.get("guid")) or guids.derived("missing guid", *fallback)


def _coding(element: Element, owner: str, index: int) -> RefiCoding:
    code = element.find("CodeRef")
    return RefiCoding(
        _guid(element, owner, str(index)),
        guids.normalise(code.get("targetGUID")) if code is not None else None,
        _stamp(element),
    )


def _text_source(element: Element) -> RefiSource:
    guid = _guid(element, element.get("name") or "")
    selections = []
    for index, sel in enumerate(element.findall("PlainTextSelection")):
        sel_guid = _guid(sel, guid, str(index))
        selections.append(
            RefiSelection(
                guid=sel_guid,
                start=_integer(sel, "startPosition", element),
                end=_integer(sel, "endPosition", element),
                name=sel.get("name") or "",
                description=sel.findtext("Description") or "",
                codings=[_coding(c, sel_guid, i) for i, c in enumerate(sel.findall("Coding"))],
                stamp=_stamp(sel),
            )
        )
    return RefiSource(
        guid=guid,
        name=element.get("name") or "",
        path=element.get("plainTextPath") or "",
        content=element.findtext("PlainTextContent"),
        description=element.findtext("Description") or "",
        selections=selections,
        whole=[_coding(c, guid, i) for i, c in enumerate(element.findall("Coding"))],
        values=_values(element),
        stamp=_stamp(element),
    )


def _integer(selection: Element, attribute: str, source: Element) -> int:
    try:
        return int(selection.get(attribute, "").strip())
    except ValueError:
        raise BadInput(
            f"a selection in {source.get('name')!r} has no usable {attribute} "
            f"({selection.get(attribute)!r}); the export is damaged"
        ) from None


def _values(element: Element) -> dict[str, str]:
    values = {}
    for value in element.findall("VariableValue"):
        ref = value.find("VariableRef")
        guid = guids.normalise(ref.get("targetGUID")) if ref is not None else None
        written = next((v for v in value if v.tag in VALUE_TAGS), None)
        if guid and written is not None:
            values[guid] = (written.text or "").strip()
    return values


def _note(element: Element) -> RefiNote:
    return RefiNote(
        guid=_guid(element, element.get("name") or ""),
        name=element.get("name") or "",
        path=element.get("plainTextPath") or "",
        content=element.findtext("PlainTextContent"),
        description=element.findtext("Description") or "",
        stamp=_stamp(element),
    )


def _note_refs(root: Element) -> list[tuple[str, str | None, str]]:
    refs = []
    for owner in root.iter():
        for ref in owner.findall("NoteRef"):
            note = guids.normalise(ref.get("targetGUID"))
            if note:
                refs.append((owner.tag, guids.normalise(owner.get("guid")), note))
    return refs


def _case(element: Element) -> RefiCase:
    return RefiCase(
        name=element.get("name") or "",
        sources=[g for g in (guids.normalise(r.get("targetGUID")) for r in element.findall("SourceRef")) if g],
        values=_values(element),
        other_members=len(element.findall("SelectionRef")) + len(element.findall("CodeRef")),
    )


def _set(element: Element) -> RefiSet:
    return RefiSet(
        name=element.get("name") or "",
        sources=[g for g in (guids.normalise(r.get("targetGUID")) for r in element.findall("MemberSource")) if g],
        others=len(element.findall("MemberCode")) + len(element.findall("MemberNote")),
    )


def _names(elements: list[Element]) -> str:
    return ", ".join(repr(e.get("name") or e.get("guid")) for e in elements)
