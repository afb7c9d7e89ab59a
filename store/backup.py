"""Rotating backups of the project files: the newest 20, and one a day for 30 days.

Project files are never modified in place (see store/storage.py), so a backup can be a
set of hard links: it costs nothing to take and still holds the old version after the
next checkpoint replaces the file. Where links are impossible the files are copied.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from store.storage import DIR_MODE, fsync_dir, make_dir, remove_tree, write_atomic

BACKUP_DIR = "backups"
KEEP = 20
STAMP = "%Y%m%dT%H%M%S%fZ"  # a backup's folder name: its UTC time, then its reason
DAYS = 30
SOURCES_POOL = "sources"
# Local files outside the checkpoint that every backup keeps a copy of: the pseudonym
# table is in no log, so a backup is its only history (restore leaves it as it is).
KEPT_TOO = ("pseudonyms.json",)


def take(project_dir: Path, files: list[Path], reason: str) -> Path:
    """Snapshot `files` (paths inside project_dir) into backups/<UTC time>-<reason>/.

    With string paths and each folder made once: a backup of 200 documents' files is
    200 links, and pathlib's per-file work took longer than the links themselves."""
    stamp = datetime.now(timezone.utc).strftime(STAMP)
    target = Path(project_dir) / BACKUP_DIR / f"{stamp}-{reason}"
    new_root = not target.parent.is_dir()
    make_dir(target)
    root, into = os.fspath(project_dir), os.fspath(target)
    folders = {into}
    extras = [p for p in (Path(project_dir) / name for name in KEPT_TOO) if p.is_file()]
    for source in [*files, *extras]:
        source = os.fspath(source)
        relative = source[len(root) + 1 :] if source.startswith(root + os.sep) else str(Path(source).relative_to(root))
        destination = os.path.join(into, relative)
        folder = os.path.dirname(destination)
        if folder not in folders:
            os.makedirs(folder, mode=DIR_MODE, exist_ok=True)
            while folder not in folders:  # it and every folder made above it, to fsync
                folders.add(folder)
                folder = os.path.dirname(folder)
        try:
            os.link(source, destination)
        except OSError:
            import shutil  # only where links are impossible

            shutil.copy2(source, destination)
    _make_durable(target, folders, new_root)
    _rotate(Path(project_dir) / BACKUP_DIR)
    return target


def _make_durable(target: Path, folders: set[str], new_root: bool) -> None:
    """fsync the new backup's folders, deepest first, so that a backup an error message
    names (or restore picks) after a power cut is really there; the project folder only
    when backups/ is new in it."""
    for folder in sorted(folders - {os.fspath(target)}, reverse=True):
        fsync_dir(folder)
    for folder in (target, target.parent, *([target.parent.parent] if new_root else [])):
        fsync_dir(folder)


def keep_sources(project_dir: Path) -> None:
    """Copy source texts not yet kept into backups/sources/. Texts never change, so one
    copy each is enough; a copy (not a link) survives an editor writing through a link."""
    pool = Path(project_dir) / BACKUP_DIR / SOURCES_POOL
    if not pool.is_dir():
        new_root = not pool.parent.is_dir()
        make_dir(pool)
        for folder in (pool.parent, *([pool.parent.parent] if new_root else [])):  # the new folders' names
            fsync_dir(folder)
    kept = set(os.listdir(pool))
    sources = Path(project_dir) / "sources"
    new = [
        name for name in (os.listdir(sources) if sources.is_dir() else ())
        if name.endswith(".txt") and not name.startswith(".") and name not in kept
    ]  # fmt: skip
    try:
        for name in new:
            write_atomic(pool / name, (sources / name).read_bytes(), durable_name=False)
    finally:
        if new:
            fsync_dir(pool)  # every new name at once, those written before a failure too


def age(folder: Path) -> float | None:
    """Seconds since the backup in `folder` was taken, by its name; None when its name is no time."""
    try:
        taken = datetime.strptime(folder.name.split("-", 1)[0], STAMP).replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return (datetime.now(timezone.utc) - taken).total_seconds()


def newest(project_dir: Path) -> Path | None:
    found = listing(project_dir)
    return found[-1] if found else None


def listing(project_dir: Path) -> list[Path]:
    folder = Path(project_dir) / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and (p / "project.json").exists())


def _rotate(folder: Path) -> None:
    """Keep the newest KEEP backups and, for the last DAYS days with backups, each day's newest."""
    backups = sorted(p for p in folder.iterdir() if p.is_dir() and p.name != SOURCES_POOL)
    newest_of_day = {p.name[:8]: p for p in backups}  # names start with YYYYMMDD
    kept = set(backups[-KEEP:]) | {newest_of_day[day] for day in sorted(newest_of_day)[-DAYS:]}
    for old in backups:
        if old not in kept:
            remove_tree(old)
