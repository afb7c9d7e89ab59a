"""Transcript importers: pure parsing of a file into text and speaker turns (no storage, no UI).

`parse_file` picks the format from the file suffix; `parse_text` parses already-decoded text.
Every problem with the input is raised as `BadInput` with a one-line message saying what failed
and what to do. `.rst` files are read as plain text and reported as format "txt".
"""

import os
from pathlib import Path

from store.errors import BadInput
from store.importers.decode import MAX_BYTES, check_size, decode_bytes, normalise_newlines
from store.importers.document import ParsedDocument, ParsedTurn
from store.importers.plaintext import parse_plain

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "ParsedDocument",
    "ParsedTurn",
    "decode_bytes",
    "parse_file",
    "parse_text",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".rst", ".docx", ".vtt", ".srt")
_SUFFIX_FORMATS = {".txt": "txt", ".md": "md", ".rst": "txt", ".docx": "docx", ".vtt": "vtt", ".srt": "srt"}
_TEXT_FORMATS = {"txt": "txt", "md": "md", "rst": "txt", "vtt": "vtt", "srt": "srt"}


FORMATS = ("txt", "md", "rst", "docx", "vtt", "srt")


def parse_file(path: str | os.PathLike, format: str | None = None) -> ParsedDocument:
    """Read and parse a transcript file; the format follows the suffix (case-insensitive)
    unless `format` names one (for files without a suffix, such as NASA's transcripts)."""
    path = Path(path)
    fmt = _format_of(path, format)
    data = _read(path)
    if fmt == "docx":
        from store.importers.docx import parse_docx  # here: python-docx and lxml cost a plain-text import 0.1 s

        return _require_turns(parse_docx(data, path.name), path.name)
    return _parse_decoded(decode_bytes(data, path.name), fmt, path.name)


def parse_text(text: str, format: str = "txt") -> ParsedDocument:
    """Parse decoded text as "txt", "md", "rst", "vtt" or "srt"; a BOM and CR/CRLF are normalised."""
    fmt = _TEXT_FORMATS.get(format.lower().lstrip("."))
    if fmt is None:
        raise BadInput(
            f"cannot parse text as '{format}'; use one of {', '.join(sorted(_TEXT_FORMATS))} "
            "(a .docx must be imported as a file)"
        )
    if not text.strip():
        raise BadInput("the text is empty; paste or choose the transcript text and import again")
    return _parse_decoded(text, fmt, "the text")


def _parse_decoded(text: str, fmt: str, name: str) -> ParsedDocument:
    text = normalise_newlines(text)
    if fmt in ("vtt", "srt"):
        from store.importers.captions import parse_captions  # here, as parse_docx: webvtt and srt

        return parse_captions(text, fmt, name)
    return _require_turns(parse_plain(text, fmt), name)


def _require_turns(document: ParsedDocument, name: str) -> ParsedDocument:
    if not document.turns:
        raise BadInput(
            f"{name} has no transcript text, only headings or notes; choose the file that holds the transcript"
        )
    return document


def _format_of(path: Path, forced: str | None) -> str:
    if not path.exists():
        raise BadInput(f"{path} does not exist; check the path and import again")
    if path.is_dir():
        raise BadInput(f"{path} is a folder, not a file; choose a transcript file inside it")
    if not path.is_file():
        raise BadInput(f"{path} is not a regular file; choose a transcript file")
    if forced is not None:
        fmt = _SUFFIX_FORMATS.get(f".{forced.lower().lstrip('.')}")
        if fmt is None:
            raise BadInput(f"unknown format '{forced}'; use one of {', '.join(FORMATS)}")
        return fmt
    fmt = _SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        kind = f"'{path.suffix}'" if path.suffix else "with no suffix"
        raise BadInput(
            f"{path.name} is a file type Margin cannot import ({kind}); "
            f"import one of {', '.join(SUPPORTED_SUFFIXES)}, or say which it is with --format txt"
        )
    return fmt


def _read(path: Path) -> bytes:
    try:
        check_size(path.stat().st_size, path.name)
        return path.read_bytes()
    except OSError as err:
        raise BadInput(
            f"{path.name} could not be read ({err.strerror or err}); check its permissions and import again"
        ) from None
