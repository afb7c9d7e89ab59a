"""The persistence core of a project: one folder holding the TinyDB files, the source
texts and the operation log, and the writer's lock.

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

`Store` knows entities only as the records of store.model and their tables; it imports no
domain collection (store.codebook, store.codings, ...) and no service above it, which
tests/test_layers.py checks. Its parts live beside it: opening.py (reading the files),
replay.py (the log past the checkpoint), changes.py (operations), history.py (undo and
redo) and checkpoints.py (checkpoints and backups). `store.project.Project` is the facade
that adds the collections.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from store import backup, layout, schema
from store.clock import new_id, now
from store.core.backups import restore_hint
from store.core.changes import Changes, Operation
from store.core.checkpoints import Checkpoints
from store.core.folder import check_path_length
from store.core.history import History
from store.core.opening import Opening
from store.core.replay import Replay
from store.digests import sha256
from store.errors import BadInput, NotAProject, NotFound, ProjectCorrupt, Refused, UnknownName
from store.journal import LOG_NAME, Journal
from store.layout import CODINGS_DIR, PROJECT_FILE, SOURCES_DIR
from store.lock import ProjectLock
from store.model import Coder
from store.state import State
from store.storage import ProjectDB, fsync_dir, make_dir, write_atomic
from store.text import one_line, plural, refuse_unshown



def refuse_unfit_names(name: str | None, coder: str | None) -> None:
    """A new project's name and coder hold only characters that show (before any file is made)."""
    for given, kind in ((name, "a project's name"), (coder, "a coder's name")):
        if given:
            refuse_unshown(given, kind)
    if coder:
        _new_coder_name(one_line(coder))

class Store(Opening, Replay, Changes, History, Checkpoints):
    """An open project's files, log and history, without the domain collections. Use
    `Store.open()` / `Store.init()` (or the facade's `Project.open()`), as a context manager."""

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
        self._tomb_trail: list[tuple[str, str, dict | None]] = []  # see Changes._trail
        self._ops_since_checkpoint = 0
        self._appended = 0  # entries this session appended to the log (the replayed ones are not)
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

    @classmethod
    def init(
        cls, directory: str | os.PathLike, name: str | None = None, coder: str | None = None, created: str | None = None
    ) -> Store:
        """Create a project in `directory` (created if missing, refused if it holds one);
        `created` keeps the creation time of a project brought in from another tool."""
        path = Path(directory)
        refuse_unfit_names(name, coder)
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
    def open(cls, directory: str | os.PathLike, *, readonly: bool = False, coder: str | None = None) -> Store:
        path = Path(directory)
        if not (path / PROJECT_FILE).is_file():
            _refuse_lost_project_file(path)
            where = "no such folder" if not path.exists() else f"no {PROJECT_FILE}"
            raise NotAProject(
                f"{path} is not a Margin project ({where}); "
                "give a project's folder, or create one there with `margin init`"
            )
        cls._before_open(path)
        project = cls(path, readonly)
        try:
            project._load(coder)
        except BaseException:
            project._release()
            raise
        return project

    @classmethod
    def _before_open(cls, path: Path) -> None:
        """What must happen to a project folder before it is read; the facade
        (store.project) accepts the files a `git pull` wrote here."""

    def close(self) -> None:
        """Write a checkpoint if this session grew the log, and release the lock. A session
        that changed nothing writes nothing, though the log runs past the checkpoint (after
        a crash, or `margin restore`): its files stay byte for byte as they were."""
        try:
            if not self.readonly and self._ops_since_checkpoint and self._appended:
                self._checkpoint_quietly()
        finally:
            self._release()

    def _release(self) -> None:
        self.journal.close()
        self.lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
        raise UnknownName(f"no coder named {name!r}; coders: {', '.join(sorted(c.name for c in self.state.coders.values()))}")

    def _ensure_coder(self, name: str) -> Coder:
        """The session's coder. A new one is recorded with the session's first change
        (never by a read-only session, nor by a command that is refused)."""
        refuse_unshown(name, "a coder's name")
        name = one_line(name) or _login_name()
        with contextlib.suppress(UnknownName):
            return self.coder_named(name)
        coder = Coder(new_id(), _new_coder_name(name), now())
        if not self.readonly:
            self._new_coder = coder
        return coder

    def add_coder(self, name: str) -> Coder:
        """The coder of that name, recorded if new (the first one signs its own log entry)."""
        refuse_unshown(name, "a coder's name")
        name = one_line(name)
        with contextlib.suppress(UnknownName):
            return self.coder_named(name)
        if self._new_coder is not None and self._new_coder.name == name:
            coder = self._new_coder
            self._log_new_coder()
            return coder
        coder = Coder(new_id(), _new_coder_name(name), now())
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
        if self._op is None:
            write_atomic(path, data)
        else:  # its name made durable with the action's other texts' (Changes._append)
            if not path.exists():
                self._op.new_files.append(path)
            write_atomic(path, data, durable_name=False)
            self._op.unsynced.add(path.parent)
        self._texts[document_id] = text
        return sha256(data).hexdigest()


def refuse_unfit_folder(path: Path) -> None:
    """Refuse a folder a new project cannot be made in: one holding a project, a file,
    a path too long for the project's own files."""
    if (path / PROJECT_FILE).exists():
        raise Refused(f"{path} already holds a Margin project; open it instead")
    if path.exists() and not path.is_dir():
        raise Refused(f"{path} is a file, not a folder; choose another path")
    check_path_length(path)


def _refuse_lost_project_file(path: Path) -> None:
    """A folder with a log or backups but no project.json lost its project file: say so
    (and how to restore it) instead of suggesting `margin init`."""
    if (path / LOG_NAME).is_file() or (path / backup.BACKUP_DIR).is_dir():
        raise ProjectCorrupt(f"{PROJECT_FILE} is missing from {path}; {restore_hint(path.resolve())}")


def find_project(start: Path) -> Path:
    """The folder at or above `start` that holds a project, so commands work from inside
    one (say from its sources/); `start` itself when none does."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return start


def _login_name() -> str:
    import getpass  # here: only a new project's first coder needs it (with termios, 0.5 ms)

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "coder"


LONGEST_CODER_NAME = 64  # a status line, a report's column and a commit's author must hold it


def _new_coder_name(name: str) -> str:
    """A new coder's name, refused when longer than LONGEST_CODER_NAME characters (one
    already in a project, from an older Margin or a REFI-QDA file, is still found)."""
    if len(name) > LONGEST_CODER_NAME:
        raise BadInput(f"a coder's name is at most {plural(LONGEST_CODER_NAME, 'character')}, not {len(name)}; give a shorter one (--coder NAME)")
    return name
