"""Where an export's files are: inside a .qdpx zip, or beside a bare .qde on disk.

Tools disagree on names, so every lookup ignores case: `sources/` or `Sources/`, any one
`*.qde` at the top, GUIDs upper or lower case. Paths in the XML may be `internal://NAME`,
`relative://PATH` or a bare `NAME`; `absolute://` paths point at someone else's disk and
are never followed (a file sent to you should not read your files).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from store.errors import BadInput
from store.refi.safety import CHUNK, MAX_MEMBER, Archive

SOURCE_DIRS = ("sources/", "")


class Package:
    """An opened export: its project XML bytes and a reader for the files it names."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.label = self.path.name
        if not self.path.is_file():
            raise BadInput(f"{self.path} does not exist or is not a file; give the .qdpx or .qde to import")
        self._archive: Archive | None = None
        if zipfile.is_zipfile(self.path):
            self._archive = Archive(self.path, self.label)
            self.qde_name = self._find_qde()
        elif self.path.suffix.lower() == ".qdpx":
            raise BadInput(f"{self.label} is not a .qdpx file (it is not a zip archive); export the project again")
        else:
            self.qde_name = self.path.name
            _read_bounded(self.path, size_only=True)

    def qde(self) -> Iterator[bytes]:
        """The project XML a piece at a time, to be parsed as it is read."""
        if self._archive is not None:
            return self._archive.chunks(self.qde_name)
        return _file_chunks(self.path)

    def _find_qde(self) -> str:
        found = [n for n in self._archive.names.values() if "/" not in n.filename and n.filename.lower().endswith(".qde")]
        if len(found) != 1:
            what = "no .qde file" if not found else f"{len(found)} .qde files"
            raise BadInput(f"{self.label} is not a REFI-QDA project: it holds {what} at its top level, and needs exactly one")
        return found[0].filename

    def read(self, reference: str) -> tuple[str, bytes] | None:
        """The file a path in the XML names, as (its name, its bytes); None when absent."""
        for candidate in _candidates(reference):
            for folder in SOURCE_DIRS:
                data = self._read_member(folder + candidate)
                if data is not None:
                    return PurePosixPath(candidate).name, data
        return None

    def _read_member(self, name: str) -> bytes | None:
        if self._archive is not None:
            stored = self._archive.find(name)
            return self._archive.read(stored) if stored else None
        path = _find_ignoring_case(self.path.parent, name)
        return _read_bounded(path) if path else None

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()


def _candidates(reference: str) -> list[str]:
    """Names to look for: the path after its scheme, then its bare file name."""
    scheme, sep, rest = reference.partition("://")
    if not sep:
        rest = reference
    elif scheme.lower() not in ("internal", "relative"):
        return []
    path = PurePosixPath(rest.replace("\\", "/").lstrip("/"))
    if ".." in path.parts or not path.parts:
        return []
    name = path.name.replace("{", "").replace("}", "")
    return list(dict.fromkeys([str(path), path.name, name]))


def _find_ignoring_case(folder: Path, name: str) -> Path | None:
    current = folder
    for part in PurePosixPath(name).parts:
        try:
            entries = {p.name.casefold(): p for p in current.iterdir()}
        except OSError:
            return None
        current = entries.get(part.casefold())
        if current is None:
            return None
    return current if current.is_file() else None


def _read_bounded(path: Path, size_only: bool = False) -> bytes:
    size = path.stat().st_size
    if size > MAX_MEMBER:
        raise BadInput(f"{path.name} is {size / 1048576:.0f} MB, more than an export can hold; refusing it")
    return b"" if size_only else path.read_bytes()


def _file_chunks(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    except OSError as exc:
        raise BadInput(f"{path.name} cannot be read ({exc.strerror or exc})") from None
