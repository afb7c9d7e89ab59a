"""A code that two coders made in their own copies under the same name is one code after
they merge (found in the new-user trial of issue 12: two "Techniques > Scatter plots"
codes, so agreement compared each coder with nobody and `apply Techniques` took either)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from store.project import Project
from tests.conftest import shared
from tui.cli import cli


def _run(folder, coder, *args):
    result = CliRunner().invoke(cli, ["-p", str(folder), "--coder", coder, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _codebook(folder):
    with Project.open(folder, readonly=True) as p:
        paths = sorted(p.codebook.path(c) for c in p.state.codes.values())
        by_path = {}
        for coding in p.state.codings.values():
            by_path.setdefault(p.codebook.path(p.state.codes[coding.code]), set()).add(p.state.coders[coding.coder].name)
        return paths, by_path


@pytest.fixture
def two_copies(tmp_path, monkeypatch):
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    corpus = shared("corpus", "pdpilot-interviews")
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    _run(alice, "alice", "init", "--coder", "alice")
    _run(alice, "alice", "import", str(corpus / "P3.txt"))
    shutil.copytree(alice, bob)
    # each makes the same two-level code on their own, and one only they have
    _run(alice, "alice", "apply", "P3", "Techniques > Scatter plots", "--turn", "12", "--create")
    _run(alice, "alice", "apply", "P3", "Usage > ICE plots", "--turn", "8", "--create")
    _run(bob, "bob", "apply", "P3", "Techniques > Scatter plots", "--turn", "14", "--create")
    _run(bob, "bob", "apply", "P3", "Techniques > Scatter plots", "--turn", "12", "--create")
    _run(bob, "bob", "apply", "P3", "Usage > ICE", "--turn", "8", "--create")
    return alice, bob


def test_merge_dir_joins_codes_both_coders_made(two_copies):
    alice, bob = two_copies
    out = _run(alice, "alice", "merge", str(bob))
    paths, by_path = _codebook(alice)
    assert paths == ["Techniques", "Techniques > Scatter plots", "Usage", "Usage > ICE", "Usage > ICE plots"]
    assert by_path["Techniques > Scatter plots"] == {"alice", "bob"}
    assert "joined" in out
    # merged back and again: the same codebook on both sides, nothing doubled
    _run(bob, "bob", "merge", str(alice))
    _run(alice, "alice", "merge", str(bob))
    assert _codebook(bob) == _codebook(alice) == (paths, by_path)
    with Project.open(alice, readonly=True) as p:
        assert len(p.state.codings) == 5


def test_agreement_sees_both_coders_on_a_code_both_made(two_copies):
    alice, bob = two_copies
    _run(alice, "alice", "merge", str(bob))
    csv = _run(alice, "alice", "agreement", "--coders", "alice,bob", "--csv")
    rows = [line for line in csv.splitlines() if line.startswith("Techniques > Scatter plots,,")]
    assert len(rows) == 1, csv  # one code, not one per copy
    assert rows[0].split(",")[5] != rows[0].split(",")[4]  # bob's turn 14 is a disagreement...
    assert float(rows[0].split(",")[6]) > 90  # ...but turn 12 is agreed by both


def _git_env(monkeypatch):
    for key, value in {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}.items():
        monkeypatch.setenv(key, value)


def _git(*args):
    subprocess.run(["git", *args], check=True, capture_output=True)


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_sync_joins_codes_both_coders_made(tmp_path, monkeypatch):
    """The README's team round: alice starts the study in a clone, bob clones it, each makes
    the same code blind and syncs, twice over."""
    _git_env(monkeypatch)
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    corpus = shared("corpus", "pdpilot-interviews")
    remote, alice, bob = tmp_path / "study.git", tmp_path / "alice", tmp_path / "bob"
    _git("init", "-q", "--bare", str(remote))
    _git("clone", "-q", str(remote), str(alice))
    _run(alice, "alice", "init", str(alice), "--coder", "alice")
    _run(alice, "alice", "import", str(corpus / "P3.txt"))
    _run(alice, "alice", "sync")
    _git("clone", "-q", str(remote), str(bob))
    _run(alice, "alice", "apply", "P3", "Techniques > Scatter plots", "--turn", "12", "--create")
    _run(bob, "bob", "apply", "P3", "Techniques > Scatter plots", "--turn", "12", "--create")
    _run(bob, "bob", "apply", "P3", "Techniques > Scatter plots", "--turn", "14")
    for folder, coder in ((alice, "alice"), (bob, "bob"), (alice, "alice"), (bob, "bob")):
        _run(folder, coder, "sync")
    assert _codebook(alice) == _codebook(bob)
    paths, by_path = _codebook(bob)
    assert paths == ["Techniques", "Techniques > Scatter plots"]
    assert by_path["Techniques > Scatter plots"] == {"alice", "bob"}


@needs_git
def test_sync_of_copies_that_never_met(two_copies, tmp_path, monkeypatch):
    """Two copies made apart (`git init` in each, one remote): the first sync between them
    has no common commit; it merged against a mistyped empty-tree id and failed."""
    _git_env(monkeypatch)
    alice, bob = two_copies
    remote = tmp_path / "study.git"
    _git("init", "-q", "--bare", str(remote))
    for folder in (alice, bob):
        _git("init", "-q", "-b", "main", str(folder))
        _git("-C", str(folder), "remote", "add", "origin", str(remote))
    _run(alice, "alice", "sync")
    _run(bob, "bob", "sync")
    _run(alice, "alice", "sync")
    assert _codebook(alice) == _codebook(bob)


@needs_git
def test_the_empty_tree_is_gits(tmp_path):
    """Every git object id Margin spells out is the one git computes."""
    from store.team.gitsync import EMPTY_TREE

    done = subprocess.run(["git", "hash-object", "-t", "tree", "--stdin"], input=b"", capture_output=True, check=True, cwd=tmp_path)
    assert done.stdout.decode().strip() == EMPTY_TREE


def test_settling_when_nothing_conflicts_says_so(two_copies):
    """`conflicts --settled 1` with no conflicts said "numbers them 1 to 0"."""
    alice, _ = two_copies
    result = CliRunner().invoke(cli, ["-p", str(alice), "conflicts", "--settled", "1"])
    assert result.exit_code == 2 and "1 to 0" not in result.output and "none is left to settle" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
