"""`margin init DIR --from FILE`: a new project from a REFI-QDA .qdpx or .qde.

The file is read and checked before anything is written; the project is then made and
filled in one operation (one log entry, one undo step). If anything fails, the folder is
left as it was: what the import created is removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from store.exporters.bulk import without_gc
from store.project import Project
from store.refi.package import Package
from store.refi.plan import Plan, plan_import
from store.refi.reader import RefiProject, read_project
from store.refi.report import ImportReport
from store.text import one_line


def import_project(
    source: Path, directory: Path, *, name: str | None = None, coder: str | None = None, strict: bool = False
) -> ImportReport:
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
        with _undo_on_failure(directory):
            project = Project.init(directory, name=report.project, coder=coder or _creator(refi), created=refi.created or None)
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
        project.put_new_entities((*plan.coders, *plan.codes, *(d for d, _ in plan.documents), *plan.codings, *plan.memos))
        for future in written:
            future.result()


@contextlib.contextmanager
def _undo_on_failure(directory: Path):
    """Remove what the block created in `directory` (the folder too, if it made it)."""
    existed = directory.exists()
    before = set(os.listdir(directory)) if directory.is_dir() else set()
    try:
        yield
    except BaseException:
        if not existed:
            shutil.rmtree(directory, ignore_errors=True)
        elif directory.is_dir():
            for entry in set(os.listdir(directory)) - before:
                path = directory / entry
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        raise
