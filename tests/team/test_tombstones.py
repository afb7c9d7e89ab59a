"""A deletion travels with the copies (issue 12): every deletion leaves a tombstone (the
deleted record's digest, project.json's "deleted" table), and a merge deletes what one
side holds, the base lacks and the other side's tombstone names as it was deleted. So an
entity alice deleted does not come back from bob, who got it from her through carol after
their last meeting; one that was changed since it was deleted stays, listed."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from store.clock import now
from store.core.changes import Changes
from store.model import Coding
from store.project import Project
from store.team.merge import TOMBSTONES, merge, record_digest, tombstone_key
from store.team.sync import conflict_memos, merge_entitywise, merge_folder, tables_of
from tests.team.test_merge_generations import merged, started
from tui.cli import cli

TABLES = {"coding": "codings", "code": "codes", "memo": "memos"}


@pytest.fixture(scope="module")
def start(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("start") / "study"
    started(folder)
    return folder


def copies(tmp_path: Path, start: Path) -> dict[str, Path]:
    folders = {name: tmp_path / name for name in ("alice", "bob", "carol")}
    for folder in folders.values():
        shutil.copytree(start, folder)
    return folders


def make(folder: Path, kind: str) -> str:
    """alice's new coding, code or memo; its id."""
    with Project.open(folder, coder="alice") as p:
        document, code = sorted(p.state.documents)[0], sorted(p.state.codes)[0]
        if kind == "code":
            return p.codebook.add("Hope").id
        if kind == "memo":
            return p.memos.add("document", document, "alice's memo on hope").id
        with p.operation("alice codes x"):
            p.put(Coding("x", document, code, 20, 30, "", p.coder.id, now(), now()))
        return "x"


def delete(folder: Path, kind: str, key: str, coder: str = "alice") -> None:
    with Project.open(folder, coder=coder) as p:
        with p.operation(f"{coder} deletes {key}"):
            p.delete(p.state.table(TABLES[kind])[key])


def held(folder: Path, kind: str) -> dict:
    with Project.open(folder, readonly=True) as p:
        return tables_of(p)[TABLES[kind]]


def conflicts(folder: Path) -> str:
    result = CliRunner().invoke(cli, ["-p", str(folder), "conflicts"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("how", [merge_folder, merge_entitywise], ids=["file-wise", "entity-wise"])
@pytest.mark.parametrize("first", ["alice", "bob"])
@pytest.mark.parametrize("kind", ["coding", "code", "memo"])
def test_what_alice_deleted_does_not_come_back_from_bob_who_got_it_through_carol(tmp_path, start, kind, first, how):
    team = copies(tmp_path, start)
    key = make(team["alice"], kind)
    merged(team["carol"], team["alice"], "carol", how)
    merged(team["bob"], team["carol"], "bob", how)
    assert key in held(team["bob"], kind)
    delete(team["alice"], kind, key)
    second = "bob" if first == "alice" else "alice"
    merged(team[first], team[second], first, how)
    merged(team[second], team[first], second, how)
    for name in ("alice", "bob"):
        assert key not in held(team[name], kind), f"{kind} {key} came back to {name}"
        assert "hope" not in conflicts(team[name]).lower() and " x:" not in conflicts(team[name])
    merged(team["carol"], team["bob"], "carol", how)  # and carol, who gave it to bob, loses it too
    assert key not in held(team["carol"], kind)


def test_a_deletion_undone_comes_back_everywhere(tmp_path, start):
    team = copies(tmp_path, start)
    make(team["alice"], "coding")
    merged(team["carol"], team["alice"], "carol")
    merged(team["bob"], team["carol"], "bob")
    delete(team["alice"], "coding", "x")
    merged(team["carol"], team["alice"], "carol")  # carol takes the deletion and its tombstone
    assert "x" not in held(team["carol"], "coding")
    with Project.open(team["alice"], coder="alice") as p:
        assert tombstone_key("codings", "x") in p.tombstones()
        p.undo()
        assert tombstone_key("codings", "x") not in p.tombstones()
    for ours, theirs in (("bob", "alice"), ("alice", "bob"), ("carol", "alice"), ("bob", "carol")):
        merged(team[ours], team[theirs], ours)
    for name, folder in team.items():
        assert "x" in held(folder, "coding"), f"the coding alice put back is not in {name}'s copy"


def test_deleted_on_one_changed_on_the_other_is_kept_and_listed(tmp_path, start):
    """bob recodes x (it reached him through carol); alice deletes the version she made."""
    team = copies(tmp_path, start)
    make(team["alice"], "coding")
    merged(team["carol"], team["alice"], "carol")
    merged(team["bob"], team["carol"], "bob")
    with Project.open(team["bob"], coder="bob") as p:
        x = p.state.codings["x"]
        with p.operation("bob recodes x"):
            p.put(Coding(x.id, x.document, x.code, x.start, x.end + 2, x.text, x.coder, x.created, now()))
    delete(team["alice"], "coding", "x")
    lines = merged(team["alice"], team["bob"], "alice")
    assert any("deleted and changed" in line for line in lines), lines
    assert held(team["alice"], "coding")["x"]["end"] == 32
    assert "deleted and changed" in conflicts(team["alice"])
    with Project.open(team["alice"], readonly=True) as p:
        assert tombstone_key("codings", "x") not in p.tombstones()  # kept: its tombstone dropped
    merged(team["bob"], team["alice"], "bob")
    assert held(team["bob"], "coding")["x"]["end"] == 32


def test_tombstones_are_written_sorted_and_shared_in_project_json(tmp_path, start):
    folder = tmp_path / "study"
    shutil.copytree(start, folder)
    with Project.open(folder, coder="alice") as p:
        gone = sorted(p.state.codings.values(), key=lambda c: c.id)[:3]
        with p.operation("alice uncodes three"):
            for coding in reversed(gone):
                p.delete(coding)
        p.checkpoint()
    raw = (folder / "project.json").read_bytes()
    dead = orjson.loads(raw)[TOMBSTONES]
    assert list(dead) == sorted(dead) == [tombstone_key("codings", c.id) for c in gone]
    assert all(dead[tombstone_key("codings", c.id)]["digest"] == record_digest(c.to_record()) for c in gone)
    assert dead[tombstone_key("codings", gone[0].id)]["document"] == gone[0].document


def test_a_deletion_killed_before_the_checkpoint_keeps_its_tombstone_through_the_log(tmp_path, start):
    folder = tmp_path / "study"
    shutil.copytree(start, folder)
    p = Project.open(folder, coder="alice")
    p.auto_checkpoint = False
    with p.operation("alice uncodes c1"):
        p.delete(p.state.codings["c1"])
    p.lock.release()  # as a kill -9 leaves it: the log holds the action, the files do not
    assert TOMBSTONES not in orjson.loads((folder / "project.json").read_bytes())
    with Project.open(folder, coder="alice") as again:
        assert tombstone_key("codings", "c1") in again.tombstones()


def test_an_action_that_fails_leaves_the_tombstones_as_they_were(tmp_path, start):
    folder = tmp_path / "study"
    shutil.copytree(start, folder)
    with Project.open(folder, coder="alice") as p:
        with p.operation("alice uncodes c2"):
            p.delete(p.state.codings["c2"])
        before = dict(p.tombstones())
        x = Coding("x", p.state.codings["c4"].document, p.state.codings["c4"].code, 1, 5, "", p.coder.id, now(), now())
        with pytest.raises(RuntimeError), p.operation("fails"):
            p.delete(p.state.codings["c4"])
            p.put(x)  # an add rolled back is no deletion: it leaves no tombstone
            raise RuntimeError("cut short")
        assert p.tombstones() == before
        assert "c4" in p.state.codings and "x" not in p.state.codings


@pytest.mark.parametrize(
    "base, ours, theirs, ours_dead, theirs_dead, kept, listed",
    [
        ({}, {"x": "v1"}, {}, {}, {"x": "v1"}, False, False),  # they deleted it as we hold it: it goes
        ({}, {}, {"x": "v1"}, {"x": "v1"}, {}, False, False),  # the same, the other way
        ({}, {"x": "v2"}, {}, {}, {"x": "v1"}, True, True),  # changed since they deleted it: kept, listed
        ({}, {}, {"x": "v2"}, {"x": "v1"}, {}, True, True),
        ({}, {"x": "v1"}, {}, {}, {}, True, False),  # added on one side, no tombstone: added
        ({"x": "v1"}, {"x": "v1"}, {}, {}, {"x": "v1"}, False, False),  # deleted since the base, as before
        ({"x": "v1"}, {"x": "v2"}, {}, {}, {"x": "v1"}, True, True),  # deleted and changed, as before
    ],
)
def test_merge_weighs_tombstones(base, ours, theirs, ours_dead, theirs_dead, kept, listed):
    """The rule on its own, both ways round: the result and its tombstones do not depend on
    which side is ours, and a kept entity has no tombstone."""

    def tables(records: dict, dead: dict) -> dict:
        codes = {k: {"id": k, "name": v} for k, v in records.items()}
        graves = {tombstone_key("codes", k): {"table": "codes", "id": k, "digest": record_digest({"id": k, "name": v})} for k, v in dead.items()}
        return {"codes": codes, TOMBSTONES: graves}

    b, o, t = tables(base, {}), tables(ours, ours_dead), tables(theirs, theirs_dead)
    for one, other in ((o, t), (t, o)):
        result = merge(b, one, other)
        assert ("x" in result.tables["codes"]) == kept
        assert bool(result.conflicts) == listed
        assert (tombstone_key("codes", "x") in result.tables[TOMBSTONES]) == (not kept and bool(ours_dead or theirs_dead))
    assert merge(b, o, t).tables == merge(b, t, o).tables


def test_a_project_without_tombstones_opens_and_merges(tmp_path, start, monkeypatch):
    """Projects made before tombstones hold no "deleted" table: absent is empty. bob's
    copy deletes as main's code did (no tombstone), after the copies met: the deletion
    goes by the base, as before; one made with tombstones goes without a base too."""
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    shutil.copytree(start, alice)
    shutil.copytree(start, bob)
    merged(bob, alice, "bob")
    with monkeypatch.context() as old_code:
        old_code.setattr(Changes, "_bury", lambda self, table, record: None)
        delete(bob, "coding", "c3", coder="bob")
    for folder in (alice, bob):
        assert TOMBSTONES not in orjson.loads((folder / "project.json").read_bytes())
    merged(alice, bob, "alice")
    assert "c3" not in held(alice, "coding")
    delete(bob, "coding", "c4", coder="bob")
    for folder in (alice, bob):
        shutil.rmtree(folder / "merges")  # as if they never met
    merged(alice, bob, "alice")
    assert "c4" not in held(alice, "coding")
    with Project.open(alice, readonly=True) as p:
        assert conflict_memos(p) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("first", ["alice", "bob"])
def test_through_git_what_alice_deleted_does_not_come_back_from_bob_who_got_it_through_carol(tmp_path, first):
    """The same through `margin sync`: carol syncs alice's coding from the team's remote,
    bob syncs it from carol's clone, alice deletes it; alice and bob sync, in both orders."""
    from tests.team.test_git_sync import DEMO_TEXTS, Team, git

    team = Team(tmp_path)
    alice, bob = team.start(sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3])
    carol = tmp_path / "carol"
    git(tmp_path, "clone", "-q", str(team.remote), str(carol))
    team.run(alice, "alice", "apply", "p02", "Access", "--turn", "2")
    team.run(alice, "alice", "sync")
    team.run(carol, "carol", "sync")
    git(bob, "remote", "add", "carol", str(carol))
    team.run(bob, "bob", "sync", "carol", code=2)  # merged and committed; carol's clone refuses the push
    with Project.open(alice, coder="alice") as p:
        (x,) = [c for c in p.state.codings.values() if c.coder == p.coder.id]
        with p.operation("alice uncodes it"):
            p.delete(x)
    assert x.id in held(bob, "coding")
    if first == "bob":
        team.run(bob, "bob", "sync")
    for folder, name in ((alice, "alice"), (bob, "bob"), (alice, "alice")):
        team.run(folder, name, "sync")
    for folder in (alice, bob):
        assert x.id not in held(folder, "coding")
        assert "deleted" not in conflicts(folder)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_through_git_a_coding_that_came_by_merge_dir_stays_deleted(tmp_path):
    """bob takes alice's new coding by `margin merge DIR` (never through git), alice deletes
    it and syncs: her file is git's ancestor's again, so sync would leave bob's file out
    of the merge; her tombstone brings it in, and the coding goes."""
    from tests.team.test_git_sync import DEMO_TEXTS, Team

    team = Team(tmp_path)
    alice, bob = team.start(sorted(DEMO_TEXTS.glob("p0[123]*.txt"))[:3])
    team.run(alice, "alice", "apply", "p02", "Access", "--turn", "2")
    team.run(alice, "alice", "sync")
    team.run(bob, "bob", "sync")  # both hold alice's file of p02 as git does
    with Project.open(alice, coder="alice") as p:
        before = set(p.state.codings)
    team.run(alice, "alice", "apply", "p02", "Access", "--turn", "4")
    with Project.open(bob, coder="bob") as p, Project.open(alice, readonly=True) as other:
        merge_folder(p, other)
    with Project.open(alice, coder="alice") as p:
        (x,) = [c for c in p.state.codings.values() if c.id not in before]
        with p.operation("alice uncodes it"):
            p.delete(x)
    assert x.id in held(bob, "coding")
    team.run(alice, "alice", "sync")
    team.run(bob, "bob", "sync")
    assert x.id not in held(bob, "coding")
    team.run(alice, "alice", "sync")
    assert x.id not in held(alice, "coding")


def test_the_last_tombstone_taken_away_leaves_project_json_as_it_was(tmp_path):
    """An undone deletion took its tombstone away but left an empty "deleted" table in
    project.json: two copies of one state then differed in their bytes, and `margin sync`
    made a commit on every round (the git property test's HEADs never met)."""
    from store.layout import PROJECT_FILE

    with Project.init(tmp_path / "p", coder="alice") as project:
        code = project.codebook.add("Trust")
        project.checkpoint()
        before = (tmp_path / "p" / PROJECT_FILE).read_bytes()
        project.codebook.delete(code)
        project.undo()
        project.checkpoint()
        assert (tmp_path / "p" / PROJECT_FILE).read_bytes() == before
