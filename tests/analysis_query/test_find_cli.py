"""`margin find QUERY` driven with click's CliRunner, on the hand-made fixture."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from store.exporters.segments import COLUMNS
from store.project import Project
from tests.analysis_query.fixture import build
from tui.cli import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    """`margin -p study ...` on the fixture project; returns the Result (stdout and stderr apart)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    with Project.init(tmp_path / "study", name="Study", coder="alice") as project:
        build(project)
    runner = CliRunner()  # click 8.2: result.stdout and result.stderr kept apart

    def invoke(*args):
        return runner.invoke(cli, ["-p", str(tmp_path / "study"), *args], catch_exceptions=False)

    return invoke


def test_the_issue_example_prints_an_aligned_table_and_a_summary(run):
    result = run("find", "Trust AND Boundaries", "--not-speaker", "Interviewer", "--attr", "profession=nurse")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "document  turn  speaker  code_path          text",
        "N1           2  Nurse    Trust              I trust her a lot",
        "N1           2  Nurse    Role > Boundaries  Boundaries were hard at first",
    ]
    assert result.stderr == "2 codings in 1 document match (profession=nurse · not speakers Interviewer)\n"


def test_the_table_cuts_the_text_to_the_terminal_width(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "52")
    lines = run("find", "Hope OR Boundaries").stdout.splitlines()
    assert len(lines) == 7
    assert all(len(line) <= 52 for line in lines)
    # the code path is cut keeping the code's own name, and the text keeps its room
    assert lines[1] == "M1           2  Manager      … > Boundaries  clear …"


def test_csv_has_the_columns_of_export_csv(run, tmp_path):
    result = run("find", "Trust AND/OVERLAP Hope", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == COLUMNS + ["attr.case", "attr.profession"]
    assert [(r["text"], r["code_path"], r["turn"]) for r in rows] == [("I trust the team now", "Trust", "4"), ("the team now", "Hope", "4")]
    exported = {r["coding_id"]: r for r in csv.DictReader(io.StringIO(run("export", "csv").stdout))}
    assert all(exported[r["coding_id"]] == r for r in rows)  # the very rows export csv gives


def test_output_file_and_json(run, tmp_path):
    result = run("find", "NOT Trust", "-o", str(tmp_path / "found.csv"))
    assert result.exit_code == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO((tmp_path / "found.csv").read_text())))
    assert [r["text"] for r in rows] == ["your role"]
    found = json.loads(run("find", "Trust NEAR/3 Hope", "--json").stdout)
    assert [f["text"] for f in found] == ["Trust takes time", "Hope matters", "I trust the team now", "the team now"]
    assert set(found[0]) == set(COLUMNS) | {"attr.case", "attr.profession"}


def test_nothing_found_is_not_an_error(run):
    result = run("find", "Trust AND NOT Trust")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["document  turn  speaker  code_path  text"]
    assert result.stderr == "0 codings in 0 documents match\n"


@pytest.mark.parametrize(
    "query, message",
    [
        ("Trsut AND Hope", 'Error: query: unknown code "Trsut" at column 1 (did you mean "Trust"?)\n'),
        ("(Trust AND Hope", 'Error: query: unbalanced parenthesis: "(" at column 1 is never closed\n'),
        ("Trust AND", 'Error: query: expected a code or "(" after "AND" at column 10, found the end of the query\n'),
        ("Trust NEAR Hope", 'Error: query: "NEAR" at column 7 needs a distance in words, like NEAR/5\n'),
    ],
)
def test_a_bad_query_is_one_line_and_exit_2(run, tmp_path, query, message):
    log = (tmp_path / "study" / "log.jsonl").read_bytes()
    result = run("find", query)
    assert result.exit_code == 2
    assert result.stderr == message and result.stdout == ""
    assert (tmp_path / "study" / "log.jsonl").read_bytes() == log


def test_the_filters_are_checked(run):
    """A name in a filter that the project lacks is bad input (exit 2), as in `margin stats`."""
    result = run("find", "Trust", "--coder", "carol")
    assert result.exit_code == 2 and result.stderr.startswith("Error: no coder named 'carol'")
    for option, value, message in [("--attr", "nope=1", "no document has the attribute 'nope'"), ("--speaker", "Bob", "no turns by 'Bob'"),
                                   ("--code", "Nope", "no code 'Nope'")]:
        result = run("find", "Trust", option, value)
        assert result.exit_code == 2 and result.stderr.startswith(f"Error: {message}"), (option, result.stderr)
    only_bob = run("find", "Hope", "--coder", "bob", "--code", "Hope")
    assert only_bob.stdout.splitlines()[1:] == ["M1           2  Manager  Hope       Hope matters"]
    assert only_bob.stderr == "1 coding in 1 document matches (code Hope · coder bob)\n"
