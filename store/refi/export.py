"""Export a project as a REFI-QDA `.qdpx`: `project.qde` plus `sources/<guid>.txt`.

Everything is written in a fixed order with the entities' own ids as GUIDs, so two exports
of an unchanged project differ only in the export time (`Project@modifiedDateTime`).
Positions are code points of the stored (LF, no BOM) text, end exclusive, as the
standard says; each selection carries its text in `name` so importers can check them.
An annotation is a PlainTextSelection with no Coding, its note both as its Description
(which QualCoder and MAXQDA read) and as a Note it refers to; memos on a case or an
attribute are the Description of its Case or Variable (the schema gives them no NoteRef).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, repeat
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from store.clock import now
from store.exporters import document_codings
from store.exporters.bulk import without_gc
from store.exporters.output import open_export
from store.model import NAMED_TARGET_KINDS, Coding, Document, Memo
from store.patterns import later
from store.refi import guids
from store.refi.codebook_xml import code_tree, write_codes, write_qdc
from store.refi.descriptions import joined
from store.refi.nvivo import NVIVO_ORIGIN, NvivoUnits, nvivo_text
from store.refi.peer_names import journal_note_names, unique_code_names
from store.refi.variables import VALUE_ELEMENTS, variable_type
from store.refi.xmlwriter import XmlWriter, escape_attr, escape_attrs, escape_text, has_special
from store.version import VERSION

if TYPE_CHECKING:
    from store.project import Project

ID, CODE, CODER, START, END, CREATED, MODIFIED = map(attrgetter, ("id", "code", "coder", "start", "end", "created", "modified"))
PROJECT_NS = "urn:QDA-XML:project:1.0"
CASE_KEY = "case"


@dataclass(frozen=True)
class ExportOptions:
    """How an export is written for a peer.

    unique_names: codes that share a name are qualified by their parents (QualCoder
    merges codes of one name). case_attribute: the attribute whose values are Cases
    (`case`, or one the researcher names). positions: "standard" (code points of LF text,
    as the standard says) or "nvivo" (UTF-16 units of CRLF text, as NVivo reads them)."""

    unique_names: bool = False
    case_attribute: str = CASE_KEY
    positions: str = "standard"


def origin(options: ExportOptions | None = None) -> str:
    name = f"Margin {VERSION}"
    return f"{name} {NVIVO_ORIGIN}" if options and options.positions == "nvivo" else name


@dataclass(frozen=True)
class ExportSummary:
    path: str
    documents: int
    codes: int
    codings: int
    memos: int


def export_qdpx(
    project: Project, path: Path, exported_at: str | None = None, options: ExportOptions | None = None
) -> ExportSummary:
    """Write the project to `path`: a file is replaced atomically, so a failed export leaves
    no half file; a FIFO or device is written straight into (store/exporters/output.py).
    `project.qde` is streamed into the archive as it is written, never held whole."""
    documents = _ordered_documents(project)
    with (
        without_gc(),
        open_export(Path(path)) as handle,
        zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        with _member(archive, "project.qde") as qde, _Compressing(qde.write) as sink:
            writer = _ProjectWriter(project, sink, options)
            sink(writer.write(exported_at or now()))  # and what the sink was not given
        for document in documents:
            text = project.text(document.id)
            data = nvivo_text(text) if writer.options.positions == "nvivo" else text.encode("utf-8")
            with _member(archive, f"sources/{guids.of(document.id)}.txt") as member:
                member.write(data)
        for memo_id, text in writer.note_files.items():
            with _member(archive, f"sources/{guids.of(memo_id)}.txt") as member:
                member.write(text.encode("utf-8"))
    state = project.state
    return ExportSummary(str(path), len(documents), len(state.codes), writer.codings, len(state.memos))


@contextlib.contextmanager
def _member(archive: zipfile.ZipFile, name: str):
    """A member written into the archive, deflated by ISA-L (isal) rather than zlib: any
    deflate stream is valid (zip readers, QualCoder and NVivo inflate them alike), and
    ISA-L's level 1 takes a quarter of zlib's level-1 CPU time for a smaller file (the
    128 MB project.qde of 200,000 codings: 0.3 s and 21.9 MB against 1.1 s and 23.8 MB)."""
    from isal import isal_zlib

    with archive.open(name, "w") as member:
        member._compressor = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)  # zipfile's zlib one, replaced
        yield member


class _Compressing:
    """A sink that hands each piece to one thread, which writes it into the archive: zlib
    and the zip's CRC release the GIL, so compressing overlaps making the next pieces
    (a sixth of the export's time at 200,000 codings). At most `AHEAD` pieces wait; the
    block's end waits for the last and raises what the writing raised."""

    AHEAD = 4

    def __init__(self, write: Callable[[bytes], object]):
        self._write, self._queue, self._error = write, queue.Queue(self.AHEAD), None
        self._thread = threading.Thread(target=self._run, name="qde-writer", daemon=True)

    def __enter__(self) -> Callable[[bytes], None]:
        self._thread.start()
        return self

    def __call__(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._write(data)
                except BaseException as exc:  # raised in the exporting thread
                    self._error = exc

    def __exit__(self, *failure) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and failure[0] is None:
            raise self._error


def _ordered_documents(project: Project) -> list[Document]:
    order = {d.id: i for i, d in enumerate(project.documents.all())}
    return sorted(project.state.documents.values(), key=lambda d: (order[d.id], d.id))


def project_xml(project: Project, exported_at: str, options: ExportOptions | None = None) -> bytes:
    """The `project.qde` document."""
    with without_gc():
        return _ProjectWriter(project, options=options).write(exported_at)


class _ProjectWriter:
    def __init__(self, project: Project, sink: Callable[[bytes], object] | None = None, options: ExportOptions | None = None):
        self.project = project
        self.state = project.state
        self.options = options or ExportOptions()
        self.code_names = unique_code_names(self.state.codes) if self.options.unique_names else None
        self.note_files: dict[str, str] = {}  # journal entry id -> its text, written as sources/<guid>.txt
        self.exported_at = ""
        self.w = XmlWriter(sink)
        self.documents = _ordered_documents(project)
        self.memos: dict[str | None, list[Memo]] = defaultdict(list)
        for memo in sorted(self.state.memos.values(), key=lambda m: (m.created, m.id)):
            self.memos[None if memo.kind in ("project", "journal") else memo.target].append(memo)
        as_cases = CASE_KEY if self.options.case_attribute == CASE_KEY else None  # another case attribute stays a variable, and `case` too
        keys = sorted({k for d in self.documents for k in d.attributes if k != as_cases})
        self.variables = {
            key: variable_type(d.attributes[key] for d in self.documents if key in d.attributes) for key in keys
        }
        self.variable_guids = {key: guids.derived("variable", key) for key in keys}
        # Each made once, on first use: by coder id ' creatingUser="GUID"' ("" for an unknown
        # coder), by code id its CodeRef element, by time its attribute ("" for none).
        self.users = _Made(self.user_attribute)
        self.code_refs = _Made(lambda code_id: f'<CodeRef targetGUID="{guids.of(code_id)}"/>')
        self.user_bytes = _Made(lambda coder_id: self.users[coder_id].encode())
        self.code_ref_bytes = _Made(lambda code_id: self.code_refs[code_id].encode())
        self.created_bytes = _Made(lambda at: f' creationDateTime="{escape_attr(at)}"'.encode() if at else b"")
        self.modified_bytes = _Made(lambda at: f' modifiedDateTime="{escape_attr(at)}"'.encode() if at else b"")
        self.coding_guid = guids.deriver("coding")  # a coding's Coding element
        self.codings_of = document_codings.reader(project)
        self.codings = 0  # written so far

    def notes_on(self, target: str | None, kind: str | None = None) -> list[str]:
        return [guids.of(m.id) for m in self.memos.get(target, ()) if kind is None or m.kind == kind]

    def description(self, target: str | None, kind: str) -> None:
        """The Description QualCoder reads as the memo: the memos of `kind` on `target` joined."""
        text = joined(m.text for m in self.memos.get(target, ()) if m.kind == kind)
        if text:
            self.w.text("Description", text)

    def write(self, exported_at: str) -> bytes:
        w, meta = self.w, self.project.meta
        self.exported_at = exported_at
        creator = next((c for c in self.state.coders.values() if c.name == meta.get("default_coder")), None)
        w.open(
            "Project",
            xmlns=PROJECT_NS,
            name=self.project.name,
            origin=origin(self.options),
            creatingUserGUID=guids.of(creator.id) if creator else None,
            creationDateTime=meta.get("created") or None,
            modifiedDateTime=exported_at,
        )
        self.user_list()
        self.codebook()
        self.variable_list()
        self.cases()
        self.sources()
        self.notes()
        self.description(None, "project")
        for note in self.notes_on(None, "project"):
            w.empty("NoteRef", targetGUID=note)
        w.close("Project")
        return w.bytes()

    def user_list(self) -> None:
        coders = sorted(self.state.coders.values(), key=lambda c: (c.name, c.id))
        if coders:
            self.w.open("Users")
            for coder in coders:
                self.w.empty("User", guid=guids.of(coder.id), name=coder.name)
            self.w.close("Users")

    def codebook(self) -> None:
        if self.state.codes:
            self.w.open("CodeBook")
            self.w.open("Codes")
            write_codes(self.w, code_tree(self.state.codes), self.notes_on, self.code_names, self.code_description)
            self.w.close("Codes")
            self.w.close("CodeBook")

    def code_description(self, code) -> str:
        return joined([code.description, *(m.text for m in self.memos.get(code.id, ()) if m.kind == "code")])

    def variable_list(self) -> None:
        if self.variables:
            self.w.open("Variables")
            for key, kind in self.variables.items():
                self.w.open("Variable", guid=self.variable_guids[key], name=key, typeOfVariable=kind)
                self.description(key, "attribute")
                self.w.close("Variable")
            self.w.close("Variables")

    def variable_values(self, attributes: dict[str, str]) -> None:
        for key, kind in self.variables.items():
            if key in attributes:
                self.w.open("VariableValue")
                self.w.empty("VariableRef", targetGUID=self.variable_guids[key])
                self.w.text(VALUE_ELEMENTS[kind], attributes[key])
                self.w.close("VariableValue")

    def cases(self) -> None:
        """One Case per value of the case attribute, holding its documents. The documents'
        other attributes stay on the sources only: a value on a Case makes QualCoder treat
        the whole variable as a case variable, hidden from its file table."""
        key = self.options.case_attribute
        members: dict[str, list[Document]] = defaultdict(list)
        for document in self.documents:
            if document.attributes.get(key):
                members[document.attributes[key]].append(document)
        if not members:
            return
        self.w.open("Cases")
        for name in sorted(members):
            self.w.open("Case", guid=guids.derived("case", name), name=name)
            self.description(name, "case")
            for document in members[name]:
                self.w.empty("SourceRef", targetGUID=guids.of(document.id))
            self.w.close("Case")
        self.w.close("Cases")

    def sources(self) -> None:
        if not self.documents:
            return
        self.w.open("Sources")
        for document in self.documents:
            self.source(document)
        self.w.close("Sources")

    def source(self, document: Document) -> None:
        w, guid = self.w, guids.of(document.id)
        w.open(
            "TextSource",
            guid=guid,
            name=document.name,
            plainTextPath=f"internal://{guid}.txt",
            creationDateTime=document.created or None,
            modifiedDateTime=document.modified or None,
        )
        self.description(document.id, "document")
        text = self.project.text(document.id)
        codings = self.codings_of(document)
        self.codings += len(codings)
        units = NvivoUnits(text) if self.options.positions == "nvivo" else None
        canonical = guids.all_canonical([c.id for c in codings])
        if units is None and canonical:
            w.encoded(self.selections(codings, text, w.pad))
        else:
            if isinstance(codings, document_codings.FromFiles):  # a coding at a time takes str
                codings = codings.decoded()
            plain = _plain(c.created + " " + c.modified for c in codings)
            for coding in codings:
                w.raw(self.selection(coding, text, w.pad, units, canonical, plain))
        for memo in self.memos.get(document.id, ()):
            if memo.kind == "annotation":
                self.annotation(memo, text, units)
        for note in self.notes_on(document.id, "document"):
            w.empty("NoteRef", targetGUID=note)
        self.variable_values(document.attributes)
        w.close("TextSource")

    def selections(self, codings: list[Coding], text: str, pad: str) -> bytes:
        """A document's selections as `selection` writes each, in standard positions, for
        codings whose ids are GUIDs already, as UTF-8 made a document at a time: a column
        per part, each made by C-level maps over the codings (a coder's and a code's
        attribute made once, the quotes and times escaped at once, the Coding elements'
        GUIDs derived in bulk), each coding's markup made by one `bytes %` over its parts.
        A part a coding lacks (its memos' Description and NoteRefs) is empty."""
        ids, starts, ends = list(map(ID, codings)), list(map(START, codings)), list(map(END, codings))
        users = list(map(self.user_bytes.__getitem__, map(CODER, codings)))
        raw = isinstance(codings, document_codings.FromFiles)  # its times UTF-8 already
        created = codings.column("created") if raw else list(map(CREATED, codings))
        modified = codings.column("modified") if raw else list(map(MODIFIED, codings))
        created, created_markup = self.times(created, "creationDateTime", self.created_bytes)
        modified, modified_markup = self.times(modified, "modifiedDateTime", self.modified_bytes)
        descriptions, notes = self.memo_parts(ids, pad)
        template = (
            f'{pad}<PlainTextSelection guid="%s" name="%s" startPosition="%d" endPosition="%d"%s{created_markup}'
            f'{modified_markup}>\n%s{pad}  <Coding guid="%s"%s{created_markup}>\n{pad}    %s\n{pad}  </Coding>\n'
            f"%s{pad}</PlainTextSelection>\n"
        ).encode()
        quotes = _encoded(escape_attrs(list(map(text.__getitem__, map(slice, starts, ends)))))
        code_refs = map(self.code_ref_bytes.__getitem__, map(CODE, codings))
        parts = zip(
            _encoded(ids), quotes, starts, ends, users, created, modified, descriptions,
            self.coding_guid.many(ids), users, created, code_refs, notes,
        )  # fmt: skip
        return b"".join(map(template.__mod__, parts))

    @staticmethod
    def times(values: list[str] | list[bytes], name: str, made: _Made) -> tuple[list[bytes], str]:
        """A column of times and the markup around each: when every coding has one, the
        times escaped at once and ` name="%s"`; else each time's attribute, made once.
        Times read raw from the codings files (UTF-8 with no JSON escape, so no quote and
        no control character) go as they are when none holds & < > or a non-character."""
        if values and type(values[0]) is bytes:
            if b"" not in values and _RAW_SPECIAL.search(b"\x00".join(values)) is None:
                return values, f' {name}="%s"'
            values = [value.decode("utf-8") for value in values]
        if "" in values:
            return list(map(made.__getitem__, values)), "%s"
        return _encoded(escape_attrs(values)), f' {name}="%s"'

    def memo_parts(self, ids: list[str], pad: str) -> tuple[list[bytes], list[bytes]]:
        """The Description and the NoteRefs of each coding that has memos, encoded; b""
        for the rest (most: the codings with memos are found by one set intersection)."""
        descriptions, notes = [b""] * len(ids), [b""] * len(ids)
        with_memos = self.memos.keys() & set(ids)
        for at in [at for at, coding_id in enumerate(ids) if coding_id in with_memos] if with_memos else ():
            descriptions[at] = self.selection_description(ids[at], pad).encode()
            notes[at] = self.note_refs(ids[at], pad).encode()
        return descriptions, notes

    def note_refs(self, coding_id: str, pad: str) -> str:
        return "".join(f'{pad}  <NoteRef targetGUID="{n}"/>\n' for n in self.notes_on(coding_id))

    def user_attribute(self, coder_id: str) -> str:
        """` creatingUser="GUID"` for a known coder, "" for an unknown one."""
        return f' creatingUser="{guids.of(coder_id)}"' if coder_id in self.state.coders else ""

    def selection(
        self, coding: Coding, text: str, pad: str, units: NvivoUnits | None = None, plain_id: bool = False,
        plain_stamps: bool = False, guid: str | None = None,
    ) -> str:
        """A coding's PlainTextSelection, Coding and CodeRef, as XmlWriter would write them
        at indentation `pad`: one f-string, with each coder's and code's parts made once.
        GUIDs need no escaping (hex digits and hyphens). `plain_id`: the coding's id is its
        GUID already; `plain_stamps`: its times need no escaping (the caller checked a
        document's codings at once); `guid`: its Coding element's, derived already."""
        user, code_ref = self.users[coding.coder], self.code_refs[coding.code]
        created, modified = (coding.created, coding.modified) if plain_stamps else (escape_attr(coding.created), escape_attr(coding.modified))
        created = f' creationDateTime="{created}"' if created else ""
        modified = f' modifiedDateTime="{modified}"' if modified else ""
        notes = description = ""
        if coding.id in self.memos:
            notes, description = self.note_refs(coding.id, pad), self.selection_description(coding.id, pad)
        quote, start, end = text[coding.start : coding.end], coding.start, coding.end
        if units is not None:
            quote, start, end = quote.replace("\n", "\r\n"), units.position(start), units.position(end)
        return (
            f'{pad}<PlainTextSelection guid="{coding.id if plain_id else guids.of(coding.id)}" name="{escape_attr(quote)}" '
            f'startPosition="{start}" endPosition="{end}"{user}{created}{modified}>\n{description}'
            f'{pad}  <Coding guid="{guid or self.coding_guid(coding.id)}"{user}{created}>\n'
            f"{pad}    {code_ref}\n{pad}  </Coding>\n{notes}{pad}</PlainTextSelection>\n"
        )

    def selection_description(self, coding_id: str, pad: str) -> str:
        text = joined(m.text for m in self.memos[coding_id] if m.kind == "coding")
        return f"{pad}  <Description>{escape_text(text)}</Description>\n" if text else ""

    def annotation(self, memo: Memo, text: str, units: NvivoUnits | None = None) -> None:
        """A note on a span with no code: a selection without a Coding, the note its
        Description (what QualCoder reads) and a NoteRef to its Note."""
        start, end = (memo.start, memo.end) if units is None else (units.position(memo.start), units.position(memo.end))
        quote = text[memo.start : memo.end]
        w = self.w
        w.open(
            "PlainTextSelection",
            guid=guids.derived("annotation", memo.id),
            name=quote if units is None else quote.replace("\n", "\r\n"),
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=guids.of(memo.author) if memo.author in self.state.coders else None,
            creationDateTime=memo.created or None,
            modifiedDateTime=memo.modified or None,
        )
        w.text("Description", memo.text)
        w.empty("NoteRef", targetGUID=guids.of(memo.id))
        w.close("PlainTextSelection")

    def notes(self) -> None:
        """Every memo as a Note (a case's and an attribute's are Descriptions only). A journal
        entry's text is a file under sources/ (QualCoder makes journal entries only of
        those), with a name unique among them."""
        memos = sorted((m for m in self.state.memos.values() if m.kind not in NAMED_TARGET_KINDS), key=lambda m: (m.created, m.id))
        if not memos:
            return
        journal = journal_note_names(m for m in memos if m.kind == "journal")
        self.w.open("Notes")
        for memo in memos:
            author = guids.of(memo.author) if memo.author in self.state.coders else None
            guid = guids.of(memo.id)
            self.w.open(
                "Note",
                guid=guid,
                name=journal.get(memo.id) or memo.title or None,
                plainTextPath=f"internal://{guid}.txt" if memo.id in journal else None,
                creatingUser=author,
                creationDateTime=memo.created or self.exported_at,  # QualCoder fails on a Note without a date
                modifiedDateTime=memo.modified or None,
            )
            if memo.id in journal:
                self.note_files[memo.id] = memo.text
            else:
                self.w.text("PlainTextContent", memo.text)
            self.w.close("Note")
        self.w.close("Notes")


class _Made(dict):
    """Values by key, each made by `make` once, on first use."""

    def __init__(self, make: Callable[[str], object]):
        super().__init__()
        self.make = make

    def __missing__(self, key: str):
        value = self[key] = self.make(key)
        return value


# What escape_attr changes in UTF-8 that JSON writes without an escape: & < > and the
# non-characters U+FFFE and U+FFFF (surrogates are not valid UTF-8).
_RAW_SPECIAL = later(rb"[&<>]|\xef\xbf[\xbe\xbf]")


def _encoded(values: list[str]) -> list[bytes]:
    """Each value as UTF-8, encoded at once: none holds a line feed (GUIDs, numbers, and
    attribute values escaped, which write it as `&#10;`)."""
    return "\n".join(values).encode("utf-8").split(b"\n") if values else []


def _plain(values) -> bool:
    """Whether every value goes into an attribute as it is (one scan of them joined)."""
    return not has_special(" ".join(values))


def export_qdc(project: Project, unique_names: bool = False) -> bytes:
    """The codebook as a `.qdc` file (codes that share a name qualified, if asked)."""
    codes = project.state.codes
    return write_qdc(codes, origin(), unique_code_names(codes) if unique_names and codes else None)
