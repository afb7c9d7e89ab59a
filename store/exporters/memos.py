"""Memos and journal entries as a table. Annotations also fill `start`, `end` (code
points of the stored text, end exclusive) and `passage`, the text they are on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.model import Memo

if TYPE_CHECKING:
    from store.project import Project

COLUMNS = ["memo_id", "kind", "about", "title", "author", "created", "modified", "text", "start", "end", "passage"]


def memo_rows(project: Project) -> tuple[list[str], list[list]]:
    rows = [
        [m.id, m.kind, describe_target(project, m), m.title, author_name(project, m), m.created, m.modified, m.text, *_span(project, m)]
        for m in project.memos.all()
    ]
    return COLUMNS, rows


def _span(project: Project, memo: Memo) -> list:
    if memo.kind != "annotation" or memo.target not in project.state.documents:
        return ["", "", ""]
    return [memo.start, memo.end, project.text(memo.target)[memo.start : memo.end]]


def describe_target(project: Project, memo: Memo) -> str:
    """What a memo is about, in words: a document name, a code path or a coded passage."""
    state = project.state
    if memo.kind == "document" and memo.target in state.documents:
        return state.documents[memo.target].name
    if memo.kind == "code" and memo.target in state.codes:
        return project.codebook.path(state.codes[memo.target])
    if memo.kind == "coding" and memo.target in state.codings:
        coding = state.codings[memo.target]
        document = state.documents[coding.document].name
        return f"{document} {coding.start}:{coding.end} {project.codebook.path(state.codes[coding.code])}"
    if memo.kind == "annotation" and memo.target in state.documents:
        return f"{state.documents[memo.target].name} {memo.start}:{memo.end}"
    if memo.kind in ("case", "attribute"):
        return f"{memo.kind} {memo.target}"
    return project.name if memo.kind == "project" else ""


def author_name(project: Project, memo: Memo) -> str:
    coder = project.state.coders.get(memo.author)
    return coder.name if coder else memo.author
