"""The git merge driver for Margin's shared files, and `margin git-setup` that installs it.

When someone runs `git pull` or `git merge` by hand, git calls
`margin merge-file %O %A %B %P` for each shared JSON file both sides changed: the
ancestor's, ours (where the result goes) and theirs. The file is merged entity by entity
with store/team/merge.py's rules and written deterministically, so git's conflict markers
never appear; the conflicts go to merges/git-conflicts.jsonl (local), which the next open
of the project turns into a "Merge conflicts" memo for `margin conflicts` (accept.py).
The exit status is 0 whenever the rules settled everything, which they always do for a
Margin file; a file that is not one (damaged) exits 1 so that git stops and says so.

`margin sync` does not go through the driver: it merges the whole project at once
(gitsync.py), which also settles references between files.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

import orjson

from store import layout
from store.schema import UNMERGED
from store.storage import dump_tables, make_dir, write_atomic
from store.team import git, unmerged
from store.team.merge import merge
from store.team.sync import BASES_DIR

CONFLICTS_FILE = "git-conflicts.jsonl"
ATTRIBUTES = (
    "# Margin: merge the project's files entity by entity (`margin git-setup` installs the driver)",
    f"/{layout.PROJECT_FILE} merge=margin",
    f"/{layout.CODINGS_DIR}/**/*.json merge=margin",
)
DRIVER_ARGS = "merge-file %O %A %B %P"


def driver_command() -> str:
    """The driver as git will run it: this installation's `margin` by its full path (the
    one beside the running Python, as a virtual environment has it), since a `git pull`
    is often typed in a shell where `margin` is not on PATH; plain `margin` otherwise."""
    beside = Path(sys.executable).parent / "margin"
    found = str(beside) if beside.is_file() and os.access(beside, os.X_OK) else shutil.which("margin")
    return f"{shlex.quote(str(Path(found).absolute())) if found else 'margin'} {DRIVER_ARGS}"


def merge_file(ancestor: Path, ours: Path, theirs: Path, name: str, folder: Path) -> int:
    """Merge `theirs` into `ours` (rewritten in place) against `ancestor`; the conflicts are
    noted for the project in `folder`. Returns the exit status for git."""
    try:
        sides = [_tables(Path(p)) for p in (ancestor, ours, theirs)]
    except (OSError, ValueError):
        return 1
    unmerged.as_base(*sides)
    result = merge(*sides)
    tables = {t: rows for t, rows in result.tables.items() if rows or any(t in side for side in sides[1:])}
    if sides[1].get(UNMERGED):  # this copy's own marks (a merge weighs them, never merges them)
        tables[UNMERGED] = sides[1][UNMERGED]
    write_atomic(Path(ours), dump_tables(tables))
    if result.conflicts:
        _note(folder, name, result.conflicts)
    return 0


def _tables(path: Path) -> dict:
    raw = path.read_bytes()
    if not raw.strip():
        return {}  # git's empty ancestor of a file both sides added
    data = orjson.loads(raw)
    if not isinstance(data, dict) or not all(isinstance(rows, dict) for rows in data.values()):
        raise ValueError(f"{path} is not a Margin file")
    return data


def _note(folder: Path, name: str, conflicts: list) -> None:
    """Append the conflicts to merges/git-conflicts.jsonl, fsynced."""
    make_dir(Path(folder) / BASES_DIR)
    lines = b"".join(
        orjson.dumps({"file": name, "table": c.table, "id": c.id, "describe": c.describe()}) + b"\n" for c in conflicts
    )
    with open(Path(folder) / BASES_DIR / CONFLICTS_FILE, "ab") as out:
        out.write(lines)
        out.flush()
        os.fsync(out.fileno())


def noted_conflicts(folder: Path) -> list[str]:
    """The conflicts the driver noted and no memo holds yet, one line each, in order, once."""
    try:
        raw = (Path(folder) / BASES_DIR / CONFLICTS_FILE).read_bytes()
    except OSError:
        return []
    found = []
    for line in raw.splitlines():
        try:
            text = json.loads(line)["describe"]
        except (ValueError, KeyError, TypeError):
            continue  # a line torn by a kill
        if text not in found:
            found.append(text)
    return found


def forget_conflicts(folder: Path) -> None:
    try:
        (Path(folder) / BASES_DIR / CONFLICTS_FILE).unlink()
    except FileNotFoundError:
        pass


def setup(folder: Path) -> list[str]:
    """Install the driver in the clone at `folder`: .gitattributes (shared, committed) and
    the clone's own git config (git does not carry config). Returns what it did."""
    folder = Path(folder)
    done = []
    path = folder / ".gitattributes"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    missing = [line for line in ATTRIBUTES if line not in lines]
    if missing:
        write_atomic(path, ("\n".join([*lines, *missing]) + "\n").encode("utf-8"))
        done.append(f"wrote {len(missing) - 1 if missing[0].startswith('#') else len(missing)} lines to .gitattributes")
    current = git.run(folder, "config", "--local", "--get", "merge.margin.driver", check=False).strip()
    driver = driver_command()
    if current != driver:
        git.run(folder, "config", "--local", "merge.margin.name", "Margin project files, entity by entity")
        git.run(folder, "config", "--local", "merge.margin.driver", driver)
        done.append(f"set merge.margin.driver to \"{driver}\" in this clone's .git/config")
    return done or ["already set up"]
