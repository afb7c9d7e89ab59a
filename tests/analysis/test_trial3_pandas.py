"""The gold project (PDPilot P1-P7, the 262 coded segments) with attribute values spelt
as people spell them ("Nurse", "nurse ", " NURSE", "Médecin" with a combining accent, a
case "b " beside "B"): `margin stats ... --csv` against pandas over `margin export csv`,
grouping the values as `--attr` compares them (casefolded, spacing collapsed, NFC)."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from click.testing import CliRunner

from store.project import Project
from store.search import Rule, auto_code_spans
from tests.conftest import shared
from tui.cli import cli

pd = pytest.importorskip("pandas")

ATTRIBUTES = {
    "P1": {"case": "A", "round": "1", "profession": "Nurse"},
    "P2": {"case": "A", "round": "2", "profession": "nurse "},
    "P3": {"case": "B", "round": "1", "profession": " NURSE"},
    "P4": {"case": "b ", "round": "2", "profession": "Psychiatrist"},
    "P5": {"case": "C", "round": "1", "profession": "M\u00e9decin"},
    "P6": {"case": "C", "round": "2", "profession": "me\u0301decin"},
    "P7": {"case": "D", "round": "1", "profession": "Peer support worker"},
}


def key(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


@pytest.fixture(scope="module")
def margin(tmp_path_factory):
    folder = shared("corpus", "pdpilot-interviews")
    with open(folder / "coded-segments.csv", newline="", encoding="utf-8") as handle:
        segments = list(csv.DictReader(handle))
    directory = tmp_path_factory.mktemp("spelt") / "p"
    runner = CliRunner()

    def run(*args) -> str:
        done = runner.invoke(cli, ["-p", str(directory), *args], catch_exceptions=False)
        assert done.exit_code == 0, (args, done.output)
        return done.stdout

    run("init", "--coder", "maxqda")
    run("import", *(str(folder / f"P{n}.txt") for n in range(1, 8)))
    with Project.open(directory) as project, project.operation("attributes and the gold segments"):
        for document in project.documents.all():
            project.documents.set_attributes(document, ATTRIBUTES[document.name])
        for row in segments:
            document = project.documents.get(row["document"])
            spans = auto_code_spans(project, [document], Rule(row["segment"]))[document.id]
            project.codings.apply(document, project.codebook.ensure(row["code"]), *spans[0])
    return run


def table(text: str):
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def exported(margin):
    rows = table(margin("export", "csv", "--raw"))
    rows["profession"] = rows["attr.profession"].map(key)
    rows["case_key"] = rows["case"].map(key)
    return rows


def test_the_matrix_by_profession_is_pandas_groupby_on_the_compared_value(margin, exported):
    found = table(margin("stats", "matrix", "--cols", "attr.profession", "--count", "documents", "--csv"))
    assert sorted(set(found["column"])) == ["Médecin", "Nurse", "Peer support worker", "Psychiatrist"]
    want = exported.groupby(["code_path", "profession"])["document"].nunique()
    got = {(r.code_path, key(r.column)): int(r.value) for r in found.itertuples()}
    assert {k: v for k, v in got.items() if v} == {k: int(v) for k, v in want.items()}


def test_cases_and_rounds_count_b_and_b_space_as_one_case(margin, exported):
    codes = table(margin("stats", "codes", "--csv")).set_index("code_path")
    want = exported.groupby("code_path")["case_key"].nunique()
    assert {p: int(codes.loc[p, "cases"]) for p in want.index} == want.to_dict()
    found = table(margin("stats", "rounds", "--csv"))
    assert sorted(set(found["case"])) == ["A", "B", "C", "D"]
    per_round = exported.groupby(["case_key", "code_path", "attr.round"]).size()
    for row in found.itertuples():
        for round_ in ("1", "2"):
            value = getattr(row, f"_{3 if round_ == '1' else 4}")
            assert (int(value) if value else 0) == per_round.get((key(row.case), row.code_path, round_), 0)
