"""The first merge of two copies of one project (copied, then coded apart) is three-way
against what both logs hold (store/team/ancestry.py; issue 12, trial 2: alice renamed a
code, bob described it later, and the merge kept bob's version whole: the rename lost,
and the conflict line called alice's own name "the other copy's")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.project import Project
from store.team.ancestry import _common_length, shared_state
from store.team.sync import tables_of
from tui.cli import cli

DEMO = Path(__file__).resolve().parents[2] / "tui" / "demo"
# (command after the copy, the field it changes): each pair on different fields merges
# without a conflict, whichever order the two copies did them in.
CHANGES = {
    "rename": (["codes", "rename", "Worry", "Hope"], "name"),
    "describe": (["codes", "describe", "Worry", "about the ward"], "description"),
    "color": (["codes", "color", "Worry", "#aa3300"], "color"),
    "move": (["codes", "move", "Worry", "Feelings"], "parent"),
}


def run(folder: Path, coder: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["-p", str(folder), "--coder", coder, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def start(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("first") / "study"
    run(folder, "alice", "init", "--coder", "alice")
    run(folder, "alice", "import", sorted(map(str, DEMO.glob("*.txt")))[0])
    for code in ("Worry", "Feelings", "Gone"):
        run(folder, "alice", "codes", "add", code)
    return folder


def copies(tmp_path: Path, start: Path) -> tuple[Path, Path]:
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    shutil.copytree(start, alice)
    shutil.copytree(start, bob)
    return alice, bob


def code(folder: Path) -> dict:
    """The code made as Worry, by its id (a merge keeps ids)."""
    with Project.open(folder, readonly=True) as p:
        first = min(p.state.codes.values(), key=lambda c: c.created)
        return first.to_record()


@pytest.mark.parametrize("theirs", sorted(CHANGES))
@pytest.mark.parametrize("mine", sorted(CHANGES))
def test_changes_to_different_fields_of_one_code_both_stay(tmp_path, start, mine, theirs):
    if CHANGES[mine][1] == CHANGES[theirs][1]:
        pytest.skip("the same field: a conflict (test_the_same_field_changed_two_ways_is_listed)")
    alice, bob = copies(tmp_path, start)
    run(alice, "alice", *CHANGES[mine][0])
    run(bob, "bob", *CHANGES[theirs][0])
    wanted = {CHANGES[mine][1]: code(alice)[CHANGES[mine][1]], CHANGES[theirs][1]: code(bob)[CHANGES[theirs][1]]}
    report = run(alice, "alice", "merge", str(bob))
    assert "0 conflicts" in report, report
    got = code(alice)
    assert {field: got[field] for field in wanted} == wanted
    run(bob, "bob", "merge", str(alice))
    assert code(bob) == got


def test_the_same_field_changed_two_ways_is_listed_naming_the_name_not_kept(tmp_path, start):
    alice, bob = copies(tmp_path, start)
    run(alice, "alice", "codes", "rename", "Worry", "Hope")
    run(bob, "bob", "codes", "rename", "Worry", "Fear")
    report = run(alice, "alice", "merge", str(bob))
    kept = code(alice)["name"]
    lost = ({"Hope", "Fear"} - {kept}).pop()
    assert f"kept {kept!r}, not {lost!r}" in report, report
    assert "the other copy's" not in report


def test_what_one_copy_deleted_and_the_other_left_alone_goes(tmp_path, start):
    alice, bob = copies(tmp_path, start)
    run(bob, "bob", "codes", "delete", "Gone")
    run(alice, "alice", "codes", "add", "New")
    report = run(alice, "alice", "merge", str(bob))
    names = {c["name"] for c in tables_of_folder(alice)["codes"].values()}
    assert "Gone" not in names and "New" in names, report
    assert "0 conflicts" in report


def tables_of_folder(folder: Path) -> dict:
    with Project.open(folder, readonly=True) as p:
        return tables_of(p)


def test_projects_made_apart_share_no_history(tmp_path, start):
    other = tmp_path / "other"
    run(other, "bob", "init", "--coder", "bob")
    assert shared_state(start, other) is None
    shared = shared_state(start, start)
    assert {c["name"] for c in shared["codes"].values()} == {"Worry", "Feelings", "Gone"}
    assert shared["codes"] == tables_of_folder(start)["codes"]


@pytest.mark.parametrize("x, y", [(b"", b""), (b"abc", b"abd"), (b"abc", b"ab"), (b"x" * 5000, b"x" * 4999 + b"y"), (b"a", b"b")])
def test_common_length_is_the_shared_prefix(x, y):
    expected = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
    assert _common_length(x, y) == expected


def copies_of_p02(tmp_path: Path) -> tuple[Path, Path]:
    """alice's project of one interview, and bob's copy of it."""
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    run(alice, "alice", "init", "--coder", "alice")
    run(alice, "alice", "import", str(DEMO / "p02.txt"))
    shutil.copytree(alice, bob)
    return alice, bob


def _doc(folder: Path, name: str) -> dict:
    with Project.open(folder, readonly=True) as p:
        return next(d.to_record() for d in p.state.documents.values() if d.name == name)


@pytest.mark.parametrize("through", ["merge", "the other way"])
def test_two_coders_set_different_attributes_of_one_document_and_both_stay(tmp_path, through):
    """Trial 2 (after the fixes): a document's attributes were one field, the later set
    replaced the other's whole (site=north lost, listed, kept nowhere)."""
    alice, bob = copies_of_p02(tmp_path)
    run(alice, "alice", "attrs", "set", "p02", "site=north")
    run(bob, "bob", "attrs", "set", "p02", "round=2")
    ours, theirs = (alice, bob) if through == "merge" else (bob, alice)
    report = run(ours, ours.name, "merge", str(theirs))
    assert "0 conflicts" in report, report
    assert {"site": "north", "round": "2"}.items() <= _doc(ours, "p02")["attributes"].items()


def test_two_coders_rename_different_speakers_of_one_document_and_both_stay(tmp_path):
    alice, bob = copies_of_p02(tmp_path)
    run(alice, "alice", "speakers", "rename", "Interviewer", "Researcher")
    run(bob, "bob", "speakers", "rename", "Dr Hale", "Participant 2")
    report = run(alice, "alice", "merge", str(bob))
    assert "0 conflicts" in report, report
    speakers = {turn[0] for turn in _doc(alice, "p02")["turns"]}
    assert speakers == {"Researcher", "Participant 2"}, speakers


def test_the_same_attribute_set_two_ways_is_a_conflict_and_the_others_stay(tmp_path):
    alice, bob = copies_of_p02(tmp_path)
    run(alice, "alice", "attrs", "set", "p02", "site=north", "round=1")
    run(bob, "bob", "attrs", "set", "p02", "site=south", "profession=nurse")
    report = run(alice, "alice", "merge", str(bob))
    assert "1 conflict" in report and "attributes" in report, report
    attributes = _doc(alice, "p02")["attributes"]
    assert attributes["round"] == "1" and attributes["profession"] == "nurse" and attributes["site"] in ("north", "south")
