"""Which backup can be put back: the looking half of `margin restore` (store/restore.py),
which an open's error messages also need (`restore_hint`), so it lives in the core.

A backup is a checkpoint: project.json, local.json and codings/*/*.json (store/layout.py)
as they were at some log offset. A good one parses, passes the schema checks, holds every
coding its project.json counts, and expects no more of the log than there is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from store import backup, codings_files, layout, schema
from store.errors import ProjectCorrupt
from store.journal import LOG_NAME
from store.layout import CODINGS_DIR, PROJECT_FILE
from store.model import Document
from store.text import plural


@dataclass(frozen=True)
class Candidate:
    """A backup folder and what is wrong with it ("" when it can be restored)."""

    path: Path
    problem: str = ""
    offset: int = 0

    @property
    def good(self) -> bool:
        return not self.problem


def candidates(project_dir: str | os.PathLike) -> list[Candidate]:
    """Every backup, oldest first, checked."""
    log_size = _log_size(Path(project_dir))
    return [check(folder, log_size) for folder in backup.listing(Path(project_dir))]


def check(folder: Path, log_size: int) -> Candidate:
    """Whether a backup can be put back: its files parse and pass the schema checks, and
    its codings files hold every coding its project.json counts."""
    try:
        main = layout.read_main(folder)
        if not isinstance(main.get("meta"), dict) or not isinstance(main["meta"].get("project"), dict):
            return Candidate(folder, f"{PROJECT_FILE} has no project record")
        schema.check_main(main)
        codings, problem = _codings_of(folder, main)
        problem = problem or _codings_problem(main, codings)
    except (ProjectCorrupt, OSError) as exc:
        return Candidate(folder, str(exc))
    if problem:
        return Candidate(folder, problem)
    offset = main["meta"].get("checkpoint", {}).get("offset", 0)
    if offset > log_size:
        return Candidate(folder, f"it expects {offset} bytes of {LOG_NAME}, which has {log_size}")
    return Candidate(folder, "", offset)


def _codings_of(folder: Path, main: dict) -> tuple[dict[str, dict], str]:
    """A backup's codings files by key ("<coder>/<document>"), and what is wrong with
    them: missing, or not the ones its checkpoint record wrote. A backup of the first
    format is read as if migrated (restoring it migrates the project again)."""
    if main["meta"]["project"].get("schema", 1) == 1:
        from store.migrate import read_schema_1

        return schema.migrate(read_schema_1(folder, main), 1)[0]["codings"], ""
    problem = codings_files.missing_problem(folder, main)
    if problem:
        return {}, problem
    files, digests = codings_files.read_all(folder)
    digests[PROJECT_FILE] = layout.digest((folder / PROJECT_FILE).read_bytes())
    return files, codings_files.mismatch_problem(main, digests)


def _codings_problem(main: dict, files: dict[str, dict]) -> str:
    """A codings file that fails the schema, or fewer codings than the checkpoint counted."""
    documents = {k: Document.from_record(v) for k, v in main.get("documents", {}).items()}
    held: dict[str, int] = {}
    for coder_id, data in files.items():
        records = schema.check_codings_file(coder_id, data)
        schema.check_coding_references(records.values(), documents, main.get("codes", {}), layout.relative_name(coder_id))
        for record in records.values():
            held[record["document"]] = held.get(record["document"], 0) + 1
    counted = main["meta"].get("checkpoint", {}).get("coding_counts")
    if counted is None or counted == {k: v for k, v in held.items() if v}:
        return ""
    lacking = sum(max(0, n - held.get(d, 0)) for d, n in counted.items())
    return (
        f"its {PROJECT_FILE} counts {plural(sum(counted.values()), 'coding')} but its {CODINGS_DIR}/ holds "
        f"{sum(held.values())}" + (f" ({lacking} missing: a codings file is lost)" if lacking else "")
    )


def newest_good(project_dir: str | os.PathLike) -> Path | None:
    good = [c for c in candidates(project_dir) if c.good]
    return good[-1].path if good else None


def restore_hint(directory: Path) -> str:
    """What to run to bring a damaged project back, naming the backup restore would use."""
    latest = newest_good(directory)
    if latest is None:
        return "no usable backup exists; `margin restore --from-log` rebuilds the project from its log"
    return f"the newest backup is {latest.relative_to(directory)}: run `margin restore` to bring it back"


def _log_size(directory: Path) -> int:
    try:
        return (directory / LOG_NAME).stat().st_size
    except FileNotFoundError:
        return 0
