"""Team coding over real git: a bare repository in a temporary folder, two clones, alice and
bob coding the same interviews in parallel through the command line and `margin sync`,
in both orders, more than once (issue 12). No network: the remote is a file path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.errors import ProjectCorrupt
from store.project import Project
from tests.conftest import REPO, shared
from tests.team.conftest import fingerprint as state
from tui.cli import cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
DEMO_TEXTS = REPO / "tui" / "demo"


def git(folder, *args) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True, env=env).stdout


class Team:
    """A bare remote and clones; `run(folder, coder, *args)` is the command line."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.remote = tmp_path / "remote.git"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.remote))
        self.runner = CliRunner()

    def run(self, folder, coder, *args, code=0) -> str:
        result = self.runner.invoke(cli, ["-p", str(folder), "--coder", coder, *args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    def start(self, texts: list[Path], codes=("Access", "Barriers", "Carers", "Diagnosis")) -> tuple[Path, Path]:
        """alice makes the project in her clone and syncs it; bob clones it."""
        alice, bob = self.tmp / "alice", self.tmp / "bob"
        git(self.tmp, "clone", "-q", str(self.remote), str(alice))
        self.run(alice, "alice", "init", "--coder", "alice")
        self.run(alice, "alice", "import", *map(str, texts))
        for code in codes:
            self.run(alice, "alice", "codes", "add", code)
        self.run(alice, "alice", "memo", "add", "--code", "Access", "What counts as access?")
        self.run(alice, "alice", "git-setup")
        self.run(alice, "alice", "sync")
        git(self.tmp, "clone", "-q", str(self.remote), str(bob))
        return alice, bob


def memo_id(folder, text) -> str:
    with Project.open(folder, readonly=True) as p:
        return next(m.id for m in p.state.memos.values() if m.text == text)


def no_markers(*folders) -> None:
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and ".git" not in path.parts and path.suffix in (".json", ".jsonl", ".txt"):
                assert "<<<<<<<" not in path.read_text(encoding="utf-8", errors="replace"), path


def parallel_coding(team: Team, alice: Path, bob: Path, names: list[str]) -> Counter:
    """Both code, add codes and memos, rename different codes, then the same code two ways
    and the same memo; returns the codings each made."""
    run = team.run
    first, second, third = names
    for turn in (2, 4, 6):
        run(alice, "alice", "apply", first, "Access", "--turn", str(turn))
        run(bob, "bob", "apply", first, "Barriers", "--turn", str(turn))
    run(bob, "bob", "apply", second, "Carers", "--turn", "3")
    run(alice, "alice", "codes", "add", "Eligibility")
    run(bob, "bob", "codes", "add", "Family")
    run(alice, "alice", "memo", "add", "--doc", second, "alice on the second")
    run(bob, "bob", "memo", "add", "--doc", third, "bob on the third")
    run(alice, "alice", "codes", "rename", "Access", "Getting access")
    run(bob, "bob", "codes", "rename", "Barriers", "Obstacles")
    run(alice, "alice", "codes", "rename", "Diagnosis", "Being diagnosed")
    run(bob, "bob", "codes", "rename", "Diagnosis", "The diagnosis")
    run(alice, "alice", "memo", "edit", memo_id(alice, "What counts as access?"), "alice: physical access")
    run(bob, "bob", "memo", "edit", memo_id(bob, "What counts as access?"), "bob: access to services")
    return Counter({"alice": 3, "bob": 4})


def check_scenario(tmp_path, texts: list[Path], first_syncs: str) -> None:
    team = Team(tmp_path)
    alice, bob = team.start(texts)
    names = [t.stem for t in texts]
    made = parallel_coding(team, alice, bob, names)
    order = [(alice, "alice"), (bob, "bob")]
    if first_syncs == "bob":
        order.reverse()
    (one, one_name), (two, two_name) = order
    out_one = team.run(one, one_name, "sync")
    assert "Sent to origin" in out_one
    out_two = team.run(two, two_name, "sync")
    came = f"{one_name}: {made[one_name]} codings"
    assert came in out_two and "conflicts: see `margin conflicts`" in out_two, out_two
    for _ in range(2):  # again, both orders: the copies meet and stay equal
        team.run(one, one_name, "sync")
        again = team.run(two, two_name, "sync")
        assert again.startswith("From origin: nothing new"), again
    a, b = state(alice), state(bob)
    assert a == b
    assert Counter(c[0] for c in a["codings"]) == made and len(set(a["codings"])) == len(a["codings"])
    assert {"Getting access", "Obstacles", "Eligibility", "Family"} <= set(a["codes"])
    assert len({"Being diagnosed", "The diagnosis"} & set(a["codes"])) == 1
    assert {"alice: physical access", "bob: access to services", "alice on the second", "bob on the third"} <= set(a["memos"])
    assert any("diagnos" in text.lower() for text in a["conflict memos"])
    assert "1. merged" in team.run(alice, "alice", "conflicts")
    no_markers(alice, bob)
    authors = set(git(alice, "log", "--format=%an").split("\n")) - {""}
    assert {"alice", "bob"} <= authors
    assert git(alice, "rev-parse", "HEAD") == git(bob, "rev-parse", "HEAD")
    assert not git(alice, "status", "--porcelain", "--untracked-files=no").strip()


@pytest.mark.parametrize("first_syncs", ["alice", "bob"])
def test_two_coders_sync_through_git_demo(tmp_path, first_syncs):
    check_scenario(tmp_path, sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3], first_syncs)


@pytest.mark.parametrize("first_syncs", ["alice", "bob"])
def test_two_coders_sync_through_git_pdpilot(tmp_path, first_syncs):
    corpus = shared("corpus", "pdpilot-interviews")
    check_scenario(tmp_path, [corpus / f"P{i}.txt" for i in (1, 2, 3)], first_syncs)


@pytest.fixture
def on_path(monkeypatch):
    """`margin` (this checkout's) on PATH, as git runs the merge driver by that name."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def hand_commit(folder, who) -> None:
    git(folder, "add", "-A")
    git(folder, "-c", f"user.name={who}", "-c", f"user.email={who}@x", "commit", "-q", "-m", f"{who} by hand")


def test_a_hand_git_pull_merges_with_the_driver_and_the_files_are_accepted(tmp_path, on_path):
    team = Team(tmp_path)
    alice, bob = team.start(sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3])
    team.run(bob, "bob", "git-setup")
    names = [t.stem for t in sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3]]
    made = parallel_coding(team, alice, bob, names)
    team.run(alice, "alice", "codes", "delete", "Carers")  # bob codes with it meanwhile
    hand_commit(alice, "alice")
    git(alice, "push", "-q", "origin", "main")
    hand_commit(bob, "bob")
    git(bob, "-c", "user.name=bob", "-c", "user.email=b@x", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    no_markers(bob)
    b = state(bob)  # opens: the files git wrote are accepted
    assert Counter(c[0] for c in b["codings"]) == made
    assert "Carers" in b["codes"]  # deleted by alice, used by bob: back
    assert {"alice: physical access", "bob: access to services"} <= set(b["memos"])
    listed = team.run(bob, "bob", "conflicts")
    assert "code Carers: deleted and used" in listed and "Diagnosis" in listed or "diagnos" in listed.lower()
    team.run(bob, "bob", "apply", names[2], "Family", "--turn", "2")  # and it is a working project
    team.run(bob, "bob", "sync")
    team.run(alice, "alice", "sync")
    assert state(alice) == state(bob)


def test_files_git_did_not_write_are_still_refused(tmp_path, on_path):
    team = Team(tmp_path)
    alice, _bob = team.start(sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3])
    team.run(alice, "alice", "apply", "p02", "Access", "--turn", "2")
    team.run(alice, "alice", "sync")
    older = git(alice, "show", "HEAD~1:project.json")
    team.run(alice, "alice", "codes", "add", "Later")
    team.run(alice, "alice", "sync")
    (alice / "project.json").write_text(older)  # an older copy, not what HEAD holds
    out = team.run(alice, "alice", "docs", code=1)
    assert "margin restore" in out and "Traceback" not in out
    git(alice, "checkout", "--", "project.json")  # git puts HEAD's back: accepted again
    assert "Later" in state(alice)["codes"]
    coded = next((alice / "codings").glob("*/*.json"))
    coded.write_bytes(coded.read_bytes()[:-20])  # torn
    with pytest.raises(ProjectCorrupt, match="margin restore"):
        state(alice)


def one_error_line(out: str) -> str:
    lines = [l for l in out.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in out, out
    return lines[0]


def shared_bytes(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in (folder / "codings").rglob("*.json")} | {
        "project.json": (folder / "project.json").read_bytes()
    }


def test_what_sync_cannot_do_is_one_line_exit_2_and_changes_nothing(tmp_path, monkeypatch):
    team = Team(tmp_path)
    alice, bob = team.start(sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3])
    team.run(bob, "bob", "apply", "p02", "Access", "--turn", "2")
    before = state(bob), shared_bytes(bob)
    plain = tmp_path / "plain"
    shutil.copytree(bob, plain, ignore=shutil.ignore_patterns(".git"))
    one_error_line(team.run(plain, "bob", "sync", code=2))  # not a clone
    one_error_line(team.run(bob, "bob", "sync", "elsewhere", code=2))  # no such remote
    git(bob, "remote", "rename", "origin", "team")
    git(bob, "remote", "add", "other", str(tmp_path / "other.git"))
    git(bob, "config", "--unset", "branch.main.remote")
    one_error_line(team.run(bob, "bob", "sync", code=2))  # two remotes, none named: which?
    git(bob, "remote", "remove", "other")
    git(bob, "remote", "rename", "team", "origin")
    git(bob, "checkout", "-q", "--detach")
    one_error_line(team.run(bob, "bob", "sync", code=2))
    git(bob, "checkout", "-q", "main")
    hook = team.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'push refused by the server' >&2\nexit 1\n")
    hook.chmod(0o755)
    one_error_line(team.run(bob, "bob", "sync", code=2))  # push refused (bob's commit stays, for the next sync)
    hook.unlink()
    assert (state(bob), shared_bytes(bob)) == before
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    one_error_line(team.run(bob, "bob", "sync", code=2))  # no git at all
    monkeypatch.undo()
    assert "Sent to origin" in team.run(bob, "bob", "sync")


def test_a_lock_git_left_behind_is_named_with_what_to_do(tmp_path):
    """The second trial: a kill during `margin sync` can leave .git/index.lock, and every
    sync after failed with git's "File exists" and no word of what to do."""
    team = Team(tmp_path)
    alice, bob = team.start(sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3])
    team.run(bob, "bob", "apply", "p02", "Access", "--turn", "2")
    lock = bob / ".git" / "index.lock"
    lock.write_bytes(b"")
    said = one_error_line(team.run(bob, "bob", "sync", code=2))
    assert "(rm .git/index.lock)" in said and "no git command is running" in said, said
    lock.unlink()
    assert "Sent to origin" in team.run(bob, "bob", "sync")


KILLING_GIT = """#!{python}
import os, signal, sys
if sys.argv[1:2] == [{point!r}]:
    os.kill(os.getppid(), signal.SIGKILL)
    sys.exit(1)
os.execv({git!r}, [{git!r}, *sys.argv[1:]])
"""


@pytest.mark.parametrize("point", ["commit", "fetch", "read-tree", "commit-tree", "update-ref", "push"])
def test_a_kill_during_sync_loses_no_acknowledged_change(tmp_path, point):
    """`margin sync` killed (-9) as it runs one git command: bob's copy opens with every
    acknowledged change, and the next sync finishes the round."""
    team = Team(tmp_path)
    texts = sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3]
    alice, bob = team.start(texts)
    made = parallel_coding(team, alice, bob, [t.stem for t in texts])
    team.run(alice, "alice", "sync")
    mine = state(bob)
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "git").write_text(KILLING_GIT.format(python=sys.executable, point=point, git=shutil.which("git")))
    (fake / "git").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}", "MARGIN_CODER": "bob"}
    killed = subprocess.run([str(Path(sys.executable).parent / "margin"), "-p", str(bob), "sync"], env=env, cwd=REPO, capture_output=True)
    assert killed.returncode == -9, killed.stderr
    after = state(bob)  # opens
    assert set(mine["codings"]) <= set(after["codings"]) and set(mine["memos"]) <= set(after["memos"])
    team.run(bob, "bob", "sync")
    team.run(alice, "alice", "sync")
    a, b = state(alice), state(bob)
    assert a == b and Counter(c[0] for c in a["codings"]) == made
    no_markers(alice, bob)


@pytest.mark.parametrize("first_syncs", ["alice", "bob"])
def test_a_code_deleted_on_one_side_and_used_on_the_other_comes_back(tmp_path, first_syncs):
    """Whether the codings that use it are in a file the merge reads (theirs) or one it
    leaves as it is (ours, unchanged on their side): filewise.bring_back_used."""
    team = Team(tmp_path)
    alice, bob = team.start(sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3])
    team.run(alice, "alice", "codes", "delete", "Carers")  # unused anywhere: it goes
    team.run(alice, "alice", "codes", "delete", "Diagnosis")
    team.run(bob, "bob", "apply", "p02", "Diagnosis", "--turn", "2")  # bob uses it meanwhile
    order = [(alice, "alice"), (bob, "bob")] if first_syncs == "alice" else [(bob, "bob"), (alice, "alice")]
    outputs = [team.run(folder, coder, "sync") for folder, coder in order + order]
    assert "1 conflict: see `margin conflicts`" in outputs[1]
    a, b = state(alice), state(bob)
    assert a == b
    assert "Carers" not in a["codes"] and "Diagnosis" in a["codes"]
    assert [c[0] for c in a["codings"]] == ["bob"]
    assert "code Diagnosis: deleted and used" in team.run(alice, "alice", "conflicts")


def test_a_sync_keeps_the_clones_stat_data_and_survives_a_file_staged_by_hand(tmp_path):
    """The merge's index starts from the clone's, so git hashes only the files the merge
    wrote (a 50,000-coding sync re-hashed all 400 codings files); when the clone's index has
    something else staged, the merge's index is made from the trees alone, as before."""
    team = Team(tmp_path)
    texts = sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3]
    alice, bob = team.start(texts)
    made = parallel_coding(team, alice, bob, [t.stem for t in texts])
    team.run(alice, "alice", "sync")
    (bob / "notes.txt").write_text("mine\n")
    git(bob, "add", "notes.txt")
    team.run(bob, "bob", "sync")
    team.run(alice, "alice", "sync")
    a, b = state(alice), state(bob)
    assert a == b and Counter(c[0] for c in a["codings"]) == made
    assert (bob / "notes.txt").read_text() == "mine\n"
    assert git(bob, "status", "--porcelain", "--", "codings", "project.json") == ""  # the index matches the files
    no_markers(alice, bob)


def test_a_sync_of_one_document_changed_on_the_other_side_does_one_documents_work(tmp_path, monkeypatch):
    """The work of a sync in which alice changed one document's codings, counted: the git
    processes bob's sync runs and the files it decodes. bfe8283 ran 18 processes and decoded
    six files (project.json and the document's codings file, three versions each, the same
    blob decoded once per side); now a file changed on her side only is taken as she has it
    (its ancestor, which is bob's, decoded once), a blob two sides share is decoded once, and
    one `git diff-tree` of both sides replaces three `git ls-tree` of every file."""
    from types import SimpleNamespace

    from store.team import filewise

    team = Team(tmp_path)
    texts = sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3]
    alice, bob = team.start(texts)
    for folder, coder in ((alice, "alice"), (bob, "bob")):
        for text in texts:
            team.run(folder, coder, "apply", text.stem, "Access", "--turn", "2")
    for folder, coder in ((alice, "alice"), (bob, "bob"), (alice, "alice")):
        team.run(folder, coder, "sync")
    team.run(alice, "alice", "apply", texts[1].stem, "Barriers", "--turn", "4")
    team.run(alice, "alice", "sync")
    processes: list[str] = []
    decoded: list[int] = []
    real_run, real_loads = subprocess.run, filewise.orjson.loads

    def counted_run(args, *rest, **options):
        if args and args[0] == "git":
            processes.append(" ".join(args[1:3]))
        return real_run(args, *rest, **options)

    monkeypatch.setattr(subprocess, "run", counted_run)
    monkeypatch.setattr(filewise, "orjson", SimpleNamespace(loads=lambda raw: (decoded.append(len(raw)), real_loads(raw))[1]))
    assert team.run(bob, "bob", "sync").startswith("From origin: alice: 1 coding")
    assert len(decoded) <= 3, decoded  # bfe8283: 6
    assert len(processes) <= 14, processes  # bfe8283: 18
    assert state(alice) == state(bob)
    assert "Nothing to send" in team.run(bob, "bob", "sync")
