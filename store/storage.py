"""Durable files: atomic replacement, and TinyDB served from memory.

Stock TinyDB `JSONStorage` rewrites its file in place and corrupts it on kill -9, disk
full or two writers (see docs/architecture.md). Here a TinyDB file is only ever written
whole, to a temporary file that is fsynced and then renamed over the old one, so the file
on disk is always either the old or the new version.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from store.errors import ProjectCorrupt

FILE_MODE = 0o600
DIR_MODE = 0o700


def fsync_dir(directory: Path) -> None:
    """Make a rename inside `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, durable: bool = True, durable_name: bool = True) -> None:
    """Replace `path` with `data`: readers and crashes see the old file or the new, never a mix.

    `durable=False` is for a cache (cache/words, cache/columns): readers see the whole file
    or none, but a power cut may leave it short or garbled, which its reader's length and
    CRC checks refuse and recompute; its two fsyncs were most of a first `stats` command's
    wall time on seven interviews. `durable_name=False`: the new bytes are fsynced, the
    rename is not (a power cut may leave the old file, whole, or none), for a file whose
    old version is as good (a checkpoint's closing record, store/core/checkpoints.py) or
    whose folder the caller fsyncs once for several (an action's new source texts,
    Changes._append; the backup's copies of them, backup.keep_sources)."""
    path = Path(path)
    tmp = write_temporary(path, data, durable)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable and durable_name:
        fsync_dir(path.parent)


def write_temporary(path: Path, data: bytes, durable: bool = True) -> str:
    """`data` in a new file beside `path` (fsynced unless `durable` is False), named
    `.NAME.<random>.tmp` (which an open removes if it is left behind), to be renamed over
    `path`; returns its name."""
    fd, tmp = _temporary_beside(Path(path))
    try:
        try:
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, FILE_MODE)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new file .NAME.<random>.tmp in path's folder, as tempfile.mkstemp makes it (which
    cost every command 10-50 ms to import, with shutil and random)."""
    while True:
        tmp = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), FILE_MODE), tmp
        except FileExistsError:
            continue


def _write_all(fd: int, data: bytes) -> None:
    """os.write until all is written; a write that makes no progress is a full disk."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def remove_tree(folder: Path) -> None:
    """Remove a folder Margin made (a trial restore, an old backup), ignoring what is
    already gone. Plain unlink and rmdir by path, not shutil.rmtree's calls relative to
    open folders, so the crash-state checker (tests/reliability/alice.py) sees each one."""
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(root, name))
        for name in dirs:
            with contextlib.suppress(FileNotFoundError):
                os.rmdir(os.path.join(root, name))
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(folder)


def remove_stale_temp_files(directory: Path) -> None:
    """Temporary files left by a process killed mid-write hold nothing acknowledged."""
    for stale in directory.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def make_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def read_json_file(path: Path) -> dict:
    """Parse a project file, refusing an empty or garbled one instead of treating it as empty."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ProjectCorrupt(f"{path.name} cannot be read ({_reason(exc)})") from None
    return parse_project_file(raw, path.name)


def parse_project_file(raw: bytes, name: str) -> dict:
    """A project file's bytes as its tables; `name` says which file in the error."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProjectCorrupt(f"{name} cannot be read ({_reason(exc)})") from None
    if not isinstance(data, dict):
        raise ProjectCorrupt(f"{name} is not a Margin project file")
    return data


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class MemoryStorage(Storage):
    """TinyDB storage whose reads and writes stay in memory until `save()`.

    Durability comes from the project's operation log (store/journal.py); this file is a
    checkpoint of the state that the log brings up to date on open.
    """

    def __init__(self, path: Path, data: dict | None = None, cache_tables: bool = False):
        self.path = Path(path)
        self._data: dict = data if data is not None else {}
        self.dirty = False
        self.known: bytes | None = None  # bytes known to hold the data, until it changes (a file a sync took as git has it)
        # project.json's tables as encoded, each until a write to it: a tombstone put re-encoded
        # 5,000 codes (13 ms of every `margin undo`). None for a codings file (one table, large).
        self._bodies: dict[str, bytes] | None = {} if cache_tables else None

    def read(self) -> dict:
        return self._data

    def write(self, data: dict) -> None:
        self._data = data
        self.dirty = True
        self.known = None
        if self._bodies is not None:
            self._bodies.clear()  # a write by TinyDB itself (drop_table): which table, it does not say

    def write_table(self, data: dict, name: str) -> None:
        """`write` after a change to the table `name` only (FastTable's updates)."""
        bodies = self._bodies
        self._bodies = None
        self.write(data)
        if bodies is not None:
            bodies.pop(name, None)
            self._bodies = bodies

    def encoded(self) -> bytes:
        """The file's bytes: deterministic, one entity per line (see dump_tables), or the
        bytes known to hold the data."""
        return dump_tables(self._data, self._bodies) if self.known is None else self.known

    def stage(self, raw: bytes) -> str:
        """The file's new bytes written and fsynced beside it (`write_temporary`), for `place`."""
        return write_temporary(self.path, raw)

    def place(self, staged: str) -> None:
        """Rename a staged file over this one (a checkpoint fsyncs the folder after)."""
        os.replace(staged, self.path)
        self.dirty = False


def dump_tables(data: dict, bodies: dict[str, bytes] | None = None) -> bytes:
    """TinyDB tables as JSON, one entity per line, tables and entities in key order, so
    that a file diffs and merges line by line and the same data gives the same bytes.
    A row may be an entity rather than its record (a codings table read at open holds
    its `Coding` values, store/state.py `_built`): it is written as its record. `bodies`:
    tables encoded before, by name, used as they are and filled in with the others."""
    parts = []
    for table in sorted(data):
        body = bodies.get(table) if bodies is not None else None
        if body is None:
            rows = data[table]
            lines = [orjson.dumps(str(key)) + b": " + orjson.dumps(_record(rows[key]), option=orjson.OPT_SORT_KEYS)
                     for key in sorted(rows)]  # fmt: skip
            body = b"{\n" + b",\n".join(lines) + b"\n}" if lines else b"{}"
            if bodies is not None:
                bodies[table] = body
        parts.append(orjson.dumps(table) + b": " + body)
    return b"{" + b",\n".join(parts) + b"}\n"


def _record(row):
    return row if type(row) is dict else row.to_record()


class FastTable(Table):
    """A table keyed by the entities' own string ids, updated in place.

    TinyDB's `_update_table` copies the whole table twice on every write (about 10 ms at
    50,000 codings); with string keys the copies are identities, so the updater can work
    on the stored dict directly. This overrides a private method: tinydb is pinned.
    """

    document_id_class = str

    def _update_table(self, updater):
        tables = self._storage.read()
        updater(tables.setdefault(self.name, {}))
        self._storage.write_table(tables, self.name)
        self.clear_cache()

    def set(self, doc_id: str, record: dict) -> None:
        """Insert or replace one record: an upsert by id without TinyDB's search first."""
        self._update_table(lambda table: table.__setitem__(doc_id, record))

    def delete(self, doc_id: str) -> None:
        self._update_table(lambda table: table.pop(doc_id, None))

    def set_many(self, records: dict[str, dict]) -> None:
        """Insert or replace records by id, in one update of the table."""
        self._update_table(lambda table: table.update(records))


class ProjectDB(TinyDB):
    table_class = FastTable
    default_table_name = "meta"


def open_db(path: Path, data: dict | None = None, cache_tables: bool = False) -> ProjectDB:
    return ProjectDB(path, storage=MemoryStorage, data=data, cache_tables=cache_tables)
