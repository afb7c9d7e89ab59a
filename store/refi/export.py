"""Export a project as a REFI-QDA `.qdpx`: `project.qde` plus `sources/<guid>.txt`.

Everything is written in a fixed order with the entities' own ids as GUIDs, so two exports
of an unchanged project differ only in the export time (`Project@modifiedDateTime`).
Positions are code points of the stored (LF, no BOM) text, end exclusive, as the
standard says; each selection carries its text in `name` so importers can check them.
"""

from __future__ import annotations

import queue
import threading
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from store.clock import now
from store.exporters.bulk import without_gc
from store.exporters.output import open_export
from store.model import Coding, Document, Memo
from store.refi import guids
from store.refi.codebook_xml import code_tree, write_codes, write_qdc
from store.refi.variables import VALUE_ELEMENTS, variable_type
from store.refi.xmlwriter import XmlWriter, escape_attr, has_special

if TYPE_CHECKING:
    from store.project import Project

PROJECT_NS = "urn:QDA-XML:project:1.0"
CASE_KEY = "case"


def origin() -> str:
    try:
        return f"Margin {version('margin-qda')}"
    except PackageNotFoundError:
        return "Margin"


@dataclass(frozen=True)
class ExportSummary:
    path: str
    documents: int
    codes: int
    codings: int
    memos: int


def export_qdpx(project: Project, path: Path, exported_at: str | None = None) -> ExportSummary:
    """Write the project to `path`: a file is replaced atomically, so a failed export leaves
    no half file; a FIFO or device is written straight into (store/exporters/output.py).
    `project.qde` is streamed into the archive as it is written, never held whole."""
    documents = _ordered_documents(project)
    with (
        without_gc(),
        open_export(Path(path)) as handle,
        zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        with archive.open("project.qde", "w") as qde, _Compressing(qde.write) as sink:
            sink(_ProjectWriter(project, sink).write(exported_at or now()))  # and what the sink was not given
        for document in documents:
            archive.writestr(f"sources/{guids.of(document.id)}.txt", project.text(document.id).encode("utf-8"))
    state = project.state
    return ExportSummary(str(path), len(documents), len(state.codes), len(state.codings), len(state.memos))


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


def project_xml(project: Project, exported_at: str) -> bytes:
    """The `project.qde` document."""
    with without_gc():
        return _ProjectWriter(project).write(exported_at)


class _ProjectWriter:
    def __init__(self, project: Project, sink: Callable[[bytes], object] | None = None):
        self.project = project
        self.state = project.state
        self.w = XmlWriter(sink)
        self.documents = _ordered_documents(project)
        self.memos: dict[str | None, list[Memo]] = defaultdict(list)
        for memo in sorted(self.state.memos.values(), key=lambda m: (m.created, m.id)):
            self.memos[None if memo.kind in ("project", "journal") else memo.target].append(memo)
        keys = sorted({k for d in self.documents for k in d.attributes if k != CASE_KEY})
        self.variables = {
            key: variable_type(d.attributes[key] for d in self.documents if key in d.attributes) for key in keys
        }
        self.variable_guids = {key: guids.derived("variable", key) for key in keys}
        self.users: dict[str, str] = {}  # coder id -> ' creatingUser="GUID"', or "" for an unknown coder
        self.code_refs: dict[str, str] = {}  # code id -> its CodeRef element
        self.coding_guid = guids.deriver("coding")  # a coding's Coding element

    def notes_on(self, target: str | None, kind: str | None = None) -> list[str]:
        return [guids.of(m.id) for m in self.memos.get(target, ()) if kind is None or m.kind == kind]

    def write(self, exported_at: str) -> bytes:
        w, meta = self.w, self.project.meta
        creator = next((c for c in self.state.coders.values() if c.name == meta.get("default_coder")), None)
        w.open(
            "Project",
            xmlns=PROJECT_NS,
            name=self.project.name,
            origin=origin(),
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
            write_codes(self.w, code_tree(self.state.codes), self.notes_on)
            self.w.close("Codes")
            self.w.close("CodeBook")

    def variable_list(self) -> None:
        if self.variables:
            self.w.open("Variables")
            for key, kind in self.variables.items():
                self.w.empty("Variable", guid=self.variable_guids[key], name=key, typeOfVariable=kind)
            self.w.close("Variables")

    def variable_values(self, attributes: dict[str, str]) -> None:
        for key, kind in self.variables.items():
            if key in attributes:
                self.w.open("VariableValue")
                self.w.empty("VariableRef", targetGUID=self.variable_guids[key])
                self.w.text(VALUE_ELEMENTS[kind], attributes[key])
                self.w.close("VariableValue")

    def cases(self) -> None:
        """One Case per `case` value, holding its documents and the values they all share."""
        members: dict[str, list[Document]] = defaultdict(list)
        for document in self.documents:
            if document.attributes.get(CASE_KEY):
                members[document.attributes[CASE_KEY]].append(document)
        if not members:
            return
        self.w.open("Cases")
        for name in sorted(members):
            shared = dict(members[name][0].attributes)
            for document in members[name][1:]:
                shared = {k: v for k, v in shared.items() if document.attributes.get(k) == v}
            self.w.open("Case", guid=guids.derived("case", name), name=name)
            self.variable_values(shared)
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
        text = self.project.text(document.id)
        codings = self.project.codings.for_document(document)
        plain = guids.all_canonical([c.id for c in codings]), _plain(c.created + " " + c.modified for c in codings)
        pad = w.pad
        for coding in codings:
            w.raw(self.selection(coding, text, pad, *plain))
        for note in self.notes_on(document.id):
            w.empty("NoteRef", targetGUID=note)
        self.variable_values(document.attributes)
        w.close("TextSource")

    def selection(self, coding: Coding, text: str, pad: str, plain_id: bool = False, plain_stamps: bool = False) -> str:
        """A coding's PlainTextSelection, Coding and CodeRef, as XmlWriter would write them
        at indentation `pad`: one f-string, with each coder's and code's parts made once.
        GUIDs need no escaping (hex digits and hyphens). `plain_id`: the coding's id is its
        GUID already; `plain_stamps`: its times need no escaping (the caller checked a
        document's codings at once)."""
        user = self.users.get(coding.coder)
        if user is None:
            known = coding.coder in self.state.coders
            user = self.users[coding.coder] = f' creatingUser="{guids.of(coding.coder)}"' if known else ""
        code_ref = self.code_refs.get(coding.code)
        if code_ref is None:
            code_ref = self.code_refs[coding.code] = f'<CodeRef targetGUID="{guids.of(coding.code)}"/>'
        created, modified = (coding.created, coding.modified) if plain_stamps else (escape_attr(coding.created), escape_attr(coding.modified))
        created = f' creationDateTime="{created}"' if created else ""
        modified = f' modifiedDateTime="{modified}"' if modified else ""
        notes = "".join(f'{pad}  <NoteRef targetGUID="{n}"/>\n' for n in self.notes_on(coding.id)) if coding.id in self.memos else ""
        return (
            f'{pad}<PlainTextSelection guid="{coding.id if plain_id else guids.of(coding.id)}" '
            f'name="{escape_attr(text[coding.start : coding.end])}" '
            f'startPosition="{coding.start}" endPosition="{coding.end}"{user}{created}{modified}>\n'
            f'{pad}  <Coding guid="{self.coding_guid(coding.id)}"{user}{created}>\n'
            f"{pad}    {code_ref}\n{pad}  </Coding>\n{notes}{pad}</PlainTextSelection>\n"
        )

    def notes(self) -> None:
        memos = sorted(self.state.memos.values(), key=lambda m: (m.created, m.id))
        if not memos:
            return
        self.w.open("Notes")
        for memo in memos:
            author = guids.of(memo.author) if memo.author in self.state.coders else None
            self.w.open(
                "Note",
                guid=guids.of(memo.id),
                name=memo.title or None,
                creatingUser=author,
                creationDateTime=memo.created or None,
                modifiedDateTime=memo.modified or None,
            )
            self.w.text("PlainTextContent", memo.text)
            self.w.close("Note")
        self.w.close("Notes")


def _plain(values) -> bool:
    """Whether every value goes into an attribute as it is (one scan of them joined)."""
    return not has_special(" ".join(values))


def export_qdc(project: Project) -> bytes:
    """The codebook as a `.qdc` file."""
    return write_qdc(project.state.codes, origin())
