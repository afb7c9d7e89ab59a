"""Annotations on the command line: `memo add --doc --span`, listed by `memo list`,
exported by `export memos` and `export csv --annotations`; bad spans refused in one line."""

from __future__ import annotations

from tests.test_cli import SECOND, rows, run, study  # noqa: F401


def test_add_list_and_export(run, study):  # noqa: F811
    text = SECOND
    start = text.index("they trust her")
    added = run("memo", "add", "--doc", "N1-2", "--span", f"{start}:{start + 14}", "She means the patients")
    assert added.exit_code == 0 and added.output.startswith("Added annotation ")
    assert run("memo", "add", "--case", "N1", "Night shifts only").exit_code == 0
    listed = run("memo", "list").output
    assert f"annotation N1-2 {start}:{start + 14}" in listed and "case N1" in listed
    memos = {r["kind"]: r for r in rows(run("export", "memos").output)}
    assert memos["annotation"]["passage"] == "they trust her" and memos["annotation"]["start"] == str(start)
    assert memos["case"]["about"] == "case N1" and memos["case"]["passage"] == ""
    plain = rows(run("export", "csv").stdout)
    assert all(r["code"] for r in plain)  # no annotation rows unless asked
    with_notes = rows(run("export", "csv", "--annotations").stdout)
    [note] = [r for r in with_notes if not r["code"]]
    assert (note["document"], note["text"], note["memo"], note["coder"], note["case"]) == (
        "N1-2", "they trust her", "She means the patients", "alice", "N1")


def test_bad_spans_are_one_line_and_change_nothing(run, study):  # noqa: F811
    for args in (["--span", "9:9"], ["--span", "x"], ["--span", "0:99999"]):
        result = run("memo", "add", "--doc", "N1-1", *args, "note")
        assert result.exit_code == 2 and result.output.count("\n") == 1 and result.output.startswith("Error: "), result.output
    assert run("memo", "add", "--span", "1:4", "note").exit_code == 2  # needs --doc
    assert "annotation" not in run("memo", "list").output
