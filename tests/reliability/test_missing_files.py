"""A project file that is missing, stale or in the wrong place gives one clear line that
says what to do, never a silently emptied project (issue 9, findings 1 and 16)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest

from store import layout
from store.codings_files import codings_problem
from store.project import PATH_ROOM, Project
from tests.reliability.helpers import INTERVIEW, file_bytes, margin, one_line_error, read_state

# Commands that read or write the codings: none may act on a project without them.
READERS_AND_WRITERS = [
    ["docs"],
    ["export", "csv"],
    ["codes"],
    ["apply", "N1", "Trust", "--span", "0:11"],
    ["codes", "add", "Other"],
]


@pytest.fixture
def two_coders(study) -> Path:
    run = margin("--coder", "bob", "apply", "N1", "Trust", "--span", "0:11", project=study)
    assert run.code == 0, run
    return study


def _codings_file(project: Path, coder: str) -> Path:
    """The coder's codings of N1: codings/<coder id>/<document id>.json."""
    with Project.open(project, readonly=True) as p:
        return project / "codings" / p.coder_named(coder).id / f"{p.documents.get('N1').id}.json"


def _damage_cases(project: Path) -> dict[str, callable]:
    alice, bob = _codings_file(project, "alice"), _codings_file(project, "bob")
    return {
        "all codings files removed": lambda: [p.unlink() for p in (alice, bob)],
        "one coder's file removed": alice.unlink,
        "the other coder's file removed": bob.unlink,
    }


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("args", READERS_AND_WRITERS, ids=[" ".join(a[:2]) for a in READERS_AND_WRITERS])
def test_a_missing_codings_file_is_refused_clearly(two_coders, case, args):
    name, damage = list(_damage_cases(two_coders).items())[case]
    damage()
    before = file_bytes(two_coders)
    line = one_line_error(margin(*args, project=two_coders))
    assert "codings/" in line and "is missing" in line and "margin restore" in line, (name, line)
    assert file_bytes(two_coders) == before, f"{name}: the command went on writing"


def test_restore_brings_the_codings_back(two_coders):
    state = read_state(two_coders)
    _codings_file(two_coders, "alice").unlink()
    assert margin("restore", project=two_coders).code == 0
    assert read_state(two_coders) == state


def test_a_stale_copy_of_a_codings_file_is_refused(two_coders):
    alice = _codings_file(two_coders, "alice")
    old = alice.read_bytes()
    assert margin("apply", "N1", "Trust", "--span", "12:20", project=two_coders).code == 0
    alice.write_bytes(old)  # as a sync tool that brought back yesterday's copy
    line = one_line_error(margin("export", "csv", project=two_coders))
    assert "is not the file the last checkpoint wrote" in line and "margin restore" in line


def test_codings_newer_than_project_json_open_as_after_a_crash_mid_checkpoint(two_coders):
    """A checkpoint records the files it is about to write as pending, then writes them
    (codings first, project.json last), then its record: a crash before that is normal."""
    old_main, old_local = (two_coders / "project.json").read_bytes(), orjson.loads((two_coders / "local.json").read_bytes())
    assert margin("apply", "N1", "Trust", "--span", "12:20", project=two_coders).code == 0
    state = read_state(two_coders)
    alice = _codings_file(two_coders, "alice")
    name = str(alice.relative_to(two_coders))
    old_local["checkpoint"]["pending"] = {name: layout.digest(alice.read_bytes())}
    (two_coders / "local.json").write_bytes(orjson.dumps(old_local))
    (two_coders / "project.json").write_bytes(old_main)
    assert read_state(two_coders) == state
    assert margin("export", "csv", project=two_coders).code == 0


def test_codings_problem_tells_a_backup_that_holds_the_codings(two_coders):
    """For restore: which backups really hold every codings file of their checkpoint."""
    assert margin("codes", "add", "Other", project=two_coders).code == 0  # a backup at open
    newest = sorted((two_coders / "backups").glob("*-open"))[-1]
    assert codings_problem(newest) == "" and codings_problem(two_coders) == ""
    for path in (newest / "codings").glob("*/*.json"):
        path.unlink()
    assert "is missing" in codings_problem(newest)


# ---------------------------------------------------------------- finding 16


def test_a_deleted_project_json_says_so_and_suggests_restore(study):
    (study / "project.json").unlink()
    line = one_line_error(margin("docs", project=study))
    assert "project.json is missing" in line and "margin restore" in line and "margin init" not in line
    assert margin("restore", project=study).code == 0
    assert margin("docs", project=study).code == 0


def test_a_damaged_log_line_names_restore(study):
    with open(study / "log.jsonl", "ab") as log:
        log.write(b"not json\n{}\n")
    line = one_line_error(margin("docs", project=study))
    assert "damaged at byte" in line and "margin restore --cut-log" in line


@pytest.mark.parametrize("kind", ["fifo", "symlink", "folder"])
def test_a_lock_file_that_is_not_a_file_is_named(study, tmp_path, kind):
    lock = study / ".margin.lock"
    lock.unlink(missing_ok=True)
    {"fifo": lambda: os.mkfifo(lock), "symlink": lambda: lock.symlink_to(tmp_path / "elsewhere"),
     "folder": lock.mkdir}[kind]()  # fmt: skip
    before = file_bytes(study)
    line = one_line_error(margin("codes", "add", "Other", project=study, timeout=20))
    assert ".margin.lock" in line and "not a plain file" in line and "remove it" in line, line
    assert "Invalid argument" not in line
    assert file_bytes(study) == before
    assert not (tmp_path / "elsewhere").exists()


def _deep_folder(root: Path, length: int) -> Path:
    """A folder whose absolute path is exactly `length` bytes (in 200-byte levels)."""
    path = str(root)
    while len(path) < length:
        path += "/" + "d" * min(200, length - len(path) - 1)
    os.makedirs(path, exist_ok=True)
    assert len(path) == length
    return Path(path)


def test_a_project_path_near_path_max_is_refused_at_init(tmp_path):
    deep = _deep_folder(tmp_path, 4000)
    line = one_line_error(margin("init", deep / "p"))
    assert "path" in line and "move it to a path under" in line
    assert not (deep / "p" / "project.json").exists()


def test_at_the_longest_path_allowed_every_write_works(tmp_path):
    """The class: at the longest project path Margin accepts, import, coding, a second
    coder, a merge (a backup), undo, a checkpoint and restore all work."""
    limit = os.pathconf(tmp_path, "PC_PATH_MAX")
    project = _deep_folder(tmp_path, limit - PATH_ROOM - 2) / "p"
    source = tmp_path / "n1.txt"
    source.write_text(INTERVIEW)
    for args in (
        ["init", project, "--coder", "alice"],
        ["-p", project, "import", source, "--name", "N1"],
        ["-p", project, "codes", "add", "Trust"],
        ["-p", project, "apply", "N1", "Trust", "--span", "0:11"],
        ["-p", project, "--coder", "bob", "apply", "N1", "Trust", "--span", "12:20"],
        ["-p", project, "codes", "add", "Other"],
        ["-p", project, "codes", "merge", "Trust", "Other"],
        ["-p", project, "undo"],
        ["-p", project, "restore"],
        ["-p", project, "export", "csv"],
    ):
        run = margin(*args)
        assert run.code == 0, (args[2:4], run.err)
    assert run.out.count("\n") == 3  # the header and both codings


def test_a_moved_project_too_deep_to_write_is_refused_for_writing_only(study, tmp_path):
    deep = _deep_folder(tmp_path, 4000)
    moved = Path(shutil.move(str(study), str(deep / "s")))
    assert margin("docs", project=moved).code == 0
    line = one_line_error(margin("codes", "add", "Other", project=moved))
    assert "move it to a path under" in line
