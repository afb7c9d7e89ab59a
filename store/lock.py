"""One writer per project, held for the whole session.

The lock is an `flock` on `.margin.lock`, a file that is never replaced (an atomic rename
would swap the inode under the lock). The operating system drops the lock when its
process dies, so a lock file left by a killed process is stale by construction: the next
writer takes it over and says whose it was.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from pathlib import Path

from store.clock import now
from store.errors import ProjectLocked

LOCK_NAME = ".margin.lock"


class ProjectLock:
    def __init__(self, directory: Path):
        self.path = Path(directory) / LOCK_NAME
        self._fd: int | None = None
        self.stale_holder = ""

    def acquire(self, purpose: str = "margin") -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _lock(fd):
            holder = _read_holder(fd)
            os.close(fd)
            raise ProjectLocked(
                f"the project is open for writing by {holder or 'another Margin process'}; "
                "close it there first (read-only commands such as export and docs still work)"
            ) from None
        self.stale_holder = _read_holder(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{purpose} pid {os.getpid()}@{socket.gethostname()} since {now()}".encode(), 0)
        os.fsync(fd)
        self._fd = fd

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
