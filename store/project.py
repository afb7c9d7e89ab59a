"""A project: one folder holding the TinyDB files, the source texts and the operation log.

    DIR/project.json                 meta, coders, documents, codes, memos (shared)
    DIR/codings/<coder>/<doc>.json   one coder's codings of one document (shared)
    DIR/sources/<doc>.txt            imported texts, normalised, written once
    DIR/local.json                   this machine's checkpoint record (store/layout.py)
    DIR/log.jsonl                    every operation, fsynced before it is acknowledged
    DIR/backups/<time>/              rotating snapshots of the checkpoint files
    DIR/.margin.lock                 held by the one writer

A change is made inside `operation()`: it updates memory, appends one log line and only
then returns. Project files are rewritten (atomically) every CHECKPOINT_OPS operations and
on close; opening replays the log past the last checkpoint, so a kill at any moment loses
nothing that was acknowledged.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from store import backup, codings_files, layout, schema
from store.clock import new_id, now
from store.digests import sha256
from store.errors import NotAProject, NotFound, ProjectCorrupt, Refused, save_failed
from store.journal import LOG_NAME, Journal
from store.lock import ProjectLock
from store.model import ENTITIES, NAMED_TARGET_KINDS, Coder
from store.state import State, paused_collector
from store.storage import (
    ProjectDB,
    fsync_dir,
    make_dir,
    open_db,
    parse_project_file,
    remove_stale_temp_files,
    write_atomic,
)
from store.text import one_line

PROJECT_FILE = layout.PROJECT_FILE
CODINGS_DIR = layout.CODINGS_DIR
SOURCES_DIR = layout.SOURCES_DIR
CHECKPOINT_OPS = 200
CHECKPOINT_BYTES = 8 << 20
SAVE_THREADS = 8  # files a checkpoint writes at once, when it writes more than this
MAIN_TABLES = ("coders", "documents", "codes", "memos")
# Room for the longest path Margin makes inside a project: a temporary file of a codings
# file in a backup or damaged/ folder is about 110 bytes below the project folder.
PATH_ROOM = 160
LAZY = object()  # a writer's codings, read per document when first needed (Project._load_codings_file)


@dataclass
class Operation:
    """The changes of one user action: (table, id, before, after) records."""

    summary: str
    changes: list[list] = field(default_factory=list)
    undoable: bool = True
    new_files: list[Path] = field(default_factory=list)  # source texts, removed if the action fails
    amends: int | None = None  # the action this one continues, if still the coder's newest (see _amendment)


def changes_nothing(changes: list) -> bool:
    """Whether every change of an action puts back what was there (its `modified` stamp
    aside): `codes describe` with the same words, `exemplar --off` on a coding that is not one."""

    def unstamped(record: dict) -> dict:
        return {k: v for k, v in record.items() if k != "modified"}

    return bool(changes) and all(b is not None and a is not None and unstamped(b) == unstamped(a) for _t, _i, b, a in changes)


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
        # The app turns this off and calls checkpoint_if_due() when idle, so that no
        # checkpoint runs on a key's path; command-line runs keep it on.
        self.auto_checkpoint = True
        self._texts: dict[str, str] = {}
        self._new_coder: Coder | None = None
        self._main_at_open: dict = {}
        self._files: dict[str, list] = {}  # shared file name -> [digest, codings] as last checkpointed
        self._digests: dict[str, str] = {}  # of the codings files as read
        self._main_digest = ""  # of project.json as read
        self._codings_newer = False
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
        refuse_unfit_folder(path)
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
        layout.write_gitignore(path)
        raw = layout.dump_tables({"meta": {"project": meta}})
        files = {PROJECT_FILE: [layout.digest(raw), 0]}
        layout.write_local(path, {"seq": 0, "offset": 0, "undo": [], "redo": [], "files": files})
        write_atomic(path / PROJECT_FILE, raw)
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
        if (path / ".git").exists():  # files a `git pull` wrote are accepted (store/team/accept.py)
            from store.team.accept import before_open

            before_open(path)
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
            for folder in (self.dir / CODINGS_DIR, *(self.dir / CODINGS_DIR).glob("*/")):
                remove_stale_temp_files(folder)
            remove_stale_temp_files(self.dir / SOURCES_DIR)
        with paused_collector():
            raw = self._read_files()
            self._build(raw)
            self._replay()
            if self.state.codings_loaded and self._codings_newer:
                self._check_mixed()
        if not self.readonly:
            from store.migrate import remove_leftovers

            remove_leftovers(self.dir)
            self.journal.open_for_append()
            self._backup_if_changed()
        self.coder = self._ensure_coder(coder or os.environ.get("MARGIN_CODER") or self.meta["default_coder"])

    def _read_files(self) -> dict:
        """The raw checkpoint: project.json with this machine's record (local.json) in its
        meta. A read-only open of a current project leaves the codings files unread until
        something needs them (`margin docs` never does); a project of schema 1 is
        migrated (store/migrate.py) by a writer, read as if migrated by a reader."""
        for attempt in range(3):
            main, found = self._read_main()
            self._main_digest = found
            version = self._schema_of(main)
            if version != schema.SCHEMA:
                break
            problem = codings_files.mismatch_problem(main, {PROJECT_FILE: found})
            if not problem:
                break
            if not self.readonly or attempt == 2:  # a reader may have met a writer's checkpoint: read again
                raise ProjectCorrupt(f"{problem}; {self._restore_hint()}")
        if version == 1:
            return self._read_schema_1(main)
        if version > schema.SCHEMA:
            schema.migrate({}, version)  # refuses, naming the newer Margin
        # read_local checked the checkpoint record; a file written here needs only its meta checked
        written_here = {"meta": {"project": main["meta"]["project"]}}
        self._checked(schema.check_main, main if not _written_here(main, found) else written_here)
        self._require_codings_files(main)
        if self.readonly:
            return {"main": main, "codings": None}
        checkpoint = main["meta"]["checkpoint"]
        if checkpoint.get("files") and "pending" not in checkpoint:
            return {"main": main, "codings": LAZY}
        return {"main": main, "codings": self._read_codings_files()}

    def _read_main(self) -> tuple[dict, str]:
        """project.json parsed, with local.json's record, and the digest of its bytes."""
        try:
            checkpoint = layout.read_local(self.dir)
            raw = (self.dir / PROJECT_FILE).read_bytes()
            main = parse_project_file(raw, PROJECT_FILE)
        except ProjectCorrupt as exc:
            raise ProjectCorrupt(f"{exc}; {self._restore_hint()}") from None
        except OSError as exc:
            raise ProjectCorrupt(f"{PROJECT_FILE} cannot be read ({exc.strerror or exc}); {self._restore_hint()}") from None
        meta = main.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("project"), dict) and meta["project"].get("schema", 1) != 1:
            meta["checkpoint"] = checkpoint
        return main, layout.digest(raw)

    def _schema_of(self, main: dict) -> int:
        meta = main.get("meta")
        meta = meta.get("project") if isinstance(meta, dict) else None
        if not meta or not isinstance(meta, dict):
            raise ProjectCorrupt(f"{PROJECT_FILE} has no project record; {self._restore_hint()}")
        version = meta.get("schema", 1)
        if type(version) is not int or version < 1:
            raise ProjectCorrupt(f"{PROJECT_FILE}: the project record has no schema number; {self._restore_hint()}")
        return version

    def _read_schema_1(self, main: dict) -> dict:
        """A project of Margin's first format: a writer migrates it in place, once; a
        reader sees it migrated in memory and changes nothing."""
        from store import migrate

        self._checked(schema.check_main, main)
        try:
            old = migrate.read_schema_1(self.dir, main)
        except ProjectCorrupt as exc:
            raise ProjectCorrupt(f"{exc}; {self._restore_hint()}") from None
        raw, _ = schema.migrate(old, 1)
        if not self.readonly:
            backup.take(self.dir, migrate.schema_1_files(self.dir), f"before-schema-{schema.SCHEMA}")
            migrate.write_schema_2(self.dir, raw)
        self._main_at_open = {"meta": main["meta"], "coders": main.get("coders", {}), "documents": main.get("documents", {})}
        return raw

    def _checked(self, check, *args):
        """Run a schema check; its one-line error gains the way back (a backup, the log)."""
        try:
            return check(*args)
        except ProjectCorrupt as exc:
            raise ProjectCorrupt(f"{exc}; {self._restore_hint()}") from None

    def _read_codings_files(self, main: dict | None = None) -> dict[str, dict]:
        """Every codings file, each checked to be the one the checkpoint record wrote."""
        try:
            files, digests = codings_files.read_all(self.dir)
        except ProjectCorrupt as exc:
            raise ProjectCorrupt(f"{exc}; {self._restore_hint()}") from None
        problem = codings_files.mismatch_problem(main or self._main_at_open, digests)
        if problem:
            raise ProjectCorrupt(f"{problem}; {self._restore_hint()}")
        self._digests = digests
        return files

    def _require_codings_files(self, main: dict) -> None:
        """Refuse a checkpoint whose codings files are gone: opening it would show (and the
        next checkpoint would save) a project without those codings."""
        self._main_at_open = {
            "meta": main.get("meta", {}), "coders": main.get("coders", {}), "documents": main.get("documents", {}),
        }  # fmt: skip
        problem = codings_files.missing_problem(self.dir, main)
        if problem:
            raise ProjectCorrupt(f"{problem}; {self._restore_hint()}")

    def _record_now(self) -> dict:
        """What `_main_at_open` says, with the checkpoint record as local.json has it now:
        a writer may have checkpointed since this read-only session opened."""
        try:
            checkpoint = layout.read_local(self.dir)
        except ProjectCorrupt as exc:
            raise ProjectCorrupt(f"{exc}; {self._restore_hint()}") from None
        return self._main_at_open | {"meta": {**self._main_at_open["meta"], "checkpoint": checkpoint}}

    def _deferred_codings(self) -> list[dict]:
        """The codings of a read-only open, read when first needed. A writer may have
        checkpointed since project.json was read: its codings files then record a later
        action than project.json did, and `_settle` brings everything up to that point."""
        built = self._built_codings()
        if built is not None:
            return built
        now_main = self._record_now()
        files = self._read_codings_files(now_main)
        self._codings_newer = self._newer_than_checkpoint(now_main, self._digests)
        return self._open_codings(files, check_references=not self._codings_newer)

    def _built_codings(self) -> list[dict] | None:
        """The quick way for `_deferred_codings`: each file decoded straight into `Coding`
        values and given the same checks. None when any file fails one, so that the checked
        path (which also tolerates what the decoder does not, such as huge numbers) reads
        everything again and names the problem."""
        files, digests = {}, {}
        for key, path in layout.codings_files(self.dir).items():
            try:
                raw = path.read_bytes()
            except OSError:
                return None
            digests[layout.relative_name(key)] = layout.digest(raw)
            files[key] = codings_files.read_built(raw)
            if files[key] is None:
                return None
        now_main = self._record_now()
        if codings_files.mismatch_problem(now_main, digests):
            return None
        newer = self._newer_than_checkpoint(now_main, digests)
        documents = None if newer else self.state.documents
        for key, data in files.items():
            if not schema.built_codings_sound(key, data["codings"], documents, self.state.codes):
                return None
        self._codings_newer = newer
        return [data["codings"] for data in files.values()]

    def _newer_than_checkpoint(self, now_main: dict, digests: dict[str, str]) -> bool:
        """Whether the codings read reflect a later checkpoint than project.json did."""
        seq = (now_main["meta"].get("checkpoint") or {}).get("seq", 0)
        return seq != self._checkpoint_seq or codings_files.newer(now_main, digests)

    def _settle(self) -> None:
        """After codings newer than project.json were loaded: replay the log (read now, so
        it holds every action the codings files do) from project.json's checkpoint over
        everything, which leaves one consistent state at the log's end."""
        if not self._codings_newer:
            return
        self.seq, self._ops_since_checkpoint = self._checkpoint_seq, 0
        self._undo, self._redo = [list(x) for x in self._checkpoint_undo], [list(x) for x in self._checkpoint_redo]
        self._replay()
        records = (coding.to_record() for coding in self.state.codings.values())
        self._checked(schema.check_coding_references, records, self.state.documents, self.state.codes, CODINGS_DIR)

    def _load_codings_file(self, key: str) -> dict:
        """One codings file of a writer's open, read when its document is first needed,
        with every check an open makes: the file the checkpoint wrote, the schema, the
        references (to the documents and codes as they are now: the log's changes to its
        codings have all read it first)."""
        path, name = layout.codings_path(self.dir, key), layout.relative_name(key)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ProjectCorrupt(f"{name} cannot be read ({exc.strerror or exc}); {self._restore_hint()}") from None
        problem = codings_files.mismatch_problem(self._main_at_open, {name: layout.digest(raw)})
        try:
            if problem:
                raise ProjectCorrupt(problem)
            data = codings_files.parse(path, raw)
        except ProjectCorrupt as exc:
            raise ProjectCorrupt(f"{exc}; {self._restore_hint()}") from None
        records = self._checked(schema.check_codings_file, key, data)
        self._checked(schema.check_coding_references, records.values(), self.state.documents, self.state.codes, name)
        self._coding_dbs[key] = open_db(path, {"codings": records})
        return records

    def _check_mixed(self) -> None:
        """The checks the replay skipped over files newer than their checkpoint record."""
        records = (coding.to_record() for coding in self.state.codings.values())
        self._checked(schema.check_coding_references, records, self.state.documents, self.state.codes, CODINGS_DIR)
        problem = schema.code_tree_problem(self.state.codes)
        if problem:
            raise ProjectCorrupt(f"{PROJECT_FILE}: {problem}; {self._restore_hint()}")

    def _open_codings(self, files: dict[str, dict], check_references: bool = True) -> list[dict]:
        """Make TinyDB tables of the codings files, each checked against the schema and the
        documents and codes loaded; returns their records for the state."""
        tables = []
        for key, data in files.items():
            records = self._checked(schema.check_codings_file, key, data)
            if check_references:
                where = layout.relative_name(key)
                self._checked(schema.check_coding_references, records.values(), self.state.documents, self.state.codes, where)
            tables.append(records)
        for key, data in files.items():
            self._coding_dbs[key] = open_db(layout.codings_path(self.dir, key), {"codings": data.get("codings", {})})
        return tables

    def _build(self, raw: dict) -> None:
        main = raw["main"]
        checkpoint = main["meta"].pop("checkpoint", None) or {}
        self._main = open_db(self.dir / PROJECT_FILE, main)
        self.meta = main["meta"]["project"]
        self.seq = checkpoint.get("seq", 0)
        self._log_at_checkpoint = checkpoint.get("offset", 0)
        self._undo = [list(x) for x in checkpoint.get("undo", [])]
        self._redo = [list(x) for x in checkpoint.get("redo", [])]
        self._checkpoint_undo, self._checkpoint_redo = checkpoint.get("undo", []), checkpoint.get("redo", [])
        self._record = {k: v for k, v in checkpoint.items() if k not in ("pending", "pending_seq")}
        # A checkpoint cut short may have left files newer than its record, up to this
        # action: until the replay passes it, the state mixes old and new and its
        # references are checked once at the end instead of entry by entry.
        self._mixed_until = checkpoint.get("pending_seq", 0) if "pending" in checkpoint else 0
        self._files = {name: list(value) for name, value in (checkpoint.get("files") or {}).items()}
        for table in MAIN_TABLES:
            self.state.load(table, main.get(table, {}))
        self._checkpoint_seq = self.seq
        if raw["codings"] is None:
            self.state.defer_codings(
                self._deferred_codings, checkpoint.get("coding_counts"), self._settle, checkpoint.get("code_counts")
            )
        elif raw["codings"] is LAZY:
            loaders: dict[str, list] = {}
            for key in layout.codings_keys(self.dir):
                loaders.setdefault(key.partition("/")[2], {})[key] = functools.partial(self._load_codings_file, key)
            self.state.defer_documents(loaders, checkpoint.get("coding_counts") or {}, checkpoint.get("code_counts"))
        else:
            # Files a checkpoint cut short wrote are newer than project.json and may point at
            # codes it lacks: their references are checked once the log has caught up.
            self._codings_newer = "pending" in checkpoint or codings_files.newer(
                main | {"meta": {"checkpoint": checkpoint}}, self._digests
            )
            for records in self._open_codings(raw["codings"], check_references=not self._codings_newer):
                self.state.load("codings", records)
            if "pending" in checkpoint:
                self._adopt_files(raw["codings"])
        if not self._files:  # no record of this machine's (a fresh clone): the first checkpoint writes one
            for db in self._shared_dbs().values():
                db.storage.dirty = True

    def _adopt_files(self, files: dict[str, dict]) -> None:
        """Record the files a checkpoint cut short wrote as this machine's own: the record
        the next checkpoint writes must accept them, even those it does not rewrite."""
        for key, data in files.items():
            name = layout.relative_name(key)
            self._files[name] = [self._digests[name], len(data.get("codings", {}))]
        self._files[PROJECT_FILE] = [self._main_digest, 0]

    def _replay(self) -> None:
        """Bring the checkpoint up to date from the log (idempotent: sets final values).

        Each entry is checked before and after it is applied (its shape, the undo and redo
        it claims, the references and the code tree it leaves); an inconsistent entry is
        damage at its line, reported like a garbled one, so `margin restore` can cut there."""
        if self.readonly and not self.state.codings_loaded and self._touches_codings():
            self.state.codings  # noqa: B018 - read (and checked) before the log, which then holds all they do
        for offset, entry in self._unreplayed():
            problem = schema.entry_problem(entry) or self._history_problem(entry)
            if not problem:
                for table, entity_id, before, after in entry["changes"]:
                    self._set(table, entity_id, after, before)
                problem = self._effect_problem(entry) if entry["seq"] > self._mixed_until else ""
            if problem:
                raise self._log_damage(offset, f"action {entry['seq']}: {problem}")
            self._track_undo(entry, offset)
            self.seq = entry["seq"]
            self._ops_since_checkpoint += 1

    def _touches_codings(self) -> bool:
        lines, _ = self._lines_past_checkpoint()
        return any(entry is not None and any(c[0] == "codings" for c in entry.get("changes", ())) for _, entry in lines)

    def _unreplayed(self) -> Iterator[tuple[int, dict]]:
        """The log's entries past the checkpoint, with their offsets.

        The checkpoint's byte offset is a shortcut, taken only when the next action starts
        there. Otherwise (a line before it damaged with a change of length; the log cut or
        replaced outside Margin) every line is read and entries are picked by number. A
        damaged line matters only if it held an action the checkpoint lacks: numbers run on
        by one, so that is when the next good entry (or, at the end, the one before it) is
        past the checkpoint."""
        covered = self.seq
        lines, previous = self._lines_past_checkpoint()
        damaged: int | None = None
        for offset, entry in lines:
            if entry is None:
                damaged = offset if damaged is None else damaged
                continue
            if damaged is not None and entry["seq"] > covered + 1:
                raise self._log_damage(damaged, "the line is not a Margin log entry")
            damaged, previous = None, entry["seq"]
            if entry["seq"] <= covered:
                continue
            if entry["seq"] <= self.seq:
                raise self._log_damage(offset, f"action {entry['seq']} comes again after action {self.seq}")
            yield offset, entry
        if damaged is not None and previous >= covered:
            raise self._log_damage(damaged, "the line is not a Margin log entry")

    def _lines_past_checkpoint(self) -> tuple[Iterator, int]:
        """The log's lines from the checkpoint's offset if the next action starts there,
        else from the start; and the number of the action before the first line."""
        start = self._log_at_checkpoint
        if start == 0 or not self._at_line_start(start):
            return self.journal.read_lines(0), 0
        lines = self.journal.read_lines(start)
        first = next(lines, None)
        if first is not None and (first[1] is None or first[1]["seq"] != self.seq + 1):
            return self.journal.read_lines(0), 0
        return itertools.chain([first] if first else [], lines), self.seq

    def _at_line_start(self, offset: int) -> bool:
        try:
            with open(self.journal.path, "rb") as handle:
                handle.seek(offset - 1)
                return handle.read(1) == b"\n"
        except FileNotFoundError:
            return False

    def _history_problem(self, entry: dict) -> str:
        """An undo or redo must reverse or repeat an action on its stack: with undo each
        coder's own, the newest of that coder's items (or, naming no target, any)."""
        kind = entry.get("kind")
        if "amends" in entry:
            newest = next((i for i in reversed(self._undo) if self._coder_of(i) == entry.get("by", "")), None)
            if kind != "do" or newest is None or newest[0] != entry["amends"]:
                return f"it continues action {entry['amends']}, which is not its coder's newest to undo"
        stack = self._undo if kind == "undo" else self._redo if kind == "redo" else None
        if stack is None:
            return ""
        if not stack:
            return f"it is a {kind} when there is nothing to {kind}"
        target = entry.get("target")
        if target is not None and all(item[0] != target for item in stack):
            return f"it is a {kind} of action {target}, which is not there to {kind}"
        return ""

    def _effect_problem(self, entry: dict) -> str:
        """References an applied entry broke: a missing document, code or parent, a loop."""
        state = self.state
        touched_codes = []
        for table, entity_id, _before, after in entry["changes"]:
            if table == "codes" and after is not None:
                touched_codes.append(entity_id)
            elif table == "codes" and any(c.parent == entity_id for c in state.codes.values()):
                return f"it deletes code {entity_id} but not its sub-codes"
            elif table == "codings" and after is not None:
                document = state.documents.get(after["document"])
                if document is None or after["code"] not in state.codes or after["end"] > document.length:
                    return f"it puts coding {entity_id} on a document or code that does not exist, or past its end"
            if after is None and table == "documents" and not self.readonly and state.codings_of(entity_id):
                return f"it deletes document {entity_id} but not its codings"
            if after is None and table in ("codes", "documents") and state.codings_loaded:
                index = state.codings_by_code if table == "codes" else state.codings_by_document
                if index.get(entity_id):
                    return f"it deletes {table[:-1]} {entity_id} but not its codings"
        return schema.code_tree_problem(state.codes, touched_codes)

    def _log_damage(self, offset: int, problem: str) -> schema.LogDamaged:
        return schema.LogDamaged(
            offset,
            f"{LOG_NAME} is damaged at byte {offset} ({problem}); "
            "`margin restore --cut-log` cuts it there, keeping a copy",
        )

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
        """Write the shared files changed since the last checkpoint, then this machine's
        record (local.json); the log then replays from here. The record is written first
        with the new files' digests as pending, so a kill between the writes leaves files
        that the record accepts (see store/layout.py)."""
        self._require_writable()
        offset = self.journal.size()
        changed = {name: db for name, db in self._shared_dbs().items() if db.storage.dirty}
        encoded = {name: db.storage.encoded() for name, db in changed.items()}
        record = self._record | {"files": self._files}
        if encoded:
            pending = {name: layout.digest(raw) for name, raw in encoded.items()}
            layout.write_local(self.dir, record | {"pending": pending, "pending_seq": self.seq})
            _save_all(changed, encoded)
            for name, db in changed.items():
                self._files[name] = [pending[name], len(db.storage.read().get("codings", {}))]
        counts = dict(self.state.coding_counts_by_document())
        undo, redo = [list(x) for x in self._undo], [list(x) for x in self._redo]
        record = {"seq": self.seq, "offset": offset, "undo": undo, "redo": redo, "coding_counts": counts, "files": self._files,
                  "code_counts": dict(self.state.coding_counts_by_code())}  # fmt: skip
        layout.write_local(self.dir, record)
        self._checkpoint_seq, self._checkpoint_undo, self._checkpoint_redo = self.seq, undo, redo
        self._record = record | {"files": dict(self._files)}
        self._ops_since_checkpoint = 0
        self._log_at_checkpoint = offset

    def _shared_dbs(self) -> dict[str, ProjectDB]:
        """The TinyDB files a checkpoint writes, by their names inside the project."""
        dbs = {layout.relative_name(key): db for key, db in self._coding_dbs.items()}
        return dbs | {PROJECT_FILE: self._main}  # project.json last, as a reader reads it first

    def backup(self, reason: str) -> Path:
        """Checkpoint, then snapshot the files into backups/ (before destructive actions)."""
        self.checkpoint()
        backup.keep_sources(self.dir)
        return backup.take(self.dir, self._checkpoint_files(), reason)

    def _checkpoint_files(self) -> list[Path]:
        return layout.checkpoint_paths(self.dir)

    def _backup_if_changed(self) -> None:
        """A backup at open when the checkpoint moved since the newest one (local.json
        changes with every checkpoint)."""
        latest = backup.newest(self.dir)
        local = self.dir / layout.LOCAL_FILE
        if latest is None or not local.is_file() or not (latest / layout.LOCAL_FILE).is_file() or (
            (latest / layout.LOCAL_FILE).read_bytes() != local.read_bytes()
        ):
            backup.keep_sources(self.dir)
            backup.take(self.dir, self._checkpoint_files(), "open")

    def _restore_hint(self) -> str:
        return restore_hint(self.dir)

    # ------------------------------------------------------------------ operations

    @contextmanager
    def operation(self, summary: str, *, undoable: bool = True, amends: int | None = None) -> Iterator[Operation]:
        """Group changes into one acknowledged, undoable action (nested calls join the outer).

        `amends` names an earlier action that this one continues (the saves of one memo
        being typed): if that is still the coder's newest and touched the same entities,
        the two are one undo step."""
        if self._op is not None:
            yield self._op
            return
        self._require_writable()
        op = Operation(summary, undoable=undoable, amends=amends)
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
        if changes_nothing(op.changes):  # a value set to what it was: nothing to log, nothing to undo
            self._rollback(op)
        if op.changes:
            amended = self._amendment(op)
            if amended is not None:
                self._commit(op, *amended)
            else:
                self._commit(op, {"kind": "do" if undoable else "system"})

    def _amendment(self, op: Operation) -> tuple[dict, list] | None:
        """When `op` continues the coder's newest undoable action on the same entities:
        the log fields that say so, and its changes with the "before" of that action, so
        that one undo takes both back. None when it does not (then it is an action of its own)."""
        if op.amends is None or not op.undoable:
            return None
        name = self._name()
        newest = next((item for item in reversed(self._undo) if self._coder_of(item) == name), None)
        if newest is None or newest[0] != op.amends:
            return None
        try:
            original = self._logged(newest)
        except Refused:
            return None
        before = {(t, i): b for t, i, b, _a in original["changes"]}
        if set(before) != {(t, i) for t, i, _b, _a in op.changes}:
            return None
        changes = [[t, i, before[(t, i)], a] for t, i, _b, a in op.changes]
        return {"kind": "do", "amends": op.amends, "summary": original["summary"]}, changes

    def put(self, entity) -> None:
        """Insert or replace an entity inside the current operation."""
        record = entity.to_record()
        before = self._current(entity.TABLE, entity.id, record)
        self._change(entity.TABLE, entity.id, before.to_record() if before else None, record)

    def delete(self, entity) -> None:
        self._change(entity.TABLE, entity.id, entity.to_record(), None)

    def put_records(self, table: str, records: list[dict], held: dict[str, dict] | None = None) -> None:
        """Insert or replace many entities of `table`, given as records, inside the current
        operation: what `put` does for each, a codings file at a time (a merge brings in
        tens of thousands: one round trip per coding through `_current` and `_set` was most
        of it). Logged, rolled back and undone like any change of the operation.

        `held`, the caller's map of the coding records this project holds (a merge has
        it), says which files hold an incoming coding already; then only the incoming
        coder's file of each document and those are read, not every coder's (a sync
        bringing in 50,000 of bob's codings need not decode alice's 50,000)."""
        if self._op is None:
            raise RuntimeError("changes must be made inside Project.operation()")
        entities = ENTITIES[table].build_all(records)
        if table != "codings":
            for entity in entities:
                self.put(entity)
            return
        by_file: dict[tuple[str, str], list] = {}
        for coding, record in zip(entities, records):
            by_file.setdefault((coding.coder, coding.document), []).append((coding, record))
        for (coder, document), codings in by_file.items():
            self._put_codings(coder, document, codings, held)

    def _put_codings(self, coder: str, document: str, codings: list, held: dict[str, dict] | None) -> None:
        """One codings file's part of `put_records`: its TinyDB table written once."""
        if held is None:
            self.state.codings_of(document)
        stored = self._coding_db(coder, document).table("codings")
        changes, state = self._op.changes, self.state
        added = {}
        fields = codings[0][0].to_record().keys()
        for coding, raw in codings:
            elsewhere = held.get(coding.id) if held is not None else None
            if elsewhere is not None and (elsewhere["coder"], elsewhere["document"]) != (coder, document):
                self.state.read_file(layout.codings_key(elsewhere["coder"], elsewhere["document"]), elsewhere["document"])
            old = state.loaded_coding(coding.id)
            if old is not None and (old.coder, old.document) != (coder, document):
                self._coding_db(old.coder, old.document).table("codings").delete(coding.id)
            record = raw if raw.keys() == fields else coding.to_record()  # a record of other fields: as put() stores it
            changes.append(["codings", coding.id, old.to_record() if old is not None else None, record])
            added[coding.id] = record
            state.put(coding)
        stored._update_table(lambda table: table.update(added))

    def put_new_entities(self, entities) -> None:
        """Put entities the project does not hold yet (an import into a new project) inside
        the current operation: each is logged as made, stored and indexed without a lookup
        of a value before it or being built again from its record, and each file's table
        is updated once, not once per entity. One already held goes the way of `put`."""
        if self._op is None:
            raise RuntimeError("changes must be made inside Project.operation()")
        changes, state = self._op.changes, self.state
        batch: dict[tuple[str, str] | str, dict] = {}  # (coder, document) or table -> records

        def flush() -> None:
            for key, records in batch.items():
                db = self._coding_db(*key) if isinstance(key, tuple) else self._main
                db.table("codings" if isinstance(key, tuple) else key).set_many(records)
            batch.clear()

        for entity in entities:
            table = entity.TABLE
            if entity.id in (state.codings if table == "codings" else state.table(table)):
                flush()
                self.put(entity)
                continue
            record = entity.to_record()
            changes.append([table, entity.id, None, record])
            batch.setdefault((entity.coder, entity.document) if table == "codings" else table, {})[entity.id] = record
            state.put(entity)
        flush()

    def _change(self, table: str, entity_id: str, before: dict | None, after: dict | None) -> None:
        if self._op is None:
            raise RuntimeError("changes must be made inside Project.operation()")
        self._op.changes.append([table, entity_id, before, after])
        self._set(table, entity_id, after, before)

    def _current(self, table: str, entity_id: str, hint: dict | None = None):
        """The entity's value now. For a coding, `hint` (a record of it, before or after
        a change) names its document, so only that document's codings are read."""
        if table == "codings" and isinstance(hint, dict) and isinstance(hint.get("document"), str):
            return self.state.codings_of(hint["document"]).get(entity_id)
        return self.state.table(table).get(entity_id)

    def _set(self, table: str, entity_id: str, record: dict | None, hint: dict | None = None) -> None:
        """Make `record` the stored value (None removes it), in memory and in TinyDB;
        `hint` is another record of the entity (see _current)."""
        if record is None and table in ("codes", "documents") and not self.state.codings_loaded:
            # read the codings that may point at it first, while their references hold
            if table == "documents":
                self.state.codings_of(entity_id)
            elif self.state.code_in_use(entity_id):
                self.state.codings  # noqa: B018
        old = self._current(table, entity_id, record or hint)
        if table == "codings" and old is not None and (record is None or (old.coder, old.document) != (
            record["coder"], record["document"]
        )):
            self._coding_db(old.coder, old.document).table(table).delete(entity_id)
        if record is None:
            if table != "codings" and old is not None:
                self._main.table(table).delete(entity_id)
            self.state.remove(table, entity_id)
            return
        db = self._coding_db(record["coder"], record["document"]) if table == "codings" else self._main
        db.table(table).set(entity_id, record)
        self.state.put(ENTITIES[table].from_record(record))

    def _coding_db(self, coder_id: str, document_id: str) -> ProjectDB:
        """The TinyDB file of one coder's codings of one document (made when first needed)."""
        key = layout.codings_key(coder_id, document_id)
        self.state.read_file(key, document_id)  # the file as it is on disk before any write to it
        if key not in self._coding_dbs:
            self._coding_dbs[key] = open_db(layout.codings_path(self.dir, key), {"codings": {}})
            folder = layout.codings_path(self.dir, key).parent
            if not folder.is_dir() and not self.readonly:
                make_dir(folder)
                fsync_dir(folder.parent)  # the coder's new folder must survive a power cut
        return self._coding_dbs[key]

    def _rollback(self, op: Operation) -> None:
        for table, entity_id, before, after in reversed(op.changes):
            self._set(table, entity_id, before, after)
        op.changes.clear()
        for path in op.new_files:
            with contextlib.suppress(OSError):
                path.unlink()
            self._texts.pop(path.stem, None)

    def _commit(self, op: Operation, extra: dict, changes: list | None = None) -> dict:
        """Log `op` durably (a session's new coder first); on failure memory is as before.
        `changes` replaces the logged changes of an amending action (memory rolls back by op's own)."""
        try:
            new_coder = self._log_new_coder()
        except Refused:
            self._rollback(op)
            raise
        try:
            entry = self._append(op, extra, changes)
        except Refused:
            if new_coder is not None:
                self._unlog_new_coder(*new_coder)
            raise
        if self.auto_checkpoint:
            self.checkpoint_if_due()
        return entry

    @property
    def checkpoint_due(self) -> bool:
        """Enough actions or log bytes since the last checkpoint that one should be written."""
        return self._ops_since_checkpoint >= CHECKPOINT_OPS or (
            self.journal.size() - self._log_at_checkpoint >= CHECKPOINT_BYTES
        )

    def checkpoint_if_due(self) -> None:
        """Write a checkpoint when one is due (quietly: the log already holds every change)."""
        if not self.readonly and self._op is None and self.checkpoint_due:
            self._checkpoint_quietly()

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

    def _append(self, op: Operation, extra: dict, changes: list | None = None) -> dict:
        entry = {
            "seq": self.seq + 1,
            "at": now(),
            "by": self.coder.name if self.coder else "",
            "summary": op.summary,
            **extra,
            "changes": op.changes if changes is None else changes,
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
        """Keep the undo and redo stacks: items are [seq, offset, coder name], each coder's
        own in one list; a coder's new action clears only that coder's redo items."""
        kind, by = entry.get("kind"), entry.get("by", "")
        if kind == "do":
            if "amends" in entry:  # one undo step with the action it continues
                self._undo[:] = [item for item in self._undo if item[0] != entry["amends"]]
            self._undo.append([entry["seq"], offset, by])
            self._redo[:] = [item for item in self._redo if self._coder_of(item) != by]
        elif kind == "undo":
            _move(self._undo, self._redo, entry.get("target"))
        elif kind == "redo":
            _move(self._redo, self._undo, entry.get("target"))

    def _require_writable(self) -> None:
        if self.readonly:
            raise Refused("the project is open read-only; close the other Margin session to change it")

    # ------------------------------------------------------------------ undo and redo

    def undo(self) -> dict:
        """Reverse the current coder's newest action not yet undone; returns its log entry.
        Another coder's work is never undone, and an action that another coder has since
        changed or built on is refused rather than half undone."""
        original = self._logged(self._own(self._undo, "undo"))
        reverse = [[t, i, after, before] for t, i, before, after in reversed(original["changes"])]
        self._walk(reverse, "undo", original)
        return original

    def redo(self) -> dict:
        """Re-apply the current coder's newest undone action."""
        original = self._logged(self._own(self._redo, "redo"))
        self._walk(original["changes"], "redo", original)
        return original

    def _own(self, stack: list[list], verb: str) -> list:
        """The current coder's newest item on `stack`."""
        name = self._name()
        for item in reversed(stack):
            if self._coder_of(item) == name:
                return item
        others = sorted({self._coder_of(item) for item in stack} - {name})
        if others:
            raise Refused(
                f"nothing of {name}'s to {verb}; the rest is {', '.join(others)}'s, "
                f"which only they can {verb} (margin --coder NAME {verb})"
            )
        raise Refused(f"nothing to {verb}")

    def _coder_of(self, item: list) -> str:
        """Who did an item's action; items saved before coders had their own undo lack
        it, and are filled in all at once from one read of the log."""
        if len(item) < 3:
            self._fill_coders()
        return item[2]

    def _fill_coders(self) -> None:
        legacy = [item for item in (*self._undo, *self._redo) if len(item) < 3]
        by: dict[int, str] = {}
        with contextlib.suppress(ProjectCorrupt):
            by = {e["seq"]: e.get("by", "") for _, e in self.journal.read_from(min(i[1] for i in legacy))}
        for item in legacy:
            item.append(by.get(item[0], ""))

    def _logged(self, position: list) -> dict:
        """The log entry an undo or redo refers to, checked to be the one it means."""
        seq, offset = position[0], position[1]
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
            if not _same(self._current(table, entity_id, before or after), before):
                self._rollback(op)
                self._refuse_walk(kind, original, entity_id)
            op.changes.append([table, entity_id, before, after])
            self._set(table, entity_id, after, before)
        broken = self._dangling(changes)
        if broken:
            self._rollback(op)
            self._refuse_walk(kind, original, broken)
        self._commit(op, {"kind": kind, "target": original["seq"]})

    def _dangling(self, changes: list) -> str | None:
        """An entity left pointing at nothing once `changes` are applied (a coding whose
        code is gone, say): its id, or None."""
        state = self.state
        for table, entity_id, _before, after in changes:
            if after is None:
                referrers = [
                    *(state.codings_by_code.get(entity_id, {}) if table == "codes" and state.code_in_use(entity_id) else ()),
                    *(state.codings_of(entity_id) if table == "documents" else ()),
                    *state.memos_by_target.get(entity_id, {}),
                    *(c.id for c in state.codes.values() if c.parent == entity_id),
                ]
                if referrers:
                    return referrers[0]
                continue
            wanted = {
                "codings": [after.get("code"), after.get("document")],
                "codes": [after.get("parent")],
                "memos": [after.get("target")] if after.get("kind") not in NAMED_TARGET_KINDS else [],
            }.get(table, [])
            if any(ref is not None and not self._exists(ref, after.get("kind")) for ref in wanted):
                return entity_id
        return None

    def _exists(self, entity_id: str, kind: str | None = None) -> bool:
        """Whether a code, document or (for a memo of `kind` coding) coding exists."""
        state = self.state
        if entity_id in state.codes or entity_id in state.documents:
            return True
        return kind in (None, "coding") and entity_id in state.codings

    def _refuse_walk(self, kind: str, original: dict, entity_id: str) -> None:
        """Refuse an undo or redo that would clash with a later action, naming it."""
        later = None
        for _, entry in self.journal.read_from(0):
            if entry["seq"] > original["seq"] and any(c[1] == entity_id for c in entry["changes"]):
                later = entry
        said = f"{later['by']}'s later action “{later['summary']}” changed the same passage or code" if later else (
            "a later action changed the same passage or code"
        )
        raise Refused(f"cannot {kind} “{original['summary']}”: {said}; that must be undone first")

    @property
    def can_undo(self) -> bool:
        return any(self._coder_of(item) == self._name() for item in self._undo)

    @property
    def can_redo(self) -> bool:
        return any(self._coder_of(item) == self._name() for item in self._redo)

    def _name(self) -> str:
        return self.coder.name if self.coder else ""

    def log(self, newest: int | None = None) -> list[dict]:
        """Every logged operation (or the `newest` ones, read from the log's end), oldest
        first, without its change records; a damaged line (one the checkpoint covers, or
        the open would have failed) is shown as such."""
        if not newest:
            return self.journal.summaries(_summary)
        return [_summary(offset, entry) for offset, entry in self.journal.last_lines(newest)]

    # ------------------------------------------------------------------ coders and texts

    @property
    def name(self) -> str:
        return self.meta["name"]

    def coder_named(self, name: str) -> Coder:
        """A coder by name; the session's own coder counts before their first change records them."""
        for coder in self.state.coders.values():
            if coder.name == name:
                return coder
        if self.coder is not None and self.coder.name == name:
            return self.coder
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
            if sha256(data).hexdigest() != document.sha256:
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
        return sha256(data).hexdigest()


def refuse_unfit_folder(path: Path) -> None:
    """Refuse a folder a new project cannot be made in: one holding a project, a file,
    a path too long for the project's own files."""
    if (path / PROJECT_FILE).exists():
        raise Refused(f"{path} already holds a Margin project; open it instead")
    if path.exists() and not path.is_dir():
        raise Refused(f"{path} is a file, not a folder; choose another path")
    _check_path_length(path)


def _save_all(changed: dict[str, ProjectDB], encoded: dict[str, bytes]) -> None:
    """Write a checkpoint's files, project.json last (a reader reads it first). Many
    codings files (an import's first checkpoint writes hundreds) are written by threads,
    so that their fsyncs wait on the disk together rather than one after another."""
    codings = [name for name in changed if name != PROJECT_FILE]
    if len(codings) > SAVE_THREADS:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(SAVE_THREADS) as writers:
            for future in [writers.submit(changed[name].storage.save, encoded[name]) for name in codings]:
                future.result()
        codings = []
    for name in (*codings, *([PROJECT_FILE] if PROJECT_FILE in changed else [])):
        changed[name].storage.save(encoded[name])


def restore_hint(directory: Path) -> str:
    """What to run to bring a damaged project back, naming the backup restore would use."""
    from store.restore import newest_good

    latest = newest_good(directory)
    if latest is None:
        return "no usable backup exists; `margin restore --from-log` rebuilds the project from its log"
    return f"the newest backup is {latest.relative_to(directory)}: run `margin restore` to bring it back"


def _written_here(main: dict, found: str) -> bool:
    """Whether project.json is byte for byte the one this machine's last checkpoint wrote
    (its digest is the record's, no checkpoint cut short): its tables and code tree were
    checked as they were built, so an open checks only its meta records, not 16,000 turns
    and 5,000 codes again. A clone's, a merge's or a hand-edited file is checked in full."""
    checkpoint = main["meta"].get("checkpoint") or {}
    recorded = (checkpoint.get("files") or {}).get(PROJECT_FILE)
    return "pending" not in checkpoint and bool(recorded) and recorded[0] == found


def _summary(offset: int, entry: dict | None) -> dict:
    """What `margin log` shows of one log line: the entry without its change records (their
    number instead), or that the line is damaged."""
    if entry is not None and not schema.entry_problem(entry):
        return {k: v for k, v in entry.items() if k != "changes"} | {"changes": len(entry["changes"])}
    return {"seq": "?", "at": "", "by": "", "summary": f"(a damaged line at byte {offset})", "changes": 0}


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


def _move(source: list[list], target: list[list], seq: int | None) -> None:
    """Move the undo item of action `seq` (else the newest) from one stack to the other."""
    for index in range(len(source) - 1, -1, -1):
        if seq is None or source[index][0] == seq:
            target.append(source.pop(index))
            return


def _same(entity, record: dict | None) -> bool:
    """Whether an entity still holds the logged `record` (fields a newer Margin added to
    the entity, which the record lacks, are not compared)."""
    if entity is None or record is None:
        return entity is None and record is None
    current = orjson.loads(orjson.dumps(entity.to_record()))
    return all(current.get(key) == value for key, value in record.items())


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
