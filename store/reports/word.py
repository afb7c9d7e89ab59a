"""A report as a Word file (python-docx): Heading 1 to 9 by the code's depth, so Word's
navigation pane shows the codebook tree; quotes in the Quote style with where they come
from; tables in Table Grid. Charts are left to the tables that hold their figures
(python-docx cannot place SVG)."""

from __future__ import annotations

import io
from pathlib import Path

from store.errors import BadInput
from store.reports.model import Quote, Report, Section, Table
from store.text import plural


def word(report: Report, reference: Path | None = None) -> bytes:
    document = _Fast(open_reference(reference))
    document.core_properties.title = report.title
    document.core_properties.author = "Margin"
    document.add_heading(report.title, level=0)
    meta = " · ".join(x for x in (report.project, report.created, report.scope) if x)
    document.add_paragraph(meta).runs[0].italic = True
    if report.intro:
        document.add_paragraph(report.intro)
    for table in report.tables:
        _table(document, table)
    if report.kind == "analysis":
        _summary(document, report.sections)
    else:
        for section in report.sections:
            _section(document, section, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def open_reference(reference: Path | None):
    """A new Word document with the styles of `reference` (python-docx's own without one)
    and none of its text: a group's reference.docx gives the look, as pandoc's does."""
    from docx import Document

    if reference is None:
        return Document()
    try:
        document = Document(str(reference))
    except Exception as exc:  # python-docx raises whatever its zip and XML readers do on a bad file
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise BadInput(f"{reference} is not a Word file Margin can use ({reason}); save it from Word as .docx or take it out of the folder") from None
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    return document


def _section(document, section: Section, report: Report) -> None:
    name = section.name + (" (category)" if section.category else "")
    document.add_heading(name, level=min(section.depth + 1, 9))
    if report.kind == "codebook":
        counts = f"{section.path} · {plural(section.codings, 'coding')} · {plural(section.participants, 'participant')}"
        document.add_paragraph(counts).runs[0].italic = True
    if section.definition:
        paragraph = document.add_paragraph()
        if report.kind == "participant":
            paragraph.add_run("What this code means: ").bold = True
        paragraph.add_run(section.definition)
    for memo in section.memos:
        _memo(document, memo)
    for quote in section.quotes:
        _quote(document, quote, report.kind != "participant")
    if section.left_out:
        document.add_paragraph(f"and {plural(section.left_out, 'more passage')}").runs[0].italic = True
    if report.questions:
        document.add_paragraph().add_run("Questions and comments").bold = True
        for _ in range(3):
            document.add_paragraph("_" * 60)


def _quote(document, quote: Quote, participant: bool) -> None:
    document.add_paragraph(f"“{quote.text}”", style=document.style("Quote"))
    where = [*(["★ exemplar"] if quote.exemplar else []), *([quote.participant] if participant else []), quote.document]
    where += [x for x in (quote.turn, quote.speaker) if x]
    document.add_paragraph(" · ".join(where)).runs[0].italic = True
    for memo in quote.memos:
        _memo(document, memo)


class _Fast:
    """The document with its styles looked up once, set by their ids: python-docx finds
    a style by name, and checks whether it is the default, by going over every style,
    which on each of the thousands of paragraphs of a big codebook took most of the time."""

    def __init__(self, document):
        self.document = document
        self.styles = {style.name: style for style in document.styles}

    def __getattr__(self, name):
        return getattr(self.document, name)

    def style(self, name: str):
        """The style called `name`, or None (the default) when a reference.docx lacks it."""
        return self.styles.get(name)

    def add_heading(self, text: str, level: int):
        style = self.style("Title" if level == 0 else f"Heading {level}")
        if style is None:
            return self.document.add_heading(text, level)
        return self.add_paragraph(text, style)

    def add_paragraph(self, text: str = "", style=None):
        paragraph = self.document.add_paragraph(text)
        if style is not None:
            paragraph._p.style = style.style_id  # what Paragraph.style's setter ends in
        return paragraph


def _memo(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run("Memo: ").bold = True
    paragraph.add_run(text)


def _table(document, table: Table) -> None:
    document.add_heading(table.title, level=1)
    if table.note:
        document.add_paragraph(table.note)
    if not table.rows:
        document.add_paragraph("Nothing to show.")
        return
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = document.style("Table Grid")
    for cell, text in zip(grid.rows[0].cells, table.header):
        cell.text = text
    for row in table.rows:
        for cell, text in zip(grid.add_row().cells, row):
            cell.text = text


def _summary(document, sections: tuple[Section, ...]) -> None:
    _table(
        document,
        Table(
            "Codebook",
            ("Code", "Codings", "Participants", "Definition"),
            tuple((s.path, str(s.codings), str(s.participants), s.definition) for s in sections),
        ),
    )
