"""The coded-segment table: one row per coding, in document order, for R, pandas or Excel.

At 200,000 codings every per-row cost counts: what a row needs from its document (turn
ends, line starts, attributes) and its code (path) is looked up once per document and
code, turns and lines by C-level bisection, memos from the state's index by target.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from functools import cache
from itertools import repeat
from operator import attrgetter, sub
from typing import TYPE_CHECKING

from store.attribute_values import holds
from store.exporters import document_codings
from store.exporters.tabular import _QUOTED, _notable, csv_field, to_csv
from store.matching import LineIndex
from store.model import Code, Coding, Document
from store.patterns import later

if TYPE_CHECKING:
    from store.project import Project

ID, CODE, CODER, START, END, CREATED, MODIFIED, TEXT, EXEMPLAR = map(
    attrgetter, ("id", "code", "coder", "start", "end", "created", "modified", "text", "exemplar")
)
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


class SegmentsCsv:
    """The segment table as CSV text in UTF-8, one document at a time: exactly
    `to_csv(*segment_rows(...), safe, bom)` (tests/test_export_speed.py holds it to that),
    without building a row list, a table of columns or the whole text. What a row repeats
    (document, turn, code, coder, attribute cells) is formatted once; a document's ids and
    stamps are checked by one scan and go in as they are when nothing needs quoting.
    Iterate it for the pieces; `rows` then counts the codings written."""

    def __init__(self, project: Project, code: Code | None = None, documents: list[Document] | None = None,
                 coder: str | None = None, attributes: dict[str, str] | None = None, safe: bool = True, bom: bool = False):  # fmt: skip
        self.project, self.coder, self.attributes, self.safe, self.bom = project, coder, attributes or {}, safe, bom
        self.codes = None if code is None else {c.id for c in (code, *project.codebook.descendants(code))}
        self.documents = None if documents is None else {d.id for d in documents}
        self.keys = project.documents.attribute_keys()
        self.rows = 0

    def __iter__(self):
        yield to_csv(COLUMNS + [f"attr.{k}" for k in self.keys], [], bom=self.bom).encode()
        field, safe, state = csv_field, self.safe, self.project.state
        codes = _Cells(lambda code_id: f"{field(state.codes[code_id].name, safe)},{field(self.project.codebook.path(state.codes[code_id]), safe)}")
        coders = {c.id: c.name for c in state.coders.values()}
        coder_cells = _Cells(lambda coder_id: field(coders.get(coder_id, coder_id), safe))
        codings_of = document_codings.reader(self.project)
        for document in self.project.documents.all():
            if self._wanted(document):
                codings = codings_of(document)
                if self.codes is not None or self.coder is not None:
                    kept = self._kept
                    codings = codings.where(kept) if isinstance(codings, document_codings.FromFiles) else [*filter(kept, codings)]
                if codings:
                    self.rows += len(codings)
                    yield self._document(document, codings, codes, coder_cells)

    def _wanted(self, document: Document) -> bool:
        if self.documents is not None and document.id not in self.documents:
            return False
        return holds(document.attributes, self.attributes)

    def _kept(self, coding: Coding) -> bool:
        return (self.codes is None or coding.code in self.codes) and (self.coder is None or coding.coder == self.coder)

    def _document(self, document: Document, codings: list[Coding], codes: _Cells, coders: _Cells) -> bytes:
        """One document's rows (its codings in order), as UTF-8: a column per part, each
        made by C-level maps over the codings, each row made by one `bytes %` over its
        parts (formatting text of four-byte characters as `str` was twice as slow). Ids,
        times and texts go in as they are when one scan of each column finds nothing to
        guard or quote."""
        field, safe, memos = csv_field, self.safe, self.project.state.memos_by_target
        head = f",{field(document.name, safe)},{field(document.case, safe)},"
        tail = "".join("," + field(document.attributes.get(k, ""), safe) for k in self.keys) + "\r\n"
        turns = [f"{field(t.speaker, safe)},{t.index + 1}".encode() for t in document.turns] or [b","]
        ends_of_turns, lines = [t.end for t in document.turns], LineIndex(self.project.text(document.id)).starts
        ids = list(map(ID, codings))
        if isinstance(codings, document_codings.FromFiles):  # UTF-8 already, no escapes
            created, modified, texts = (_raw_cells(codings.column(field), safe) for field in ("created", "modified", "text"))
        else:
            created, modified, texts = (_cells(list(map(f, codings)), safe) for f in (CREATED, MODIFIED, TEXT))
        if not _plain(ids, safe):
            ids = [field(v, safe) for v in ids]
        starts, ends = list(map(START, codings)), list(map(END, codings))
        turn_numbers = map(min, map(bisect_right, repeat(ends_of_turns), starts), repeat(len(turns) - 1))
        with_memos = memos.keys() & set(ids)
        memo_cells = [self._memo(memos[i]).encode() if i in with_memos else b"" for i in ids] if with_memos else repeat(b"")
        parts = zip(
            map(str.encode, ids), map(turns.__getitem__, turn_numbers), starts, ends,
            map(bisect_right, repeat(lines), starts), map(bisect_right, repeat(lines), map(sub, ends, repeat(1))),
            map(codes.__getitem__, map(CODE, codings)), map(coders.__getitem__, map(CODER, codings)),
            created, modified, texts, memo_cells,
            map((b"no", b"yes").__getitem__, map(EXEMPLAR, codings)),
        )  # fmt: skip
        template = "%s" + head.replace("%", "%%") + "%s,%d,%d,%d,%d,%s,%s,%s,%s,%s,%s,%s" + tail.replace("%", "%%")
        return b"".join(map(template.encode().__mod__, parts))

    def _memo(self, on: dict) -> str:
        """The memo cell: a coding's memos joined, oldest first."""
        return csv_field("\n\n".join(m.text for m in sorted(on.values(), key=_created)), self.safe) if on else ""


class _Cells(dict):
    """Formatted cells by key, each made once, on first use, as UTF-8."""

    def __init__(self, make: Callable[[str], str]):
        super().__init__()
        self.make = make

    def __missing__(self, key: str) -> bytes:
        value = self[key] = self.make(key).encode()
        return value


def _cells(values: list[str], safe: bool) -> list[bytes]:
    """A column of text as CSV cells in UTF-8: as it is when one scan finds nothing to
    guard or quote, else cell by cell."""
    cells = values if _plain(values, safe) else [csv_field(v, safe) for v in values]
    return list(map(str.encode, cells))


def _raw_cells(values: list[bytes], safe: bool) -> list[bytes]:
    """`_cells` of text read raw from the codings files (document_codings.FromFiles): UTF-8
    holding no quote, CR, LF or tab (JSON escapes them), so only a comma needs quoting and
    only = + - @ start a formula; the column goes as it is when a few scans find neither."""
    joined = b"\x00".join(values)
    if b"," not in joined and not (safe and (joined.startswith(_RAW_STARTS) or _RAW_START.search(joined))):
        return values
    return _cells(joined.decode("utf-8").split("\x00"), safe)


_RAW_STARTS = (b"=", b"+", b"-", b"@")
_RAW_START = later(rb"\x00[=+\-@]")


def _plain(values: list, safe: bool) -> bool:
    """Whether every value is text that goes into CSV as it is (one join, a few scans)."""
    try:
        joined = "\x00".join(values)
    except TypeError:
        return False
    return not (_notable(joined) if safe else _QUOTED.search(joined))
