"""`git pull` by hand merges Margin's files in a shell where `margin` is not on PATH (found
in the new-user trial of issue 12: the README's first command installs into .venv and
`margin git-setup` wrote the bare name `margin`, so the pull stopped with "margin: not
found" and a conflict in project.json)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.trial.test_twin_codes import _codebook, _git, _git_env, _run
from tui.cli import cli

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (Path(sys.executable).parent / "margin").is_file(),
    reason="needs git and an installed margin script beside the Python running the tests",
)


def test_git_pull_by_hand_without_margin_on_path(tmp_path, monkeypatch):
    _git_env(monkeypatch)
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    remote, alice, bob = tmp_path / "study.git", tmp_path / "alice", tmp_path / "bob"
    _git("init", "-q", "--bare", str(remote))
    _git("clone", "-q", str(remote), str(alice))
    _run(alice, "alice", "init", str(alice), "--coder", "alice")
    _run(alice, "alice", "sync")
    _git("clone", "-q", str(remote), str(bob))
    _run(bob, "bob", "git-setup")
    _run(alice, "alice", "codes", "add", "Alice's code")
    _run(alice, "alice", "sync")
    _run(bob, "bob", "codes", "add", "Bob's code")
    _run(bob, "bob", "sync")  # bob's files now hold his code; undo the sync's merge to leave a pull to do by hand
    _git("-C", str(bob), "reset", "-q", "--hard", "HEAD^1")
    _run(bob, "bob", "codes", "add", "Bob's second code")
    _git("-C", str(bob), "add", "-A", ".")
    _git("-C", str(bob), "commit", "-q", "-m", "bob by hand")
    bare = {**os.environ, "PATH": os.pathsep.join(p for p in ("/usr/bin", "/bin") if os.path.isdir(p))}
    pulled = subprocess.run(["git", "-C", str(bob), "pull", "-q", "--no-rebase", "--no-edit"], env=bare, capture_output=True, text=True)
    assert pulled.returncode == 0, pulled.stderr
    assert b"<<<<<<<" not in (bob / "project.json").read_bytes()
    paths, _ = _codebook(bob)
    assert {"Alice's code", "Bob's second code"} <= set(paths)
