"""Read a REFI-QDA `project.qde` (or `.qdc` codebook) into plain records, in one pass.

A project of 50,000 codings is 30 MB of XML, so it is read as a stream of parser events
(start, text, end) instead of a tree. Only reading happens here: no decision about what
Margin keeps. GUIDs come out in Margin's form (lower case, no braces); what Margin cannot
hold is named in `unsupported` so the import can list it. Tags are compared without their
namespace: some tools write none.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from store.errors import BadInput
from store.refi import guids, scan
from store.refi.codebook_xml import CodeSpec
from store.refi.safety import parse_events
from store.refi.variables import is_datetime
from store.text import one_line

MEDIA = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio", "VideoSource": "video"}
VALUE_TAGS = frozenset(("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue"))
TEXT_TAGS = VALUE_TAGS | {"Description", "PlainTextContent"}


@dataclass(slots=True)
class Stamp:
    """Who made something and when (REFI's creatingUser / creation / modification times)."""

    user: str | None = None
    created: str = ""
    modified: str = ""


@dataclass(slots=True)
class RefiCoding:
    guid: str
    code: str | None
    stamp: Stamp


@dataclass(slots=True)
class RefiSelection:
    guid: str
    start: int
    end: int
    name: str
    description: str
    codings: list[RefiCoding]
    stamp: Stamp


@dataclass(slots=True)
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


@dataclass(slots=True)
class RefiNote:
    guid: str
    name: str
    path: str
    content: str | None
    description: str
    stamp: Stamp
    span: tuple[int, int] | None = None  # a passage the note is about (QualCoder's annotations), as written


@dataclass
class RefiCase:
    name: str
    guid: str = ""
    description: str = ""
    sources: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    other_members: int = 0  # selections and codes, which Margin's cases do not hold


@dataclass
class RefiSet:
    name: str
    sources: list[str] = field(default_factory=list)
    others: int = 0  # codes and notes
    description: str = ""


@dataclass
class RefiProject:
    root: str = ""  # "Project" or "CodeBook"
    name: str = ""
    origin: str = ""
    creator: str | None = None
    created: str = ""
    description: str = ""
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: list[CodeSpec] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # guid -> name
    variable_descriptions: dict[str, str] = field(default_factory=dict)  # guid -> its Description
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    note_refs: list[tuple[str, str | None, str]] = field(default_factory=list)  # (owner tag, owner guid, note)
    links: list[tuple[str | None, str | None]] = field(default_factory=list)  # (origin, target)
    kinds: dict[str, str] = field(default_factory=dict)  # guid -> element name, for link ends
    sets: list[RefiSet] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # elements whose GUID an earlier one had


def read_project(data: bytes | Iterable[bytes], label: str) -> RefiProject:
    project = read_refi(data, label)
    if project.root != "Project":
        raise BadInput(f"{label} is not a REFI-QDA project (its root element is <{project.root}>, not <Project>)")
    return project


def read_qdc(data: bytes, label: str) -> list[CodeSpec]:
    return read_codebook_xml(data, label).codes


def read_codebook_xml(data: bytes, label: str) -> RefiProject:
    """A .qdc: its codes and `origin` (the tool that wrote it)."""
    project = read_refi(data, label)
    if project.root != "CodeBook":
        raise BadInput(f"{label} is not a REFI-QDA codebook (its root element is <{project.root}>, not <CodeBook>)")
    return project


def read_refi(data: bytes | Iterable[bytes], label: str, scan: bool = True) -> RefiProject:
    """The file's records; `scan=False` has the parser read every element (what the
    scanning of plain selection runs, store/refi/scan.py, is held equal to)."""
    return parse_events(data, label, _Reader() if scan else _EventsOnly())


@functools.lru_cache(maxsize=1 << 14)
def _time(value: str | None) -> str:
    """A time kept as written when it is a valid xsd:dateTime, else "" (the import's time is used).
    Cached: a selection and its coding carry the same times, and tools write few distinct ones."""
    return value if value and is_datetime(value) else ""


_element_guid = guids.normalise.__wrapped__  # each element's own GUID is seen once: no cache to churn


def _stamp(attrs: dict) -> Stamp:
    """The element's stamp; one object per distinct (user, created, modified), shared, as a
    file's codings repeat a few users and times (it is never changed after reading)."""
    return _stamp_of((attrs.get("creatingUser"), attrs.get("creationDateTime"), attrs.get("modifiedDateTime")))


def _stamp_of(key: tuple[str | None, str | None, str | None]) -> Stamp:
    stamp = _STAMPS.get(key)
    if stamp is None:
        if len(_STAMPS) > 1 << 16:
            _STAMPS.clear()
        stamp = _STAMPS[key] = Stamp(guids.normalise(key[0]), _time(key[1]), _time(key[2]))
    return stamp


_STAMPS: dict[tuple, Stamp] = {}


def _raw_stamp(user: bytes | None, created: bytes | None, modified: bytes | None) -> Stamp:
    """`_stamp` of a scanned element's attributes, cached by their bytes as written: a file
    has few coders, and times written to the second or millisecond repeat among neighbouring
    selections (a seventh of them distinct in the 200,000-coding bench). Kept small, as its
    keys hold their bytes. A value that is not UTF-8 raises scan.NotPlain before anything
    is cached."""
    key = (user, created, modified)
    stamp = _RAW_STAMPS.get(key)
    if stamp is None:
        if len(_RAW_STAMPS) > 1 << 13:
            _RAW_STAMPS.clear()
        text = scan.text
        stamp = _RAW_STAMPS[key] = _stamp_of((text(user), text(created), text(modified)))
    return stamp


_RAW_STAMPS: dict[tuple, Stamp] = {}


def _raw_target(target: bytes) -> str | None:
    """A CodeRef's targetGUID as its bytes are written, normalised (a file names few codes)."""
    found = _RAW_TARGETS.get(target, _RAW_TARGETS)
    if found is _RAW_TARGETS:
        if len(_RAW_TARGETS) > 1 << 16:
            _RAW_TARGETS.clear()
        found = _RAW_TARGETS[target] = guids.normalise(scan.text(target))
    return found


_RAW_TARGETS: dict[bytes, str | None] = {}


class _Reader:
    """An XML parser target: `start`, `data` and `end` per element, `close` at the end."""

    def __init__(self) -> None:
        self.project = RefiProject()
        self.tags: list[str] = []
        self.owners: list[str | None] = []  # guid of each open element
        self.text: list[str] | None = None  # characters of the element being collected
        self.code_stack: list[CodeSpec] = []
        self.source: RefiSource | None = None
        self.selection: RefiSelection | None = None
        self.coding: RefiCoding | None = None
        self.note: RefiNote | None = None
        self.case: RefiCase | None = None
        self.variable: str | None = None  # guid of the Variable being read
        self.set: RefiSet | None = None
        self.variable_ref: str | None = None
        self.media: list = []  # [kind, name, codings] of an unsupported source being read
        self.graphs: list[str] = []
        self.on_start = {n[7:]: getattr(self, n) for n in dir(self) if n.startswith("_start_")}
        self.on_end = {n[5:]: getattr(self, n) for n in dir(self) if n.startswith("_end_")}
        self.local: dict[str, str] = {}  # tag as the parser gives it -> its name without namespace

    # ------------------------------------------------------------------ parser events

    def bind(self, parser) -> None:
        """Text is kept only inside the elements that hold some (TEXT_TAGS): elsewhere the
        parser calls no handler for it (the whitespace between 200,000 selections' elements
        was a million calls)."""
        self.parser = parser
        parser.CharacterDataHandler = None

    def feeder(self, parse):
        """What gives the parser the document: runs of plain selections are read by scan."""
        return scan.Feeder(parse, self._ready_for_run, self._take_run).feed

    def _ready_for_run(self) -> bool:
        """Whether selections starting here would be read as a source's own, with nothing
        else open: what `_take_run` assumes of the events it stands for."""
        return (
            self.tags[-1:] == ["TextSource"]
            and self.source is not None
            and self.selection is None
            and self.coding is None
            and self.text is None
            and not self.media
        )

    def _take_run(self, items: list) -> None:
        """Selections scanned from the bytes (scan.Item), kept as `start` and `end` would
        keep each PlainTextSelection, Coding and CodeRef. Every value is decoded before
        any selection is kept, so a run that is not UTF-8 (scan.NotPlain) leaves nothing.
        A name is decoded here unless it holds a reference (`scan.text` reads those), and
        each stamp looked up in `_RAW_STAMPS` before `_raw_stamp` is called: 200,000 calls
        each were a fifth of the read."""
        text, raw_stamp, target_of, stamps = scan.text, _raw_stamp, _raw_target, _RAW_STAMPS
        made, codings_made = [], []
        try:
            for item in items:
                if len(item) == 11:  # one coding, its values flat
                    guid, name, start, end, user, created, modified, c_guid, c_user, c_created, c_target = item
                    c_stamp = stamps.get((c_user, c_created, None)) or raw_stamp(c_user, c_created, None)
                    coding = RefiCoding(c_guid.decode().lower(), target_of(c_target), c_stamp)
                    codings = [coding]
                    codings_made.append(coding)
                else:
                    guid, name, start, end, user, created, modified, raw_codings = item
                    codings = [RefiCoding(c[0].decode().lower(), target_of(c[3]), raw_stamp(c[1], c[2], None))
                               for c in raw_codings]  # fmt: skip
                    codings_made += codings
                stamp = stamps.get((user, created, modified)) or raw_stamp(user, created, modified)
                name = text(name) if b"&" in name else name.decode()
                made.append(RefiSelection(guid.decode().lower(), int(start), int(end), name, "", codings, stamp))
        except UnicodeDecodeError:
            raise scan.NotPlain from None
        self._keep_kinds(made, codings_made)
        self.source.selections += made

    def _keep_kinds(self, made: list[RefiSelection], codings: list[RefiCoding]) -> None:
        """Each scanned selection's and coding's GUID in `kinds`, renewed where an earlier
        element had it; at once when none repeats (as in every file but a damaged one)."""
        kinds = self.project.kinds
        selections = dict.fromkeys(selection.guid for selection in made)
        coded = dict.fromkeys(coding.guid for coding in codings)
        if len(selections) == len(made) and len(coded) == len(codings) and kinds.keys().isdisjoint(selections) and (
            kinds.keys().isdisjoint(coded) and coded.keys().isdisjoint(selections)
        ):
            kinds.update(dict.fromkeys(selections, "PlainTextSelection"))
            kinds.update(dict.fromkeys(coded, "Coding"))
            return
        for selection in made:
            guid = selection.guid
            if guid in kinds:
                guid = selection.guid = self._renew("PlainTextSelection", {"name": selection.name}, guid)
            kinds[guid] = "PlainTextSelection"
            for coding in selection.codings:
                guid = coding.guid
                if guid in kinds:
                    guid = coding.guid = self._renew("Coding", {}, guid)
                kinds[guid] = "Coding"

    def start(self, tag: str, attrs: dict) -> None:
        local = self.local.get(tag)
        if local is None:
            local = self.local[tag] = tag.rpartition("}")[2]
        parent = self.tags[-1] if self.tags else ""
        guid = attrs.get("guid")
        if guid is not None:
            guid = _element_guid(guid)
            kinds = self.project.kinds
            if guid in kinds:
                guid = self._renew(local, attrs, guid)
            if guid:
                kinds[guid] = local
        self.tags.append(local)
        self.owners.append(guid)
        handler = self.on_start.get(local)
        if handler is not None:
            handler(attrs, parent, guid)
        elif local in TEXT_TAGS:
            self.text = []
            self.parser.CharacterDataHandler = self.data

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def end(self, tag: str) -> None:
        tag = self.tags.pop()
        owner = self.owners.pop()
        if self.text is not None and tag in TEXT_TAGS:
            self._text(tag, self.tags[-1] if self.tags else "", "".join(self.text))
            self.text = None
            self.parser.CharacterDataHandler = None
        handler = self.on_end.get(tag)
        if handler is not None:
            handler(owner)

    def _renew(self, tag: str, attrs: dict, guid: str) -> str:
        """A new GUID for an element that repeats an earlier one's: each element stays itself
        (two sources stay two documents, a code is never its own parent), and references
        to the GUID mean the first element that had it."""
        renewed = guids.derived("repeated guid", guid, str(len(self.project.repeated)))
        name = one_line(attrs.get("name") or "")
        name = name if len(name) <= 40 else name[:39] + "…"
        self.project.repeated.append(
            f"{tag}{f' {name!r}' if name else ''} repeats the GUID {guid} of an earlier {self.project.kinds[guid]}; "
            "it was given a new id (references to that GUID mean the earlier one)"
        )
        return renewed

    def close(self) -> RefiProject:
        """The records read. The reader lets go of its parser and handlers first: they refer
        back to it, and with the collector off (an import) that cycle would keep every
        record alive after the caller drops them."""
        self.parser = self.on_start = self.on_end = None
        if self.graphs:
            self.project.unsupported.append(f"{len(self.graphs)} graph(s) (network views): {', '.join(map(repr, self.graphs))}")
        return self.project

    # ------------------------------------------------------------------ project, users, codes

    def _start_Project(self, attrs: dict, parent: str, guid: str | None) -> None:
        if parent:
            return
        p = self.project
        p.root, p.name, p.origin = "Project", attrs.get("name") or "", attrs.get("origin") or ""
        p.creator, p.created = guids.normalise(attrs.get("creatingUserGUID")), _time(attrs.get("creationDateTime"))

    def _start_CodeBook(self, attrs: dict, parent: str, guid: str | None) -> None:
        if not parent:
            self.project.root, self.project.origin = "CodeBook", attrs.get("origin") or ""

    def _start_User(self, attrs: dict, parent: str, guid: str | None) -> None:
        if guid and parent == "Users":
            self.project.users[guid] = attrs.get("name") or ""

    def _start_Code(self, attrs: dict, parent: str, guid: str | None) -> None:
        above = self.code_stack[-1].guid if parent == "Code" and self.code_stack else None
        name = attrs.get("name") or ""
        codable = (attrs.get("isCodable") or "true").strip() not in ("false", "0")
        spec = CodeSpec(guid or guids.derived("code", above or "", name), name, above, attrs.get("color"), "", codable)
        self.project.codes.append(spec)
        self.code_stack.append(spec)

    def _end_Code(self, owner: str | None) -> None:
        self.code_stack.pop()

    def _start_Variable(self, attrs: dict, parent: str, guid: str | None) -> None:
        if guid:
            self.project.variables[guid] = attrs.get("name") or ""
        self.variable = guid

    def _end_Variable(self, owner: str | None) -> None:
        self.variable = None

    # ------------------------------------------------------------------ sources, selections, codings

    def _start_TextSource(self, attrs: dict, parent: str, guid: str | None) -> None:
        if parent != "Sources":
            return
        self.source = RefiSource(
            guid=guid or guids.derived("missing guid", attrs.get("name") or ""),
            name=attrs.get("name") or "",
            path=attrs.get("plainTextPath") or "",
            content=None,
            description="",
            selections=[],
            whole=[],
            values={},
            stamp=_stamp(attrs),
        )
        self.project.sources.append(self.source)

    def _end_TextSource(self, owner: str | None) -> None:
        self.source = None

    def _start_PlainTextSelection(self, attrs: dict, parent: str, guid: str | None) -> None:
        if parent == "Note" and self.note is not None:
            self.note.span = (self._integer(attrs, "startPosition"), self._integer(attrs, "endPosition"))
            return
        if self.source is None or parent != "TextSource":
            return
        index = str(len(self.source.selections))
        self.selection = RefiSelection(
            guid=guid or guids.derived("missing guid", self.source.guid, index),
            start=self._integer(attrs, "startPosition"),
            end=self._integer(attrs, "endPosition"),
            name=attrs.get("name") or "",
            description="",
            codings=[],
            stamp=_stamp(attrs),
        )
        self.source.selections.append(self.selection)

    def _end_PlainTextSelection(self, owner: str | None) -> None:
        self.selection = None

    def _integer(self, attrs: dict, name: str) -> int:
        try:
            return int(attrs.get(name, "").strip())
        except ValueError:
            where = f"a selection in {self.source.name!r}" if self.source else f"the passage of note {self.note.name!r}"
            raise BadInput(f"{where} has no usable {name} ({attrs.get(name)!r}); the export is damaged") from None

    def _start_Coding(self, attrs: dict, parent: str, guid: str | None) -> None:
        if self.media:
            self.media[2] += 1
        owner = self.selection.codings if parent == "PlainTextSelection" and self.selection else None
        if owner is None and parent == "TextSource" and self.source:
            owner = self.source.whole
        if owner is not None:
            owner_guid = self.selection.guid if parent == "PlainTextSelection" else self.source.guid
            self.coding = RefiCoding(guid or guids.derived("missing guid", owner_guid, str(len(owner))), None, _stamp(attrs))
            owner.append(self.coding)

    def _end_Coding(self, owner: str | None) -> None:
        self.coding = None

    def _start_CodeRef(self, attrs: dict, parent: str, guid: str | None) -> None:
        target = guids.normalise(attrs.get("targetGUID"))
        if parent == "Coding" and self.coding is not None:
            self.coding.code = target
        elif parent == "Case" and self.case is not None:
            self.case.other_members += 1

    def _start_media(self, attrs: dict, parent: str, guid: str | None) -> None:
        if parent == "Sources":
            self.media = [MEDIA[self.tags[-1]], attrs.get("name") or guid, 0]

    _start_PDFSource = _start_PictureSource = _start_AudioSource = _start_VideoSource = _start_media

    def _end_media(self, owner: str | None) -> None:
        if self.media and self.tags[-1:] == ["Sources"]:
            kind, name, codings = self.media
            self.project.unsupported.append(f"{kind} source {name!r}" + (f" with {codings} coding(s)" if codings else ""))
            self.media = []

    _end_PDFSource = _end_PictureSource = _end_AudioSource = _end_VideoSource = _end_media

    # ------------------------------------------------------------------ text content

    def _text(self, tag: str, parent: str, text: str) -> None:
        if tag in VALUE_TAGS:
            self._value(text.strip())
        elif tag == "PlainTextContent":
            target = self.note if parent == "Note" else self.source if parent == "TextSource" else None
            if target is not None:
                target.content = text
        else:
            owner = {
                "Code": self.code_stack[-1] if self.code_stack else None,
                "PlainTextSelection": self.selection,
                "TextSource": self.source,
                "Note": self.note,
                "Case": self.case,
                "Set": self.set,
            }.get(parent)
            if owner is not None:
                owner.description = text
            elif parent == "Variable" and self.variable:
                self.project.variable_descriptions[self.variable] = text
            elif parent == "Project" and len(self.tags) == 1:
                self.project.description = text

    def _value(self, value: str) -> None:
        """A variable's value; the open elements end `..., Case|TextSource, VariableValue`."""
        holder = self.tags[-2] if len(self.tags) > 1 else ""
        owner = self.case if holder == "Case" else self.source if holder == "TextSource" else None
        if self.variable_ref is None:
            return
        if owner is not None:
            owner.values[self.variable_ref] = value

    def _start_VariableValue(self, attrs: dict, parent: str, guid: str | None) -> None:
        self.variable_ref = None

    def _start_VariableRef(self, attrs: dict, parent: str, guid: str | None) -> None:
        self.variable_ref = guids.normalise(attrs.get("targetGUID"))

    # ------------------------------------------------------------------ notes, links, cases, sets, graphs

    def _start_Note(self, attrs: dict, parent: str, guid: str | None) -> None:
        if parent == "Notes":
            self.note = RefiNote(
                guid or guids.derived("missing guid", attrs.get("name") or ""),
                attrs.get("name") or "",
                attrs.get("plainTextPath") or "",
                None,
                "",
                _stamp(attrs),
            )
            self.project.notes.append(self.note)

    def _end_Note(self, owner: str | None) -> None:
        self.note = None

    def _start_NoteRef(self, attrs: dict, parent: str, guid: str | None) -> None:
        note = guids.normalise(attrs.get("targetGUID"))
        if note:
            self.project.note_refs.append((parent, self.owners[-2], note))

    def _start_Link(self, attrs: dict, parent: str, guid: str | None) -> None:
        self.project.links.append((guids.normalise(attrs.get("originGUID")), guids.normalise(attrs.get("targetGUID"))))

    def _start_Case(self, attrs: dict, parent: str, guid: str | None) -> None:
        self.case = RefiCase(attrs.get("name") or "", guid or "")
        self.project.cases.append(self.case)

    def _end_Case(self, owner: str | None) -> None:
        self.case = None

    def _start_SourceRef(self, attrs: dict, parent: str, guid: str | None) -> None:
        target = guids.normalise(attrs.get("targetGUID"))
        if parent == "Case" and self.case is not None and target:
            self.case.sources.append(target)

    def _start_SelectionRef(self, attrs: dict, parent: str, guid: str | None) -> None:
        if parent == "Case" and self.case is not None:
            self.case.other_members += 1

    def _start_Set(self, attrs: dict, parent: str, guid: str | None) -> None:
        self.set = RefiSet(attrs.get("name") or "")
        self.project.sets.append(self.set)

    def _start_MemberSource(self, attrs: dict, parent: str, guid: str | None) -> None:
        target = guids.normalise(attrs.get("targetGUID"))
        if self.set is not None and target:
            self.set.sources.append(target)

    def _start_MemberCode(self, attrs: dict, parent: str, guid: str | None) -> None:
        if self.set is not None:
            self.set.others += 1

    _start_MemberNote = _start_MemberCode

    def _start_Graph(self, attrs: dict, parent: str, guid: str | None) -> None:
        self.graphs.append(attrs.get("name") or guid or "")


class _EventsOnly(_Reader):
    """The reader with every element read from the parser's events."""

    def feeder(self, parse):
        return lambda piece: parse(piece, False)
