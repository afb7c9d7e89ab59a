"""A project: the facade that ties the persistence core to the domain collections.

The files, the log, operations, undo and checkpoints are `store.core.store.Store`'s (see
store/core/); the collections (`Documents`, `Codebook`, `Codings`, `Memos`) work through
it. `Project` adds the collections and accepts files a `git pull` wrote before an open.
The dependency runs one way: core, then collections, then this module (tests/test_layers.py).
"""

from __future__ import annotations

from pathlib import Path

from store.codebook import Codebook
from store.codings import Codings
from store.core.backups import restore_hint
from store.core.changes import Operation, changes_nothing
from store.core.checkpoints import CHECKPOINT_OPS
from store.core.folder import PATH_ROOM
from store.core.history import _summary
from store.core.store import Store, find_project, refuse_unfit_folder
from store.documents import Documents
from store.layout import CODINGS_DIR, PROJECT_FILE, SOURCES_DIR
from store.memos import Memos

__all__ = [
    "CHECKPOINT_OPS", "CODINGS_DIR", "PATH_ROOM", "PROJECT_FILE", "SOURCES_DIR", "Operation", "Project",
    "_summary", "changes_nothing", "find_project", "refuse_unfit_folder", "restore_hint",
]  # fmt: skip


class Project(Store):
    """An open project. Use `Project.open()` / `Project.init()`, as a context manager."""

    def __init__(self, directory: Path, readonly: bool):
        super().__init__(directory, readonly)
        self.documents = Documents(self)
        self.codebook = Codebook(self)
        self.codings = Codings(self)
        self.memos = Memos(self)

    @classmethod
    def _before_open(cls, path: Path) -> None:
        if (path / ".git").exists():  # files a `git pull` wrote are accepted (store/team/accept.py)
            from store.team.accept import before_open

            before_open(path)
