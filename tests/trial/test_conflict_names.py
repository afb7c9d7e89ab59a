"""A code renamed two ways in two copies: the merge keeps one name by its rule, and the
conflict list says the name not kept too (on main it said only "(name)", so the
researcher could not tell what the other coder had called it)."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from store.team.merge import Conflict
from tests.conftest import INTERVIEW
from tui.cli import cli


def run(folder, *args) -> str:
    result = CliRunner().invoke(cli, ["-p", str(folder), "--coder", "alice", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_code_renamed_two_ways_lists_both_names(tmp_path, monkeypatch):
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    text = tmp_path / "N1.txt"
    text.write_text(INTERVIEW, encoding="utf-8")
    a, b = tmp_path / "a", tmp_path / "b"
    run(a, "init", str(a), "--coder", "alice")
    run(a, "import", str(text))
    run(a, "codes", "add", "Relationships > Trust")
    shutil.copytree(a, b)
    run(a, "codes", "rename", "Relationships > Trust", "Trusting")
    run(b, "codes", "rename", "Relationships > Trust", "Confidence")
    out = run(a, "merge", str(b))
    listed = run(a, "conflicts")
    for text in (out, listed):
        assert "'Trusting'" in text and "'Confidence'" in text, text
    run(b, "merge", str(a))
    assert run(b, "conflicts") == listed  # both copies list it alike


@pytest.mark.parametrize(
    "conflict, described",
    [
        (Conflict("codes", "c1", "changed on both sides", ("name",), {"name": "A"}, {"name": "B"}), "code A: changed on both sides (name: kept 'A', not 'B')"),
        (Conflict("codes", "c1", "changed on both sides", ("name", "color"), {"name": "A"}, {"name": "B"}), "code A: changed on both sides (name: kept 'A', not 'B', color)"),
        (Conflict("codes", "c1", "changed on both sides", ("description",), {"name": "A"}, {"name": "A"}), "code A: changed on both sides (description)"),
        (Conflict("memos", "m1", "changed on both sides", ("text",), {"title": "T"}, {"title": "T"}), "memo T: changed on both sides (text)"),
        (Conflict("codes", "c1", "deleted and used", (), {"name": "A"}, None), "code A: deleted and used"),
        (Conflict("codes", "c1", "changed on both sides", ("name",), {"name": "A"}, None), "code A: changed on both sides (name)"),
    ],
)  # fmt: skip
def test_conflict_lines(conflict, described):
    assert conflict.describe() == described
