"""`margin agreement` on a small two-document study coded by alice and bob (and carol)."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from store.importers import parse_text
from store.project import Project
from store.team.agreement import cohen_kappa, compare, krippendorff_alpha
from store.words import words_of
from tests.conftest import INTERVIEW
from tui.cli import cli
from tui.commands.team_commands import AGREEMENT_COLUMNS


def coded_study(folder, carol: bool = False):
    """N1 and N2, codes Trust and Worry; alice and bob code N1, only alice codes N2."""
    with Project.init(folder, name="Team", coder="alice") as p:
        n1 = p.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {"round": "1"}).document
        n2 = p.documents.import_parsed(parse_text(INTERVIEW + "\nNurse: Yes.\n", "txt"), "N2", {"round": "2"}).document
        trust, worry = p.codebook.add("Trust"), p.codebook.add("Worry")
        text = p.text(n1.id)
        at = text.index("Now I trust")
        p.codings.apply(n1, trust, at, at + len("Now I trust her judgement."))
        p.codings.apply(n1, worry, text.index("Some of us"), text.index("But she"))
        p.codings.apply(n2, trust, at, at + 10)
    with Project.open(folder, coder="bob") as p:
        n1 = p.documents.get("N1")
        p.codings.apply(n1, p.codebook.get("Trust"), at, at + len("Now I trust"))
    if carol:
        with Project.open(folder, coder="carol") as p:
            p.codings.apply(p.documents.get("N1"), p.codebook.get("Worry"), at, at + 5)
            p.codings.apply(p.documents.get("N2"), p.codebook.get("Trust"), at, at + 10)
    return at


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["-p", str(tmp_path / "study"), *args], catch_exceptions=False)

    return invoke


def rows_of(output: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(output)))


def test_csv_has_the_fixed_columns_and_the_right_figures(run, tmp_path):
    coded_study(tmp_path / "study")
    result = run("agreement", "--coders", "alice,bob", "--csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ",".join(AGREEMENT_COLUMNS)
    rows = rows_of(result.output)
    assert {r["document"] for r in rows} == {"N1", ""}  # only bob's N1 was coded by both
    trust = next(r for r in rows if r["code_path"] == "Trust" and r["document"] == "")
    with Project.open(tmp_path / "study", readonly=True) as p:
        length = p.documents.get("N1").length  # every character of the text is a unit
    assert int(trust["units"]) == length
    disagree = len("Now I trust her judgement.") - len("Now I trust")
    assert int(trust["agreed"]) == length - disagree
    with Project.open(tmp_path / "study", readonly=True) as p:
        figures = compare(p, ["alice", "bob"])
    row = next(r for r in figures.rows if r.code == p.codebook.get("Trust").id and r.document is None)
    assert float(trust["cohen_kappa"]) == pytest.approx(cohen_kappa(row.tally), abs=1e-9)
    assert float(trust["krippendorff_alpha"]) == pytest.approx(krippendorff_alpha(row.tally), abs=1e-9)
    overall = next(r for r in rows if r["code_path"] == "" and r["document"] == "")
    assert int(overall["units"]) == 2 * length  # two codes pooled


def test_table_and_list(run, tmp_path):
    coded_study(tmp_path / "study")
    table = run("agreement")
    assert table.exit_code == 0, table.output
    assert "Trust" in table.output and "(all codes)" in table.output and "alice, bob" in table.output
    listed = run("agreement", "--list")
    assert listed.exit_code == 0
    assert "only alice: her judgement." in listed.output
    assert "Worry" in listed.output  # alice alone coded Worry in N1


def test_three_coders_have_no_kappa_and_words_count_words(run, tmp_path):
    coded_study(tmp_path / "study", carol=True)
    rows = rows_of(run("agreement", "--coders", "alice,bob,carol", "--unit", "word", "--csv").output)
    assert rows and all(r["cohen_kappa"] == "" for r in rows)
    assert all(r["unit"] == "word" for r in rows)
    trust = next(r for r in rows if r["code_path"] == "Trust" and r["document"] == "")
    with Project.open(tmp_path / "study", readonly=True) as p:
        words = len(words_of(p, p.documents.get("N1")).starts)
    assert int(trust["units"]) == words


@pytest.mark.parametrize(
    "args, message",
    [
        (["--coders", "alice"], "agreement needs two coders"),
        (["--coders", "alice,zoe"], "no coder named 'zoe'"),
        (["--unit", "page"], "unknown unit 'page'"),
        (["--code", "Nope"], "Nope"),
        (["--coders", "alice,alice"], "named twice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, tmp_path, args, message):
    coded_study(tmp_path / "study")
    result = run("agreement", *args)
    assert result.exit_code == 2
    assert message in result.output and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_partial_takes_documents_some_coded(run, tmp_path):
    """Bob never coded N2: it counts only with --partial, where bob is missing there (κ
    is then empty as for any three coders, α uses the two values of each unit)."""
    coded_study(tmp_path / "study", carol=True)
    every = rows_of(run("agreement", "--coders", "alice,bob,carol", "--csv").output)
    assert {r["document"] for r in every} == {"N1", ""}
    partial = rows_of(run("agreement", "--coders", "alice,bob,carol", "--partial", "--csv").output)
    assert {r["document"] for r in partial} == {"N1", "N2", ""}
    n2 = next(r for r in partial if r["code_path"] == "Trust" and r["document"] == "N2")
    assert n2["percent_agreement"] == "100" and n2["krippendorff_alpha"] == "1"  # alice and carol agree on every unit
