"""What the reliability tests share: running `margin` as a real process, fingerprints of a
project's state and files, and the invariants every project must keep."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from store import layout
from store.project import PROJECT_FILE, Project

VENV_BIN = Path(sys.executable).parent
MARGIN = str(VENV_BIN / "margin") if (VENV_BIN / "margin").exists() else "margin"
PYTHON = sys.executable
REPO = Path(__file__).resolve().parents[2]
# Terminal-unsafe characters: C0 controls (ESC included) other than \t and \n, DEL, C1.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
CHECKPOINT_FILES = ("project.json", "local.json", "codings", "log.jsonl", "sources")

INTERVIEW = """Interviewer: How did the peer support worker fit into the team?

Nurse: At first nobody knew what she was for. Some of us worried about boundaries.
But she sat with patients when we could not.

Interviewer: And now?

Nurse: Now I trust her judgement. She notices things we miss.
"""


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def margin(*args, project: Path | None = None, timeout: float = 60, env: dict | None = None, stdin: str = "") -> Run:
    """Run the installed `margin` command; a traceback anywhere fails the calling test."""
    command = [MARGIN, *(["-p", str(project)] if project else []), *map(str, args)]
    done = subprocess.run(
        command, input=stdin.encode(), capture_output=True, timeout=timeout, env=clean_env(env)
    )
    run = Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in run.both, f"{command}\n{run.err}"
    return run


def clean_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARGIN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env | (extra or {})


def one_line_error(run: Run) -> str:
    """The error of a refused command: non-zero exit, exactly one `Error:` line."""
    assert run.code in (1, 2), run
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.err
    return lines[0]


def make_study(directory: Path) -> Path:
    """A small project through the command line: one interview, two codes, codings, memos."""
    source = directory / "n1.txt"
    source.write_text(INTERVIEW)
    project = directory / "study"
    for args in (
        ("init", project, "--coder", "alice"),
        ("-p", project, "import", source, "--name", "N1", "--attr", "case=N1"),
        ("-p", project, "codes", "add", "Support > Trust"),
        ("-p", project, "apply", "N1", "Trust", "--match", "I trust her judgement"),
        ("-p", project, "apply", "N1", "Trust", "--turn", "2", "--memo", "boundaries"),
        ("-p", project, "memo", "add", "--journal", "My own ward years colour this"),
    ):
        run = margin(*args)
        assert run.code == 0, run
    age_backups(project)  # as if made an hour ago: the next session takes a backup of its own
    return project


def file_bytes(project: Path) -> dict[str, bytes]:
    """The bytes of every file that holds the project's data (backups and the lock aside)."""
    found = {}
    for name in CHECKPOINT_FILES:
        path = project / name
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in paths:
            if p.exists():
                found[str(p.relative_to(project))] = p.read_bytes()
    return found


def state_of(project: Project) -> dict:
    """Every entity's full record, by table and id."""
    state = project.state
    return {
        table: {k: v.to_record() for k, v in state.table(table).items()}
        for table in ("coders", "documents", "codes", "codings", "memos")
    }


def read_state(directory: Path) -> dict:
    with Project.open(directory, readonly=True) as project:
        return state_of(project)


def check_invariants(project: Project) -> None:
    """Codings inside their document with the right text; no reference to anything missing;
    a writer's next checkpoint record accepts every shared file on disk."""
    check_record_holds_the_files(project)
    state = project.state
    for coding in state.codings.values():
        document = state.documents.get(coding.document)
        assert document is not None, f"coding {coding.id} points at a missing document"
        assert coding.code in state.codes, f"coding {coding.id} points at a missing code"
        assert 0 <= coding.start < coding.end <= document.length, coding
        assert project.text(document.id)[coding.start : coding.end] == coding.text, coding
    for code in state.codes.values():
        assert code.parent is None or code.parent in state.codes, f"code {code.name} has a missing parent"
    for memo in state.memos.values():
        if memo.kind in ("document", "code", "coding"):
            assert memo.target in state.table(f"{memo.kind}s"), f"memo {memo.id} is on a missing {memo.kind}"


def check_record_holds_the_files(project: Project) -> None:
    """Every shared file on disk is one that the record a writer's next checkpoint writes
    accepts: it has the digest the writer holds for it, or the checkpoint rewrites it.
    A file that a checkpoint cut short by a kill wrote, and that nothing touched again,
    once kept its old digest in that record, and the open after refused the project."""
    if project.readonly or not project._files:
        return
    dirty = {name for name, db in project._shared_dbs().items() if db.storage.dirty}
    paths = {PROJECT_FILE: project.dir / PROJECT_FILE}
    paths |= {layout.relative_name(key): path for key, path in layout.codings_files(project.dir).items()}
    for name, path in paths.items():
        if name not in dirty:
            found = layout.digest(path.read_bytes())
            assert (project._files.get(name) or [None])[0] == found, f"{name} on disk is not in the writer's record"


def age_backups(project: Path, hours: float = 1) -> None:
    """Make every backup `hours` older (their folder names are their times), so that the
    next session's first change takes a backup of its own (store/core/checkpoints.py
    `_covered_by`: commands minutes apart share one)."""
    from datetime import datetime, timedelta, timezone

    from store import backup

    for folder in backup.listing(project):
        stamp, _, reason = folder.name.partition("-")
        taken = datetime.strptime(stamp, backup.STAMP).replace(tzinfo=timezone.utc) - timedelta(hours=hours)
        folder.rename(folder.with_name(f"{taken.strftime(backup.STAMP)}-{reason}"))
