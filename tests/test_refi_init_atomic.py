"""`margin init --from` leaves no project or a whole one (issue 11): a kill at any rename
of the import (each file's commit, and the move of the built project into place) leaves
the target without a project, or with the whole import that opens and undoes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store.errors import NotAProject
from store.project import Project
from store.refi import export_qdpx, import_project
from tests.test_refi_support import make_project

REPO = Path(__file__).resolve().parents[1]

# The child imports, SIGKILLing itself at its Nth rename (os.replace or os.rename), or
# prints how many it made when N is past them.
CHILD = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
kill_at, seen = int(sys.argv[4]), [0]
def counted(real):
    def rename(*args, **kwargs):
        seen[0] += 1
        if seen[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return rename
os.replace, os.rename = counted(os.replace), counted(os.rename)
from store.refi import import_project
import_project(sys.argv[2], sys.argv[3])
print(seen[0])
"""


def _child(qdpx: Path, target: Path, kill_at: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO), str(qdpx), str(target), str(kill_at)], capture_output=True, text=True, timeout=120
    )


def _whole_or_none(target: Path, expected: dict) -> str:
    """"none" or "whole"; fails on anything between."""
    try:
        project = Project.open(target)
    except NotAProject:
        assert not target.exists() or not os.listdir(target), f"a killed import left {os.listdir(target)}"
        return "none"
    with project:
        counts = {t: len(project.state.table(t)) for t in ("documents", "codes", "memos")} | {"codings": len(project.state.codings)}
        assert counts == expected
        project.undo()
        assert not project.state.documents and not project.state.codings
    return "whole"


@pytest.fixture
def exported(tmp_path):
    with make_project(tmp_path / "study") as project:
        export_qdpx(project, tmp_path / "study.qdpx")
        expected = {t: len(project.state.table(t)) for t in ("documents", "codes", "memos")} | {"codings": len(project.state.codings)}
    return tmp_path / "study.qdpx", expected


def test_a_kill_at_any_rename_of_an_import_leaves_no_project_or_a_whole_one(exported, tmp_path):
    """Killed before any of its renames, the import leaves nothing; run through, the whole."""
    qdpx, expected = exported
    done = _child(qdpx, tmp_path / "done", 0)
    assert done.returncode == 0, done.stderr
    assert _whole_or_none(tmp_path / "done", expected) == "whole"
    renames = int(done.stdout.split()[-1])
    assert renames > 5
    for kill_at in range(1, renames + 1):
        result = _child(qdpx, tmp_path / f"copy{kill_at}", kill_at)
        assert result.returncode == -signal.SIGKILL, result.stderr
        assert _whole_or_none(tmp_path / f"copy{kill_at}", expected) == "none", f"killed at rename {kill_at} of {renames}"


def test_a_kill_before_the_move_into_an_empty_folder_leaves_it_empty(exported, tmp_path):
    qdpx, expected = exported
    (tmp_path / "copy").mkdir()
    done = _child(qdpx, tmp_path / "count", 0)
    result = _child(qdpx, tmp_path / "copy", int(done.stdout.split()[-1]))
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert _whole_or_none(tmp_path / "copy", expected) == "none"
    assert os.listdir(tmp_path / "copy") == []
    assert _child(qdpx, tmp_path / "copy", 0).returncode == 0
    assert _whole_or_none(tmp_path / "copy", expected) == "whole"


def test_a_failed_import_leaves_nothing_beside_the_target(exported, tmp_path, monkeypatch):
    from store.refi import importer

    qdpx, _ = exported

    def fail(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(importer, "_store", fail)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(OSError):
        import_project(qdpx, tmp_path / "copy")
    assert sorted(os.listdir(tmp_path)) == before
