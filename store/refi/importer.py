"""`margin init DIR --from FILE`: a new project from a REFI-QDA .qdpx or .qde.

The file is read and checked before anything is written; the project is then made and
filled in one operation (one log entry, one undo step) in a folder of its own beside the
target, and moved into place whole once every file is durable: a failure or a kill
leaves no project (only, after a kill, a hidden `.margin-init-*` folder), never a
half-imported one. Into a folder that already holds other files (or the working folder)
the project's entries are moved one by one, project.json before the log and backups.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from store.backup import BACKUP_DIR
from store.errors import Refused
from store.exporters.bulk import without_gc
from store.journal import LOG_NAME
from store.project import PROJECT_FILE, Project, refuse_unfit_folder
from store.refi.package import Package
from store.refi.plan import Plan, plan_import
from store.refi.reader import RefiProject, read_project
from store.refi.report import ImportReport
from store.storage import fsync_dir, make_dir, remove_tree
from store.text import one_line


def import_project(
    source: Path, directory: Path, *, name: str | None = None, coder: str | None = None, strict: bool = False
) -> ImportReport:
    from store.core.store import refuse_unfit_names

    refuse_unfit_names(name, coder)  # before the file is read and the folder made
    with without_gc():
        return _import(source, directory, name, coder, strict)


def _import(source: Path, directory: Path, name: str | None, coder: str | None, strict: bool) -> ImportReport:
    source, directory = Path(source), Path(directory)
    package = Package(source)
    try:
        refi = read_project(package.qde(), f"{source.name}: {package.qde_name}")
        title = refi.name if refi.name.strip() and refi.name.isprintable() else one_line(refi.name)
        report = ImportReport(
            project=name or title or directory.name, directory=str(directory), source=source.name, origin=one_line(refi.origin)
        )
        refuse_unfit_folder(directory)
        with _staged(directory) as building:
            project = Project.init(building, name=report.project, coder=coder or _creator(refi), created=refi.created or None)
            try:
                plan = plan_import(refi, package, project.coder, strict, report)
                del refi  # the plan holds what is kept: the file's records need not stay while it is stored
                _store(project, plan, source.name)
            finally:
                project.close()
    finally:
        package.close()
    report.counts = {
        "documents": len(plan.documents),
        "codes": len(plan.codes),
        "codings": len(plan.codings),
        "memos": len(plan.memos),
        "coders": len(plan.coders) + (0 if plan.replaces else 1),
    }
    return report


def _creator(refi: RefiProject) -> str | None:
    """Without --coder, the project's creator is the one coding, so no stranger joins the coders."""
    name = refi.users.get(refi.creator or "") or next(iter(refi.users.values()), "")
    return one_line(name) or None


def _store(project: Project, plan: Plan, label: str) -> None:
    """Put everything in one operation. The texts are written (and fsynced) by threads
    meanwhile, and waited for before the operation is committed: a failed write rolls it back."""
    with ThreadPoolExecutor(max_workers=4) as writers, project.operation(f"import {label}"):
        written = [writers.submit(project.store_text, document.id, text) for document, text in plan.documents]
        if plan.replaces is not None:
            project.delete(plan.replaces)
        project.put_new_entities((*plan.coders, *plan.codes, *(d for d, _ in plan.documents)))
        project.put_new_codings(plan.codings)
        project.put_new_entities(plan.memos)
        for future in written:
            future.result()


@contextlib.contextmanager
def _staged(directory: Path) -> Iterator[Path]:
    """A new folder to build the project in, moved to `directory` when the block ends
    well, removed when it fails. Beside `directory` when that is missing or empty, so one
    rename moves it (unless it is the working folder, which a rename would leave behind);
    inside it otherwise (the same file system either way)."""
    directory = Path(os.path.abspath(directory))
    whole = not directory.exists() or (not any(directory.iterdir()) and not directory.samefile(os.getcwd()))
    if whole:
        make_dir(directory.parent)
    building = _staging_path(directory, whole)
    try:
        yield building
    except BaseException:
        remove_tree(building)
        raise
    if whole:
        os.replace(building, directory)  # over an empty folder too
        fsync_dir(directory.parent)
        return
    # project.json makes the folder a project: before it, nothing that says one was here
    # (a log, backups); after it, those, so that a kill between leaves one that opens whole
    last = (PROJECT_FILE, LOG_NAME, BACKUP_DIR)
    entries = sorted(os.listdir(building), key=lambda name: last.index(name) + 1 if name in last else 0)
    taken = sorted(set(entries) & set(os.listdir(directory)))
    if taken:
        remove_tree(building)
        raise Refused(f"{directory} already holds {', '.join(taken)}; import into a new or empty folder")
    for name in entries:
        os.rename(building / name, directory / name)
    fsync_dir(directory)
    os.rmdir(building)
    fsync_dir(directory)


def _staging_path(directory: Path, whole: bool) -> Path:
    """A hidden folder beside `directory` (or inside it), named apart from it so that no
    long name grows past the system's limit."""
    return (directory.parent if whole else directory) / f".margin-init-{os.urandom(6).hex()}"
