"""Every real export in ../shared/refi/samples imports, with its quirks."""

from __future__ import annotations

import pytest

from store.project import Project
from store.refi import import_project, project_xml
from tests.test_refi_support import SAMPLES, needs_shared, schema_errors

pytestmark = needs_shared


def _import(tmp_path, sample: str):
    report = import_project(SAMPLES / sample, tmp_path / "project")
    return report, Project.open(tmp_path / "project", readonly=True)


def test_nvivo12_keeps_every_code_and_coding_and_finds_utf16_positions(tmp_path):
    report, project = _import(tmp_path, "nvivo12-win_oltas0517.qdpx")
    with project:
        assert len(project.state.codes) == 152
        assert len(project.state.codings) == 303
        assert len(project.state.documents) == 2
        assert sorted(c.name for c in project.state.coders.values()) == ["Gergo", "floriansipos"]
        for document in project.state.documents.values():
            text = project.text(document.id)
            assert "\r" not in text and not text.startswith("\ufeff")
        for coding in project.state.codings.values():
            assert coding.text == project.text(coding.document)[coding.start : coding.end]
    coded = [p for p in report.positions if p.selections]
    assert [(p.convention, p.selections) for p in coded] == [("UTF-16 units, CRLF as 2", 303)]
    assert coded[0].landed >= 295
    assert len(report.misaligned) == 303 - coded[0].landed


def test_nvivo12_keeps_times_and_coders(tmp_path):
    _, project = _import(tmp_path, "nvivo12-win_oltas0517.qdpx")
    with project:
        coding = next(c for c in project.state.codings.values() if c.id == "7154a758-6873-4134-badd-ae1dc04d3086")
        assert coding.created == "2025-06-18T02:06:50Z" and coding.modified == "2025-06-18T02:08:15Z"
        assert project.state.coders[coding.coder].name == "Gergo"
        assert project.meta["created"] == "2025-02-21T15:09:07Z"


def test_atlasti_standard_project_keeps_codes_users_memos_and_lists_the_rest(tmp_path):
    report, project = _import(tmp_path, "atlasti8.4-mac_standard-project.qde")
    with project:
        assert len(project.state.codes) == 14
        assert sorted(c.name for c in project.state.coders.values()) == [
            "ATLAS.ti", "Friedrich Markgraf", "Sebastian Petrausch",
        ]  # fmt: skip
        texts = " ".join(m.text for m in project.state.memos.values())
        assert "dynamic team of researcher-developers" in texts and "Director’s cut" in texts
        assert "Mabel is not the only person" in texts  # a selection comment, its source absent
        code = project.codebook.get("Coke::diet Coke")
        assert (code.description, code.color) == ("non sucré", "#966450")
    dropped = "\n".join(report.dropped)
    assert sum(line.startswith("text source ") for line in report.dropped) == 6
    for kind in ("PDF source", "picture source", "audio source", "video source", "graph", "set(s)"):
        assert kind in dropped
    assert any("VideoSelection" in line for line in report.adjusted)


def test_nvivo15_mac_lower_case_sources_and_stray_root_file(tmp_path):
    report, project = _import(tmp_path, "nvivo15-mac_qc-nvivo_project.qdpx")
    with project:
        assert len(project.state.codes) == 262
        assert len(project.state.documents) == 2
    assert report.dropped == []


def test_qc_line_codings_land_on_whole_lines(tmp_path):
    report, project = _import(tmp_path, "qc1.3.2_demo.qdpx")
    with project:
        assert len(project.state.codings) == 205
        for coding in project.state.codings.values():
            text = project.text(coding.document)
            assert coding.start == 0 or text[coding.start - 1] == "\n"
    coded = [p for p in report.positions if p.selections]
    assert all(p.landed == p.selections and p.checked_by == "word edges" for p in coded)


@pytest.mark.parametrize(
    "sample",
    [
        "nvivo12-win_oltas0517.qdpx",
        "atlasti8.4-mac_standard-project.qde",
        "nvivo15-mac_qc-nvivo_project.qdpx",
        "qc1.3.2_demo.qdpx",
    ],
)
def test_every_sample_reexports_schema_valid(tmp_path, sample):
    report, project = _import(tmp_path, sample)
    with project:
        assert schema_errors(project_xml(project, "2026-01-01T00:00:00Z")) == []
    assert report.lines()[0].startswith("Created project")
