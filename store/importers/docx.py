"""Word .docx transcripts, read with python-docx (body paragraphs of word/document.xml only).

The stored text is the non-empty paragraphs in order, joined by blank lines, with labels kept as
written (`Speaker: text`). A paragraph opening with a bold run that ends in (or is followed by)
a colon is a turn of that speaker; other paragraphs are classified like plain-text lines
(`Speaker:<TAB>text`, timestamps). Headings, the Title style and paragraphs written wholly in
italics (stage directions) start no turn.
"""

import io
import zipfile
from dataclasses import dataclass

from docx import Document

from store.errors import BadInput
from store.importers.document import ParsedDocument
from store.importers.labels import clean_speaker, plausible, timestamp_at
from store.importers.plaintext import classify_row
from store.importers.turns import Kind, Line, build_turns, span_line
from store.patterns import later

MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # refuses zip bombs before python-docx inflates the XML
_COLON = later(r"[ \t]*:[ \t]*")
_SPACE = later(r"[ \t]*")


@dataclass(frozen=True, slots=True)
class _Paragraph:
    text: str
    style: str
    bold_lead: str  # text of the leading bold runs
    all_italic: bool


def parse_docx(data: bytes, name: str) -> ParsedDocument:
    """Parse the bytes of a .docx file; `name` is used in messages."""
    paragraphs, tables = _read(data, name)
    texts = [p.text for p in paragraphs]
    if not "".join(texts).strip():
        raise BadInput(f"{name} holds no text; choose a document that holds the transcript")
    lines: list[Line] = []
    offset = 0
    for paragraph in paragraphs:
        if lines:
            lines.append(Line(Kind.BLANK))
        lines.append(_classify(paragraph, offset))
        offset += len(paragraph.text) + 2
    turns, warnings = build_turns(lines)
    if tables:
        warnings += (f"{tables} table(s) in {name} were not imported; only paragraphs are read",)
    return ParsedDocument("\n\n".join(texts), tuple(turns), "docx", warnings)


def _read(data: bytes, name: str) -> tuple[list[_Paragraph], int]:
    # python-docx and zipfile raise many exception types on damaged files (BadZipFile, KeyError,
    # ValueError, lxml errors...); each means "not a usable .docx", so all become BadInput.
    try:
        _check_unpacked_size(data, name)
        document = Document(io.BytesIO(data))
        paragraphs = [_extract(p) for p in document.paragraphs]
        return [p for p in paragraphs if p.text.strip()], len(document.tables)
    except BadInput:
        raise
    except Exception as err:  # noqa: BLE001 - see comment above
        detail = (str(err).splitlines() or [type(err).__name__])[0][:120]
        raise BadInput(
            f"{name} is not a valid .docx file ({detail}); open it in Word or LibreOffice, "
            "save it as .docx and import again"
        ) from None


def _check_unpacked_size(data: bytes, name: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise BadInput(
                f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 1024 // 1024} MB; "
                "save the transcript as a smaller .docx or as plain text and import that"
            )


def _extract(paragraph) -> _Paragraph:
    text = paragraph.text.replace("\r\n", "\n").replace("\r", "\n")
    runs = [run for run in paragraph.runs if run.text.strip()]
    bold_lead = ""
    for run in paragraph.runs:
        if run.text and not run.bold:
            break
        bold_lead += run.text
    style = getattr(paragraph.style, "name", "") or ""
    return _Paragraph(text, style, bold_lead, bool(runs) and all(run.italic for run in runs))


def _classify(paragraph: _Paragraph, offset: int) -> Line:
    if paragraph.style.startswith("Heading") or paragraph.style == "Title":
        return span_line(Kind.BREAK, paragraph.text, offset)
    line = _bold_label(paragraph, offset)
    if line is not None:
        return line
    if paragraph.all_italic:
        return span_line(Kind.BREAK, paragraph.text, offset)
    return classify_row(paragraph.text, offset, para_start=True)


def _bold_label(paragraph: _Paragraph, offset: int) -> Line | None:
    """`**Name:** text` or `**Name** : text` written as a bold run, not as Markdown."""
    text, head = paragraph.text, paragraph.bold_lead.strip()
    lead = len(text) - len(text.lstrip())
    if not head or not text.startswith(head, lead):
        return None
    pos = lead + len(head)
    if not head.endswith(":"):
        colon = _COLON.match(text, pos)
        if colon is None:
            return None
        pos = colon.end()
    speaker = clean_speaker(head.rstrip(":"))
    if not plausible(speaker):
        return None
    line = span_line(Kind.BREAK, text, offset)
    line.kind, line.speaker, line.style, line.firm = Kind.LABEL, speaker, "bold", True
    content = _SPACE.match(text, pos).end()
    stamp = timestamp_at(text, content)
    if stamp is not None:
        line.time, content = stamp[0], _SPACE.match(text, stamp[1]).end()
    line.content = min(offset + content, line.end)
    return line
