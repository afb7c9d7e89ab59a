"""One writer per project, held for the whole session.

The lock is an `flock` on `.margin.lock`, a file that is never replaced (an atomic rename
would swap the inode under the lock). The operating system drops the lock when its
process dies, so a lock file left by a killed process is stale by construction: the next
writer takes it over and says whose it was.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from pathlib import Path

from store.clock import now
from store.errors import ProjectLocked, Refused

LOCK_NAME = ".margin.lock"


class ProjectLock:
    def __init__(self, directory: Path):
        self.path = Path(directory) / LOCK_NAME
        self._fd: int | None = None
        self.stale_holder = ""

    def acquire(self, purpose: str = "margin") -> None:
        fd = self._open()
        if not _lock(fd):
            holder = _read_holder(fd)
            os.close(fd)
            raise ProjectLocked(
                f"the project is open for writing by {holder or 'another Margin process'}; "
                "close it there first (read-only commands such as export and docs still work)"
            ) from None
        self.stale_holder = _read_holder(fd)
        os.ftruncate(fd, 0)
        # Not fsynced: other processes read the name from the page cache, and after a power
        # cut no process holds the lock, so the name is only ever read as a stale holder's
        # (the fsync was a journal commit, 2-10 ms, of every write command).
        os.pwrite(fd, f"{purpose} pid {os.getpid()}@{os.uname().nodename} since {now()}".encode(), 0)
        self._fd = fd

    def _open(self) -> int:
        """The lock file, refused when something else stands in its place: a FIFO, a
        device or a symbolic link cannot be locked and written as a plain file can."""
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            kinds = {errno.ELOOP: "a symbolic link", errno.EISDIR: "a folder"}
            if exc.errno not in kinds:
                raise
            raise Refused(self._not_a_file(kinds[exc.errno])) from None
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise Refused(self._not_a_file(_kind(mode)))
        return fd

    def _not_a_file(self, kind: str) -> str:
        return (
            f"{LOCK_NAME} in {self.path.parent} is {kind}, not a plain file, so the project cannot be "
            f"locked for writing; remove it (rm {self.path}) and try again"
        )

    def release(self) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def _lock(fd: int, tries: int = 5) -> bool:
    """Take the lock, trying again briefly: a holder that is just starting or closing
    has the lock without its name in the file for a moment."""
    for attempt in range(tries):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if attempt < tries - 1 and not _read_holder(fd):
                time.sleep(0.02)
                continue
            return False
    return False


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
