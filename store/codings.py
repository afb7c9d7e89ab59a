"""Codings: a code applied to a span of a document's text by a coder."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from store.attribute_values import holds
from store.clock import new_id, now
from store.errors import BadInput, NotFound, Refused
from store.model import Code, Coding, Document

if TYPE_CHECKING:
    from store.workspace import Workspace


class Codings:
    def __init__(self, project: Workspace):
        self.project = project

    # -------------------------------------------------------------- reading

    def for_document(self, document: Document) -> list[Coding]:
        found = self.project.state.codings_of(document.id).values()
        return sorted(found, key=_order)

    def at(self, document: Document, position: int) -> list[Coding]:
        """Codings whose span holds `position`, innermost first."""
        found = [c for c in self.for_document(document) if c.start <= position < c.end]
        return sorted(found, key=lambda c: c.end - c.start)

    def query(
        self,
        code: Code | None = None,
        with_subcodes: bool = True,
        documents: list[Document] | None = None,
        coder: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> list[Coding]:
        """Codings in document order, filtered by code (with sub-codes), documents, coder id
        and document attributes."""
        state = self.project.state
        if code is None:
            found = list(state.codings.values())
        else:
            codes = [code, *(self.project.codebook.descendants(code) if with_subcodes else [])]
            found = [c for x in codes for c in state.codings_by_code.get(x.id, {}).values()]
        if documents is not None:
            wanted = {d.id for d in documents}
            found = [c for c in found if c.document in wanted]
        if coder is not None:
            found = [c for c in found if c.coder == coder]
        if attributes:
            docs = state.documents
            found = [
                c for c in found if holds(docs[c.document].attributes, attributes)
            ]
        order = {d.id: i for i, d in enumerate(self.project.documents.all())}
        return sorted(found, key=lambda c: (order.get(c.document, 0), *_order(c)))

    # -------------------------------------------------------------- changing

    def apply(
        self, document: Document, code: Code, start: int, end: int, memo: str = "", coder: str | None = None
    ) -> Coding:
        """Code text[start:end] of `document`; refused if that exact coding exists."""
        coding = self._new(document, code, start, end, coder)
        if self._duplicate(coding):
            raise Refused(f"{document.name} {start}:{end} is already coded {self.project.codebook.path(code)}")
        with self.project.operation(f"code {document.name} {start}:{end} as {self.project.codebook.path(code)}"):
            self.project.put(coding)
            if memo:
                self.project.memos.add("coding", coding.id, memo)
        return coding

    def apply_new_code(self, document: Document, path: str, start: int, end: int) -> Coding:
        """Create the code at `path` and code text[start:end] with it: one undoable action."""
        with self.project.operation(f"code with new code {path}"):
            code = self.project.codebook.add(path)
            return self.apply(document, code, start, end)

    def apply_many(
        self, document: Document, code: Code, spans: list[tuple[int, int]], coder: str | None = None
    ) -> list[Coding]:
        """Auto-coding: code every span in one undoable action, skipping ones already coded."""
        made = []
        summary = f"auto-code {len(spans)} spans of {document.name} as {self.project.codebook.path(code)}"
        with self.project.operation(summary):
            for start, end in spans:
                coding = self._new(document, code, start, end, coder)
                if not self._duplicate(coding):
                    self.project.put(coding)
                    made.append(coding)
        return made

    def apply_across(
        self, code: Code | str, spans_by_document: dict[str, list[tuple[int, int]]], what: str = ""
    ) -> tuple[Code, int]:
        """Auto-coding across documents (document id -> spans) in one undoable action,
        skipping spans already coded. `code` may be the path of a code to create, made in
        the same action. Returns the code and how many codings were made."""
        total = sum(len(spans) for spans in spans_by_document.values())
        if not total:
            raise Refused("nothing to code: no passage matches")
        label = code if isinstance(code, str) else self.project.codebook.path(code)
        documents = len(spans_by_document)
        summary = f"auto-code {total} passages{f' of {what}' if what else ''} in {documents} document{'s' * (documents != 1)} as {label}"
        with self.project.operation(summary):
            if isinstance(code, str):
                code = self.project.codebook.ensure(code)
            made = sum(
                len(self.apply_many(self.project.state.documents[doc_id], code, spans))
                for doc_id, spans in spans_by_document.items()
            )
        return code, made

    def resize(self, coding: Coding, start: int, end: int) -> Coding:
        """Move a coding's boundaries."""
        document = self.project.state.documents[coding.document]
        text = self.project.text(document.id)
        _check_span(document, start, end)
        resized = replace(coding, start=start, end=end, text=text[start:end], modified=now())
        with self.project.operation(f"resize coding in {document.name} to {start}:{end}"):
            self.project.put(resized)
        return resized

    def mark_exemplar(self, coding: Coding, exemplar: bool | None = None) -> Coding:
        """Mark a coding as an exemplar of its code (None toggles): one undoable action."""
        state = self.project.state
        if coding.id not in state.codings:
            raise NotFound("that coding is no longer in the project (removed or its creation undone)")
        coding = state.codings[coding.id]
        wanted = not coding.exemplar if exemplar is None else exemplar
        if wanted == coding.exemplar:  # already so: nothing to log, nothing to undo
            return coding
        marked = replace(coding, exemplar=wanted, modified=now())
        document = state.documents[coding.document]
        what = "mark" if wanted else "unmark"
        path = self.project.codebook.path(state.codes[coding.code])
        with self.project.operation(f"{what} {document.name} {coding.start}:{coding.end} as an exemplar of {path}"):
            self.project.put(marked)
        return marked

    def uncode(self, coding: Coding) -> None:
        document = self.project.state.documents[coding.document]
        path = self.project.codebook.path(self.project.state.codes[coding.code])
        with self.project.operation(f"uncode {document.name} {coding.start}:{coding.end} ({path})"):
            self.remove(coding)

    def remove(self, coding: Coding) -> None:
        """Delete a coding and its memos inside the caller's operation."""
        for memo in list(self.project.state.memos_by_target.get(coding.id, {}).values()):
            self.project.delete(memo)
        self.project.delete(coding)

    def _new(self, document: Document, code: Code, start: int, end: int, coder: str | None) -> Coding:
        state = self.project.state
        if document.id not in state.documents or code.id not in state.codes:
            gone = f"document {document.name}" if document.id not in state.documents else f"code {code.name}"
            raise NotFound(f"the {gone} is no longer in the project (removed or its creation undone)")
        if not code.codable:
            raise Refused(f"{self.project.codebook.path(code)} is a category; code with one of its sub-codes")
        _check_span(document, start, end)
        text = self.project.text(document.id)
        stamp = now()
        return Coding(
            id=new_id(),
            document=document.id,
            code=code.id,
            start=start,
            end=end,
            text=text[start:end],
            coder=coder or self.project.coder.id,
            created=stamp,
            modified=stamp,
        )

    def _duplicate(self, coding: Coding) -> bool:
        return any(
            c.code == coding.code and c.start == coding.start and c.end == coding.end and c.coder == coding.coder
            for c in self.project.state.codings_of(coding.document).values()
        )


def _check_span(document: Document, start: int, end: int) -> None:
    if start >= end:
        raise BadInput(f"span {start}:{end} is empty or reversed; give START:END with START before END")
    if not 0 <= start < end <= document.length:
        raise BadInput(
            f"span {start}:{end} is outside {document.name}, which has characters 0 to {document.length}; "
            "give START < END within the text"
        )


def _order(coding: Coding) -> tuple[int, int, str]:
    return coding.start, coding.end, coding.id
