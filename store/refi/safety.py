"""Reading untrusted files safely: bounded zip members, and XML without entity tricks.

Nothing is extracted to disk, so no zip entry can land outside a folder; entries whose
names try to (absolute paths, `..`) are still refused, as such a file was made to attack.
Sizes are checked against the zip's directory before any member is read, and zipfile
refuses a member that inflates past its declared size (CRC and length checks).
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import PurePosixPath
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from store.errors import BadInput

MAX_MEMBER = 512 << 20  # one project.qde or source text
MAX_TOTAL = 2 << 30  # everything in the archive together
MAX_RATIO = 200  # deflate rarely beats 20:1 on text; bombs reach 1000:1


class Archive:
    """A .qdpx opened for reading, its members looked up case-insensitively."""

    def __init__(self, path, label: str):
        self.label = label
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise BadInput(f"{label} is not a .qdpx file (not a readable zip archive: {exc})") from None
        self._check_members()
        self.names = {info.filename.casefold(): info for info in self._zip.infolist() if not info.is_dir()}

    def _check_members(self) -> None:
        total = 0
        for info in self._zip.infolist():
            path = PurePosixPath(info.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts or ":" in info.filename:
                raise BadInput(f"{self.label} holds an entry that escapes its folder ({info.filename!r}); refusing it")
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
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise BadInput(f"{self.label} is damaged: {name} cannot be read ({exc})") from None

    def close(self) -> None:
        self._zip.close()


def parse_xml(data: bytes, label: str) -> Element:
    """Parse XML refusing DTDs, entities and external references; namespaces are dropped
    from tags so that files with and without the REFI namespace read the same."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise BadInput(
            f"{label} declares a DTD or entities ({type(exc).__name__}); REFI-QDA files never need them, "
            "so it is refused for safety"
        ) from None
    except ParseError as exc:
        raise BadInput(f"{label} is not well-formed XML ({exc})") from None
    for element in root.iter():
        if element.tag.startswith("{"):
            element.tag = element.tag.rpartition("}")[2]
    return root
