"""Reading untrusted files safely: bounded zip members, and XML without entity tricks.

Nothing is extracted to disk, so no zip entry can land outside a folder; entries whose
names try to (absolute paths, `..`) are still refused, as such a file was made to attack.
Sizes are checked against the zip's directory before any member is read, and zipfile
refuses a member that inflates past its declared size (CRC and length checks).
"""

from __future__ import annotations

import codecs
import lzma
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from xml.parsers import expat

from store.errors import BadInput
from store.patterns import later

MAX_MEMBER = 512 << 20  # one project.qde or source text
MAX_TOTAL = 2 << 30  # everything in the archive together
MAX_RATIO = 200  # deflate rarely beats 20:1 on text; bombs reach 1000:1


CHUNK = 1 << 20  # bytes read and parsed at a time
UNREADABLE = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, NotImplementedError, RuntimeError, ValueError)


class Archive:
    """A .qdpx opened for reading, its members looked up case-insensitively."""

    def __init__(self, path, label: str):
        self.label = label
        try:
            self._zip = zipfile.ZipFile(path)
        except UNREADABLE as exc:  # a damaged central directory may name a zip version zipfile lacks (NotImplementedError)
            raise BadInput(f"{label} is not a .qdpx file (not a readable zip archive: {exc})") from None
        self._check_members()
        self.names = {info.filename.casefold(): info for info in self._zip.infolist() if not info.is_dir()}

    def _check_members(self) -> None:
        total = 0
        for info in self._zip.infolist():
            path = PurePosixPath(info.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts or ":" in info.filename:
                raise BadInput(f"{self.label} holds an entry that escapes its folder ({info.filename!r}); refusing it")
            _check_method(info, self.label)
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > MAX_TOTAL or info.file_size > MAX_MEMBER or (ratio > MAX_RATIO and info.file_size > 1 << 20):
                raise BadInput(
                    f"{self.label} expands to more than a project can hold ({info.filename!r} is "
                    f"{info.file_size / 1048576:.0f} MB unpacked); refusing it as a possible zip bomb"
                )

    def find(self, name: str) -> str | None:
        """The stored name of a member, matched ignoring case."""
        info = self.names.get(name.casefold())
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except UNREADABLE as exc:
            raise BadInput(f"{self.label} is damaged: {name} cannot be read ({exc})") from None

    def chunks(self, name: str) -> Iterator[bytes]:
        """The member's bytes a piece at a time (a project.qde of 200,000 codings is 120 MB)."""
        try:
            with self._zip.open(name) as member:
                while chunk := member.read(CHUNK):
                    yield chunk
        except UNREADABLE as exc:
            raise BadInput(f"{self.label} is damaged: {name} cannot be read ({exc})") from None

    def close(self) -> None:
        self._zip.close()


METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "Deflate", zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}
OTHER_METHODS = {9: "Deflate64", 6: "Implode", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "AES encryption"}


def _check_method(info: zipfile.ZipInfo, label: str) -> None:
    """Refuse, by name, a member Python's zipfile cannot unpack (it would raise NotImplementedError)."""
    if info.flag_bits & 0x1:
        raise BadInput(f"{label} is encrypted ({info.filename!r} needs a password); export it again without a password")
    if info.compress_type not in METHODS:
        method = OTHER_METHODS.get(info.compress_type, f"method {info.compress_type}")
        raise BadInput(
            f"{label} packs {info.filename!r} with {method} compression, which Margin cannot unpack; "
            "re-zip it with ordinary Deflate (for example `zip -r new.qdpx .` in the unpacked folder)"
        )


def parse_events(data: bytes | Iterable[bytes], label: str, target):
    """Feed XML to a parser target (`start(tag, attrs)`, `data`, `end(tag)`, `close()`)
    and return what `close()` returns. Tags arrive as `namespace}Name`.

    `data` may come in pieces: a UTF-8 document is parsed as it arrives, never held whole
    (any other encoding is gathered and transcoded first).

    Any DTD is refused, as defusedxml's `forbid_dtd` does: without one a document can
    declare no entities, so neither external entities (XXE) nor expansion bombs can occur.
    Expat is driven directly because ElementTree's Python wrapper costs a third of the
    time on a 30 MB project.
    """
    pieces = iter([data] if isinstance(data, bytes) else data)
    head = b""
    for piece in pieces:  # enough of the start to tell the encoding by
        head += piece
        if len(head) >= 1024:
            break
    encoding, skip = _encoding(head, label)
    if encoding != "utf-8" or skip:  # (a UTF-8 byte order mark: checked strictly, as the others are)
        pieces, head, skip = iter(()), _transcode(head[skip:] + b"".join(pieces), encoding, label), 0
    parser = expat.ParserCreate(encoding="utf-8", namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.buffer_text = True
    parser.StartElementHandler = target.start
    parser.EndElementHandler = target.end
    parser.CharacterDataHandler = target.data
    if hasattr(target, "bind"):  # a target that turns the text handler on only where it keeps text
        target.bind(parser)
    # a target may read some of the bytes itself (store/refi/scan.py), giving the parser the rest
    feed = target.feeder(parser.Parse) if hasattr(target, "feeder") else lambda piece: parser.Parse(piece, False)
    try:
        feed(head[skip:])
        for piece in pieces:
            feed(piece)
        parser.Parse(b"", True)
    except _Refused:
        raise BadInput(
            f"{label} declares a DTD or entities; REFI-QDA files never need them, so it is refused for safety"
        ) from None
    except expat.ExpatError as exc:
        raise BadInput(f"{label} is not well-formed XML ({exc})") from None
    return target.close()


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM begins it
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UNMARKED = ((b"<\0\0\0", "utf-32-le"), (b"\0\0\0<", "utf-32-be"), (b"<\0?\0", "utf-16-le"), (b"\0<\0?", "utf-16-be"))
_DECLARED = later(rb"""<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


def _encoding(head: bytes, label: str) -> tuple[str, int]:
    """The encoding a document starting with `head` is written in, and the length of its
    byte order mark.

    XML may be written in UTF-16 or UTF-32 (told by a byte order mark or by how `<?xml`
    is spelled, XML 1.0 appendix F) or in any encoding its declaration names. Expat
    itself reads only the single-byte ones, and raises ValueError or LookupError for the
    rest, so such a file is decoded first; an unknown name or undecodable bytes are refused."""
    for start, encoding in _BOMS:
        if head.startswith(start):
            return encoding, len(start)
    for start, encoding in _UNMARKED:
        if head.startswith(start):
            return encoding, 0
    declared = _DECLARED.match(head, 0, 1024)
    name = declared[1].decode("ascii", "replace").strip() if declared else "utf-8"
    try:
        encoding = codecs.lookup(name).name
    except LookupError:
        raise BadInput(f"{label} declares the text encoding {name!r}, which is unknown; save it as UTF-8") from None
    if encoding.startswith(("utf-16", "utf-32")):
        raise BadInput(f"{label} declares the text encoding {name!r} but is not written in it; save it as UTF-8")
    return encoding, 0


def _transcode(data: bytes, encoding: str, label: str) -> bytes:
    try:
        return data.decode(encoding).encode("utf-8")
    except LookupError:  # a codec that is not a text encoding, such as base64
        raise BadInput(f"{label} declares {encoding!r}, which is not a text encoding; save it as UTF-8") from None
    except (UnicodeError, ValueError) as exc:
        where = f" (byte {exc.start})" if isinstance(exc, UnicodeDecodeError) else ""
        raise BadInput(f"{label} is not valid {encoding} text{where}; save it as UTF-8") from None


class _Refused(Exception):
    pass


def _refuse_dtd(*_details) -> None:
    raise _Refused
