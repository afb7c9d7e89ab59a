"""Bringing a damaged project back from a backup without losing what the log holds.

A backup is a checkpoint: project.json, local.json and codings/*/*.json (store/layout.py)
as they were at some log offset (a backup from before schema 2 has codings/<coder>.json). The log is never cut by Margin itself, so putting a backup's files back and
replaying the log past its offset rebuilds every acknowledged change. Restoring:

1. takes the writer lock, so no other Margin process is writing meanwhile;
2. picks the newest backup whose files all parse and pass the schema checks (a backup is
   a set of hard links, so the newest one can share a damaged file with the project),
   whose codings files hold the codings its project.json counts (a sync tool may have
   missed one) and whose log offset exists; then opens it with the log in a trial folder,
   so damage in the log (a garbled line, or an entry that does not fit, found line by
   line, never from the backup's byte offset) is known before anything is changed;
3. copies the project's current checkpoint files (and the log, if it is cut) into
   damaged/<time>/, out of the backup rotation, since they may hold something unique;
4. if the log is damaged where the replay must read it, cuts it there (only with
   `cut_log`), counting the later entries set aside in the copy;
5. writes the backup's files over the project's, atomically, and opens the project
   read-only to prove that it loads and replays;
6. puts back source texts that are missing or changed from a copy with the right sha256
   (in backups/, damaged/, or a folder of originals), and names those it cannot find.

Which backups are good (step 2's checks) is store/core/backups.py's, which an open's error
messages also use; restoring opens projects through the core's `Store`, never the facade
(store.project), so the two never import each other (tests/test_layers.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from store import backup, layout, schema
from store.clock import new_id, now
from store.core.backups import Candidate, candidates, check, newest_good  # noqa: F401 - check, newest_good: restore's API too
from store.core.store import Store
from store.errors import BadInput, ProjectCorrupt, Refused, UnknownName
from store.journal import LOG_NAME, Journal
from store.lock import ProjectLock
from store.storage import make_dir, read_json_file, remove_tree, write_atomic
from store.text import plural

PROJECT_FILE = "project.json"
CODINGS_DIR = "codings"
SOURCES_DIR = "sources"
DAMAGED_DIR = "damaged"


@dataclass(frozen=True)
class LogDamage:
    offset: int  # where the first unreadable line starts
    later: int  # complete entries after it, set aside by a cut


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------- looking


def find_log_damage(project_dir: str | os.PathLike) -> LogDamage | None:
    """The first complete line of the log that is not an entry (a torn last line is fine)."""
    for offset, entry in Journal(Path(project_dir)).read_lines(0):
        if entry is None:
            return LogDamage(offset, _entries_from(Path(project_dir), offset) - 1)
    return None


def _entries_from(directory: Path, offset: int) -> int:
    """Complete lines that are entries, from `offset` on (the line there included)."""
    return sum(1 for at, entry in Journal(directory).read_lines(offset) if entry is not None or at == offset)


def trial_open(project_dir: Path, folder: Path) -> LogDamage | None:
    """Open `folder`'s checkpoint with the project's log in a trial folder, read-only: the
    damage its replay meets (found line by line, as every open does), or None. A backup
    that fails for another reason raises ProjectCorrupt. Nothing in the project changes."""
    trial = Path(tempfile.mkdtemp(dir=project_dir, prefix=".restore-trial-", suffix=".tmp"))
    try:
        for relative in (p.relative_to(folder) for p in layout.checkpoint_paths(folder)):
            _link_or_copy(folder / relative, trial / relative)
        if (project_dir / LOG_NAME).is_file():
            _link_or_copy(project_dir / LOG_NAME, trial / LOG_NAME)
        try:
            with Store.open(trial, readonly=True) as project:
                project.state.codings  # noqa: B018 - the codings are checked when first read
        except schema.LogDamaged as damage:
            return LogDamage(damage.offset, _entries_from(trial, damage.offset) - 1)
        return None
    finally:
        remove_tree(trial)


def _link_or_copy(source: Path, target: Path) -> None:
    make_dir(target.parent)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


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
    with contextlib.ExitStack() as cleanup:
        if from_log:
            chosen = Candidate(cleanup.enter_context(_from_log_checkpoint(directory)))
            damage = trial_open(directory, chosen.path)
        else:
            chosen, damage = _choose(directory, name)
        label = "an empty checkpoint" if from_log else chosen.path.name
        return _put_back_chosen(directory, chosen, label, damage, cut_log, sources, report)


def _put_back_chosen(
    directory: Path, chosen: Candidate, label: str, damage: LogDamage | None, cut_log: bool, sources: Path | None,
    report: Report,
) -> Report:
    needs_cut = damage is not None
    if needs_cut and not cut_log:
        raise Refused(
            f"{LOG_NAME} is damaged at byte {damage.offset}, before changes that {label} lacks; "
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
    report.lines.append(f"Restored {label}; the log replays {_replayed(directory)} later operations")
    _verify(directory, sources, saved, report)
    return report


def _choose(directory: Path, name: str | None) -> tuple[Candidate, LogDamage | None]:
    """The named backup, or the newest usable one that opens with the log (a backup the
    log's replay finds inconsistent is passed over); and the log damage past it."""
    found = candidates(directory)
    if name is not None:
        wanted = Path(name).name
        match = [c for c in found if c.path.name == wanted]
        if not match:
            raise UnknownName(f"no backup named {name!r} in {backup.BACKUP_DIR}/; run `margin restore --list`")
        if not match[0].good:
            raise Refused(f"backup {wanted} cannot be used: {match[0].problem}; choose another")
        return match[0], _trial(directory, match[0])
    for candidate in reversed([c for c in found if c.good]):
        with contextlib.suppress(ProjectCorrupt):
            return candidate, _trial(directory, candidate)
    raise Refused(
        f"no usable backup among {len(found)} in {backup.BACKUP_DIR}/; "
        f"`margin restore --from-log` rebuilds the project from {LOG_NAME} alone"
    )


def _trial(directory: Path, candidate: Candidate) -> LogDamage | None:
    try:
        return trial_open(directory, candidate.path)
    except ProjectCorrupt as exc:
        raise ProjectCorrupt(f"backup {candidate.path.name} does not open with the log: {exc}") from None


@contextlib.contextmanager
def _from_log_checkpoint(directory: Path):
    """An empty checkpoint at log offset 0 in a temporary folder, so that the whole log
    is replayed, keeping the project's metadata (name, id, creation, default coder)."""
    folder = Path(tempfile.mkdtemp(dir=directory, prefix=".restore-from-log-", suffix=".tmp"))
    try:
        make_dir(folder / CODINGS_DIR)
        layout.write_local(folder, {"seq": 0, "offset": 0, "undo": [], "redo": []})
        write_atomic(folder / PROJECT_FILE, layout.dump_tables({"meta": {"project": known_meta(directory)}}))
        yield folder
    finally:
        remove_tree(folder)


def known_meta(directory: Path) -> dict:
    """The project's metadata from the newest project.json that still has a sound project
    record (the project's own, a backup's, a copy in damaged/), else from the log: who
    made its first entry and when. A new id only when no file knows the old one."""
    copies = [directory / PROJECT_FILE]
    copies += [p / PROJECT_FILE for p in reversed(backup.listing(directory))]
    copies += sorted((directory / DAMAGED_DIR).glob(f"*/{PROJECT_FILE}"), reverse=True)
    for path in copies:
        meta = _meta_of(path)
        if meta is not None:
            return meta | {"schema": schema.SCHEMA}
    first = next((e for _, e in Journal(directory).read_lines(0) if e is not None), {})
    return {
        "id": new_id(),
        "name": directory.resolve().name,
        "schema": schema.SCHEMA,
        "created": first.get("at") if isinstance(first.get("at"), str) else now(),
        "default_coder": _first_coder(directory) or "coder",
    }


def _meta_of(path: Path) -> dict | None:
    try:
        meta = read_json_file(path).get("meta", {}).get("project")
    except (ProjectCorrupt, OSError, AttributeError):
        return None
    if isinstance(meta, dict) and not schema.meta_problem(meta):
        return dict(meta)
    return None


def _first_coder(directory: Path) -> str | None:
    """The name of the first coder the log records (the one who created the project)."""
    for _, entry in Journal(directory).read_lines(0):
        for table, _id, _before, after in (entry or {}).get("changes", []):
            if table == "coders" and isinstance(after, dict) and isinstance(after.get("name"), str):
                return after["name"]
    return None


def _new_folder(directory: Path, why: str) -> Path:
    """damaged/<UTC time>-<why>/, every level 0700 (mkdir -p ignores the mode of parents)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder = directory / DAMAGED_DIR / f"{stamp}-{why}"
    for level in (folder.parent, folder, folder / CODINGS_DIR):
        make_dir(level)
    return folder


def _save_damaged(directory: Path, with_log: bool) -> Path:
    folder = _new_folder(directory, "damaged")
    files = [*layout.checkpoint_paths(directory)] if (directory / PROJECT_FILE).exists() else []
    if with_log:
        files.append(directory / LOG_NAME)
    for path in files:
        if path.is_file():
            make_dir((folder / path.relative_to(directory)).parent)
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
    wanted = [p.relative_to(folder) for p in layout.checkpoint_paths(folder)]
    make_dir(directory / CODINGS_DIR)
    for relative in wanted:
        make_dir((directory / relative).parent)
        write_atomic(directory / relative, (folder / relative).read_bytes())
    for extra in layout.checkpoint_paths(directory):
        if extra.relative_to(directory) not in wanted:
            extra.unlink()


def _replayed(directory: Path) -> int:
    """Log entries past the restored checkpoint, picked by number as the replay does."""
    try:
        seq = layout.read_main(directory)["meta"].get("checkpoint", {}).get("seq", 0)
    except (ProjectCorrupt, OSError):
        return 0
    return sum(1 for _, entry in Journal(directory).read_lines(0) if entry is not None and entry["seq"] > seq)


# ---------------------------------------------------------------------- verifying


def _verify(directory: Path, sources: Path | None, saved: Path, report: Report) -> None:
    """Open the restored project read-only (load and replay), then check every text."""
    from store.documents import Documents

    project = Store.open(directory, readonly=True)
    try:
        for document in Documents(project).all():  # in name order
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
