"""Attribute values group as `--attr` compares them: ignoring case and spacing, under the
first spelling seen (in document order, its spacing tidied). "Nurse" and "nurse " are one
profession in `stats codes --by attr.KEY`, `stats matrix --cols`, `stats rounds`, the
`cases` count and the screen's views, as they are one in `--attr profession=nurse`.

The small study (tests/analysis/conftest.py) respelled: A2's case "A" becomes "a ", its
group "g1" becomes " G1" and B1's group "g2" becomes "G2"; every figure must be the
figure of the study as written (A1 is first, so its spellings name the groups; B1's "G2"
is the only spelling of its value, so it names that group)."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.analysis.frequencies import frequencies
from store.analysis.matrix import matrix
from store.analysis.rounds import rounds
from store.analysis.scope import EVERYTHING
from store.project import Project
from store.speakers import key
from tests.analysis.conftest import build_small
from tui.cli import cli

RESPELLED = {"A2": {"case": "a ", "group": " G1"}, "B1": {"group": "G2"}}

# (arguments, what the respelled study's CSV is compared with: the study as written, with
# B1's group written G2 as the respelled one has it)
COMMANDS = [
    ("stats", "codes", "--by", "attr.group"),
    ("stats", "codes", "--by", "attr.group", "--speaker", "Participant"),  # the plain path
    ("stats", "codes", "--by", "case", "--rollup"),
    ("stats", "codes"),  # the cases column
    ("stats", "codes", "--not-speaker", "Interviewer"),
    ("stats", "matrix", "--cols", "attr.group", "--count", "cases"),
    ("stats", "matrix", "--cols", "attr.group", "--count", "words", "--wide"),
    ("stats", "matrix", "--cols", "case", "--count", "documents", "--wide"),
    ("stats", "matrix", "--cols", "case", "--count", "cases", "--speaker", "Participant"),
    ("stats", "rounds"),
    ("stats", "rounds", "--case", "group", "--by", "round"),
    ("stats", "rounds", "--code", "Care", "--coder", "alice"),
]


def _respell(project: Project, respelled: dict) -> None:
    for document in project.documents.all():
        if document.name in respelled:
            project.documents.set_attributes(document, respelled[document.name])


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    """The study as written (B1's group G2) and the study respelled, both closed."""
    root = tmp_path_factory.mktemp("spellings")
    for name, respelled in (("written", {"B1": {"group": "G2"}}), ("respelled", RESPELLED)):
        study = build_small(root / name)
        _respell(study.project, respelled)
        study.project.close()
    return root


def _csv(root, name: str, args) -> str:
    done = CliRunner().invoke(cli, ["-p", str(root / name), *args, "--csv"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.stdout


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_respelled_value_groups_with_its_first_spelling(studies, args):
    assert _csv(studies, "respelled", args) == _csv(studies, "written", args)


def test_find_with_an_attribute_filter_sees_every_spelling(studies):
    def passages(name):
        found = csv.DictReader(io.StringIO(_csv(studies, name, ("find", "Care OR Role", "--attr", "group=G1 "))))
        return [(r["document"], r["code_path"], r["text"]) for r in found]

    assert passages("respelled") == passages("written") and {d for d, _, _ in passages("written")} == {"A1", "A2"}


def test_stats_codes_by_attribute_puts_nurse_and_nurse_space_in_one_group(tmp_path):
    """The named bug: "Nurse" and "nurse " were two professions (and "P1" two cases)."""
    study = build_small(tmp_path / "s")
    project = study.project
    _respell(project, {"A1": {"group": "Nurse"}, "A2": {"group": "nurse ", "case": " a"}, "B1": {"group": "NURSE"}})
    groups = {(f.path, f.group): f.codings.value for f in frequencies(project, EVERYTHING, by="attr.group")}
    assert groups[("Care > Trust", "Nurse")] == 5 and {g for _, g in groups} == {"Nurse"}
    table = matrix(project, EVERYTHING, cols="attr.group", count="documents")
    assert table.columns == ["Nurse"] and table.cell(study.codes["Care > Trust"], "Nurse").value == 3
    by_case = matrix(project, EVERYTHING, cols="case", count="codings")
    assert by_case.columns == ["A", "B"]
    care = [f for f in frequencies(project, EVERYTHING) if f.path == "Care > Trust"][0]
    assert care.cases == 2
    found = rounds(project, EVERYTHING, case="case", by="round")
    assert {r.case for r in found} == {"A", "B"}
    assert [r.change for r in found if r.case == "A" and r.path == "Care > Trust"] == ["kept"]
    project.close()


def test_spellings_name_each_value_by_its_first_spelling_tidied():
    from store.attribute_values import spellings

    class Doc:
        def __init__(self, **attributes):
            self.attributes = attributes

    documents = [Doc(p=" nurse  lead"), Doc(p="Nurse Lead"), Doc(), Doc(p="GP"), Doc(p="gp "), Doc(p="  ")]
    assert spellings(documents, "p") == {" nurse  lead": "nurse lead", "Nurse Lead": "nurse lead", "GP": "GP", "gp ": "GP", "  ": ""}


def _variant(value: str):
    """A spelling of `value` that `--attr` takes for it: any letters' case, spaces around."""
    flips = st.lists(st.booleans(), min_size=len(value), max_size=len(value))
    pad = st.sampled_from(["", " ", "  ", "\u00a0"])
    return st.builds(lambda f, a, b: a + "".join(c.upper() if u else c for c, u in zip(value, f)) + b, flips, pad, pad)


@pytest.fixture(scope="module")
def open_study(tmp_path_factory):
    study = build_small(tmp_path_factory.mktemp("property") / "s")
    yield study
    study.project.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(group=st.tuples(_variant("g1"), _variant("g1"), _variant("g2")), case=st.tuples(_variant("a"), _variant("a"), _variant("b")))
def test_any_respelling_leaves_every_grouped_figure_as_it_was(open_study, group, case):
    """Whatever the spellings, the figures grouped by their values (compared by `key`) are
    the study's, each group is named by the first document's spelling, tidied, and no two
    groups are the same value."""
    project = open_study.project
    for name, g, c in zip(("A1", "A2", "B1"), group, case):
        project.documents.set_attributes(project.documents.get(name), {"group": g, "case": c})
    for by, first in (("attr.group", {"g1": group[0], "g2": group[2]}), ("case", {"a": case[0], "b": case[2]})):
        found = {(f.path, key(f.group)): (f.codings.value, f.documents, f.cases, f.words) for f in frequencies(project, EVERYTHING, by=by)}
        names = {f.group for f in frequencies(project, EVERYTHING, by=by)}
        assert names == {" ".join(v.split()) for v in first.values()}
        expected_by = "attr.group" if by == "attr.group" else "case"
        assert found == _written(expected_by)
        table = matrix(project, EVERYTHING, cols=by, count="cases")
        assert len({key(c) for c in table.columns}) == len(table.columns) == 2
    assert sorted((key(r.case), r.path, r.change) for r in rounds(project, EVERYTHING)) == _written_rounds()


_WRITTEN: dict = {}


def _written(by: str) -> dict:
    """The frequencies of the study as written, by key of the group (computed once)."""
    if by not in _WRITTEN:
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            study = build_small(f"{directory}/s")
            _WRITTEN[by] = {(f.path, key(f.group)): (f.codings.value, f.documents, f.cases, f.words) for f in frequencies(study.project, EVERYTHING, by=by)}
            _WRITTEN["rounds"] = sorted((key(r.case), r.path, r.change) for r in rounds(study.project, EVERYTHING))
            study.project.close()
    return _WRITTEN[by]


def _written_rounds() -> list:
    _written("case")
    return _WRITTEN["rounds"]


def test_an_accent_written_as_a_combining_mark_is_the_same_value(tmp_path):
    """Found in the trial: "Médecin" (é one character) and "me\u0301decin" (e and a
    combining accent, as a Mac or a pasted table writes it) look alike but were two
    professions, and `--attr profession=médecin` found only one of them."""
    study = build_small(tmp_path / "s")
    project = study.project
    _respell(project, {"A1": {"group": "M\u00e9decin"}, "A2": {"group": "me\u0301decin"}, "B1": {"group": "Other"}})
    assert {f.group for f in frequencies(project, EVERYTHING, by="attr.group")} == {"M\u00e9decin", "Other"}
    project.close()
    done = CliRunner().invoke(cli, ["-p", str(tmp_path / "s"), "stats", "matrix", "--cols", "case", "--attr", "group=m\u00e9decin", "--csv"])
    assert done.exit_code == 0 and {r["column"] for r in csv.DictReader(io.StringIO(done.stdout))} == {"A"}
    assert sum(int(r["value"]) for r in csv.DictReader(io.StringIO(done.stdout))) == 11  # A1's 7 codings and A2's 4


@pytest.mark.parametrize("command", [("stats", "codes"), ("find", "Care"), ("export", "csv")], ids=" ".join)
def test_an_unknown_value_lists_each_value_once_as_figures_name_it(tmp_path, command):
    """Found in the trial: `--attr group=dentist` listed " G1, g1, g2" (every spelling,
    spaces and all); it lists the values the figures show, each once."""
    study = build_small(tmp_path / "s")
    _respell(study.project, RESPELLED)
    study.project.close()
    done = CliRunner().invoke(cli, ["-p", str(tmp_path / "s"), *command, "--attr", "group=dentist"])
    assert done.exit_code == 2  # a filter naming what the project lacks is bad input, export csv included
    assert done.output.strip() == "Error: no document has group=dentist; values of group: g1, G2"
