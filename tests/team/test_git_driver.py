"""The merge driver (`margin merge-file %O %A %B %P`) and `margin git-setup`."""

from __future__ import annotations

import copy
import shutil
import subprocess

import orjson
import pytest
from click.testing import CliRunner

from store.storage import dump_tables
from store.team.driver import noted_conflicts
from tests.team.test_merge import base_tables
from tui.cli import cli


def write(path, tables) -> None:
    path.write_bytes(dump_tables(tables))


def test_the_driver_merges_entity_by_entity_notes_conflicts_and_never_writes_markers(tmp_path, monkeypatch):
    base = base_tables()
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours["codes"]["k1"].update(name="Trust", modified="2026-02-01")
    theirs["codes"]["k1"].update(name="Confidence", modified="2026-02-02")
    ours["memos"]["m1"].update(text="alice's thoughts", modified="2026-02-01")
    theirs["memos"]["m1"].update(text="bob's thoughts", modified="2026-02-01")
    theirs["codes"]["k9"] = {"id": "k9", "name": "New", "parent": None, "modified": "2026-02-03"}
    for name, tables in (("O", base), ("A", ours), ("B", theirs)):
        write(tmp_path / name, tables)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["merge-file", "O", "A", "B", "project.json"])
    assert result.exit_code == 0, result.output
    merged = orjson.loads((tmp_path / "A").read_bytes())
    assert merged["codes"]["k1"]["name"] == "Confidence" and "k9" in merged["codes"]
    assert {m["text"] for m in merged["memos"].values()} == {"alice's thoughts", "bob's thoughts"}
    assert b"<<<<<<<" not in (tmp_path / "A").read_bytes()
    assert len(noted_conflicts(tmp_path)) == 2
    (tmp_path / "E").write_bytes(b"")  # both sides added the file: git's ancestor is empty
    assert CliRunner().invoke(cli, ["merge-file", "E", "A", "B", "x.json"]).exit_code == 0


def test_a_file_that_is_not_a_margin_file_stops_git(tmp_path, monkeypatch):
    write(tmp_path / "O", base_tables())
    write(tmp_path / "A", base_tables())
    (tmp_path / "B").write_bytes(b'{"codes": {"k1": ')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["merge-file", "O", "A", "B", "project.json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (tmp_path / "A").read_bytes() == dump_tables(base_tables())  # untouched


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_setup_installs_the_driver_once(tmp_path, monkeypatch):
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    runner = CliRunner()
    folder = tmp_path / "study"
    assert runner.invoke(cli, ["init", str(folder), "--coder", "alice"]).exit_code == 0
    result = runner.invoke(cli, ["-p", str(folder), "git-setup"])
    assert result.exit_code == 2 and "not the top of a git clone" in result.output
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    first = runner.invoke(cli, ["-p", str(folder), "git-setup"])
    assert first.exit_code == 0 and "merge.margin.driver" in first.output
    again = runner.invoke(cli, ["-p", str(folder), "git-setup"])
    assert again.output.strip() == "already set up"
    attributes = (folder / ".gitattributes").read_text()
    assert attributes.count("merge=margin") == 2
    check = subprocess.run(["git", "check-attr", "merge", "project.json", "codings/a/b.json", "sources/x.txt"],
                           cwd=folder, capture_output=True, text=True, check=True).stdout
    assert "project.json: merge: margin" in check and "codings/a/b.json: merge: margin" in check
    assert "sources/x.txt: merge: unspecified" in check
    driver = subprocess.run(["git", "config", "merge.margin.driver"], cwd=folder, capture_output=True, text=True).stdout
    assert driver.strip().endswith("margin merge-file %O %A %B %P")  # by its full path: see tests/trial
