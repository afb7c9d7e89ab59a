"""The coded-segment table: one row per coding, in document order, for R, pandas or Excel.

At 200,000 codings every per-row cost counts: what a row needs from its document (turn
ends, line starts, attributes) and its code (path) is looked up once per document and
code, turns and lines by C-level bisection, memos from the state's index by target.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

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
    row = _row_maker(project, keys)
    return COLUMNS + [f"attr.{k}" for k in keys], [row(coding) for coding in codings]


class _DocumentFacts:
    """What every row of one document repeats: name, case, turns, line starts, attribute cells."""

    def __init__(self, project: Project, document: Document, keys: list[str]):
        self.name, self.case, self.turns = document.name, document.case, document.turns
        self.ends = [turn.end for turn in document.turns]
        self.lines = LineIndex(project.text(document.id)).starts
        self.attributes = [document.attributes.get(k, "") for k in keys]

    def turn(self, position: int) -> tuple[str, int | str]:
        """Speaker and 1-based number of the turn holding `position` (as `Document.turn_at`)."""
        if not self.turns:
            return "", ""
        turn = self.turns[min(bisect_right(self.ends, position), len(self.turns) - 1)]
        return turn.speaker, turn.index + 1


def _row_maker(project: Project, keys: list[str]) -> Callable[[Coding], list]:
    state = project.state
    facts = cache(lambda document_id: _DocumentFacts(project, state.documents[document_id], keys))
    codes = cache(lambda code_id: (state.codes[code_id].name, project.codebook.path(state.codes[code_id])))
    coders = {coder.id: coder.name for coder in state.coders.values()}
    memos = state.memos_by_target

    def row(coding: Coding) -> list:
        document = facts(coding.document)
        speaker, turn = document.turn(coding.start)
        on = memos.get(coding.id)
        return [
            coding.id,
            document.name,
            document.case,
            speaker,
            turn,
            coding.start,
            coding.end,
            bisect_right(document.lines, coding.start),
            bisect_right(document.lines, coding.end - 1),
            *codes(coding.code),
            coders.get(coding.coder, coding.coder),
            coding.created,
            coding.modified,
            coding.text,
            "\n\n".join(m.text for m in sorted(on.values(), key=_created)) if on else "",
            "yes" if coding.exemplar else "no",
            *document.attributes,
        ]

    return row


def annotation_rows(project: Project, documents: list[Document] | None = None) -> list[list]:
    """`export csv --annotations`: one row per annotation in the table's columns, with no
    code (code and code_path empty), its author as coder, its passage as text and its note
    as memo; exemplar "no"."""
    keys = project.documents.attribute_keys()
    state = project.state
    wanted = {d.id for d in documents} if documents else None
    facts = cache(lambda document_id: _DocumentFacts(project, state.documents[document_id], keys))
    rows = []
    for memo in project.memos.all():
        if memo.kind != "annotation" or memo.target not in state.documents or (wanted and memo.target not in wanted):
            continue
        document = facts(memo.target)
        speaker, turn = document.turn(memo.start)
        coder = state.coders.get(memo.author)
        rows.append([
            memo.id, document.name, document.case, speaker, turn, memo.start, memo.end,
            bisect_right(document.lines, memo.start), bisect_right(document.lines, memo.end - 1), "", "",
            coder.name if coder else memo.author, memo.created, memo.modified,
            project.text(memo.target)[memo.start : memo.end], memo.text, "no", *document.attributes,
        ])  # fmt: skip
    return rows


def _created(memo) -> str:
    return memo.created
