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
from store.model import NAMED_TARGET_KINDS, Coding, Document, Memo
from store.refi import guids
from store.refi.codebook_xml import code_tree, write_codes, write_qdc
from store.refi.variables import VALUE_ELEMENTS, variable_type
from store.refi.xmlwriter import XmlWriter, escape_attr

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
        with archive.open("project.qde", "w") as qde:
            rest = _ProjectWriter(project, qde.write).write(exported_at or now())  # what the sink was not given
            qde.write(rest)
        for document in documents:
            archive.writestr(f"sources/{guids.of(document.id)}.txt", project.text(document.id).encode("utf-8"))
    state = project.state
    return ExportSummary(str(path), len(documents), len(state.codes), len(state.codings), len(state.memos))


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
                self.w.open("Variable", guid=self.variable_guids[key], name=key, typeOfVariable=kind)
                self.description_of("attribute", key)
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
            self.description_of("case", name)
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
        pad = w.pad
        for coding in self.project.codings.for_document(document):
            w.raw(self.selection(coding, text, pad))
        for memo in self.memos.get(document.id, ()):
            if memo.kind == "annotation":
                self.annotation(memo, text)
        for note in self.notes_on(document.id, "document"):
            w.empty("NoteRef", targetGUID=note)
        self.variable_values(document.attributes)
        w.close("TextSource")

    def selection(self, coding: Coding, text: str, pad: str) -> str:
        """A coding's PlainTextSelection, Coding and CodeRef, as XmlWriter would write them
        at indentation `pad`: one f-string, with each coder's and code's parts made once.
        GUIDs need no escaping (hex digits and hyphens)."""
        user = self.users.get(coding.coder)
        if user is None:
            known = coding.coder in self.state.coders
            user = self.users[coding.coder] = f' creatingUser="{guids.of(coding.coder)}"' if known else ""
        code_ref = self.code_refs.get(coding.code)
        if code_ref is None:
            code_ref = self.code_refs[coding.code] = f'<CodeRef targetGUID="{guids.of(coding.code)}"/>'
        created = f' creationDateTime="{escape_attr(coding.created)}"' if coding.created else ""
        modified = f' modifiedDateTime="{escape_attr(coding.modified)}"' if coding.modified else ""
        notes = "".join(f'{pad}  <NoteRef targetGUID="{n}"/>\n' for n in self.notes_on(coding.id)) if coding.id in self.memos else ""
        return (
            f'{pad}<PlainTextSelection guid="{guids.of(coding.id)}" name="{escape_attr(text[coding.start : coding.end])}" '
            f'startPosition="{coding.start}" endPosition="{coding.end}"{user}{created}{modified}>\n'
            f'{pad}  <Coding guid="{guids.derived("coding", coding.id)}"{user}{created}>\n'
            f"{pad}    {code_ref}\n{pad}  </Coding>\n{notes}{pad}</PlainTextSelection>\n"
        )

    def annotation(self, memo: Memo, text: str) -> None:
        w = self.w
        w.open(
            "PlainTextSelection",
            guid=guids.derived("annotation", memo.id),
            name=text[memo.start : memo.end],
            startPosition=str(memo.start),
            endPosition=str(memo.end),
            creatingUser=guids.of(memo.author) if memo.author in self.state.coders else None,
            creationDateTime=memo.created or None,
            modifiedDateTime=memo.modified or None,
        )
        w.text("Description", memo.text)
        w.empty("NoteRef", targetGUID=guids.of(memo.id))
        w.close("PlainTextSelection")

    def description_of(self, kind: str, name: str) -> None:
        """The memos on a case or an attribute, joined, as its Description."""
        texts = [m.text for m in self.memos.get(name, ()) if m.kind == kind and m.text.strip()]
        if texts:
            self.w.text("Description", "\n\n".join(texts))

    def notes(self) -> None:
        memos = sorted((m for m in self.state.memos.values() if m.kind not in NAMED_TARGET_KINDS), key=lambda m: (m.created, m.id))
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


def export_qdc(project: Project) -> bytes:
    """The codebook as a `.qdc` file."""
    return write_qdc(project.state.codes, origin())
