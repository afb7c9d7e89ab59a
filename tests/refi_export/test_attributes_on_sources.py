"""Issue 14 item 2: document attributes are the sources' VariableValues only; a Case only
for the case attribute (`case`, or what `--case-attribute` names), holding its documents."""

from __future__ import annotations

import re

from click.testing import CliRunner

from store.project import Project
from store.refi import export_qdpx, import_project, project_xml
from store.refi.export import ExportOptions
from tests.refi_export.conftest import STAMP
from tests.refi_export.peers import qualcoder_reads
from tests.test_refi_support import needs_shared, qde_of, schema_errors, snapshot
from tui.cli import cli


def cases_in(qde: str) -> dict[str, str]:
    return {m[1]: m[2] for m in re.finditer(r'<Case guid="[^"]+" name="([^"]+)">(.*?)</Case>', qde, re.S)}


def test_cases_hold_documents_not_values(study):
    qde = project_xml(study, STAMP).decode()
    cases = cases_in(qde)
    by_case = {}
    for document in study.state.documents.values():
        by_case.setdefault(document.attributes["case"], []).append(document.id)
    assert sorted(cases) == sorted(by_case)
    for name, body in cases.items():
        assert "VariableValue" not in body
        assert sorted(re.findall(r'<SourceRef targetGUID="([^"]+)"/>', body)) == sorted(by_case[name])


def test_qualcoder_shows_every_attribute_in_its_file_table(study, tmp_path):
    export_qdpx(study, tmp_path / "out.qdpx", exported_at=STAMP)
    seen = qualcoder_reads(tmp_path / "out.qdpx")
    assert set(seen.variables.values()) == {"file"}  # none re-typed as a case variable
    for document in study.state.documents.values():
        expected = {k: v for k, v in document.attributes.items() if k != "case"}
        assert seen.file_attributes[document.name] == expected
    assert sorted(seen.cases) == sorted({d.attributes["case"] for d in study.state.documents.values()})


def test_round_trip_keeps_every_attribute(study, tmp_path):
    export_qdpx(study, tmp_path / "out.qdpx", exported_at=STAMP)
    report = import_project(tmp_path / "out.qdpx", tmp_path / "copy")
    assert report.adjusted == []
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        assert snapshot(copy)["documents"] == snapshot(study)["documents"]
        assert project_xml(copy, STAMP) == qde_of(tmp_path / "out.qdpx")


def test_a_case_attribute_the_researcher_names(study, tmp_path):
    for document, participant in zip(study.documents.all(), ["Anna", "Ben"]):
        study.documents.set_attributes(document, {"participant": participant})
    options = ExportOptions(case_attribute="participant")
    qde = project_xml(study, STAMP, options).decode()
    assert sorted(cases_in(qde)) == ["Anna", "Ben"]
    assert 'name="case"' in qde and 'name="participant"' in qde  # both stay source variables
    export_qdpx(study, tmp_path / "out.qdpx", exported_at=STAMP, options=options)
    seen = qualcoder_reads(tmp_path / "out.qdpx")
    assert set(seen.variables.values()) == {"file"} and "participant" in seen.variables
    import_project(tmp_path / "out.qdpx", tmp_path / "copy")
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        for document in study.state.documents.values():
            assert copy.state.documents[document.id].attributes == document.attributes


def test_no_case_attribute_no_cases(tmp_path):
    with Project.init(tmp_path / "p", coder="a") as project:
        (tmp_path / "t.txt").write_text("A: hi\n", encoding="utf-8")
        document = project.documents.import_file(tmp_path / "t.txt", name="T").document
        project.documents.set_attributes(document, {"round": "2"})
        qde = project_xml(project, STAMP).decode()
    assert "<Cases>" not in qde and "<IntegerValue>2</IntegerValue>" in qde


def test_unknown_case_attribute_is_one_line_and_exit_2(study, tmp_path):
    path = study.dir
    study.close()
    result = CliRunner().invoke(cli, ["-p", str(path), "export", "qdpx", "--case-attribute", "nope", "-o", str(tmp_path / "x.qdpx")])
    assert result.exit_code == 2, result.output
    assert "nope" in result.output and "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.qdpx").exists()


@needs_shared
def test_valid_with_either_case_attribute(study):
    study.documents.set_attributes(study.documents.all()[0], {"participant": "Anna"})
    for key in ("case", "participant"):
        assert schema_errors(project_xml(study, STAMP, ExportOptions(case_attribute=key))) == []
