"""A command that changes nothing (refused, or a change to what already is) leaves the
project's files exactly as they were, backups included; the backup at open is taken just
before a session's first change instead (store/core/checkpoints.py, `take_open_backup`)."""

from __future__ import annotations

import errno
import hashlib
import shutil
from pathlib import Path

import pytest

from store import backup, restore
from store.errors import Refused
from store.project import Project
from tests.reliability.helpers import age_backups, margin, read_state

# (arguments after `margin -p DIR`, exit status)
NOTHING_CHANGED = {
    "apply to a missing code": (["apply", "N1", "Nope", "--turn", "2"], 2),
    "apply to a missing document": (["apply", "P99", "Trust", "--turn", "2"], 2),
    "apply a reversed span": (["apply", "N1", "Trust", "--span", "20:10"], 2),
    "apply a span outside the text": (["apply", "N1", "Trust", "--span", "0:99999"], 2),
    "apply words not in the text": (["apply", "N1", "Trust", "--match", "zebra crossing"], 1),
    "undo with nothing to undo": (["--coder", "bob", "undo"], 1),
    "redo with nothing to redo": (["redo"], 1),
    "add a code that exists": (["codes", "add", "Support > Trust"], 1),
    "rename to an existing name": (["codes", "rename", "Doubt", "Trust"], 1),
    "move a code under itself": (["codes", "move", "Support", "Trust"], 1),
    "delete a code with codings, without --force": (["codes", "delete", "Trust"], 1),
    "a colour that is none": (["codes", "color", "Trust", "red"], 2),
    "memo on a missing document": (["memo", "add", "--doc", "P99", "text"], 2),
    "edit a missing memo": (["memo", "edit", "zzzz", "text"], 2),
    "delete a missing memo": (["memo", "delete", "zzzz"], 2),
    "uncode what is not there": (["uncode", "N1", "--coding", "ffffffff"], 2),
    "rename a speaker nobody is": (["speakers", "rename", "Nobody", "X"], 2),
    "an attribute that is not KEY=VALUE": (["attrs", "set", "N1", "novalue"], 2),
    "unmark what is no exemplar": (["exemplar", "N1", "--turn", "4", "--off"], 0),
    "a new coder's refused change": (["--coder", "carol", "apply", "N1", "Nope", "--turn", "2"], 2),
    "a reading command": (["docs"], 0),
}


@pytest.fixture(scope="module")
def checkpointed(study_template, tmp_path_factory) -> Path:
    """The study with a second sub-code, just closed: its checkpoint is newer than its
    newest backup, so an eager backup at open would have been taken."""
    folder = Path(shutil.copytree(study_template, tmp_path_factory.mktemp("nothing") / "study"))
    assert margin("codes", "add", "Support > Doubt", project=folder).code == 0
    age_backups(folder)
    return folder


@pytest.fixture
def project(checkpointed, tmp_path) -> Path:
    return Path(shutil.copytree(checkpointed, tmp_path / "study"))


def digest(folder: Path) -> dict[str, str]:
    """Every file's bytes and every folder, by path: backups/, the lock and all."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture
def crashed(project) -> Path:
    """The project after a crash (a trial found the same after `margin restore`): a change
    in the log past the checkpoint, the process gone before its closing checkpoint."""
    import subprocess
    import sys

    from tests.reliability.helpers import clean_env

    kill = "import os, sys; from store.project import Project; Project.open(sys.argv[1]).codebook.add('After the crash'); os._exit(0)"
    subprocess.run([sys.executable, "-c", kill, str(project)], check=True, env=clean_env())
    assert "After the crash" in (project / "log.jsonl").read_text(encoding="utf-8")
    (project / ".margin.lock").write_bytes(b"")  # the dead holder's note, which the next writer replaces
    return project


@pytest.mark.parametrize("label", NOTHING_CHANGED)
def test_after_a_crash_a_command_that_changes_nothing_writes_no_checkpoint(crashed, label):
    """Before, its closing checkpoint rewrote project.json and local.json (the log's
    replayed change), though the command itself changed nothing."""
    test_a_command_that_changes_nothing_leaves_every_file_as_it_was(crashed, label)


@pytest.mark.parametrize("label", NOTHING_CHANGED)
def test_a_command_that_changes_nothing_leaves_every_file_as_it_was(project, label):
    args, code = NOTHING_CHANGED[label]
    before = digest(project)
    run = margin(*args, project=project)
    assert run.code == code, run
    assert digest(project) == before


def test_the_first_change_is_kept_by_a_backup_of_the_state_at_open(project):
    """The backup is taken before the change is logged: it holds the checkpoint as it was
    at open, and restoring it (with the log) brings back everything."""
    at_open = read_state(project)
    checkpoint = {name: (project / name).read_bytes() for name in ("project.json", "local.json")}
    known = set(backup.listing(project))
    assert margin("codes", "add", "Other", project=project).code == 0
    (taken,) = set(backup.listing(project)) - known
    assert taken.name.endswith("-open") and restore.check(taken, 1 << 40).good
    assert {name: (taken / name).read_bytes() for name in checkpoint} == checkpoint
    after = read_state(project)
    assert margin("restore", taken.name, project=project).code == 0
    assert read_state(project) == after
    log = (project / "log.jsonl").read_bytes()
    (project / "log.jsonl").write_bytes(log[: log.index(b'"add code Other"')].rpartition(b"\n")[0] + b"\n")
    assert margin("restore", taken.name, project=project).code == 0  # without the change in the log
    assert read_state(project) == at_open


def test_one_backup_a_session_however_many_changes(project):
    known = set(backup.listing(project))
    with Project.open(project) as opened:
        for name in ("A", "B", "C"):
            opened.codebook.add(name)
        opened.undo()
    assert len(set(backup.listing(project)) - known) == 1


def test_a_backup_that_cannot_be_taken_refuses_the_change_and_is_tried_again(project, monkeypatch):
    real = backup.take

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    log = (project / "log.jsonl").read_bytes()
    with Project.open(project) as opened:
        monkeypatch.setattr(backup, "take", full)
        with pytest.raises(Refused, match=r"could not save \(No space left on device\); nothing was changed"):
            opened.codebook.add("Other")
        assert "Other" not in {code.name for code in opened.state.codes.values()}
        assert (project / "log.jsonl").read_bytes() == log
        monkeypatch.setattr(backup, "take", real)
        known = set(backup.listing(project))
        opened.codebook.add("Other")
        assert len(set(backup.listing(project)) - known) == 1


def test_an_explicit_backup_stands_for_the_one_at_open(project):
    known = set(backup.listing(project))
    with Project.open(project) as opened:
        opened.backup("before-delete")
        opened.codebook.add("Other")
    assert [p.name.split("-", 1)[1] for p in sorted(set(backup.listing(project)) - known)] == ["before-delete"]


def test_the_app_takes_its_backup_as_it_opens(project, monkeypatch):
    """A session of the app is where work happens: tui/launch.py takes the backup before
    the first key, and a backup that cannot be made is one line, the project closed."""
    import tui.app
    from tui import launch

    class Quiet:
        crash = None

        def __init__(self, opened, *args, **kwargs):
            self.project = opened

        def run(self, mouse: bool = True) -> None:
            pass

    monkeypatch.setattr(tui.app, "MarginApp", Quiet)
    known = set(backup.listing(project))
    launch.run_app(project, None)
    (taken,) = set(backup.listing(project)) - known
    assert taken.name.endswith("-open")
    assert margin("codes", "add", "Other", project=project).code == 0

    def failing(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(backup, "take", failing)
    with pytest.raises(Refused, match="read-only"):
        launch.run_app(project, None)
    Project.open(project).close()  # the lock was let go


def test_commands_minutes_apart_share_a_backup_that_restore_replays_from(project):
    """A command line command opens, changes and checkpoints each time: a backup of each
    was five fsyncs of every `margin apply`. Commands within OPEN_BACKUP_SECONDS and
    OPEN_BACKUP_ACTIONS of the newest backup share it; restoring it replays the log to the
    last acknowledged change, and a session past either bound takes its own."""
    from store.core import checkpoints

    known = set(backup.listing(project))
    for name in ("A", "B", "C"):
        assert margin("codes", "add", name, project=project).code == 0
    taken = set(backup.listing(project)) - known
    assert len(taken) == 1
    after = read_state(project)
    assert margin("restore", min(taken).name, project=project).code == 0
    assert read_state(project) == after
    known = set(backup.listing(project))
    with Project.open(project) as opened:  # as many actions as the bound, in one session
        for n in range(checkpoints.OPEN_BACKUP_ACTIONS):
            opened.codebook.add(f"D{n}")
    assert margin("codes", "add", "E", project=project).code == 0
    assert len(set(backup.listing(project)) - known) == 1  # the next session's
    age_backups(project, hours=checkpoints.OPEN_BACKUP_SECONDS / 3600)  # the newest is as old as the bound
    known = set(backup.listing(project))
    assert margin("codes", "add", "F", project=project).code == 0
    assert len(set(backup.listing(project)) - known) == 1
