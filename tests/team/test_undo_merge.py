"""`margin undo` of a merge takes it back in this copy only (issue 12, trial 2).

The bug: alice merged bob's copy, undid the merge, and the undo read as alice deleting
bob's work: her next merge said "Nothing new", and bob's merge of her copy deleted his own
codings (the same through git). The whole kind: whatever bob did (a coding, a code, a
rename, a memo, a deletion), by merge DIR or by sync, in any order of the later merges,
bob never loses it, and once each side has merged the other again both hold it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.project import Project
from tests.team.conftest import fingerprint
from tests.team.test_git_sync import git
from tui.cli import cli

DEMO = Path(__file__).resolve().parents[2] / "tui" / "demo"
KINDS = ("coding", "code", "rename", "memo", "uncode")
ORDERS = {"alice-first": ("alice", "bob", "alice"), "bob-first": ("bob", "alice", "bob", "alice")}


def run(folder: Path, coder: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["-p", str(folder), "--coder", coder, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def first_document(folder: Path) -> str:
    with Project.open(folder, readonly=True) as p:
        return min(d.name for d in p.state.documents.values())


def start(root: Path, through: str) -> dict[str, Path]:
    """alice's project with two codes and a coding, and bob's copy of it."""
    team = {name: root / name for name in ("alice", "bob")}
    if through == "sync":
        git(root, "init", "-q", "--bare", "-b", "main", str(root / "remote.git"))
        git(root, "clone", "-q", str(root / "remote.git"), str(team["alice"]))
    run(team["alice"], "alice", "init", "--coder", "alice")
    run(team["alice"], "alice", "import", *sorted(map(str, DEMO.glob("*.txt")))[:2])
    for code in ("Access", "Barriers"):
        run(team["alice"], "alice", "codes", "add", code)
    run(team["alice"], "alice", "apply", first_document(team["alice"]), "Access", "--turn", "1")
    if through == "sync":
        run(team["alice"], "alice", "git-setup")
        run(team["alice"], "alice", "sync")
        git(root, "clone", "-q", str(root / "remote.git"), str(team["bob"]))
    else:
        shutil.copytree(team["alice"], team["bob"])
    return team


def bobs_work(bob: Path, kind: str) -> None:
    document = first_document(bob)
    if kind == "coding":
        run(bob, "bob", "apply", document, "Barriers", "--turn", "2")
    elif kind == "code":
        run(bob, "bob", "codes", "add", "Hope")
    elif kind == "rename":
        run(bob, "bob", "codes", "rename", "Barriers", "Obstacles")
    elif kind == "memo":
        run(bob, "bob", "memo", "add", "--code", "Access", "bob wonders what access means")
    else:
        run(bob, "bob", "uncode", document, "--turn", "1", "--code", "Access")


def meet(team: dict[str, Path], who: str, through: str) -> str:
    """`who` merges the other's copy (or syncs)."""
    other = "bob" if who == "alice" else "alice"
    if through == "sync":
        return run(team[who], who, "sync")
    return run(team[who], who, "merge", str(team[other]))


@pytest.mark.parametrize("order", sorted(ORDERS))
@pytest.mark.parametrize("through", ["merge", "sync"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_undone_merge_never_takes_the_other_coders_work(tmp_path, kind, through, order):
    if through == "sync" and shutil.which("git") is None:
        pytest.skip("needs git")
    team = start(tmp_path, through)
    bobs_work(team["bob"], kind)
    if through == "sync":
        run(team["bob"], "bob", "sync")
    bob_has = fingerprint(team["bob"])
    meet(team, "alice", through)
    assert fingerprint(team["alice"])["codings"] == bob_has["codings"]
    run(team["alice"], "alice", "undo")
    for who in ORDERS[order]:
        meet(team, who, through)
        assert _work(fingerprint(team["bob"])) == _work(bob_has), f"bob lost his work after {who}'s merge"
    assert _work(fingerprint(team["alice"])) == _work(bob_has), "alice's next merge did not bring bob's work again"


def _work(found: dict) -> dict:
    return {k: v for k, v in found.items() if k != "conflict memos"}


@pytest.mark.parametrize("through", ["merge", "sync"])
def test_a_redone_merge_leaves_no_marks_and_merges_as_before(tmp_path, through):
    if through == "sync" and shutil.which("git") is None:
        pytest.skip("needs git")
    team = start(tmp_path, through)
    bobs_work(team["bob"], "coding")
    if through == "sync":
        run(team["bob"], "bob", "sync")
    meet(team, "alice", through)
    run(team["alice"], "alice", "undo")
    with Project.open(team["alice"], readonly=True) as p:
        assert p.marks("unmerged"), "the undo marked nothing"
        assert not p.tombstones(), "the undo of a merge left tombstones of the other's work"
    run(team["alice"], "alice", "redo")
    with Project.open(team["alice"], readonly=True) as p:
        assert not p.marks("unmerged")
    assert fingerprint(team["alice"])["codings"] == fingerprint(team["bob"])["codings"]
    if through == "merge":
        assert "Nothing new" in meet(team, "alice", through)


def test_the_marks_are_logged_changes_that_a_replay_makes_again(tmp_path):
    """A project opened from its log past a checkpoint older than the undo (a kill before
    the closing checkpoint) holds the undo's marks as the live one did."""
    team = start(tmp_path, "merge")
    bobs_work(team["bob"], "coding")
    bob_has = fingerprint(team["bob"])["codings"]
    meet(team, "alice", "merge")
    before = (team["alice"] / "project.json").read_bytes()
    with Project.open(team["alice"], coder="alice") as p:
        p.undo()
        marks = dict(p.marks("unmerged"))
        entry = p.log(1)[-1]
    assert marks and entry["kind"] == "undo"
    with Project.open(team["alice"], readonly=True) as p:
        assert p.marks("unmerged") == marks
    assert (team["alice"] / "project.json").read_bytes() != before
    meet(team, "bob", "merge")
    assert fingerprint(team["bob"])["codings"] == bob_has


def test_a_sync_after_an_undone_sync_keeps_the_others_work_on_the_shared_branch(tmp_path):
    """The trial after the fix: alice undid a sync and synced again while the remote had
    nothing new; no merge ran, and her push left bob's coding off the shared branch (a
    new clone had none of it) until bob synced again. A copy holding an undone merge's
    marks merges the remote even then, which brings the work again, as the next merge DIR does."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    team = start(tmp_path, "sync")
    bobs_work(team["bob"], "coding")
    run(team["bob"], "bob", "sync")
    bob_has = fingerprint(team["bob"])
    run(team["alice"], "alice", "sync")
    run(team["alice"], "alice", "undo")
    said = run(team["alice"], "alice", "sync")
    assert "bob: 1 coding" in said, said
    assert _work(fingerprint(team["alice"])) == _work(bob_has)
    carol = tmp_path / "carol"
    git(tmp_path, "clone", "-q", str(tmp_path / "remote.git"), str(carol))
    assert fingerprint(carol)["codings"] == bob_has["codings"], "the shared branch lost bob's coding"
    assert "nothing new" in run(team["alice"], "alice", "sync")


def test_sync_refuses_a_remote_that_holds_another_project(tmp_path):
    """The trial: bob ran `margin init` in his own clone instead of coding in the team's
    project; his sync merged alice's unrelated project into his without a word (two
    documents named p02), where `margin merge DIR` refuses one."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(tmp_path / "remote.git"))
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    for folder, coder in ((alice, "alice"), (bob, "bob")):
        git(tmp_path, "clone", "-q", str(tmp_path / "remote.git"), str(folder))
        run(folder, coder, "init", "--coder", coder)
        run(folder, coder, "import", str(DEMO / "p02.txt"))
    run(alice, "alice", "sync")
    before = fingerprint(bob)
    result = CliRunner().invoke(cli, ["-p", str(bob), "--coder", "bob", "sync"], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "holds another project" in result.output and "git clone" in result.output
    assert fingerprint(bob) == before


@pytest.mark.parametrize("kept", ["ours", "theirs"])
def test_a_merge_that_joined_twin_codes_is_undone_and_redone(tmp_path, kept):
    """The trial: both coders made "Theme X" and coded with it; the merge joined the two,
    and its undo was refused ("a later action changed the same passage or code", with
    no later action) whenever the code kept was the other copy's: the join re-points a
    coding the merge brought, and the check read that coding's first version at the end."""
    from store.clock import now
    from store.model import Code, Coding

    alice, bob = tmp_path / "alice", tmp_path / "bob"
    run(alice, "alice", "init", "--coder", "alice")
    run(alice, "alice", "import", str(DEMO / "p02.txt"))
    shutil.copytree(alice, bob)
    ids = {"ours": ("a-theme", "z-theme"), "theirs": ("z-theme", "a-theme")}[kept]
    for folder, coder, code_id, at in ((alice, "alice", ids[0], 0), (bob, "bob", ids[1], 40)):
        with Project.open(folder, coder=coder) as p:
            document = next(iter(p.state.documents.values()))
            with p.operation(f"{coder} codes Theme X"):
                p.put(Code(code_id, "Theme X", None, "#336699", created=now(), modified=now()))
                p.put(Coding(f"{coder}-coding", document.id, code_id, at, at + 20, "", p.coder.id, now(), now()))
    before = fingerprint(alice)
    run(alice, "alice", "merge", str(bob))
    merged = fingerprint(alice)
    assert merged["codes"].count("Theme X") == 1 and len(merged["codings"]) == 2
    run(alice, "alice", "undo")
    assert fingerprint(alice) == before
    run(alice, "alice", "redo")
    assert fingerprint(alice) == merged


def test_a_coder_recorded_in_both_copies_is_one_coder_after_the_merge(tmp_path):
    """The trial: dana coded in both copies, each recording her with its own id; after the
    merge `export csv --coder dana` counted one of her two codings (and so would a
    consensus made in both copies)."""
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    run(alice, "alice", "init", "--coder", "alice")
    run(alice, "alice", "import", str(DEMO / "p02.txt"))
    run(alice, "alice", "codes", "add", "Trust")
    shutil.copytree(alice, bob)
    run(alice, "dana", "apply", "p02", "Trust", "--turn", "2")
    run(bob, "dana", "apply", "p02", "Trust", "--turn", "4")
    report = run(alice, "alice", "merge", str(bob))
    assert "coder dana: made in both copies, joined" in report, report
    for folder, coder in ((alice, "alice"), (bob, "bob")):
        if folder == bob:
            said = run(bob, "bob", "merge", str(alice))
            assert "; removed" not in said and ";  removed" not in said, said  # a coder removed is said as one
        rows = run(folder, coder, "export", "csv", "--coder", "dana", "-o", "-").strip().splitlines()
        assert len(rows) == 3, rows  # the header and both codings
        with Project.open(folder, readonly=True) as p:
            assert [c.name for c in p.state.coders.values()].count("dana") == 1
    assert fingerprint(alice) == fingerprint(bob)
