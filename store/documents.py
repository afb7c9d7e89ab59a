"""Documents: importing transcripts, naming them, and their attributes (case, round, ...)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from store.clock import new_id, now
from store.digests import sha256
from store.errors import BadInput, UnknownName
from store.model import Document, Turn
from store.text import one_line
from store.words import bounds_of, keep_words, word_index

if TYPE_CHECKING:
    from store.importers import ParsedDocument
    from store.workspace import Workspace


@dataclass(frozen=True)
class ImportResult:
    document: Document
    duplicate_of: Document | None = None  # set when the same text was already imported

    @property
    def imported(self) -> bool:
        return self.duplicate_of is None


class Documents:
    def __init__(self, project: Workspace):
        self.project = project

    def all(self) -> list[Document]:
        """Documents in name order (natural: P2 before P10)."""
        return sorted(self.project.state.documents.values(), key=lambda d: _natural(d.name))

    def get(self, ref: str) -> Document:
        """A document by id or by name (case-insensitive when unambiguous)."""
        documents = self.project.state.documents
        if ref in documents:
            return documents[ref]
        exact = [d for d in documents.values() if d.name == ref]
        if exact:
            return exact[0]
        folded = [d for d in documents.values() if d.name.casefold() == ref.casefold()]
        if len(folded) == 1:
            return folded[0]
        names = ", ".join(d.name for d in self.all()[:10]) or "none yet"
        raise UnknownName(f"no document named {ref!r}; documents: {names} (see `margin docs`)")

    def text(self, document: Document) -> str:
        return self.project.text(document.id)

    def import_file(self, path: str | Path, name: str | None = None, attributes: dict | None = None) -> ImportResult:
        from store.importers import parse_file

        parsed = parse_file(path)
        return self.import_parsed(parsed, name or Path(path).stem, attributes, imported_from=Path(path).name)

    def import_parsed(
        self, parsed: ParsedDocument, name: str, attributes: dict | None = None, imported_from: str = ""
    ) -> ImportResult:
        """Store a parsed text as a new document, unless the same text is already in."""
        name = _clean_name(name)
        sha = sha256(parsed.text.encode("utf-8")).hexdigest()
        for existing in self.project.state.documents.values():
            if existing.sha256 == sha:
                return ImportResult(existing, duplicate_of=existing)
        if any(d.name == name for d in self.project.state.documents.values()):
            name = self._free_name(name)
        document_id = new_id()
        self.project.store_text(document_id, parsed.text)
        stamp = now()
        document = Document(
            id=document_id,
            name=name,
            sha256=sha,
            length=len(parsed.text),
            format=parsed.format,
            turns=tuple(
                Turn(i, t.speaker, t.start, t.end, t.time_start, t.time_end) for i, t in enumerate(parsed.turns)
            ),
            attributes={k: str(v) for k, v in (attributes or {}).items()},
            imported_from=imported_from,
            created=stamp,
            modified=stamp,
        )
        index = word_index(parsed.text, bounds_of(document))  # the words counted, and kept for the analyses
        document = replace(document, words=len(index.starts))
        with self.project.operation(f"import {name}"):
            self.project.put(document)
        keep_words(self.project, document, index)
        return ImportResult(document)

    def delete(self, document: Document) -> int:
        """Remove a document with its codings and memos; returns how many codings went."""
        state = self.project.state
        codings = list(state.codings_of(document.id).values())
        with self.project.operation(f"delete document {document.name}"):
            for coding in codings:
                self.project.codings.remove(coding)
            for memo in list(state.memos_by_target.get(document.id, {}).values()):
                self.project.delete(memo)
            self.project.delete(document)
        return len(codings)

    # -------------------------------------------------------------- attributes

    def set_attributes(self, document: Document, values: dict[str, str]) -> Document:
        """Set (or, with an empty value, remove) attributes such as case=P3."""
        attributes = dict(document.attributes)
        for key, value in values.items():
            key = _check_key(key)
            if value == "":
                attributes.pop(key, None)
            else:
                attributes[key] = str(value)
        updated = replace(document, attributes=attributes, modified=now())
        described = ", ".join(f"{k}={v}" for k, v in values.items())
        with self.project.operation(f"set {described} on {document.name}"):
            self.project.put(updated)
        return updated

    def case_named(self, name: str) -> str:
        """The case (a document's `case` attribute) spelt as the documents spell it, found
        ignoring case and spacing as attribute filters are: a memo on a case no document
        belongs to would be on nobody."""
        from store.attribute_values import same

        cases = sorted({str(d.attributes["case"]) for d in self.project.state.documents.values() if d.attributes.get("case")})
        for case in cases:
            if same(case, name):
                return case
        listed = ", ".join(cases[:20]) + (", ..." if len(cases) > 20 else "")
        hint = f"cases: {listed}" if cases else "no document has a case yet: `margin attrs set DOCUMENT case=NAME`"
        raise UnknownName(f"no case {name!r}; {hint}")

    def attribute_keys(self) -> list[str]:
        """Every attribute key in use, `case` first, then alphabetical."""
        keys = {k for d in self.project.state.documents.values() for k in d.attributes}
        return sorted(keys, key=lambda k: (k != "case", k))

    def _free_name(self, name: str) -> str:
        taken = {d.name for d in self.project.state.documents.values()}
        number = 2
        while f"{name} ({number})" in taken:
            number += 1
        return f"{name} ({number})"


def parse_assignment(text: str) -> tuple[str, str]:
    """`KEY=VALUE` from the command line."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise BadInput(f"attribute {text!r} is not KEY=VALUE (for example case=P3)")
    return _check_key(key), value.strip()


def _check_key(key: str) -> str:
    key = key.strip()
    if not key or any(ch in key for ch in "=\n\r\t") or not key.isprintable():
        raise BadInput(f"attribute name {key!r} is not usable; use letters, digits, - and _")
    return key


def _clean_name(name: str) -> str:
    cleaned = one_line(name)
    if not cleaned:
        raise BadInput("a document needs a name; pass --name")
    return cleaned


def _natural(name: str) -> list:
    return [(0, int(part), "") if part.isdecimal() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", name)]

