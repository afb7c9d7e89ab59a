"""Disk full: a clear error, every earlier acknowledged change intact on disk, and the
project still usable once there is room again. ENOSPC is injected into each of the
store's writes (always), and a real small tmpfs is filled when root may mount one."""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from pathlib import Path

import pytest

import store.core.checkpoints
import store.journal
import store.storage
from store.errors import Refused
from store.importers import parse_text
from store.project import Project
from tests.reliability.helpers import INTERVIEW, margin, one_line_error, read_state, state_of


FULL = r"could not save \(.+\); nothing was changed: free disk space and try again"


def _enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FaultyOS:
    """The `os` module as one store module sees it, with `write` or `fdopen` failing."""

    def __init__(self, fail: str):
        self.fail = fail

    def __getattr__(self, name):
        return getattr(os, name)

    def write(self, fd, data):
        if self.fail == "raise":
            raise _enospc()
        return os.write(fd, data[: len(data) // 2])  # a short write, as the kernel makes when full

    def fdopen(self, fd, mode="r", *args, **kwargs):
        return HalfWriter(os.fdopen(fd, mode, *args, **kwargs))


class HalfWriter:
    """A file that writes half of what it is given and then finds the disk full."""

    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise _enospc()

    def __getattr__(self, name):
        return getattr(self.handle, name)


@pytest.fixture
def project(tmp_path):
    p = Project.init(tmp_path / "p", coder="alice")
    p.documents.import_parsed(parse_text(INTERVIEW), "N1")
    p.codebook.add("Trust")
    yield p
    p.close()


def _code_something(p: Project, name: str):
    return p.codebook.add(name)


def _no_temp_files(directory: Path) -> None:
    assert not list(directory.rglob(".*.tmp")), "a failed write left a temporary file"


@pytest.mark.parametrize("fail", ["raise", "short"])
def test_full_disk_on_the_log_append_refuses_and_changes_nothing(project, monkeypatch, fail):
    before, log = state_of(project), (project.dir / "log.jsonl").read_bytes()
    monkeypatch.setattr(store.journal, "os", FaultyOS(fail))
    with pytest.raises(Refused, match=FULL):
        _code_something(project, "Stigma")
    monkeypatch.undo()
    assert state_of(project) == before
    assert (project.dir / "log.jsonl").read_bytes() == log, "a partial line was left in the log"
    _code_something(project, "Stigma")  # usable again once there is room
    project.close()
    assert {"Trust", "Stigma"} == {c["name"] for c in read_state(project.dir)["codes"].values()}


def test_full_disk_on_a_checkpoint_keeps_the_old_file_and_the_log(project, monkeypatch):
    project.checkpoint()
    checkpoint = (project.dir / "project.json").read_bytes()
    _code_something(project, "Stigma")
    monkeypatch.setattr(store.storage, "os", FaultyOS("raise"))
    with pytest.raises(OSError, match="No space left"):
        project.checkpoint()
    project.close()  # a failed checkpoint at close is only a warning
    monkeypatch.undo()
    assert (project.dir / "project.json").read_bytes() == checkpoint
    _no_temp_files(project.dir)
    assert project.warnings and "changes are safe in log.jsonl" in project.warnings[-1]
    assert "Stigma" in {c["name"] for c in read_state(project.dir)["codes"].values()}


def test_full_disk_on_the_automatic_checkpoint_still_acknowledges(project, monkeypatch):
    monkeypatch.setattr(store.core.checkpoints, "CHECKPOINT_OPS", 1)
    monkeypatch.setattr(store.storage, "os", FaultyOS("raise"))
    _code_something(project, "Stigma")  # in the log; the checkpoint after it failed
    assert "could not write a checkpoint" in project.warnings[-1]
    monkeypatch.undo()
    _code_something(project, "Hope")
    project.close()
    assert {"Trust", "Stigma", "Hope"} == {c["name"] for c in read_state(project.dir)["codes"].values()}


def test_full_disk_while_storing_an_imported_text(project, monkeypatch):
    before = state_of(project)
    sources = sorted(p.name for p in (project.dir / "sources").iterdir())
    monkeypatch.setattr(store.storage, "os", FaultyOS("raise"))
    with pytest.raises(OSError, match="No space left"):
        project.documents.import_parsed(parse_text("A: a second interview\n"), "N2")
    monkeypatch.undo()
    assert state_of(project) == before
    assert sorted(p.name for p in (project.dir / "sources").iterdir()) == sources
    assert project.documents.import_parsed(parse_text("A: a second interview\n"), "N2").imported


# ---------------------------------------------------------------------- a real full disk


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path, leave: int) -> Path:
    """Fill the disk, leaving about `leave` bytes; returns the filler file."""
    filler = directory / "filler"
    stat = os.statvfs(directory)
    size = max(0, stat.f_bavail * stat.f_frsize - leave)
    with open(filler, "wb") as handle:
        try:
            handle.write(b"\0" * size)
        except OSError:
            pass
    return filler


def test_filling_a_real_disk_loses_nothing_acknowledged(small_disk):
    project = Project.init(small_disk / "p", coder="alice")
    project.documents.import_parsed(parse_text(INTERVIEW), "N1")
    filler = _fill(small_disk, leave=300_000)
    acknowledged = []
    with pytest.raises(Refused, match=FULL):
        for n in range(10_000):
            memo = project.memos.add("journal", None, f"entry {n} " + uuid.uuid4().hex * 400)
            acknowledged.append(memo.id)
    assert len(acknowledged) > 5
    assert {m.id for m in project.memos.all()} == set(acknowledged)
    filler.unlink()  # room again: the same open project carries on
    project.memos.add("journal", None, "after the disk was freed")
    project.close()
    saved = read_state(small_disk / "p")["memos"]
    assert set(acknowledged) < set(saved) and len(saved) == len(acknowledged) + 1


def test_margin_on_a_full_disk_says_so_in_one_line(small_disk):
    project = small_disk / "p"
    source = small_disk / "n1.txt"
    source.write_text(INTERVIEW)
    assert margin("init", project, "--coder", "alice").code == 0
    assert margin("import", source, "--name", "N1", project=project).code == 0
    before = read_state(project)
    _fill(small_disk, leave=0)
    error = one_line_error(margin("memo", "add", "--journal", "x" * 100_000, project=project))
    assert "No space left on device" in error
    assert read_state(project) == before
