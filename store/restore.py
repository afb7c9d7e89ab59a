"""Bringing a damaged project back from a backup without losing what the log holds.

A backup is a checkpoint: project.json and codings/*.json as they were at some log
offset. The log is never cut by Margin itself, so putting a backup's files back and
replaying the log past its offset rebuilds every acknowledged change. Restoring:

1. takes the writer lock, so no other Margin process is writing meanwhile;
2. picks the newest backup whose files all parse (a backup is a set of hard links, so the
   newest one can share a damaged file with the project) and whose log offset exists;
3. copies the project's current checkpoint files (and the log, if it is cut) into
   damaged/<time>/, out of the backup rotation, since they may hold something unique;
4. if the log is damaged where the replay must read it, cuts it there (only with
   `cut_log`), counting the later entries set aside in the copy;
5. writes the backup's files over the project's, atomically, and opens the project
   read-only to prove that it loads and replays;
6. puts back source texts that are missing or changed from a copy with the right sha256
   (in backups/, damaged/, or a folder of originals), and names those it cannot find.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson

from store import backup, schema
from store.clock import new_id, now
from store.errors import BadInput, ProjectCorrupt, Refused
from store.journal import LOG_NAME, parse_entry
from store.lock import ProjectLock
from store.storage import make_dir, read_json_file, write_atomic
from store.text import plural

PROJECT_FILE = "project.json"
CODINGS_DIR = "codings"
SOURCES_DIR = "sources"
DAMAGED_DIR = "damaged"


@dataclass(frozen=True)
class Candidate:
    """A backup folder and what is wrong with it ("" when it can be restored)."""

    path: Path
    problem: str = ""
    offset: int = 0

    @property
    def good(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class LogDamage:
    offset: int  # where the first unreadable line starts
    later: int  # complete entries after it, set aside by a cut


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------- looking


def candidates(project_dir: str | os.PathLike) -> list[Candidate]:
    """Every backup, oldest first, checked."""
    log_size = _log_size(Path(project_dir))
    return [check(folder, log_size) for folder in backup.listing(Path(project_dir))]


def check(folder: Path, log_size: int) -> Candidate:
    try:
        main = read_json_file(folder / PROJECT_FILE)
        for codings in sorted((folder / CODINGS_DIR).glob("*.json")):
            read_json_file(codings)
    except (ProjectCorrupt, OSError) as exc:
        return Candidate(folder, str(exc))
    if not isinstance(main.get("meta"), dict) or not main["meta"].get("project"):
        return Candidate(folder, f"{PROJECT_FILE} has no project record")
    offset = main["meta"].get("checkpoint", {}).get("offset", 0)
    if offset > log_size:
        return Candidate(folder, f"it expects {offset} bytes of {LOG_NAME}, which has {log_size}")
    return Candidate(folder, "", offset)


def newest_good(project_dir: str | os.PathLike) -> Path | None:
    good = [c for c in candidates(project_dir) if c.good]
    return good[-1].path if good else None


def find_log_damage(project_dir: str | os.PathLike) -> LogDamage | None:
    """The first complete line of the log that is not an entry (a torn last line is fine)."""
    try:
        data = (Path(project_dir) / LOG_NAME).read_bytes()
    except FileNotFoundError:
        return None
    lines = data.split(b"\n")[:-1]  # the part after the last newline is a torn tail, or empty
    position = 0
    for index, line in enumerate(lines):
        if parse_entry(line) is None:
            return LogDamage(position, sum(1 for later in lines[index + 1 :] if parse_entry(later) is not None))
        position += len(line) + 1
    return None


# ---------------------------------------------------------------------- restoring


def restore(
    project_dir: str | os.PathLike,
    name: str | None = None,
    *,
    cut_log: bool = False,
    sources: Path | None = None,
    from_log: bool = False,
) -> Report:
    """Restore backup `name` (default: the newest good one) under the writer lock."""
    directory = Path(project_dir)
    if not directory.is_dir():
        raise BadInput(f"{directory} is not a folder; pass the project folder with -p DIR")
    lock = ProjectLock(directory)
    lock.acquire("margin restore")
    try:
        return _restore_locked(directory, name, cut_log, sources, from_log)
    finally:
        lock.release()


def _restore_locked(directory: Path, name: str | None, cut_log: bool, sources: Path | None, from_log: bool) -> Report:
    report = Report()
    chosen = _from_log_checkpoint(directory) if from_log else _choose(directory, name)
    damage = find_log_damage(directory)
    needs_cut = damage is not None and damage.offset >= chosen.offset
    if needs_cut and not cut_log:
        raise Refused(
            f"{LOG_NAME} is damaged at byte {damage.offset}, before changes that {chosen.path.name} lacks; "
            f"rerun with --cut-log to cut it there ({damage.later} later entries are set aside in a copy)"
        )
    saved = _save_damaged(directory, with_log=needs_cut)
    report.lines.append(f"Saved the current files in {saved.relative_to(directory)}/")
    if needs_cut:
        _cut(directory / LOG_NAME, damage.offset)
        report.lines.append(
            f"Cut {LOG_NAME} at byte {damage.offset}: {damage.later} later entries were set aside "
            f"(in {saved.relative_to(directory)}/{LOG_NAME})"
        )
    _put_back(directory, chosen.path)
    replayed = _entries_after(directory, chosen.offset)
    report.lines.append(f"Restored {chosen.path.name}; the log replays {replayed} later operations")
    _verify(directory, sources, saved, report)
    return report


def _choose(directory: Path, name: str | None) -> Candidate:
    found = candidates(directory)
    if name is not None:
        wanted = Path(name).name
        match = [c for c in found if c.path.name == wanted]
        if not match:
            raise BadInput(f"no backup named {name!r} in {backup.BACKUP_DIR}/; run `margin restore --list`")
        if not match[0].good:
            raise Refused(f"backup {wanted} cannot be used: {match[0].problem}; choose another")
        return match[0]
    good = [c for c in found if c.good]
    if not good:
        raise Refused(
            f"no usable backup among {len(found)} in {backup.BACKUP_DIR}/; "
            f"`margin restore --from-log` rebuilds the project from {LOG_NAME} alone"
        )
    return good[-1]


def _from_log_checkpoint(directory: Path) -> Candidate:
    """An empty checkpoint at log offset 0, so that the whole log is replayed."""
    folder = _new_folder(directory, "from-log")
    meta = {
        "id": new_id(),
        "name": directory.resolve().name,
        "schema": schema.SCHEMA,
        "created": now(),
        "default_coder": getpass.getuser(),
    }
    data = {"meta": {"project": meta, "checkpoint": {"seq": 0, "offset": 0, "undo": [], "redo": []}}}
    write_atomic(folder / PROJECT_FILE, orjson.dumps(data))
    return Candidate(folder)


def _new_folder(directory: Path, why: str) -> Path:
    """damaged/<UTC time>-<why>/, every level 0700 (mkdir -p ignores the mode of parents)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder = directory / DAMAGED_DIR / f"{stamp}-{why}"
    for level in (folder.parent, folder, folder / CODINGS_DIR):
        make_dir(level)
    return folder


def _save_damaged(directory: Path, with_log: bool) -> Path:
    folder = _new_folder(directory, "damaged")
    files = [directory / PROJECT_FILE, *sorted((directory / CODINGS_DIR).glob("*.json"))]
    if with_log:
        files.append(directory / LOG_NAME)
    for path in files:
        if path.is_file():
            write_atomic(folder / path.relative_to(directory), path.read_bytes())
    return folder


def _cut(log: Path, offset: int) -> None:
    fd = os.open(log, os.O_RDWR)
    try:
        os.ftruncate(fd, offset)
        os.fsync(fd)
    finally:
        os.close(fd)


def _put_back(directory: Path, folder: Path) -> None:
    """Write the backup's checkpoint files over the project's; codings files the backup
    lacks are newer, and the log replays their contents."""
    wanted = [Path(PROJECT_FILE), *(p.relative_to(folder) for p in sorted((folder / CODINGS_DIR).glob("*.json")))]
    make_dir(directory / CODINGS_DIR)
    for relative in wanted:
        write_atomic(directory / relative, (folder / relative).read_bytes())
    for extra in (directory / CODINGS_DIR).glob("*.json"):
        if extra.relative_to(directory) not in wanted:
            extra.unlink()


def _entries_after(directory: Path, offset: int) -> int:
    try:
        with open(directory / LOG_NAME, "rb") as handle:
            handle.seek(offset)
            return handle.read().count(b"\n")
    except FileNotFoundError:
        return 0


# ---------------------------------------------------------------------- verifying


def _verify(directory: Path, sources: Path | None, saved: Path, report: Report) -> None:
    """Open the restored project read-only (load and replay), then check every text."""
    from store.project import Project

    project = Project.open(directory, readonly=True)
    try:
        for document in project.documents.all():
            problem = _source_problem(project, document)
            if problem and not _recover_source(project, document, sources, saved):
                report.missing.append(f"{document.name} ({problem}: {SOURCES_DIR}/{document.id}.txt)")
            elif problem:
                report.lines.append(f"Put back the text of {document.name} ({problem})")
        state = project.state
        report.lines.append(
            f"The project opens: {plural(len(state.documents), 'document')}, {plural(len(state.codes), 'code')}, "
            f"{plural(len(state.codings), 'coding')}, {plural(len(state.memos), 'memo')}"
        )
    finally:
        project.close()


def _source_problem(project, document) -> str:
    try:
        data = project.source_path(document.id).read_bytes()
    except FileNotFoundError:
        return "missing"
    return "" if _sha(data) == document.sha256 else "changed"


def _recover_source(project, document, sources: Path | None, saved: Path) -> bool:
    good = _find_copy(project.dir, document, sources)
    if good is None:
        return False
    target = project.source_path(document.id)
    if target.exists():
        make_dir(saved / SOURCES_DIR)
        write_atomic(saved / SOURCES_DIR / target.name, target.read_bytes())
    write_atomic(target, good)
    return True


def _find_copy(directory: Path, document, sources: Path | None) -> bytes | None:
    """A copy of the text with the right sha256: in backups/ or damaged/, or an original
    transcript in `sources` that imports to the same text."""
    for folder in (directory / backup.BACKUP_DIR, directory / DAMAGED_DIR):
        for path in folder.rglob(f"{document.id}.txt") if folder.is_dir() else ():
            data = path.read_bytes()
            if _sha(data) == document.sha256:
                return data
    if sources is not None:
        return _from_originals(Path(sources), document.sha256)
    return None


def _from_originals(folder: Path, sha: str) -> bytes | None:
    from store.importers import SUPPORTED_SUFFIXES, parse_file

    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in SUPPORTED_SUFFIXES or not path.is_file():
            continue
        try:
            data = parse_file(path).text.encode("utf-8")
        except BadInput:
            continue
        if _sha(data) == sha:
            return data
    return None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _log_size(directory: Path) -> int:
    try:
        return (directory / LOG_NAME).stat().st_size
    except FileNotFoundError:
        return 0
