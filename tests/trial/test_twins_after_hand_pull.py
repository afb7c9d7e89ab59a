"""A hand `git pull` merges one file at a time (the merge driver), so a code that both
coders made under one name stays two codes side by side. `margin conflicts` lists them
and the next `margin sync` joins them, as `margin merge` and a sync's own merge do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.project import Project
from store.team.sync import join_twin_codes, twin_codes
from tests.conftest import INTERVIEW
from tests.trial.test_twin_codes import _codebook
from tui.cli import cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def run(folder, coder, *args) -> str:
    result = CliRunner().invoke(cli, ["-p", str(folder), "--coder", coder, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def git(folder, *args) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def team(tmp_path, monkeypatch):
    """alice's clone and bob's, each with the merge driver; each then makes
    "Techniques > Scatter plots" on their own and codes with it."""
    for key, value in {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # the driver's `margin`
    text = tmp_path / "N1.txt"
    text.write_text(INTERVIEW, encoding="utf-8")
    remote, alice, bob = tmp_path / "study.git", tmp_path / "alice", tmp_path / "bob"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(tmp_path, "clone", "-q", str(remote), str(alice))
    run(alice, "alice", "init", str(alice), "--coder", "alice")
    run(alice, "alice", "import", str(text))
    run(alice, "alice", "git-setup")
    run(alice, "alice", "sync")
    git(tmp_path, "clone", "-q", str(remote), str(bob))
    run(bob, "bob", "git-setup")
    run(alice, "alice", "apply", "N1", "Techniques > Scatter plots", "--turn", "2", "--create")
    run(bob, "bob", "apply", "N1", "Techniques > Scatter plots", "--turn", "2", "--create")
    run(bob, "bob", "apply", "N1", "techniques > scatter plots", "--turn", "4")
    run(alice, "alice", "sync")
    git(bob, "add", "-A")
    git(bob, "commit", "-q", "-m", "bob by hand")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    return alice, bob


def test_conflicts_lists_codes_both_made_after_a_hand_pull(team):
    """On main, `margin conflicts` said "No conflicts." with two "Techniques" side by side."""
    _, bob = team
    paths, _ = _codebook(bob)
    assert paths.count("Techniques") == 2  # what the driver, a file at a time, leaves
    listed = run(bob, "bob", "conflicts")
    assert "Techniques" in listed and "margin sync" in listed and "No conflicts." not in listed


def test_the_next_sync_joins_codes_both_made_after_a_hand_pull(team):
    """On main, the twins stayed through every later sync, each coder's codings on their own code."""
    alice, bob = team
    out = run(bob, "bob", "sync")
    assert "conflict" in out
    run(alice, "alice", "sync")
    for folder in (alice, bob):
        paths, by_path = _codebook(folder)
        assert paths == ["Techniques", "Techniques > Scatter plots"]
        assert by_path["Techniques > Scatter plots"] == {"alice", "bob"}
    assert "No conflicts." not in run(bob, "bob", "conflicts")  # the join is listed
    assert "No codes" not in run(alice, "alice", "conflicts")


@pytest.mark.parametrize(
    "tree, twins",
    [
        ([("a", None, "Trust"), ("b", None, "trust")], [["a", "b"]]),
        ([("a", None, "Trust"), ("b", None, "Trust"), ("c", None, "TRUST")], [["a", "b", "c"]]),
        ([("a", None, "Trust"), ("b", "a", "Trust")], []),  # parent and child: not twins
        ([("p", None, "Role"), ("q", None, "Time"), ("a", "p", "X"), ("b", "q", "X")], []),  # other parents
        ([("p", None, "Role"), ("q", None, "role"), ("a", "p", "X"), ("b", "q", "x")], [["p", "q"]]),  # below joins next
    ],
)
def test_twin_codes_table(tree, twins):
    from store.model import Code

    codes = {i: Code(i, name, parent, "#888888") for i, parent, name in tree}
    assert twin_codes(codes) == twins


def test_joining_every_twin_leaves_none(tmp_path):
    with Project.init(tmp_path / "s", name="S", coder="alice") as p:
        from store.model import Code

        p.codebook.add("Trust > Fear")
        with p.operation("as a merged file can hold them"):
            p.put(Code("zz-twin", "trust", None, "#888888"))
            p.put(Code("zz-child", "fear", "zz-twin", "#888888"))
        joined = join_twin_codes(p, set())
        assert twin_codes(p.state.codes) == [] and len(joined) == 2
        assert sorted(p.codebook.path(c) for c in p.state.codes.values()) == ["Trust", "Trust > Fear"]
