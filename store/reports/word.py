"""A report as a Word file (python-docx): Heading 1 to 9 by the code's depth, so Word's
navigation pane shows the codebook tree; quotes in the Quote style with where they come
from; tables in Table Grid. Charts are left to the tables that hold their figures
(python-docx cannot place SVG)."""

from __future__ import annotations

import io
from pathlib import Path

from store.errors import BadInput
from store.patterns import later
from store.reports.model import Quote, Report, Section, Table
from store.text import plural

_NOT_XML = later("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML (and so Word) cannot hold


def word(report: Report, reference: Path | None = None) -> bytes:
    document = _Fast(open_reference(reference))
    document.core_properties.title = report.title
    document.core_properties.author = "Margin"
    document.add_heading(report.title, level=0)
    meta = " · ".join(x for x in (report.project, report.created, report.scope) if x)
    add_run(document.add_paragraph(), meta, italic=True)
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
        add_run(document.add_paragraph(), counts, italic=True)
    if section.definition:
        paragraph = document.add_paragraph()
        if report.kind == "participant":
            add_run(paragraph, "What this code means: ", bold=True)
        add_run(paragraph, section.definition)
    for memo in section.memos:
        _memo(document, memo)
    for quote in section.quotes:
        _quote(document, quote, report.kind != "participant")
    if section.left_out:
        add_run(document.add_paragraph(), f"and {plural(section.left_out, 'more passage')}", italic=True)
    if report.questions:
        add_run(document.add_paragraph(), "Questions and comments", bold=True)
        for _ in range(3):
            document.add_paragraph("_" * 60)


def _quote(document, quote: Quote, participant: bool) -> None:
    document.add_paragraph(f"“{quote.text}”", style=document.style("Quote"))
    where = [*(["★ exemplar"] if quote.exemplar else []), *([quote.participant] if participant else []), quote.document]
    where += [x for x in (quote.turn, quote.speaker) if x]
    add_run(document.add_paragraph(), " · ".join(where), italic=True)
    for memo in quote.memos:
        _memo(document, memo)


class _Fast:
    """The document with its styles looked up once, set by their ids: python-docx finds
    a style by name, and checks whether it is the default, by going over every style,
    which on each of the thousands of paragraphs of a big codebook took most of the time."""

    def __init__(self, document):
        self.document = document
        self.styles = {style.name: style for style in document.styles}
        ends = document.element.body.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sectPr")
        self._end = ends[-1] if ends else None

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
        """A paragraph at the end of the body. python-docx finds the place by searching the
        body's children for every paragraph, which grows with the document; the end (just
        before the section settings) is kept here instead."""
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        element = OxmlElement("w:p")
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self.document.element.body.append(element)
        paragraph = Paragraph(element, self.document._body)
        if style is not None:  # what Paragraph.style's setter ends in, without its search for the place
            element.append(_with(OxmlElement("w:pPr"), _with(OxmlElement("w:pStyle"), val=style.style_id)))
        if text:
            add_run(paragraph, text)
        return paragraph


def add_run(paragraph, text: str, bold: bool = False, italic: bool = False):
    """A run of `text` (its line breaks as Word's) at the end of `paragraph`; python-docx's
    own builds it a character at a time, and its bold and italic search for their place."""
    from docx.oxml import OxmlElement
    from docx.text.run import Run

    run = OxmlElement("w:r")
    if bold or italic:
        run.append(_with(OxmlElement("w:rPr"), *([OxmlElement("w:b")] if bold else []), *([OxmlElement("w:i")] if italic else [])))
    for n, line in enumerate(text.split("\n")):
        if n:
            run.append(OxmlElement("w:br"))
        if line:
            t = OxmlElement("w:t")
            t.text = _NOT_XML.sub("\ufffd", line)
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.append(t)
    paragraph._p.append(run)
    return Run(run, paragraph)


def _with(element, *children, val: str | None = None):
    """`element` holding `children` (and a w:val attribute)."""
    from docx.oxml.ns import qn

    for child in children:
        element.append(child)
    if val is not None:
        element.set(qn("w:val"), val)
    return element


def _memo(document, text: str) -> None:
    paragraph = document.add_paragraph()
    add_run(paragraph, "Memo: ", bold=True)
    add_run(paragraph, text)


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
