"""Where an export goes: `-o PATH` may name a new file, a file to replace, a symlink, a
FIFO or a device such as /dev/null.

- A new path or a regular file is written atomically (a temporary file beside it, fsynced,
  then renamed over it), so a failed export never leaves half a file.
- A character device or a FIFO is written straight into: renaming a temporary file over
  it would replace the device node itself (as root, /dev/null became a plain file) or
  leave a FIFO's reader with nothing while the export said it was written.
- A symlink is followed, as a shell's `>` follows it: the file it points at is replaced
  atomically and the link stays a link (a link into a synced folder keeps working). A
  link is followed however far it leads, like every other program writing to a path the
  user named; Margin never writes through links found inside a project.

A failure to write (a full disk, a read-only file system, a folder gone) is `Refused`: one
line naming the file as the user gave it, the error and what to do (`write_failed`).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from store.errors import BadInput, Refused, write_failed
from store.storage import FILE_MODE, fsync_dir


def write_export(path: str | Path, data: bytes) -> None:
    """Write `data` to the path the user named (see the module's docstring for how)."""
    with open_export(path) as handle:
        handle.write(data)


@contextlib.contextmanager
def open_export(path: str | Path) -> Iterator[BinaryIO]:
    """A binary handle for the export; it is in place, fsynced, only when the block ends
    without an exception."""
    path = Path(path)
    target = _destination(path)
    if target is None:
        yield from _straight(path)
        return
    yield from _atomic(target, path)


def _straight(path: Path) -> Iterator[BinaryIO]:
    """Write into a device or FIFO: no temporary file, no fsync (/dev/full is a full disk)."""
    try:
        with open(path, "wb") as handle:
            yield _Stream(handle)
    except OSError as exc:
        if _about_another_file(exc, path):
            raise
        raise Refused(write_failed(path, exc)) from None


class _Stream:
    """A device or FIFO, written in order and never sought: /dev/null claims to seek but
    stays at 0, which would make zipfile patch its headers with nonsense sizes."""

    def __init__(self, handle: BinaryIO):
        self._handle = handle

    def write(self, data: bytes) -> int:
        return self._handle.write(data)

    def flush(self) -> None:
        self._handle.flush()

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        raise OSError("a device or FIFO has no position")


def _destination(path: Path) -> Path | None:
    """The regular file to replace (a symlink resolved), or None to write straight into `path`."""
    try:
        mode = os.stat(path).st_mode  # follows symlinks
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a loop of symlinks, a path through a file
        raise BadInput(f"cannot write {path}: {exc.strerror}; choose another path") from None
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        return None
    if mode is not None and stat.S_ISDIR(mode):
        raise BadInput(f"cannot write {path}: it is a folder; give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        raise BadInput(f"cannot write {path}: it is not a file, a FIFO or a terminal; give a file name")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if not target.parent.is_dir():
        raise BadInput(f"cannot write {path}: {target.parent} is not a folder; create it or choose another path")
    return target


def _atomic(target: Path, named: Path) -> Iterator[BinaryIO]:
    import tempfile  # here: a command that prints its table imports no tempfile, shutil or random

    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except PermissionError:
        raise Refused(f"cannot write {named}: no permission to create files in {target.parent}; choose another folder") from None
    except OSError as exc:  # named for the path given, not the temporary file (/proc, a read-only disk)
        raise Refused(write_failed(named, exc)) from None
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not _about_another_file(exc, tmp, target, target.parent):
            raise Refused(write_failed(named, exc)) from None
        raise


def _about_another_file(exc: OSError, *ours) -> bool:
    """Whether the error names a file the export does not write (a source text it read):
    that one is not said to be a failure to write the export."""
    return exc.filename is not None and os.fspath(exc.filename) not in {os.fspath(p) for p in ours}
