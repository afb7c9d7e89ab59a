"""Reading a written report back as a reader would: the text of each format, the Word
file's headings, and a check that no project text is left out."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path


def text_of(path: Path) -> str:
    """What a person reading the file sees, white space made single spaces."""
    data = path.read_bytes()
    if path.suffix == ".docx":
        document = _docx(data)
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        text = "\n".join(parts)
    elif path.suffix == ".html":
        body = data.decode("utf-8")
        body = re.sub(r"<style.*?</style>", " ", body, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    else:
        text = re.sub(r"(?m)^>[ ]?", "", data.decode("utf-8"))  # block quotes' marks, not seen when rendered
        text = re.sub(r"\\(.)", r"\1", text)  # Markdown's escapes
    return " ".join(text.split())


def headings(path: Path) -> list[tuple[int, str]]:
    """The Word file's headings as (level, text), in order; the title is level 0."""
    document = _docx(path.read_bytes())
    found = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name
        if name == "Title":
            found.append((0, paragraph.text))
        elif name.startswith("Heading "):
            found.append((int(name.split()[1]), paragraph.text))
    return found


def normal(text: str) -> str:
    return " ".join(text.split())


def _docx(data: bytes):
    from docx import Document

    return Document(io.BytesIO(data))
