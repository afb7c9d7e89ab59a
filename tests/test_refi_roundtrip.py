"""Export, import, export again: nothing lost, and the same project.qde."""

from __future__ import annotations

import pytest

from store.project import Project
from store.refi import export_qdpx, import_project, project_xml
from tests.test_refi_support import make_project, needs_shared, qde_of, schema_errors, snapshot

STAMP = "2026-01-01T00:00:00Z"


@pytest.fixture
def exported(tmp_path):
    with make_project(tmp_path / "study") as project:
        export_qdpx(project, tmp_path / "study.qdpx", exported_at=STAMP)
        yield project, tmp_path / "study.qdpx"


def test_round_trip_keeps_everything(exported, tmp_path):
    original, path = exported
    report = import_project(path, tmp_path / "copy")
    assert report.counts == {"documents": 2, "codes": 3, "codings": 4, "memos": 5, "coders": 2}
    assert report.dropped == [] and report.misaligned == [] and report.adjusted == []
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        assert snapshot(copy) == snapshot(original)
        assert copy.meta["created"] == original.meta["created"]


def test_export_after_import_is_identical(exported, tmp_path):
    original, path = exported
    import_project(path, tmp_path / "copy")
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        assert project_xml(copy, STAMP) == qde_of(path)


def test_round_trip_is_one_undo_step(exported, tmp_path):
    _, path = exported
    import_project(path, tmp_path / "copy")
    with Project.open(tmp_path / "copy") as copy:
        entries = [e for e in copy.log() if e["kind"] == "do"]
        assert [e["summary"] for e in entries] == ["import study.qdpx"]
        copy.undo()
        assert not copy.state.documents and not copy.state.codings


def test_turns_are_found_in_imported_texts(exported, tmp_path):
    original, path = exported
    import_project(path, tmp_path / "copy")
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        for document in original.state.documents.values():
            assert [(t.speaker, t.start, t.end) for t in copy.state.documents[document.id].turns] == [
                (t.speaker, t.start, t.end) for t in document.turns
            ]


def test_another_coder_is_added_not_swapped(exported, tmp_path):
    _, path = exported
    report = import_project(path, tmp_path / "copy", coder="carol", name="Copy")
    assert report.counts["coders"] == 3 and report.project == "Copy"
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        assert copy.name == "Copy"
        assert sorted(c.name for c in copy.state.coders.values()) == ["alice", "bob", "carol"]


@needs_shared
def test_reexport_of_an_import_is_schema_valid(exported, tmp_path):
    _, path = exported
    import_project(path, tmp_path / "copy")
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        assert schema_errors(project_xml(copy, STAMP)) == []
