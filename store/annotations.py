"""Annotations: a note on a span of a document, with no code.

An annotation is a memo of kind "annotation" whose target is its document and which
holds the span (`Memo.start`, `Memo.end`, Margin's code points, end exclusive). It lives
in the memos table and the operation log like every memo, so it is listed, exported,
undone and merged with them; deleting its document deletes it. Adding, editing and
deleting one are one undoable action each (editing is `Memos.edit`, as for any memo).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.clock import new_id, now
from store.errors import BadInput
from store.model import Document, Memo

if TYPE_CHECKING:
    from store.workspace import Workspace

KIND = "annotation"


def annotate(project: Workspace, document: Document, start: int, end: int, text: str, title: str = "") -> Memo:
    """A new annotation on document[start:end]; one action."""
    project.memos.check_target(KIND, document.id)
    if not 0 <= start < end <= document.length:
        raise BadInput(f"an annotation needs a span inside {document.name!r} (0-{document.length}); not {start}-{end}")
    stamp = now()
    memo = Memo(new_id(), KIND, document.id, text, project.coder.id, title.strip(), stamp, stamp, start, end)
    project.memos.put_new(memo)
    return memo


def edit(project: Workspace, memo: Memo, text: str, amends: int | None = None) -> Memo:
    return project.memos.edit(memo, text, amends)


def delete(project: Workspace, memo: Memo) -> None:
    project.memos.delete(memo)


def of_document(project: Workspace, document_id: str) -> list[Memo]:
    """The document's annotations in reading order."""
    return sorted(project.memos.on(document_id, KIND), key=lambda m: (m.start, m.end, m.created))


def at(project: Workspace, document_id: str, position: int) -> list[Memo]:
    """The annotations whose span holds `position`, innermost (shortest) first."""
    found = [m for m in project.memos.on(document_id, KIND) if m.start <= position < m.end]
    return sorted(found, key=lambda m: (m.end - m.start, m.start))


def quote(project: Workspace, memo: Memo) -> str:
    """The annotated text."""
    return project.text(memo.target)[memo.start : memo.end]
