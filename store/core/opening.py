"""Reading a project's files at open: project.json, this machine's record, the codings files
(each checked to be the one the checkpoint wrote), and building the state from them."""

from __future__ import annotations

import functools
import os
import time

from store import backup, codings_files, layout, schema
from store.core.folder import check_path_length
from store.errors import ProjectCorrupt
from store.layout import CODINGS_DIR, PROJECT_FILE, SOURCES_DIR
from store.state import paused_collector
from store.storage import open_db, parse_project_file, remove_stale_temp_files

MAIN_TABLES = ("coders", "documents", "codes", "memos")
RACE_SECONDS = 10.0  # how long a reader goes on reading again while a writer's checkpoints replace files
LAZY = object()  # a writer's codings, read per document when first needed (Opening._load_codings_file)


class Opening:
    """Store's reading of the files at open: a part of `store.core.store.Store`, which mixes it in."""

    def _load(self, coder: str | None) -> None:
        if not self.readonly:
            check_path_length(self.dir)
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
            self._open_backup_due = True  # taken before the first change (`take_open_backup`)
        self.coder = self._ensure_coder(coder or os.environ.get("MARGIN_CODER") or self.meta["default_coder"])

    def _read_files(self) -> dict:
        """The raw checkpoint: project.json with this machine's record (local.json) in its
        meta. A read-only open of a current project leaves the codings files unread until
        something needs them (`margin docs` never does); a project of schema 1 is
        migrated (store/migrate.py) by a writer, read as if migrated by a reader."""
        deadline = time.monotonic() + RACE_SECONDS
        while True:
            main, found = self._read_main()
            self._main_digest = found
            version = self._schema_of(main)
            if version != schema.SCHEMA:
                break
            problem = codings_files.mismatch_problem(main, {PROJECT_FILE: found})
            if not problem:
                break
            moved = self.readonly and layout.read_local(self.dir) != main["meta"]["checkpoint"]
            if not moved or time.monotonic() > deadline:  # else a reader met a writer's checkpoint: read again
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
        deadline = time.monotonic() + RACE_SECONDS
        while True:
            built = self._built_codings()
            if built is not None:
                return built
            now_main = self._record_now()
            try:
                files = self._read_codings_files(now_main)
            except ProjectCorrupt:
                if self._record_now() == now_main or time.monotonic() > deadline:
                    raise  # no checkpoint while the files were read: they are not the record's
                continue  # a writer's checkpoint replaced files as they were read: read again
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
        self._main = open_db(self.dir / PROJECT_FILE, main, cache_tables=True)
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
            loaders: dict[str, dict] = {}
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


def _written_here(main: dict, found: str) -> bool:
    """Whether project.json is byte for byte the one this machine's last checkpoint wrote
    (its digest is the record's, no checkpoint cut short): its tables and code tree were
    checked as they were built, so an open checks only its meta records, not 16,000 turns
    and 5,000 codes again. A clone's, a merge's or a hand-edited file is checked in full."""
    checkpoint = main["meta"].get("checkpoint") or {}
    recorded = (checkpoint.get("files") or {}).get(PROJECT_FILE)
    return "pending" not in checkpoint and bool(recorded) and recorded[0] == found
