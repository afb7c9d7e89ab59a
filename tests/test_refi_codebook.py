"""`codes import`: .qdc, projects and CSV codebooks merge without doubling codes; and
the REFI commands on the command line."""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from store.errors import BadInput
from store.project import Project
from store.refi import export_qdc, merge_codes, read_codebook
from tests.test_refi_support import SAMPLES, make_project, needs_shared, schema_errors


@pytest.fixture
def project(tmp_path):
    with Project.init(tmp_path / "p", coder="ann") as project:
        project.codebook.add("Support > Family")
        yield project


def _paths(project):
    return sorted(project.codebook.path(c) for c in project.codebook.all())


def _csv(tmp_path, text: str, name: str = "book.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@needs_shared
def test_taguette_qdc_twice_adds_once(project):
    specs = read_codebook(SAMPLES / "taguette1.5.2_codebook.qdc")
    first = merge_codes(project, specs, "t.qdc")
    again = merge_codes(project, specs, "t.qdc")
    assert (first.added, again.added, again.already_there) == (4, 0, 6)  # money, colleagues, work, conditions
    assert _paths(project) == ["Support", "Support > Family", "Support > colleagues", "money", "work", "work > conditions"]


def test_taguette_csv_splits_dotted_tags(project, tmp_path):
    path = _csv(tmp_path, "\ufefftag,description,number of highlights,number of documents\nsupport.family,Kin,3,1\nmoney,,1,1\n")
    result = merge_codes(project, read_codebook(path), path.name)
    assert (result.added, result.already_there, result.described) == (1, 2, 1)
    assert _paths(project) == ["Support", "Support > Family", "money"]
    assert project.codebook.get("Support > Family").description == "Kin"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("Code;Description\nA > B > C;deep\nA;top\n", ["A", "A > B", "A > B > C"]),
        ("Code\tDescription\nA/B\tx\nA/D\ty\n", ["A", "A > B", "A > D"]),
        ("code,description\n1. Intro,x\nDr. Who,y\n", ["1. Intro", "Dr. Who"]),
        ("code_path,name,description,color,codable\nA > B,B,x,#112233,no\n", ["A", "A > B"]),
    ],
)
def test_csv_path_separators(tmp_path, table, expected):
    with Project.init(tmp_path / "q", coder="ann") as project:
        merge_codes(project, read_codebook(_csv(tmp_path, table)), "book.csv")
        assert _paths(project) == expected


def test_margin_csv_keeps_colour_and_category(tmp_path):
    with Project.init(tmp_path / "q", coder="ann") as project:
        merge_codes(project, read_codebook(_csv(tmp_path, "code_path,description,color,codable\nA > B,x,#112233,no\n")), "b")
        code = project.codebook.get("A > B")
        assert (code.color, code.codable, code.description) == ("#112233", False, "x")


def test_own_qdc_round_trips_by_id(tmp_path):
    with make_project(tmp_path / "a") as source, Project.init(tmp_path / "b", coder="ann") as target:
        (tmp_path / "c.qdc").write_bytes(export_qdc(source))
        result = merge_codes(target, read_codebook(tmp_path / "c.qdc"), "c.qdc")
        assert result.added == 3
        assert {c.id: (c.name, c.parent, c.color, c.description, c.codable) for c in target.state.codes.values()} == {
            c.id: (c.name, c.parent, c.color, c.description, c.codable) for c in source.state.codes.values()
        }
        target.codebook.rename(target.codebook.get("Work conditions"), "Work")
        assert merge_codes(target, read_codebook(tmp_path / "c.qdc"), "c.qdc").added == 0


def test_codebook_import_is_one_undo_step(project, tmp_path):
    merge_codes(project, read_codebook(_csv(tmp_path, "code\nA/B\nC\n")), "book.csv")
    project.undo()
    assert _paths(project) == ["Support", "Support > Family"]


def test_bad_codebooks(tmp_path, project):
    with pytest.raises(BadInput, match="no code column"):
        read_codebook(_csv(tmp_path, "colour,weight\nred,3\n"))
    with pytest.raises(BadInput, match="not"):
        read_codebook(_csv(tmp_path, "x", "book.xlsx"))
    with pytest.raises(BadInput, match="DTD or entities"):
        read_codebook(_csv(tmp_path, '<!DOCTYPE x [<!ENTITY a "b">]><CodeBook/>', "b.qdc"))
    with pytest.raises(BadInput, match="not a REFI-QDA codebook"):
        read_codebook(_csv(tmp_path, "<Project/>", "c.qdc"))
    with pytest.raises(BadInput, match="holds no codes"):
        merge_codes(project, read_codebook(_csv(tmp_path, '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "d.qdc")), "d.qdc")


# ------------------------------------------------------------------ command line


def _run(*args):
    from tui.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@needs_shared
def test_cli_export_and_import_again(tmp_path):
    make_project(tmp_path / "a").close()
    out = _run("-p", str(tmp_path / "a"), "export", "qdpx", "-o", str(tmp_path / "a.qdpx"), "--json")
    assert out.exit_code == 0 and json.loads(out.output)["codings"] == 4
    with zipfile.ZipFile(tmp_path / "a.qdpx") as archive:
        assert schema_errors(archive.read("project.qde")) == []
    out = _run("-p", str(tmp_path / "a"), "export", "qdc", "-o", str(tmp_path / "a.qdc"))
    assert out.exit_code == 0 and "3 codes" in out.output
    assert schema_errors((tmp_path / "a.qdc").read_bytes(), "Codebook-mrt2019.xsd") == []
    out = _run("init", str(tmp_path / "b"), "--from", str(tmp_path / "a.qdpx"))
    assert out.exit_code == 0 and "Imported 2 documents, 3 codes, 4 codings, 5 memos, 2 coders." in out.output
    out = _run("-p", str(tmp_path / "b"), "codes", "import", str(tmp_path / "a.qdc"))
    assert out.exit_code == 0 and "0 codes added, 3 already there" in out.output


def test_cli_export_works_while_the_project_is_open(tmp_path):
    with make_project(tmp_path / "a"):
        out = _run("-p", str(tmp_path / "a"), "export", "qdc", "-o", "-")
        assert out.exit_code == 0 and out.output.startswith("<?xml")


def test_cli_codes_import_of_a_bad_file_exits_2(tmp_path):
    Project.init(tmp_path / "a", coder="x").close()
    (tmp_path / "x.qdc").write_text("not xml")
    from tui.cli import cli

    out = CliRunner().invoke(cli, ["-p", str(tmp_path / "a"), "codes", "import", str(tmp_path / "x.qdc")])
    assert out.exit_code == 2 and out.output.startswith("Error: ") and out.output.count("\n") == 1
