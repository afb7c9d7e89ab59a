"""A project: one folder holding the TinyDB files, the source texts and the operation log.

    DIR/project.json           meta, coders, documents, codes, memos (a checkpoint)
    DIR/codings/<coder>.json   each coder's codings, so two coders' work merges cleanly
    DIR/sources/<doc>.txt      imported texts, normalised, written once
    DIR/log.jsonl              every operation, fsynced before it is acknowledged
    DIR/backups/<time>/        rotating snapshots of the checkpoint files
    DIR/.margin.lock           held by the one writer

A change is made inside `operation()`: it updates memory, appends one log line and only
then returns. Project files are rewritten (atomically) every CHECKPOINT_OPS operations and
on close; opening replays the log past the last checkpoint, so a kill at any moment loses
nothing that was acknowledged.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from tinydb.table import Document as Record

from store import backup, codings_files, schema
from store.clock import new_id, now
from store.errors import NotAProject, NotFound, ProjectCorrupt, Refused, save_failed
from store.journal import LOG_NAME, Journal
from store.lock import ProjectLock
from store.model import ENTITIES, Coder
from store.state import State
from store.storage import (
    ProjectDB,
    fsync_dir,
    make_dir,
    open_db,
    read_json_file,
    remove_stale_temp_files,
    write_atomic,
)
from store.text import one_line

PROJECT_FILE = "project.json"
CODINGS_DIR = "codings"
SOURCES_DIR = "sources"
CHECKPOINT_OPS = 200
CHECKPOINT_BYTES = 8 << 20
MAIN_TABLES = ("coders", "documents", "codes", "memos")
# Room for the longest path Margin makes inside a project: a temporary file of a codings
# file in a backup or damaged/ folder is about 110 bytes below the project folder.
PATH_ROOM = 160


@dataclass
class Operation:
    """The changes of one user action: (table, id, before, after) records."""

    summary: str
    changes: list[list] = field(default_factory=list)
    undoable: bool = True
    new_files: list[Path] = field(default_factory=list)  # source texts, removed if the action fails


class Project:
    """An open project. Use `Project.open()` / `Project.init()`, as a context manager."""

    def __init__(self, directory: Path, readonly: bool):
        self.dir = Path(directory).resolve()
        self.readonly = readonly
        self.state = State()
        self.journal = Journal(self.dir)
        self.lock = ProjectLock(self.dir)
        self.meta: dict = {}
        self.seq = 0
        self.coder: Coder | None = None
        self.warnings: list[str] = []
        self._undo: list[list[int]] = []
        self._redo: list[list[int]] = []
        self._main: ProjectDB | None = None
        self._coding_dbs: dict[str, ProjectDB] = {}
        self._op: Operation | None = None
        self._ops_since_checkpoint = 0
        self._log_at_checkpoint = 0
        self._texts: dict[str, str] = {}
        self._new_coder: Coder | None = None
        self._main_at_open: dict = {}
        from store.codebook import Codebook
        from store.codings import Codings
        from store.documents import Documents
        from store.memos import Memos

        self.documents = Documents(self)
        self.codebook = Codebook(self)
        self.codings = Codings(self)
        self.memos = Memos(self)

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def init(
        cls, directory: str | os.PathLike, name: str | None = None, coder: str | None = None, created: str | None = None
    ) -> Project:
        """Create a project in `directory` (created if missing, refused if it holds one);
        `created` keeps the creation time of a project brought in from another tool."""
        path = Path(directory)
        if (path / PROJECT_FILE).exists():
            raise Refused(f"{path} already holds a Margin project; open it instead")
        if path.exists() and not path.is_dir():
            raise Refused(f"{path} is a file, not a folder; choose another path")
        _check_path_length(path)
        os.umask(0o077)
        make_dir(path)
        fsync_dir(path.resolve().parent)  # the new folder's name must survive a power cut
        for sub in (CODINGS_DIR, SOURCES_DIR):
            make_dir(path / sub)
        meta = {
            "id": new_id(),
            "name": name or path.resolve().name,
            "schema": schema.SCHEMA,
            "created": created or now(),
            "default_coder": coder or _login_name(),
        }
        data = {"meta": {"project": meta, "checkpoint": {"seq": 0, "offset": 0, "undo": [], "redo": []}}}
        write_atomic(path / PROJECT_FILE, orjson.dumps(data))
        return cls.open(path, coder=coder)

    @classmethod
    def open(cls, directory: str | os.PathLike, *, readonly: bool = False, coder: str | None = None) -> Project:
        path = Path(directory)
        if not (path / PROJECT_FILE).is_file():
            _refuse_lost_project_file(path)
            raise NotAProject(
                f"{path} is not a Margin project (no {PROJECT_FILE}); "
                "create one with `margin init` or pass -p DIR"
            )
        project = cls(path, readonly)
        try:
            project._load(coder)
        except BaseException:
            project._release()
            raise
        return project

    def _load(self, coder: str | None) -> None:
        if not self.readonly:
            _check_path_length(self.dir)
            os.umask(0o077)
            self.lock.acquire()
            remove_stale_temp_files(self.dir)
            remove_stale_temp_files(self.dir / CODINGS_DIR)
            remove_stale_temp_files(self.dir / SOURCES_DIR)
        raw = self._read_files()
        self._build(raw)
        self._replay()
        if not self.readonly:
            self.journal.open_for_append()
            self._backup_if_changed()
        self.coder = self._ensure_coder(coder or os.environ.get("MARGIN_CODER") or self.meta["default_coder"])

    def _read_files(self) -> dict:
        """The raw checkpoint. A read-only open of a current project leaves the codings
        files unread until something needs them (`margin docs` never does)."""
        main = self._read_checked(self.dir / PROJECT_FILE)
        meta = main.get("meta", {}).get("project")
        if not meta:
            raise ProjectCorrupt(f"{PROJECT_FILE} has no project record; {self._restore_hint()}")
        self._require_codings_files(main)
        version = meta.get("schema", 1)
        if self.readonly and version == schema.SCHEMA:
            return {"main": main, "codings": None}
        raw = {"main": main, "codings": self._read_codings_files()}
        raw, old_version = schema.migrate(raw, version)
        if old_version != schema.SCHEMA and not self.readonly:
            backup.take(self.dir, self._checkpoint_files(), f"before-schema-{schema.SCHEMA}")
            raw["main"]["meta"]["project"]["schema"] = schema.SCHEMA
        return raw

    def _read_checked(self, path: Path) -> dict:
        try:
            return read_json_file(path)
        except ProjectCorrupt as exc:
            raise ProjectCorrupt(f"{exc}; {self._restore_hint()}") from None

    def _read_codings_files(self) -> dict[str, dict]:
        files = {p.stem: self._read_checked(p) for p in sorted((self.dir / CODINGS_DIR).glob("*.json"))}
        problem = codings_files.mismatch_problem(self._main_at_open, files)
        if problem:
            raise ProjectCorrupt(f"{problem}; {self._restore_hint()}")
        return files

    def _require_codings_files(self, main: dict) -> None:
        """Refuse a checkpoint whose codings files are gone: opening it would show (and the
        next checkpoint would save) a project without those codings."""
        self._main_at_open = {"meta": main.get("meta", {}), "coders": main.get("coders", {})}
        problem = codings_files.missing_problem(self.dir, main)
        if problem:
            raise ProjectCorrupt(f"{problem}; {self._restore_hint()}")

    def _open_codings(self, files: dict[str, dict]) -> list[dict]:
        """Make TinyDB tables of the codings files; returns their records for the state."""
        for coder_id, data in files.items():
            self._coding_dbs[coder_id] = open_db(self.dir / CODINGS_DIR / f"{coder_id}.json", data)
        return [data.get("codings", {}) for data in files.values()]

    def _build(self, raw: dict) -> None:
        main = raw["main"]
        self._main = open_db(self.dir / PROJECT_FILE, main)
        self.meta = main["meta"]["project"]
        checkpoint = main["meta"].get("checkpoint", {})
        self.seq = checkpoint.get("seq", 0)
        self._log_at_checkpoint = checkpoint.get("offset", 0)
        self._undo = [list(x) for x in checkpoint.get("undo", [])]
        self._redo = [list(x) for x in checkpoint.get("redo", [])]
        for table in MAIN_TABLES:
            self.state.load(table, main.get(table, {}))
        if raw["codings"] is None:
            files = self._read_codings_files
            self.state.defer_codings(lambda: self._open_codings(files()), checkpoint.get("coding_counts"))
        else:
            for records in self._open_codings(raw["codings"]):
                self.state.load("codings", records)

    def _replay(self) -> None:
        """Bring the checkpoint up to date from the log (idempotent: sets final values).

        Entries the checkpoint already holds are skipped by number; a log shorter than
        the checkpoint's offset (cut or replaced outside Margin) is read from its start."""
        checkpoint_seq = self.seq
        start = self._log_at_checkpoint if self.journal.size() >= self._log_at_checkpoint else 0
        for offset, entry in self.journal.read_from(start):
            if entry["seq"] <= checkpoint_seq:
                continue
            for table, entity_id, _before, after in entry["changes"]:
                self._set(table, entity_id, after)
            self._track_undo(entry, offset)
            self.seq = entry["seq"]
            self._ops_since_checkpoint += 1

    def close(self) -> None:
        """Write a checkpoint if the log has grown, and release the lock."""
        try:
            if not self.readonly and self._ops_since_checkpoint:
                self._checkpoint_quietly()
        finally:
            self._release()

    def _release(self) -> None:
        self.journal.close()
        self.lock.release()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ checkpoints, backups

    def checkpoint(self) -> None:
        """Rewrite every project file from memory; the log then replays from here."""
        self._require_writable()
        offset = self.journal.size()
        for db in self._coding_dbs.values():
            codings_files.stamp(db.storage.read(), self.seq)
            db.storage.save()
        counts = dict(self.state.coding_counts_by_document())
        per_coder = {coder_id: len(db.storage.read().get("codings", {})) for coder_id, db in self._coding_dbs.items()}
        record = {"seq": self.seq, "offset": offset, "undo": self._undo, "redo": self._redo, "coding_counts": counts}
        self._main.table("meta").upsert(Record(record | {"coding_files": per_coder}, doc_id="checkpoint"))
        self._main.storage.save()
        self._ops_since_checkpoint = 0
        self._log_at_checkpoint = offset

    def backup(self, reason: str) -> Path:
        """Checkpoint, then snapshot the files into backups/ (before destructive actions)."""
        self.checkpoint()
        backup.keep_sources(self.dir)
        return backup.take(self.dir, self._checkpoint_files(), reason)

    def _checkpoint_files(self) -> list[Path]:
        return [self.dir / PROJECT_FILE, *sorted((self.dir / CODINGS_DIR).glob("*.json"))]

    def _backup_if_changed(self) -> None:
        latest = backup.newest(self.dir)
        if latest is None or (latest / PROJECT_FILE).read_bytes() != (self.dir / PROJECT_FILE).read_bytes():
            backup.keep_sources(self.dir)
            backup.take(self.dir, self._checkpoint_files(), "open")

    def _restore_hint(self) -> str:
        return restore_hint(self.dir)

    # ------------------------------------------------------------------ operations

    @contextmanager
    def operation(self, summary: str, *, undoable: bool = True) -> Iterator[Operation]:
        """Group changes into one acknowledged, undoable action (nested calls join the outer)."""
        if self._op is not None:
            yield self._op
            return
        self._require_writable()
        op = Operation(summary, undoable=undoable)
        self._op = op
        self._stage_new_coder()
        try:
            yield op
        except BaseException:
            self._rollback(op)
            self._unstage_new_coder()
            raise
        finally:
            self._op = None
        if op.changes:
            self._commit(op, {"kind": "do" if undoable else "system"})

    def put(self, entity) -> None:
        """Insert or replace an entity inside the current operation."""
        before = self.state.table(entity.TABLE).get(entity.id)
        self._change(entity.TABLE, entity.id, before.to_record() if before else None, entity.to_record())

    def delete(self, entity) -> None:
        self._change(entity.TABLE, entity.id, entity.to_record(), None)

    def _change(self, table: str, entity_id: str, before: dict | None, after: dict | None) -> None:
        if self._op is None:
            raise RuntimeError("changes must be made inside Project.operation()")
        self._op.changes.append([table, entity_id, before, after])
        self._set(table, entity_id, after)

    def _set(self, table: str, entity_id: str, record: dict | None) -> None:
        """Make `record` the stored value (None removes it), in memory and in TinyDB."""
        db_table = self._db_for(table, entity_id, record).table(table)
        if record is None:
            db_table.delete(entity_id)
            self.state.remove(table, entity_id)
            return
        old = self.state.table(table).get(entity_id)
        if old is not None and table == "codings" and old.coder != record["coder"]:
            self._coding_db(old.coder).table(table).delete(entity_id)
        db_table.set(entity_id, record)
        self.state.put(ENTITIES[table].from_record(record))

    def _db_for(self, table: str, entity_id: str, record: dict | None) -> ProjectDB:
        if table != "codings":
            return self._main
        if record is None:
            record = {"coder": self.state.codings[entity_id].coder} if entity_id in self.state.codings else None
        return self._coding_db(record["coder"]) if record else self._main

    def _coding_db(self, coder_id: str) -> ProjectDB:
        self.state.codings  # noqa: B018 - loads deferred codings files before any write to them
        if coder_id not in self._coding_dbs:
            self._coding_dbs[coder_id] = open_db(self.dir / CODINGS_DIR / f"{coder_id}.json")
        return self._coding_dbs[coder_id]

    def _rollback(self, op: Operation) -> None:
        for table, entity_id, before, _after in reversed(op.changes):
            self._set(table, entity_id, before)
        op.changes.clear()
        for path in op.new_files:
            with contextlib.suppress(OSError):
                path.unlink()
            self._texts.pop(path.stem, None)

    def _commit(self, op: Operation, extra: dict) -> dict:
        """Log `op` durably (a session's new coder first); on failure memory is as before."""
        try:
            new_coder = self._log_new_coder()
        except Refused:
            self._rollback(op)
            raise
        try:
            entry = self._append(op, extra)
        except Refused:
            if new_coder is not None:
                self._unlog_new_coder(*new_coder)
            raise
        if self._ops_since_checkpoint >= CHECKPOINT_OPS or (
            self.journal.size() - self._log_at_checkpoint >= CHECKPOINT_BYTES
        ):
            self._checkpoint_quietly()
        return entry

    def _log_new_coder(self) -> tuple[Coder, int] | None:
        """Record the session's coder, if new, just before its first change: a command that
        is refused (or changes nothing) leaves no "add coder" behind."""
        coder = self._new_coder
        if coder is None:
            return None
        namesake = next((c for c in self.state.coders.values() if c.name == coder.name and c.id != coder.id), None)
        if namesake is not None:  # the action brought a coder of that name (an import)
            self._unstage_new_coder()
            self._new_coder = None
            self.coder = namesake if self.coder is coder else self.coder
            return None
        self._stage_new_coder()
        start = self.journal.size()
        op = Operation(f"add coder {coder.name}", undoable=False)
        op.changes.append(["coders", coder.id, None, coder.to_record()])
        try:
            self._append(op, {"kind": "system"})
        except Refused:
            self._unstage_new_coder()
            raise
        self._new_coder = None
        return coder, start

    def _stage_new_coder(self) -> None:
        """Put the unrecorded coder in memory while an action runs (so that it is found by
        name); it is logged with the action, or taken out again if the action fails."""
        coder = self._new_coder
        if coder is not None and coder.id not in self.state.coders:
            self._set("coders", coder.id, coder.to_record())

    def _unstage_new_coder(self) -> None:
        coder = self._new_coder
        if coder is not None and coder.id in self.state.coders:
            self._set("coders", coder.id, None)

    def _unlog_new_coder(self, coder: Coder, start: int) -> None:
        """Take back the coder's entry when the change it came with could not be saved."""
        with contextlib.suppress(OSError):
            self.journal.cut(start)
        self.seq -= 1
        self._ops_since_checkpoint -= 1
        self._new_coder = coder
        self._unstage_new_coder()

    def _append(self, op: Operation, extra: dict) -> dict:
        entry = {
            "seq": self.seq + 1,
            "at": now(),
            "by": self.coder.name if self.coder else "",
            "summary": op.summary,
            **extra,
            "changes": op.changes,
        }
        try:
            offset = self.journal.append(entry)
        except OSError as exc:
            self._rollback(op)
            raise Refused(save_failed(exc)) from None
        self.seq = entry["seq"]
        self._track_undo(entry, offset)
        self._ops_since_checkpoint += 1
        return entry

    def _checkpoint_quietly(self) -> None:
        """A failed checkpoint loses nothing (the log has it); say so and go on."""
        try:
            self.checkpoint()
        except OSError as exc:
            self.warnings.append(f"could not write a checkpoint ({exc.strerror or exc}); changes are safe in {LOG_NAME}")

    def _track_undo(self, entry: dict, offset: int) -> None:
        kind = entry.get("kind")
        if kind == "do":
            self._undo.append([entry["seq"], offset])
            self._redo.clear()
        elif kind == "undo":
            self._redo.append(self._undo.pop())
        elif kind == "redo":
            self._undo.append(self._redo.pop())

    def _require_writable(self) -> None:
        if self.readonly:
            raise Refused("the project is open read-only; close the other Margin session to change it")

    # ------------------------------------------------------------------ undo and redo

    def undo(self) -> dict:
        """Reverse the newest action that is not yet undone; returns its log entry."""
        if not self._undo:
            raise Refused("nothing to undo")
        original = self._logged(self._undo[-1])
        reverse = [[t, i, after, before] for t, i, before, after in reversed(original["changes"])]
        self._walk(reverse, "undo", original)
        return original

    def redo(self) -> dict:
        if not self._redo:
            raise Refused("nothing to redo")
        original = self._logged(self._redo[-1])
        self._walk(original["changes"], "redo", original)
        return original

    def _logged(self, position: list[int]) -> dict:
        """The log entry an undo or redo refers to, checked to be the one it means."""
        seq, offset = position
        try:
            entry = self.journal.read_at(offset)
        except ProjectCorrupt:
            entry = {}
        if entry.get("seq") != seq:
            raise Refused(f"the log no longer holds action {seq} (it was cut or replaced), so it cannot be undone or redone")
        return entry

    def _walk(self, changes: list, kind: str, original: dict) -> None:
        self._require_writable()
        op = Operation(f"{kind}: {original['summary']}")
        for table, entity_id, before, after in changes:
            op.changes.append([table, entity_id, before, after])
            self._set(table, entity_id, after)
        self._commit(op, {"kind": kind, "target": original["seq"]})

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def log(self) -> list[dict]:
        """Every logged operation, oldest first, without its change records."""
        return [
            {k: v for k, v in entry.items() if k != "changes"} | {"changes": len(entry["changes"])}
            for _, entry in self.journal.read_from(0)
        ]

    # ------------------------------------------------------------------ coders and texts

    @property
    def name(self) -> str:
        return self.meta["name"]

    def coder_named(self, name: str) -> Coder:
        for coder in self.state.coders.values():
            if coder.name == name:
                return coder
        raise NotFound(f"no coder named {name!r}; coders: {', '.join(sorted(c.name for c in self.state.coders.values()))}")

    def _ensure_coder(self, name: str) -> Coder:
        """The session's coder. A new one is recorded with the session's first change
        (never by a read-only session, nor by a command that is refused)."""
        name = one_line(name) or _login_name()
        with contextlib.suppress(NotFound):
            return self.coder_named(name)
        coder = Coder(new_id(), name, now())
        if not self.readonly:
            self._new_coder = coder
        return coder

    def add_coder(self, name: str) -> Coder:
        """The coder of that name, recorded if new (the first one signs its own log entry)."""
        name = one_line(name)
        with contextlib.suppress(NotFound):
            return self.coder_named(name)
        if self._new_coder is not None and self._new_coder.name == name:
            coder = self._new_coder
            self._log_new_coder()
            return coder
        coder = Coder(new_id(), name, now())
        self.coder = self.coder or coder
        with self.operation(f"add coder {name}", undoable=False):
            self.put(coder)
        return coder

    def source_path(self, document_id: str) -> Path:
        return self.dir / SOURCES_DIR / f"{document_id}.txt"

    def text(self, document_id: str) -> str:
        """A document's stored text, checked against its sha256 on first read."""
        if document_id not in self._texts:
            document = self.state.documents.get(document_id)
            if document is None:
                raise NotFound(f"no document with id {document_id}")
            try:
                data = self.source_path(document_id).read_bytes()
            except FileNotFoundError:
                raise ProjectCorrupt(
                    f"the text of {document.name} is missing ({SOURCES_DIR}/{document_id}.txt); "
                    f"{self._restore_hint()}"
                ) from None
            if hashlib.sha256(data).hexdigest() != document.sha256:
                raise ProjectCorrupt(
                    f"the text of {document.name} was changed outside Margin (sha256 mismatch in "
                    f"{SOURCES_DIR}/{document_id}.txt), so its codings would point at the wrong words; "
                    f"{self._restore_hint()}"
                )
            self._texts[document_id] = data.decode("utf-8")
        return self._texts[document_id]

    def store_text(self, document_id: str, text: str) -> str:
        """Write a new source text once; returns its sha256."""
        data = text.encode("utf-8")
        path = self.source_path(document_id)
        if self._op is not None and not path.exists():
            self._op.new_files.append(path)
        write_atomic(path, data)
        self._texts[document_id] = text
        return hashlib.sha256(data).hexdigest()


def restore_hint(directory: Path) -> str:
    """What to run to bring a damaged project back, naming the backup restore would use."""
    from store.restore import newest_good

    latest = newest_good(directory)
    if latest is None:
        return "no usable backup exists; `margin restore --from-log` rebuilds the project from its log"
    return f"the newest backup is {latest.relative_to(directory)}: run `margin restore` to bring it back"


def _refuse_lost_project_file(path: Path) -> None:
    """A folder with a log or backups but no project.json lost its project file: say so
    (and how to restore it) instead of suggesting `margin init`."""
    if (path / LOG_NAME).is_file() or (path / backup.BACKUP_DIR).is_dir():
        raise ProjectCorrupt(f"{PROJECT_FILE} is missing from {path}; {restore_hint(path.resolve())}")


def _check_path_length(path: Path) -> None:
    """Refuse a project folder so deep that the files Margin makes below it (backups above
    all) would pass the system's limit on a path's length: every write would fail later."""
    try:
        limit = os.pathconf(path if path.exists() else path.parent, "PC_PATH_MAX")
    except OSError:
        limit = 4096
    length = len(os.fsencode(os.path.abspath(path)))
    if length + PATH_ROOM > limit:
        raise Refused(
            f"the project folder's path is {length} bytes long and this system allows {limit} for a whole path, "
            f"leaving too little room for the project's own files; move it to a path under {limit - PATH_ROOM} bytes"
        )


def find_project(start: Path) -> Path:
    """The folder at or above `start` that holds a project, so commands work from inside
    one (say from its sources/); `start` itself when none does."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return start


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "coder"
