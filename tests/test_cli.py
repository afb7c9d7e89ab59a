"""The `margin` command line, driven with click's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from store.project import Project
from tests.conftest import INTERVIEW
from tui.cli import cli

SECOND = """Interviewer: What changed since we last spoke?

Nurse: The peer worker runs the ward group now. "=SUM(A1)" she joked.

Interviewer: How is that?

Nurse: Better. Patients café talk is easier, they trust her.
"""


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run `margin` in a project folder; returns the Result (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    runner = CliRunner()

    def invoke(*args, input=None):
        result = runner.invoke(cli, ["-p", str(tmp_path / "study"), *args], input=input, catch_exceptions=False)
        return result

    return invoke


@pytest.fixture
def study(run, tmp_path):
    """A project with two interviews of case N1, rounds 1 and 2, and a small codebook."""
    (tmp_path / "n1-round1.txt").write_text(INTERVIEW)
    (tmp_path / "n1-round2.txt").write_text(SECOND)
    assert run("init", "--coder", "alice").exit_code == 0
    assert run("import", str(tmp_path / "n1-round1.txt"), "--name", "N1-1", "--attr", "case=N1", "--attr", "round=1").exit_code == 0
    assert run("import", str(tmp_path / "n1-round2.txt"), "--name", "N1-2", "--attr", "case=N1", "--attr", "round=2").exit_code == 0
    assert run("codes", "add", "Peer support > Trust", "-d", "Relying on the peer worker").exit_code == 0
    return tmp_path / "study"


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_help_has_examples_for_every_command(run):
    for command in ("init", "import", "docs", "show", "codes", "apply", "uncode", "memo", "attrs", "log", "undo", "redo", "export"):
        result = run(command, "--help")
        assert result.exit_code == 0, command
        assert "Example" in result.output or "margin " in result.output, command


def test_init_and_docs(study, run):
    result = run("docs", "--json")
    docs = json.loads(result.output)
    assert [d["name"] for d in docs] == ["N1-1", "N1-2"]
    assert docs[0]["turns"] == 4 and docs[0]["attributes"] == {"case": "N1", "round": "1"}
    table = run("docs").output.splitlines()
    assert table[0].split()[:4] == ["document", "turns", "words", "codings"]


def test_import_of_many_files_into_a_log_writes_no_progress_bar(run, tmp_path):
    """Not at a terminal (a script, a pipe, a log file) the progress bar's bare `Reading`
    line was noise; the report of what was imported is all that is written."""
    assert run("init", "--coder", "alice").exit_code == 0
    files = []
    for n in range(4):
        (tmp_path / f"i{n}.txt").write_text(f"Interviewer: Question {n}?\n\nNurse: Answer number {n}.\n")
        files.append(str(tmp_path / f"i{n}.txt"))
    result = run("import", *files)
    assert result.exit_code == 0 and "Reading" not in result.stderr and "Reading" not in result.stdout


def test_import_of_unlabelled_prose_says_it_has_no_speaker_labels(run, tmp_path):
    """The report said "2 turns, 1 speaker" of prose without labels, where `stats` then
    said "speakers: none": paragraphs without a label have no speaker."""
    assert run("init", "--coder", "alice").exit_code == 0
    (tmp_path / "prose.txt").write_text("A first paragraph of field notes.\n\nA second one, later.\n")
    result = run("import", str(tmp_path / "prose.txt"))
    assert result.exit_code == 0 and "2 turns, no speaker labels" in result.stdout, result.stdout


def test_import_reports_duplicates_and_refuses_bad_files_atomically(study, run, tmp_path):
    again = run("import", str(tmp_path / "n1-round1.txt"))
    assert again.exit_code == 0 and "already document N1-1" in again.output
    (tmp_path / "bad.txt").write_bytes(b"A: caf\xe9 au lait\n")
    (tmp_path / "good.txt").write_text("A: fine\n")
    before = (study / "log.jsonl").read_bytes()
    result = run("import", str(tmp_path / "good.txt"), str(tmp_path / "bad.txt"))
    assert result.exit_code != 0
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert (study / "log.jsonl").read_bytes() == before


def test_show_numbers_turns(study, run):
    out = run("show", "N1-1").output.splitlines()
    assert out[0].endswith("| Interview with a ward nurse")
    assert out[2].startswith("1 | Interviewer:")
    turns = json.loads(run("show", "N1-1", "--json").output)
    assert turns[1]["speaker"] == "Nurse" and turns[1]["text"].startswith("At first")


def test_apply_by_turn_span_match_and_speaker(study, run):
    assert run("apply", "N1-1", "Peer support > Trust", "--turn", "4", "--memo", "key quote").exit_code == 0
    assert run("apply", "N1-1", "Trust", "--span", "0", "--match", "x").exit_code == 2
    assert run("apply", "N1-2", "Trust", "--match", "they trust\nher").exit_code == 0
    assert run("apply", "N1-2", "Interviewer", "--speaker", "interviewer", "--create").exit_code == 0
    exported = rows(run("export", "csv").stdout)
    assert [(r["document"], r["code_path"]) for r in exported] == [
        ("N1-1", "Peer support > Trust"),
        ("N1-2", "Interviewer"),
        ("N1-2", "Interviewer"),
        ("N1-2", "Peer support > Trust"),
    ]
    assert exported[0]["memo"] == "key quote" and exported[0]["speaker"] == "Nurse" and exported[0]["turn"] == "4"
    assert exported[-1]["text"] == "they trust her"


def test_auto_coding_with_all(study, run):
    result = run("apply", "N1-1", "Trust", "--match", "we", "--all")
    assert result.exit_code == 0 and "Coded 2 passages" in result.output  # not inside "Interviewer"
    again = run("apply", "N1-1", "Trust", "--match", "we", "--all")
    assert "Coded 0 passages" in again.output and "2 already coded" in again.output


def test_user_mistakes_get_one_line_and_exit_codes(study, run):
    cases = [
        (("apply", "N1-1", "Nope", "--turn", "1"), 2, "no code 'Nope'"),
        (("apply", "N9", "Trust", "--turn", "1"), 2, "no document named 'N9'"),
        (("apply", "N1-1", "Trust", "--turn", "99"), 2, "turns 1 to 4"),
        (("apply", "N1-1", "Trust", "--span", "5:999999"), 2, "outside N1-1"),
        (("apply", "N1-1", "Trust", "--span", "a:b"), 2, "START:END"),
        (("apply", "N1-1", "Trust", "--match", "not in the text"), 1, "no passage"),
        (("apply", "N1-1", "Trust"), 2, "exactly one of"),
        (("codes", "add", "Peer support > Trust"), 1, "exists already"),
        (("codes", "delete", "Peer support"), 0, "Deleted"),
    ]
    for args, code, message in cases[:-1]:
        result = run(*args)
        assert result.exit_code == code, args
        assert message in result.output, (args, result.output)
        assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_codes_tree_counts_rename_move_merge_delete(study, run):
    run("codes", "add", "Worry")
    run("apply", "N1-1", "Worry", "--turn", "2")
    run("apply", "N1-1", "Trust", "--turn", "4")
    tree = run("codes").output.splitlines()
    assert tree == ["Peer support  0 (1)", "  Trust  1", "Worry  1"]
    assert run("codes", "rename", "Worry", "Boundaries").exit_code == 0
    assert run("codes", "move", "Boundaries", "Peer support").exit_code == 0
    assert run("codes", "describe", "Boundaries", "Worries about roles").exit_code == 0
    assert run("codes", "color", "Boundaries", "#112233").exit_code == 0
    assert run("codes", "color", "Boundaries", "red").exit_code == 2
    data = {c["path"]: c for c in json.loads(run("codes", "--json").output)}
    assert data["Peer support > Boundaries"]["description"] == "Worries about roles"
    assert data["Peer support > Boundaries"]["color"] == "#112233"
    refused = run("codes", "delete", "Peer support > Boundaries")
    assert refused.exit_code == 1 and "would remove 1 coding;" in refused.output
    assert run("codes", "merge", "Peer support > Boundaries", "Peer support > Trust").exit_code == 0
    assert run("codes").output.splitlines() == ["Peer support  0 (2)", "  Trust  2"]


def test_uncode_undo_redo_and_log(study, run):
    run("apply", "N1-1", "Trust", "--turn", "2")
    run("apply", "N1-1", "Trust", "--turn", "4")
    ambiguous = run("uncode", "N1-1", "--code", "Trust")
    assert ambiguous.exit_code == 1 and "2 codings fit" in ambiguous.output
    assert run("uncode", "N1-1", "--turn", "2").exit_code == 0
    assert len(rows(run("export", "csv").stdout)) == 1
    assert "Undid: uncode 1 coding in N1-1" in run("undo").output
    assert len(rows(run("export", "csv").stdout)) == 2
    assert run("redo").exit_code == 0
    assert len(rows(run("export", "csv").stdout)) == 1
    log = json.loads(run("log", "--json", "-n", "0").output)
    assert [e["kind"] for e in log[-3:]] == ["do", "undo", "redo"]


def test_memos_and_journal(study, run):
    assert run("memo", "add", "--doc", "N1-2", "Tone is warmer").exit_code == 0
    assert run("memo", "add", "--journal", "-", input="I trained as a nurse myself.\n").exit_code == 0
    assert run("memo", "add", "--doc", "N1-2", "--journal", "x").exit_code == 2
    memos = json.loads(run("memo", "list", "--json").output)
    assert {(m["kind"], m["about"]) for m in memos} == {("document", "N1-2"), ("journal", "")}
    journal = run("memo", "list", "--journal").output
    assert "I trained as a nurse myself." in journal and "Tone" not in journal
    exported = rows(run("export", "memos").stdout)
    assert {r["kind"] for r in exported} == {"document", "journal"}


def test_attrs_set_list_and_import(study, run, tmp_path):
    assert run("attrs", "set", "N1-1", "profession=nurse").exit_code == 0
    table = tmp_path / "people.csv"
    table.write_text("document,profession,site\nN1-2,nurse,North\n")
    assert run("attrs", "import", str(table)).exit_code == 0
    listed = rows(run("attrs").stdout)
    assert listed[1] == {"document": "N1-2", "case": "N1", "profession": "nurse", "round": "2", "site": "North"}
    table.write_text("document,site\nN1-1,South\nN7,East\n")
    partly = run("attrs", "import", str(table))
    assert partly.exit_code == 0 and "Skipped rows for documents not in the project: N7" in partly.stderr
    assert rows(run("attrs").stdout)[0]["site"] == "South"
    table.write_text("document,site\nN7,South\n")
    bad = run("attrs", "import", str(table))
    assert bad.exit_code == 2 and "names no document of the project (it names N7)" in bad.output


def test_export_csv_columns_filters_and_safety(study, run, tmp_path):
    run("apply", "N1-1", "Trust", "--turn", "4")
    run("apply", "N1-2", "Trust", "--match", '"=SUM(A1)" she joked.')
    run("apply", "N1-2", "Trust", "--match", "Patients café talk")
    out = run("export", "csv").output
    header = out.splitlines()[0].split(",")
    assert header == [
        "coding_id", "document", "case", "speaker", "turn", "start", "end", "line_start", "line_end",
        "code", "code_path", "coder", "created", "modified", "text", "memo", "exemplar", "attr.case", "attr.round",
    ]  # fmt: skip
    data = rows(out)
    assert data[1]["text"] == '"=SUM(A1)" she joked.'  # starts with a quote: no formula
    assert rows(run("export", "csv", "--raw").stdout)[1]["text"] == '"=SUM(A1)" she joked.'
    assert [r["document"] for r in rows(run("export", "csv", "--attr", "round=2").stdout)] == ["N1-2", "N1-2"]
    assert [r["document"] for r in rows(run("export", "csv", "--doc", "N1-1").stdout)] == ["N1-1"]
    assert len(rows(run("export", "csv", "--coder", "alice").stdout)) == 3
    assert run("export", "csv", "--coder", "bob").exit_code == 2  # a filter naming no coder is bad input, as in stats
    target = tmp_path / "coded.csv"
    assert run("export", "csv", "-o", str(target)).exit_code == 0
    assert rows(target.read_text(encoding="utf-8"))[2]["text"] == "Patients café talk"
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_formula_cells_are_neutralised(study, run, tmp_path):
    (tmp_path / "f.txt").write_text("A: =HYPERLINK(\"http://x\")\n\nB: +1 -2 @home\n")
    run("import", str(tmp_path / "f.txt"))
    run("apply", "f", "Trust", "--turn", "1")
    run("apply", "f", "Trust", "--turn", "2")
    texts = [r["text"] for r in rows(run("export", "csv", "--doc", "f").stdout)]
    assert texts == ["'=HYPERLINK(\"http://x\")", "'+1 -2 @home"]


def test_export_codebook_csv_and_markdown(study, run):
    data = rows(run("export", "codebook").stdout)
    assert [(r["code_path"], r["codable"]) for r in data] == [("Peer support", "yes"), ("Peer support > Trust", "yes")]
    markdown = run("export", "codebook", "--format", "md").output
    assert "### Trust" in markdown and "Relying on the peer worker" in markdown


def test_project_from_environment_and_not_a_project(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["docs"])
    assert result.exit_code == 1 and "not a Margin project" in result.output
    Project.init(tmp_path / "env", coder="alice").close()
    monkeypatch.setenv("MARGIN_PROJECT", str(tmp_path / "env"))
    assert runner.invoke(cli, ["docs"]).exit_code == 0


def test_shell_completion_lists_documents(study, tmp_path, monkeypatch):
    monkeypatch.setenv("_MARGIN_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", f"margin -p {study} show N1")
    monkeypatch.setenv("COMP_CWORD", "4")
    result = CliRunner().invoke(cli, [], prog_name="margin", catch_exceptions=False)
    assert "N1-1" in result.output and "N1-2" in result.output


def test_export_to_a_missing_folder_says_so(study, run, tmp_path):
    result = run("export", "csv", "-o", str(tmp_path / "nowhere" / "x.csv"))
    assert result.exit_code == 2 and "nowhere is not a folder" in result.output and ".tmp" not in result.output


def test_apply_with_create_is_one_undo_step(study, run):
    assert run("apply", "N1-1", "New idea", "--turn", "2", "--create").exit_code == 0
    assert run("undo").exit_code == 0
    assert "New idea" not in run("codes").output and rows(run("export", "csv").stdout) == []


def test_reversed_span_is_named_as_such(study, run):
    result = run("apply", "N1-1", "Trust", "--span", "20:10")
    assert result.exit_code == 2 and "empty or reversed" in result.output


def test_commands_find_the_project_from_a_subfolder(study, tmp_path, monkeypatch):
    monkeypatch.chdir(study / "sources")
    result = CliRunner().invoke(cli, ["docs", "--json"])
    assert result.exit_code == 0 and [d["name"] for d in json.loads(result.output)] == ["N1-1", "N1-2"]


def test_exports_to_files_say_what_they_wrote(study, run, tmp_path):
    run("memo", "add", "--journal", "one entry")
    memos = run("export", "memos", "-o", str(tmp_path / "m.csv"))
    assert "Wrote 1 memo to" in memos.stderr
    run("codes", "add", "Unused")
    empty = run("export", "csv", "--code", "Unused", "-o", str(tmp_path / "e.csv"))
    assert empty.exit_code == 0 and "Wrote 0 coded segments" in empty.stderr and "No coding matches" in empty.stderr
    unknown = run("export", "csv", "--attr", "round=9", "-o", str(tmp_path / "u.csv"))  # a value no document has, as stats says
    assert unknown.exit_code != 0 and "no document has round=9" in unknown.stderr and not (tmp_path / "u.csv").exists()


def test_a_file_without_suffix_imports_with_format(study, run, tmp_path):
    (tmp_path / "TEC").write_text("[00:00:00:04]\nCDR: Roger. Clock.\n\n[00:00:00:13]\nCC: Roll program.\n")
    refused = run("import", str(tmp_path / "TEC"))
    assert refused.exit_code == 2 and "--format txt" in refused.output
    done = run("import", str(tmp_path / "TEC"), "--format", "txt")
    assert done.exit_code == 0 and "2 turns, 2 speakers" in done.output
    turns = json.loads(run("show", "TEC", "--json").stdout)
    assert [(t["speaker"], t["time_start"]) for t in turns] == [("CDR", 4.0), ("CC", 13.0)]


def test_auto_coding_extends_to_the_sentence_or_turn(study, run):
    sentence = run("apply", "N1-1", "Trust", "--match", "we", "--all", "--extend", "sentence")
    assert sentence.exit_code == 0 and "Coded 2 passages" in sentence.output
    texts = [r["text"] for r in rows(run("export", "csv").stdout)]
    assert texts == ["But she sat with patients when we could not.", "She notices things we miss."]
    run("undo")
    assert run("apply", "N1-1", "Trust", "--match", "boundaries", "--extend", "turn").exit_code == 0
    assert rows(run("export", "csv").stdout)[0]["text"].startswith("At first nobody knew")
    assert run("apply", "N1-1", "Trust", "--turn", "1", "--extend", "turn").exit_code == 2
