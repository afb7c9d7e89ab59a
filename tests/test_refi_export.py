"""Export to .qdpx and .qdc: schema-valid, complete, repeatable."""

from __future__ import annotations

import re
import zipfile

import pytest
from tests.test_refi_support import make_project, needs_shared, qde_of, schema_errors

from store.errors import Refused
from store.project import Project
from store.refi import export_qdc, export_qdpx, project_xml
from store.refi.variables import variable_type
from store.refi.xmlwriter import escape_attr, escape_text


@pytest.fixture
def project(tmp_path):
    project = make_project(tmp_path / "study")
    yield project
    project.close()


@needs_shared
def test_qdpx_is_schema_valid_and_complete(project, tmp_path):
    summary = export_qdpx(project, tmp_path / "out.qdpx")
    assert (summary.documents, summary.codes, summary.codings, summary.memos) == (2, 3, 4, 5)
    qde = qde_of(tmp_path / "out.qdpx")
    assert schema_errors(qde) == []
    text = qde.decode()
    assert text.count("<PlainTextSelection ") == 4
    assert text.count("<Note ") == 5
    assert 'typeOfVariable="Integer"' in text and 'name="age"' in text
    assert 'typeOfVariable="Float"' in text and 'typeOfVariable="Boolean"' in text
    assert 'typeOfVariable="Date"' in text and 'typeOfVariable="Text"' in text
    assert text.count("<Case ") == 2
    assert 'isCodable="false"' in text and 'color="#123abc"' in text


def test_sources_are_utf8_lf_without_bom_named_by_guid(project, tmp_path):
    export_qdpx(project, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as archive:
        sources = [n for n in archive.namelist() if n.startswith("sources/")]
        journal = {m.id: m.text for m in project.state.memos.values() if m.kind == "journal"}  # journal entries are files too
        assert sorted(sources) == sorted(f"sources/{i}.txt" for i in [*project.state.documents, *journal])
        for name in sources:
            data = archive.read(name)
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
            entity = name[8:-4]
            assert data.decode("utf-8") == (journal[entity] if entity in journal else project.text(entity))


def test_selections_carry_their_text_and_code_point_positions(project):
    qde = project_xml(project, "2026-01-01T00:00:00Z").decode()
    for coding in project.state.codings.values():
        match = re.search(rf'<PlainTextSelection guid="{coding.id}" name="([^"]*)" startPosition="(\d+)" endPosition="(\d+)"', qde)
        assert match, coding
        assert (int(match[2]), int(match[3])) == (coding.start, coding.end)
        assert match[1] == escape_attr(coding.text)


def test_two_exports_differ_only_in_the_timestamp(project, tmp_path):
    first = project_xml(project, "2026-01-01T00:00:00Z")
    project.close()
    again = Project.open(project.dir, readonly=True)
    assert project_xml(again, "2026-01-01T00:00:00Z") == first


def test_memos_attach_where_they_belong(project):
    qde = project_xml(project, "2026-01-01T00:00:00Z").decode()
    memos = {m.kind: m for m in project.state.memos.values()}
    project_ref = qde.rindex(f'<NoteRef targetGUID="{memos["project"].id}"/>')
    assert project_ref > qde.index("</Notes>")
    assert f'<NoteRef targetGUID="{memos["journal"].id}"/>' not in qde
    code_block = qde[qde.index(f'guid="{memos["code"].target}"') :]
    assert code_block.index(f'NoteRef targetGUID="{memos["code"].id}"') < code_block.index("</Code>")
    selection = qde[qde.index(f'<PlainTextSelection guid="{memos["coding"].target}"') :]
    assert selection.index(memos["coding"].id) < selection.index("</PlainTextSelection>")
    assert "first&#13;\nmemo" in qde


@needs_shared
def test_qdc_is_schema_valid(project):
    qdc = export_qdc(project)
    assert schema_errors(qdc, "Codebook-mrt2019.xsd") == []
    assert b"<Sets" not in qdc and qdc.count(b"<Code ") == 3


def test_empty_codebook_is_refused(tmp_path):
    with Project.init(tmp_path / "empty", coder="a") as project:
        with pytest.raises(Refused):
            export_qdc(project)


@needs_shared
def test_empty_project_exports_valid(tmp_path):
    with Project.init(tmp_path / "empty", coder="a") as project:
        export_qdpx(project, tmp_path / "e.qdpx")
    assert schema_errors(qde_of(tmp_path / "e.qdpx")) == []


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "-20", "007"], "Integer"),
        (["1", "2.5", ".5"], "Float"),
        (["1e3"], "Text"),
        (["true", "false"], "Boolean"),
        (["True"], "Text"),
        (["2024-02-29", "1999-12-31"], "Date"),
        (["2023-02-29"], "Text"),
        (["2024-01-01T10:00:00Z"], "DateTime"),
        (["١٢"], "Text"),
        ([], "Text"),
    ],
)
def test_variable_types(values, kind):
    assert variable_type(values) == kind


def test_escaping_keeps_what_a_parser_would_change():
    assert escape_text("a\r\nb <&>") == "a&#13;\nb &lt;&amp;&gt;"
    assert escape_attr('x\n\t"\x01') == "x&#10;&#9;&quot;\ufffd"
