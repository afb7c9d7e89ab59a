"""`margin stats codes|cooccur|matrix|rounds` on the small study, through click's CliRunner:
fixed CSV columns, JSON, -o FILE, aligned text that fits the terminal, one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from tests.analysis.conftest import build_small
from tui.cli import cli


@pytest.fixture
def margin(tmp_path, monkeypatch):
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    build_small(tmp_path / "small").project.close()
    runner = CliRunner()

    def run(*args, width=100):
        monkeypatch.setenv("COLUMNS", str(width))
        return runner.invoke(cli, ["-p", str(tmp_path / "small"), *args], catch_exceptions=False)

    return run


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_stats_codes_csv_has_the_fixed_columns(margin):
    result = margin("stats", "codes", "--csv")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "code_path,group,codings,documents,cases,words,share"
    found = {r["code_path"]: r for r in rows(result.output)}
    assert found["Care > Trust"] == {
        "code_path": "Care > Trust", "group": "", "codings": "5", "documents": "3", "cases": "2", "words": "13", "share": "0.3421",
    }  # fmt: skip
    rolled = {(r["code_path"], r["group"]): r["codings"] for r in rows(margin("stats", "codes", "--rollup", "--by", "case", "--csv").output)}
    assert rolled[("Care", "A")] == "5" and rolled[("Care", "B")] == "5"  # c7 c1 c2 c4 d4 | e1-e5


def test_stats_codes_filters(margin):
    found = rows(margin("stats", "codes", "--csv", "--speaker", "Participant", "--coder", "alice", "--attr", "round=1").output)
    assert {r["code_path"]: r["codings"] for r in found if r["codings"] != "0"} == {
        "Care": "1", "Care > Fear": "3", "Care > Trust": "3", "Role": "2", "Time": "1",
    }  # fmt: skip
    care = rows(margin("stats", "codes", "--csv", "--code", "Care", "--doc", "B1").output)
    assert [(r["code_path"], r["codings"]) for r in care] == [("Care", "0"), ("Care > Fear", "3"), ("Care > Trust", "2")]


def test_stats_cooccur_csv_and_json(margin):
    result = margin("stats", "cooccur", "--csv")
    assert result.output.splitlines()[0] == "code_a,code_b,together,count_a,count_b,c_coefficient,jaccard"
    assert rows(result.output)[0] == {
        "code_a": "Care > Fear", "code_b": "Care > Trust", "together": "3", "count_a": "4", "count_b": "5",
        "c_coefficient": "0.5", "jaccard": "0.25",
    }  # fmt: skip
    turn = json.loads(margin("stats", "cooccur", "--within", "turn", "--json").output)
    assert {(p["code_a"], p["code_b"]): p["together"] for p in turn}[("Care > Trust", "Role")] == 3


def test_stats_matrix_tidy_and_wide(margin, tmp_path):
    tidy = rows(margin("stats", "matrix", "--cols", "document", "--csv").output)
    assert len(tidy) == 6 * 3 and list(tidy[0]) == ["code_path", "column", "value"]
    assert {(r["code_path"], r["column"]): r["value"] for r in tidy}[("Care > Fear", "B1")] == "3"
    out = tmp_path / "matrix.csv"
    assert margin("stats", "matrix", "--cols", "case", "--count", "words", "--wide", "-o", str(out)).exit_code == 0
    wide = rows(out.read_text())
    assert list(wide[0]) == ["code_path", "A", "B", "(total)"]
    assert {r["code_path"]: (r["A"], r["B"], r["(total)"]) for r in wide}["Care > Trust"] == ("7", "6", "13")


def test_stats_rounds_columns(margin):
    result = margin("stats", "rounds", "--case", "case", "--by", "round", "--csv")
    assert result.output.splitlines()[0] == "case,code_path,1,2,change"
    found = {(r["case"], r["code_path"]): (r["1"], r["2"], r["change"]) for r in rows(result.output)}
    assert found[("A", "Money")] == ("0", "1", "appeared")
    assert found[("A", "Care")] == ("1", "0", "disappeared")
    assert found[("B", "Role")] == ("1", "", "")  # B has no round 2


def test_aligned_text_fits_the_terminal_and_cuts_long_paths(margin):
    result = margin("stats", "cooccur", width=72)
    lines = result.output.splitlines()
    assert lines[0] == "Codes together (overlap)"
    assert margin("stats", "codes", "--by", "case", width=200).output.splitlines()[1].split()[:2] == ["code_path", "group"]
    assert all(len(line) <= 72 for line in lines), lines
    assert any("…" in line for line in lines[2:])
    wide = margin("stats", "codes", "--attr", "round=1", width=200).output.splitlines()
    assert wide[0] == "Codes · round=1" and wide[1].split() == ["code_path", "codings", "documents", "cases", "words", "share"]  # no empty group


@pytest.mark.parametrize(
    "args, message",
    [
        (["codes", "--by", "attr.wave"], "no document has the attribute 'wave'"),
        (["codes", "--by", "colour"], "cannot break down by 'colour'"),
        (["cooccur", "--within", "words:many"], "--within 'words:many' is not one of"),
        (["codes", "--code", "Nope"], "no code 'Nope'"),
        (["matrix", "--doc", "Z9"], "no document named 'Z9'"),
        (["rounds", "--coder", "carol"], "no coder named 'carol'"),
        (["cooccur", "--speaker", "Nurse"], "no turns by 'Nurse' in any document"),
        (["matrix", "--cols", "turn"], "--cols 'turn' is not one of"),
        (["matrix", "--count", "lines"], "--count 'lines' is not one of"),
        (["rounds", "--by", "wave"], "no document has the attribute 'wave'"),
        (["codes", "--attr", "round"], "is not KEY=VALUE"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(margin, args, message):
    result = margin("stats", *args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_no_pair_together_says_so_and_what_to_try(margin):
    result = margin("stats", "cooccur", "--code", "Care > Trust")  # one code alone: no pairs
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].split()[:2] == ["code_a", "code_b"] and len(result.stdout.splitlines()) == 2
    assert "No two codes occur together (overlap) in this scope; try --within document." in result.stderr


SPEAKER_COMMANDS = [
    ("stats", "codes", "--csv"),
    ("stats", "cooccur", "--csv"),
    ("stats", "matrix", "--csv"),
    ("stats", "rounds", "--csv"),
    ("find", '"Care > Trust"', "--csv"),
]


@pytest.mark.parametrize("command", SPEAKER_COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("option", ["--speaker", "--not-speaker"])
def test_every_speaker_filter_names_speakers_as_margin_speakers_does(margin, command, option):
    """One rule for every command that filters by speaker: a typo is an error naming who
    speaks (not empty figures), and case and spacing do not matter, as in `margin speakers`."""
    typo = margin(*command, option, "Participnt")
    assert typo.exit_code == 2 and "no turns by 'Participnt' in any document; speakers: " in typo.output
    assert margin(*command, option, "  participant ").output == margin(*command, option, "Participant").output
