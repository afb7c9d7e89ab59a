"""Hostile input files, made by the tests themselves (nothing here is committed as data).

`contents()` gives name -> bytes for the text importers; each is tried under every text
suffix. `big_files()` writes the two large ones (a 100 MB single line, 100,000 one-word
turns) into a folder. `docx_files()` gives broken and hostile Word files. `refi_files()`
gives a zip-slip .qdpx and XML entity attacks for `margin init --from`.
"""

from __future__ import annotations

import io
import random
import zipfile
from functools import cache
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".md", ".rst", ".vtt", ".srt")
EMOJI = "Nurse: I felt 👩🏽‍⚕️ was me, a café 🇬🇧 moment, e\u0301 and n\u0303\n\nDoctor: yes 😀 indeed\n"
RTL = "Interviewer: שלום, how are you?\n\nParticipant: مرحبا بكم \u202eevil\u202c fine 123\n"
CONTROL = "\x1b[31mRed\x1b[0m: hello \x1b]0;pwned\x07 there\n\n\x07Bell\x08: ring \x9b31m ring\n"


@cache
def contents() -> dict[str, bytes]:
    rng = random.Random(5)
    return {
        "empty": b"",
        "only-space": b"  \n\t\n  ",
        "binary": bytes(rng.randrange(256) for _ in range(4096)),
        "nul-bytes": b"A: hello\x00world\n\nB: more\x00\x00 text\n",
        "invalid-utf8": b"A: caf\xe9 au lait\n\nB: \xff\xfe broken\n",
        "truncated-utf8": "A: emoji 😀".encode()[:-2],
        "utf16-bom": "A: héllo 👋\n\nB: ok\n".encode("utf-16"),
        "utf16le-no-bom": "A: hello there\n\nB: fine thanks\n".encode("utf-16-le"),
        "utf16be-no-bom": "A: hello there\n\nB: fine thanks\n".encode("utf-16-be"),
        "utf16-bom-nul-text": "\ufeff".encode("utf-16-le") + b"\x00\x00" * 20,
        "mixed-endings": b"A: one\r\nB: two\rA: three\nB: four\r\n\r\nA: five",
        "emoji-combining": EMOJI.encode(),
        "right-to-left": RTL.encode(),
        "control-characters": CONTROL.encode(),
        "bom-only": b"\xef\xbb\xbf",
        "long-speaker": ("A" * 5000 + ": hello\n").encode(),
        "no-speakers": b"just words with no speaker labels at all\n",
        "vtt-garbage": b"WEBVTT\n\n99:99:99.999 --> aa:bb\nhello\n\n-->\n",
        "srt-garbage": b"1\n00:00:01,000 --> 00:00:00,000\nbackwards\n\nx\n--> -->\n",
    }


def big_files(folder: Path) -> dict[str, Path]:
    """The large ones, written to `folder` (a tmp folder: 100 MB must never be committed)."""
    folder.mkdir(parents=True, exist_ok=True)
    line = folder / "one-100mb-line.txt"
    with open(line, "wb") as handle:
        handle.write(b"A: ")
        for _ in range(100):
            handle.write(b"w" * (1 << 20))
    turns = folder / "100000-turns.txt"
    turns.write_text("".join(f"{'AB'[n % 2]}: w{n}\n" for n in range(100_000)))
    return {"100 MB single line": line, "100,000 one-word turns": turns}


@cache
def docx_files() -> dict[str, bytes]:
    """Word files: broken containers, and real ones whose document.xml is hostile."""
    return {
        "not-a-zip": b"PK\x03\x04 this is not really a zip",
        "zip-without-document": _zip({"hello.txt": b"hi"}),
        "garbled-document-xml": _real_docx(b"<w:document><w:body><w:p>unclosed"),
        "xxe-document-xml": _real_docx(XXE_DOCX),
        "billion-laughs-document-xml": _real_docx(LAUGHS),
        "zip-bomb": _real_docx(b"<" + b" " * (200 << 20)),
    }


@cache
def _blank_docx() -> dict[str, bytes]:
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Interviewer: hello")
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _real_docx(document_xml: bytes) -> bytes:
    return _zip({**_blank_docx(), "word/document.xml": document_xml})


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project name="x" xmlns="urn:QDA-XML:project:1.0"><Description>&xxe;</Description></Project>"""

XXE_DOCX = b"""<?xml version="1.0"?>
<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Interviewer: &xxe;</w:t></w:r></w:p></w:body></w:document>"""
SECRET = "root:x:0:0"  # the first line of /etc/passwd: it must never end up in a project


def _laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(entities)}]>'
        '<Project name="x" xmlns="urn:QDA-XML:project:1.0"><Description>&lol9;</Description></Project>'
    ).encode()


LAUGHS = _laughs()


@cache
def refi_files() -> dict[str, bytes]:
    """Archives and XML for `margin init --from`: zip slip, entity attacks, a zip bomb."""
    return {
        "zip-slip.qdpx": _zip({"project.qde": b"<Project/>", "../../escaped.txt": b"owned", "/abs/escaped.txt": b"owned"}),
        "xxe.qde": XXE,
        "billion-laughs.qde": LAUGHS,
        "zip-bomb.qdpx": _zip({"project.qde": b"<" + b" " * (200 << 20)}),
        "empty.qdpx": b"",
    }
