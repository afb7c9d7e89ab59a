"""`margin merge DIR`: alice and bob code the same PDPilot interviews in their own copies
through the command line, then merge each other's copy, in both orders, more than once."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from click.testing import CliRunner

from store.project import Project
from tests.conftest import shared
from tests.team.conftest import fingerprint as state
from tui.cli import cli


@pytest.fixture
def copies(tmp_path, monkeypatch):
    """alice's project with three PDPilot interviews, codes A..D and a memo, and bob's copy of it."""
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    corpus = shared("corpus", "pdpilot-interviews")
    runner = CliRunner()

    def run(folder, coder, *args):
        result = runner.invoke(cli, ["-p", str(folder), "--coder", coder, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    alice, bob = tmp_path / "alice", tmp_path / "bob"
    run(alice, "alice", "init", "--coder", "alice")
    run(alice, "alice", "import", *(str(corpus / f"P{i}.txt") for i in (1, 2, 3)))
    for code in ("Access", "Barriers", "Carers", "Diagnosis"):
        run(alice, "alice", "codes", "add", code)
    run(alice, "alice", "memo", "add", "--code", "Access", "What counts as access?")
    shutil.copytree(alice, bob)
    return run, alice, bob


def memo_id(folder, text):
    with Project.open(folder, readonly=True) as p:
        return next(m.id for m in p.state.memos.values() if m.text == text)


def test_two_coders_merge_copies_without_loss(copies):
    run, alice, bob = copies
    for turn in (2, 4, 6):
        run(alice, "alice", "apply", "P1", "Access", "--turn", str(turn))
        run(bob, "bob", "apply", "P1", "Barriers", "--turn", str(turn))
    run(bob, "bob", "apply", "P2", "Carers", "--turn", "3")
    run(alice, "alice", "codes", "add", "Eligibility")
    run(bob, "bob", "codes", "add", "Family")
    run(alice, "alice", "memo", "add", "--doc", "P2", "alice on P2")
    run(bob, "bob", "memo", "add", "--doc", "P3", "bob on P3")
    run(alice, "alice", "codes", "rename", "Access", "Getting access")  # different codes renamed
    run(bob, "bob", "codes", "rename", "Barriers", "Obstacles")
    run(alice, "alice", "codes", "rename", "Diagnosis", "Being diagnosed")  # the same code, two ways
    run(bob, "bob", "codes", "rename", "Diagnosis", "The diagnosis")
    run(alice, "alice", "memo", "edit", memo_id(alice, "What counts as access?"), "alice: physical access")
    run(bob, "bob", "memo", "edit", memo_id(bob, "What counts as access?"), "bob: access to services")
    made = Counter({"alice": 3, "bob": 4})

    first = run(alice, "alice", "merge", str(bob))
    assert "bob: 4 codings" in first and "conflict: code" in first and "conflict: memo" in first
    back = run(bob, "bob", "merge", str(alice))  # bob's base: his copy as alice merged it
    assert "0 conflicts" in back
    for _ in range(2):  # again, both orders: nothing changes any more
        assert "Nothing new" in run(alice, "alice", "merge", str(bob))
        assert "Nothing new" in run(bob, "bob", "merge", str(alice))
    a, b = state(alice), state(bob)
    assert a == b
    assert Counter(c[0] for c in a["codings"]) == made and len(set(a["codings"])) == len(a["codings"])
    assert {"Getting access", "Obstacles", "Eligibility", "Family"} <= set(a["codes"])
    assert len({"Being diagnosed", "The diagnosis"} & set(a["codes"])) == 1  # one name kept, the other listed
    assert {"alice: physical access", "bob: access to services", "alice on P2", "bob on P3"} <= set(a["memos"])
    assert any("diagnos" in text.lower() for text in a["conflict memos"])  # the two-sided rename, listed
    for folder in (alice, bob):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".json", ".jsonl", ".txt"):
                assert "<<<<<<<" not in path.read_text(encoding="utf-8", errors="replace")


def test_merge_is_one_undoable_action_and_bad_folders_are_one_line(copies):
    run, alice, bob = copies
    run(bob, "bob", "apply", "P1", "Carers", "--turn", "2")
    run(alice, "alice", "merge", str(bob))
    assert len(state(alice)["codings"]) == 1
    run(alice, "alice", "undo")
    assert state(alice)["codings"] == []
    result = CliRunner().invoke(cli, ["-p", str(alice), "merge", str(alice.parent / "nowhere")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_deletions_carry_and_a_deleted_code_in_use_comes_back(copies):
    run, alice, bob = copies
    run(alice, "alice", "merge", str(bob))
    run(bob, "bob", "merge", str(alice))
    run(alice, "alice", "codes", "delete", "Carers")  # unused: it goes everywhere
    run(alice, "alice", "codes", "delete", "Diagnosis")
    run(bob, "bob", "apply", "P3", "Diagnosis", "--turn", "2")  # but bob uses it meanwhile
    into_bob = run(bob, "bob", "merge", str(alice))
    assert "deleted and used" in into_bob
    run(alice, "alice", "merge", str(bob))
    a, b = state(alice), state(bob)
    assert a == b
    assert "Carers" not in a["codes"] and "Diagnosis" in a["codes"]
    assert [c[0] for c in a["codings"]] == ["bob"]
    listed = run(alice, "alice", "conflicts")
    assert "1. merged" in listed and "code Diagnosis: deleted and used" in listed
    run(alice, "alice", "conflicts", "--settled", "1")
    assert run(alice, "alice", "conflicts").strip() == "No conflicts."
    result = CliRunner().invoke(cli, ["-p", str(alice), "conflicts", "--settled", "5"])
    assert result.exit_code == 2 and "no conflict list 5" in result.output
