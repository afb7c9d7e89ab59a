"""Checkpoints (the shared files rewritten, then this machine's record) and backups."""

from __future__ import annotations

import contextlib
import os
from collections import deque
from pathlib import Path

from store import backup, layout
from store.core.backups import restore_hint
from store.errors import ProjectCorrupt
from store.journal import LOG_NAME
from store.layout import PROJECT_FILE
from store.storage import ProjectDB, fsync_dir

CHECKPOINT_OPS = 200
# A session's first change takes a backup unless the newest is younger than this and
# fewer actions behind (`_covered_by`): so the commands of a minute share one.
OPEN_BACKUP_ACTIONS = 50
OPEN_BACKUP_SECONDS = 15 * 60
CHECKPOINT_BYTES = 8 << 20
SAVE_THREADS = 8  # files a checkpoint writes at once, when it writes more than this


class Checkpoints:
    """Store's checkpoints and backups: a part of `store.core.store.Store`, which mixes it in."""

    _open_backup_due = False  # set by a writer's open (store/core/opening.py); see take_open_backup

    def checkpoint(self) -> None:
        """Write the shared files changed since the last checkpoint, then this machine's
        record (local.json); the log then replays from here. The new files are staged
        first (fsynced temporary files beside them, which an open removes), then the
        record is written with their digests as pending, then they are renamed into
        place: a kill between the writes leaves files that the record accepts (see
        store/layout.py)."""
        self._require_writable()
        offset = self.journal.size()
        changed = {name: db for name, db in self._shared_dbs().items() if db.storage.dirty}
        record = self._record | {"files": self._files}
        if changed:
            staged = _stage_all(changed)
            pending = {name: digest for name, (_tmp, digest) in staged.items()}
            try:
                layout.write_local(self.dir, record | {"pending": pending, "pending_seq": self.seq})
            except BaseException:
                _discard(staged)
                raise
            _put_in_place(changed, staged)
            for name, db in changed.items():
                self._files[name] = [pending[name], len(db.storage.read().get("codings", {}))]
        counts = dict(self.state.coding_counts_by_document())
        undo, redo = [list(x) for x in self._undo], [list(x) for x in self._redo]
        record = {"seq": self.seq, "offset": offset, "undo": undo, "redo": redo, "coding_counts": counts, "files": self._files,
                  "code_counts": dict(self.state.coding_counts_by_code())}  # fmt: skip
        # Its rename need not survive a power cut: the record before it (the pending one,
        # durable, or the last checkpoint's) accepts the files, and the log replays past it.
        layout.write_local(self.dir, record, durable_name=False)
        self._checkpoint_seq, self._checkpoint_undo, self._checkpoint_redo = self.seq, undo, redo
        self._record = record | {"files": dict(self._files)}
        self._ops_since_checkpoint = 0
        self._log_at_checkpoint = offset

    def _shared_dbs(self) -> dict[str, ProjectDB]:
        """The TinyDB files a checkpoint writes, by their names inside the project."""
        dbs = {layout.relative_name(key): db for key, db in self._coding_dbs.items()}
        return dbs | {PROJECT_FILE: self._main}  # project.json last, as a reader reads it first

    def backup(self, reason: str) -> Path:
        """Checkpoint, then snapshot the files into backups/ (before destructive actions);
        it stands for the backup at open too, which is then not taken."""
        self.checkpoint()
        backup.keep_sources(self.dir)
        taken = backup.take(self.dir, self._checkpoint_files(), reason)
        self._open_backup_due = False
        return taken

    def _checkpoint_files(self) -> list[Path]:
        return layout.checkpoint_paths(self.dir)

    def take_open_backup(self, every_session: bool = False) -> None:
        """The backup at open, taken once, just before the session's first change (and by
        the app as it opens, `every_session`: one for each session of the app, where the
        work happens): a command that is refused, or only reads, leaves backups/ as it
        was. Skipped when the newest backup holds this checkpoint, or (not `every_session`)
        when it and a few actions of the log past it make the state at open (`_covered_by`).
        Raises OSError when it cannot be made."""
        if not self._open_backup_due:
            return
        latest = backup.newest(self.dir)
        if latest is None or not self._covered_by(latest, every_session):
            backup.keep_sources(self.dir)
            backup.take(self.dir, self._checkpoint_files(), "open")
        self._open_backup_due = False

    def _covered_by(self, latest: Path, only_this_checkpoint: bool) -> bool:
        """Whether `margin restore` of the backup `latest` (which puts it back, then replays
        every later action of the log) gives the state at open in a few actions' replay:
        it holds this checkpoint (local.json byte for byte), or one taken in the last
        OPEN_BACKUP_SECONDS fewer than OPEN_BACKUP_ACTIONS actions before it, whose next
        action the log holds where the backup says. A command line command opens, changes
        and checkpoints each time:
        a backup of each took five fsyncs of every apply (a third of its time at 200,000
        codings) and held nothing that restore could not rebuild from the one before."""
        try:
            kept, now_at = (latest / layout.LOCAL_FILE).read_bytes(), (self.dir / layout.LOCAL_FILE).read_bytes()
        except OSError:
            return False
        if kept == now_at or only_this_checkpoint:
            return kept == now_at
        if not 0 <= (backup.age(latest) or -1) < OPEN_BACKUP_SECONDS:
            return False
        try:
            record = layout.read_local(latest)
        except (ProjectCorrupt, ValueError):
            return False
        if "pending" in record or not 0 <= self._checkpoint_seq - record.get("seq", -1) < OPEN_BACKUP_ACTIONS:
            return False
        offset = record.get("offset")
        if type(offset) is not int or offset > self._log_at_checkpoint:
            return False
        if offset == self._log_at_checkpoint:
            return record.get("seq") == self._checkpoint_seq
        try:
            return self.journal.read_at(offset).get("seq") == record["seq"] + 1
        except ProjectCorrupt:
            return False

    def _restore_hint(self) -> str:
        return restore_hint(self.dir)

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

    def _checkpoint_quietly(self) -> None:
        """A failed checkpoint loses nothing (the log has it); say so and go on."""
        try:
            self.checkpoint()
        except OSError as exc:
            self.warnings.append(f"could not write a checkpoint ({exc.strerror or exc}); changes are safe in {LOG_NAME}")


def _stage_all(changed: dict[str, ProjectDB]) -> dict[str, tuple[str, str]]:
    """Each changed file's new bytes in a fsynced temporary file beside it, by name: (its
    temporary name, the digest of its bytes). A file's bytes are let go once written, so
    a checkpoint holds a few files' bytes, not all of them (an import's first checkpoint
    writes 90 MB at 200,000 codings). A failure removes what was staged."""
    staged: dict[str, tuple[str, str]] = {}
    try:
        if len(changed) <= SAVE_THREADS:
            for name, db in changed.items():
                raw = db.storage.encoded()
                staged[name] = (db.storage.stage(raw), layout.digest(raw))
        else:
            _stage_by_threads(changed, staged)
    except BaseException:
        _discard(staged)
        raise
    return staged


def _stage_by_threads(changed: dict[str, ProjectDB], staged: dict[str, tuple[str, str]]) -> None:
    """`_stage_all` of many files (an import's first checkpoint writes hundreds): encoded
    here, written by threads so that their fsyncs wait on the disk together, with at most
    2 x SAVE_THREADS files' bytes waiting for a writer."""
    from concurrent.futures import ThreadPoolExecutor

    running: deque = deque()  # (name, digest, future of its temporary name)

    def settle(limit: int) -> None:
        while len(running) > limit:
            name, digest, future = running.popleft()
            staged[name] = (future.result(), digest)

    with ThreadPoolExecutor(SAVE_THREADS) as writers:
        try:
            for name, db in changed.items():
                raw = db.storage.encoded()
                running.append((name, layout.digest(raw), writers.submit(db.storage.stage, raw)))
                del raw
                settle(2 * SAVE_THREADS)
            settle(0)
        except BaseException:
            for name, digest, future in running:  # what the other writers made is removed too
                with contextlib.suppress(Exception):
                    staged[name] = (future.result(), digest)
            raise


def _put_in_place(changed: dict[str, ProjectDB], staged: dict[str, tuple[str, str]]) -> None:
    """Rename the staged files over the checkpoint's and make the renames durable: the
    codings files first, project.json last (a reader reads it first)."""
    codings = [name for name in changed if name != PROJECT_FILE]
    placed: set[str] = set()
    try:
        for group in (codings, [PROJECT_FILE] if PROJECT_FILE in changed else []):
            for name in group:
                changed[name].storage.place(staged[name][0])
                placed.add(name)
            for folder in {changed[name].storage.path.parent for name in group}:
                fsync_dir(folder)
    except BaseException:
        _discard({name: found for name, found in staged.items() if name not in placed})
        raise


def _discard(staged: dict[str, tuple[str, str]]) -> None:
    for tmp, _digest in staged.values():
        with contextlib.suppress(OSError):
            os.unlink(tmp)
