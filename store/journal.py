"""The operation log: an append-only file of JSON lines, one per operation.

Every change a user makes is one line (who, when, what, and each entity's value before
and after), appended and fsynced before the change is acknowledged. The line is both the
record behind `margin log`, undo and redo, and the write-ahead log that makes the change
durable: project files are checkpoints that the log brings up to date on open.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import orjson

from store.errors import ProjectCorrupt
from store.storage import fsync_dir, make_dir, write_atomic

LOG_NAME = "log.jsonl"
# What `margin log` shows of each line, kept beside the log so that listing it costs the
# lines shown, not the log's bytes (one import's entry holds every coding it made). Local
# and derived: rebuilt from the log when missing or when the log no longer matches it.
SUMMARIES = Path("cache") / "log-summaries.jsonl"
FINGERPRINT_BYTES = 4096


def parse_entry(line: bytes) -> dict | None:
    """The entry on one log line, or None when the line is not one (damage)."""
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    valid = (
        isinstance(entry, dict)
        and isinstance(entry.get("seq"), int)
        and isinstance(entry.get("changes"), list)
        and all(isinstance(c, list) and len(c) == 4 for c in entry["changes"])
    )
    return entry if valid else None


PIECE_CHANGES = 4096  # an entry with more changes than this is written a piece at a time


def line_pieces(entry: dict) -> Iterator[bytes]:
    """The entry's log line, the bytes of `orjson.dumps(entry)` and a newline, in pieces of
    PIECE_CHANGES changes: an import's one entry (90 MB at 200,000 codings) is never held
    whole beside the records it is made of."""
    changes = entry.get("changes")
    if not isinstance(changes, list) or len(changes) <= PIECE_CHANGES or next(reversed(entry)) != "changes":
        yield orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE)
        return
    yield orjson.dumps({**entry, "changes": []})[:-2]  # up to the list's "["
    for start in range(0, len(changes), PIECE_CHANGES):
        if start:
            yield b","
        yield memoryview(orjson.dumps(changes[start : start + PIECE_CHANGES]))[1:-1]  # without its brackets
    yield b"]}\n"


class Journal:
    def __init__(self, directory: Path):
        self.path = Path(directory) / LOG_NAME
        self._fd: int | None = None

    def open_for_append(self) -> None:
        """Open for writing, first cutting off a line that a killed process left half written."""
        created = not self.path.exists()
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        if created:  # the new name must survive a power cut, or so would not the entries
            fsync_dir(self.path.parent)
        good_end = self._end_of_last_good_line()
        if good_end < os.fstat(self._fd).st_size:
            os.ftruncate(self._fd, good_end)
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def append(self, entry: dict) -> int:
        """Write one entry durably; returns the offset of its line."""
        offset = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            for piece in line_pieces(entry):
                if os.write(self._fd, piece) != len(piece):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(self._fd)
        except OSError:
            os.ftruncate(self._fd, offset)
            raise
        return offset

    def cut(self, offset: int) -> None:
        """Take back the entries from `offset` on (an action whose later part failed)."""
        os.ftruncate(self._fd, offset)
        os.fsync(self._fd)

    def read_from(self, offset: int = 0) -> Iterator[tuple[int, dict]]:
        """Entries from `offset` on, with their offsets; a torn last line is not an entry."""
        for position, entry in self.read_lines(offset):
            if entry is None:
                raise ProjectCorrupt(
                    f"{LOG_NAME} is damaged at byte {position}; run `margin restore --cut-log` "
                    "to set the damaged part aside (a copy is kept in damaged/)"
                )
            yield position, entry

    def read_lines(self, offset: int = 0) -> Iterator[tuple[int, dict | None]]:
        """Every complete line from `offset` on: its offset and its entry, None if damaged."""
        for start, _end, entry in self._lines_with_ends(offset):
            yield start, entry

    def _lines_with_ends(self, offset: int) -> Iterator[tuple[int, int, dict | None]]:
        """As read_lines, with the offset just past each line's newline."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(offset)
                data = handle.read()
        except FileNotFoundError:
            return
        position = 0
        while position < len(data):
            newline = data.find(b"\n", position)
            if newline == -1:
                return  # torn tail: never acknowledged
            yield offset + position, offset + newline + 1, parse_entry(data[position:newline])
            position = newline + 1

    def last_lines(self, count: int) -> list[tuple[int, dict | None]]:
        """The newest `count` complete lines, oldest first, read from the end (so `margin
        log -n 20` costs what it shows, not the log's size); as `read_lines` gives them."""
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            return []
        with handle:
            end = handle.seek(0, os.SEEK_END)
            start, data = end, b""
            while start > 0 and data.count(b"\n") <= count:
                step = min(start, max(1 << 16, len(data)))
                start -= step
                handle.seek(start)
                data = handle.read(step) + data
        torn = data.rfind(b"\n") + 1
        lines = data[:torn].split(b"\n")[:-1]
        first_whole = 1 if start > 0 else 0  # the first piece may be the tail of a longer line
        lines = lines[first_whole:][-count:]
        offset, found = start + torn, []
        for line in reversed(lines):
            offset -= len(line) + 1
            found.append((offset, parse_entry(line)))
        return found[::-1]

    def read_at(self, offset: int) -> dict:
        """The entry whose line starts at `offset`, reading that line only (undo of an
        early action read every later one too)."""
        line = self._line_at(offset)
        entry = parse_entry(line) if line is not None else None
        if line is not None and entry is None:
            raise ProjectCorrupt(
                f"{LOG_NAME} is damaged at byte {offset}; run `margin restore --cut-log` "
                "to set the damaged part aside (a copy is kept in damaged/)"
            )
        if entry is None:
            raise ProjectCorrupt(f"{LOG_NAME} has no entry at byte {offset}")
        return entry

    def _line_at(self, offset: int) -> bytes | None:
        """The complete line from `offset` to its newline, without it; None if there is none."""
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            return None
        with handle:
            handle.seek(offset)
            pieces = []
            while True:
                piece = handle.read(1 << 16)
                if not piece:
                    return None  # a torn tail, or past the end
                newline = piece.find(b"\n")
                if newline != -1:
                    pieces.append(piece[:newline])
                    return b"".join(pieces)
                pieces.append(piece)

    def summaries(self, summarise) -> list[dict]:
        """`summarise(offset, entry or None)` of every complete line, oldest first, from the
        summaries file where it still matches the log, the rest read from the log and
        saved for next time (quietly not, on a folder that cannot be written)."""
        kept = self._kept_summaries()
        start = kept[-1]["_end"] if kept else 0
        new = []
        for offset, end, entry in self._lines_with_ends(start):
            new.append({**summarise(offset, entry), "_at": offset, "_end": end})
        if new:
            self._save_summaries(kept + new)
        return [{k: v for k, v in line.items() if k not in ("_at", "_end")} for line in kept + new]

    def _kept_summaries(self) -> list[dict]:
        """The saved summaries, if they were made from this log: the same first bytes, and
        the last one's line still where it was, holding the same action."""
        path = self.path.parent / SUMMARIES
        try:
            lines = path.read_bytes().splitlines()
            header, kept = orjson.loads(lines[0]), [orjson.loads(line) for line in lines[1:]]
        except (OSError, IndexError, orjson.JSONDecodeError):
            return []
        if not kept or header.get("fingerprint") != self._fingerprint() or kept[-1]["_end"] > self.size():
            return []
        if header.get("inode") != self._inode():  # replaced (a restore renames a new log in)
            return []
        last = kept[-1]
        line = self._line_at(last["_at"])
        if line is None or last["_at"] + len(line) + 1 != last["_end"]:
            return []
        entry = parse_entry(line)
        return kept if (entry or {}).get("seq", "?") == last.get("seq") else []

    def _inode(self) -> int:
        try:
            return self.path.stat().st_ino
        except FileNotFoundError:
            return 0

    def _fingerprint(self) -> str:
        import hashlib

        try:
            with open(self.path, "rb") as handle:
                return hashlib.blake2b(handle.read(FINGERPRINT_BYTES), digest_size=16).hexdigest()
        except FileNotFoundError:
            return ""

    def _save_summaries(self, lines: list[dict]) -> None:
        path = self.path.parent / SUMMARIES
        header = {"fingerprint": self._fingerprint(), "inode": self._inode()}
        data = b"\n".join([orjson.dumps(header), *map(orjson.dumps, lines)]) + b"\n"
        try:
            make_dir(path.parent)
            write_atomic(path, data)
        except OSError:
            pass  # only a shortcut: the next listing reads the log again

    def _end_of_last_good_line(self) -> int:
        """Offset just past the last newline: appends are single writes, so only the last
        line can be torn. Scans backwards, as one batch line may be megabytes long."""
        end = os.fstat(self._fd).st_size
        block = 1 << 16
        position = end
        while position > 0:
            start = max(0, position - block)
            chunk = os.pread(self._fd, position - start, start)
            newline = chunk.rfind(b"\n")
            if newline != -1:
                return start + newline + 1
            position = start
        return 0
