"""What a merge's conflicts are called, and how their memos are listed (issue 12, trial 2):
a memo both coders edited came back as two memos listed with one 8-character id (`memo
edit` of it refused as ambiguous), its conflict line named it by its 36-character id, and
a coding in conflict by its id alone."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from store.team.merge import Conflict, name_codings
from tui.cli import cli

DEMO = Path(__file__).resolve().parents[2] / "tui" / "demo"


def run(folder: Path, coder: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["-p", str(folder), "--coder", coder, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_memo_edited_by_both_is_listed_with_ids_that_each_name_one_memo(tmp_path):
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    run(alice, "alice", "init", "--coder", "alice")
    run(alice, "alice", "memo", "add", "--journal", "first thoughts on the ward")
    shutil.copytree(alice, bob)
    ref = run(alice, "alice", "memo", "list").split()[0]
    run(alice, "alice", "memo", "edit", ref, "alice: the ward is calm")
    run(bob, "bob", "memo", "edit", ref, "bob: the ward is tense")
    report = run(alice, "alice", "merge", str(bob))
    assert "memo “" in report and ref not in report, report  # named by its words, not its id
    listing = run(alice, "alice", "memo", "list")
    refs = re.findall(r"^(\S+)\s+\d{4}-\d\d-\d\d\s+journal", listing, re.M)
    assert len(refs) == 2 and len(set(refs)) == 2, listing
    assert "(conflicting copy)" in listing
    for n, given in enumerate(refs):
        run(alice, "alice", "memo", "edit", given, f"settled {n}")
    texts = run(alice, "alice", "memo", "list")
    assert "settled 0" in texts and "settled 1" in texts, texts


def test_a_coding_in_conflict_is_named_by_its_code_and_document():
    coding = {"id": "k1", "code": "c1", "document": "d1", "start": 120, "end": 184}
    conflicts = [Conflict("codings", "k1", "deleted and changed", (), coding, None)]
    name_codings(conflicts, {"codes": {"c1": {"name": "Trust"}}, "documents": {"d1": {"name": "P3"}}})
    assert conflicts[0].describe() == "coding of Trust in P3, 120-184: deleted and changed"
    assert Conflict("memos", "m1", "changed on both sides", ("text",), {"text": "What counts\nas access?"}).describe() == (
        "memo “What counts as access?”: changed on both sides (text)"
    )


def test_a_damaged_other_copy_is_named_as_the_other_copy(tmp_path):
    """The trial: merging a copy whose project.json was cut said "project.json cannot be
    read ...; run `margin restore`", as if this (healthy) project were damaged."""
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    run(alice, "alice", "init", "--coder", "alice")
    shutil.copytree(alice, bob)
    raw = (bob / "project.json").read_bytes()
    (bob / "project.json").write_bytes(raw[: len(raw) // 2])
    before = {p: p.read_bytes() for p in alice.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, ["-p", str(alice), "--coder", "alice", "merge", str(bob)], catch_exceptions=False)
    assert result.exit_code != 0 and result.output.count("\n") == 1, result.output
    assert f"the other copy, {bob}" in result.output and f"margin -p {bob} restore" in result.output
    assert {p: p.read_bytes() for p in alice.rglob("*") if p.is_file()} == before


def test_a_conflict_that_travels_is_listed_once_and_every_copy_holds_the_same_lists(tmp_path):
    """The trial: a conflict reaching a third copy by way of another was listed again at
    every copy it reached (two or three lists of one conflict, different in each copy)."""
    from tests.team.conftest import fingerprint

    folders = {name: tmp_path / name for name in ("alice", "bob", "carol")}
    a, b, c = folders.values()
    run(a, "alice", "init", "--coder", "alice")
    run(a, "alice", "import", str(DEMO / "p02.txt"), str(DEMO / "p03.txt"))
    for code in ("Trust", "Hope", "Stigma", "Old"):
        run(a, "alice", "codes", "add", code)
    run(a, "alice", "apply", "p02", "Old", "--turn", "2")
    run(a, "alice", "memo", "add", "--code", "Hope", "memo on hope")
    for name in ("bob", "carol"):
        shutil.copytree(a, folders[name])
    for code in ("Old", "Hope"):
        run(a, "alice", "codes", "delete", code, "--force")
    run(b, "bob", "apply", "p03", "Hope", "--turn", "4")  # deleted by alice, used by bob: comes back, listed
    run(c, "carol", "codes", "rename", "Stigma", "Stigma at work")
    run(a, "alice", "codes", "delete", "Stigma", "--force")  # deleted by alice, renamed by carol
    rounds = [("carol", "alice"), ("bob", "carol"), ("alice", "bob"), ("carol", "bob"), ("bob", "alice"),  # the trial's
              ("alice", "carol"), ("carol", "alice"), ("bob", "carol"), ("alice", "bob")]  # then every copy every other
    for ours, theirs in rounds:
        run(folders[ours], ours, "merge", str(folders[theirs]))
    lists = {name: fingerprint(folder)["conflict memos"] for name, folder in folders.items()}
    assert lists["alice"] == lists["bob"] == lists["carol"], lists
    lines = [line for text in lists["alice"] for line in text.splitlines()]
    assert len(lines) == len(set(lines)) and lines, lines
