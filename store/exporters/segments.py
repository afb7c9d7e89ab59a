"""The coded-segment table: one row per coding, in document order, for R, pandas or Excel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functools import cache

from store.matching import LineIndex
from store.model import Code, Coding, Document

if TYPE_CHECKING:
    from store.project import Project

COLUMNS = [
    "coding_id", "document", "case", "speaker", "turn", "start", "end", "line_start", "line_end",
    "code", "code_path", "coder", "created", "modified", "text", "memo", "exemplar",
]  # fmt: skip


def segment_rows(
    project: Project,
    code: Code | None = None,
    documents: list[Document] | None = None,
    coder: str | None = None,
    attributes: dict[str, str] | None = None,
    codings: list[Coding] | None = None,
) -> tuple[list[str], list[list]]:
    """Header and rows; the header ends with one `attr.<key>` column per attribute key.
    `codings` (e.g. what `margin find` retrieved) replaces the filters."""
    keys = project.documents.attribute_keys()
    if codings is None:
        codings = project.codings.query(code=code, documents=documents, coder=coder, attributes=attributes)
    lines = cache(lambda document_id: LineIndex(project.text(document_id)))
    paths = cache(lambda code_id: project.codebook.path(project.state.codes[code_id]))
    rows = [_row(project, coding, keys, lines(coding.document), paths(coding.code)) for coding in codings]
    return COLUMNS + [f"attr.{k}" for k in keys], rows


def _row(project: Project, coding: Coding, keys: list[str], lines: LineIndex, path: str) -> list:
    state = project.state
    document = state.documents[coding.document]
    turn = document.turn_at(coding.start)
    code = state.codes[coding.code]
    coder = state.coders.get(coding.coder)
    memos = project.memos.on(coding.id)
    return [
        coding.id,
        document.name,
        document.case,
        turn.speaker if turn else "",
        turn.index + 1 if turn else "",
        coding.start,
        coding.end,
        lines.line(coding.start),
        lines.line(coding.end - 1),
        code.name,
        path,
        coder.name if coder else coding.coder,
        coding.created,
        coding.modified,
        coding.text,
        "\n\n".join(m.text for m in memos),
        "yes" if coding.exemplar else "no",
        *(document.attributes.get(k, "") for k in keys),
    ]
