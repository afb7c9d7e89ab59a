"""Annotations, case memos and attribute descriptions through REFI-QDA (issue 14, item 4):
Margin's export writes them as QualCoder reads them (an uncoded PlainTextSelection with a
Description, and a NoteRef to the Note; Case and Variable Descriptions), stays valid
against Project-mrt2019.xsd, and Margin's own import gives back the same memos, once each."""

from __future__ import annotations

from store import annotations
from store.project import Project
from store.refi import export_qdpx
from store.refi.importer import import_project
from tests.test_refi_support import make_project, needs_shared, qde_of, schema_errors


def _annotated(tmp_path) -> Project:
    project = make_project(tmp_path / "src")
    document = project.documents.get("P01")
    text = project.text(document.id)
    start = text.index("sister")
    annotations.annotate(project, document, start, start + len("sister found me"), "Family finds the work 😀", title="kin")
    annotations.annotate(project, document, 0, 11, "An opening question")
    project.memos.add("case", "P1", "Second interview promised")
    project.memos.add("attribute", "age", "Age in years at the interview")
    return project


def _memos(project: Project) -> list[tuple]:
    """Every memo as what it is about, in words, so ids and documents of two projects compare."""
    state = project.state
    rows = []
    for m in project.memos.all():
        about = m.target
        if m.kind in ("document", "annotation"):
            about = state.documents[m.target].name
        elif m.kind == "code":
            about = project.codebook.path(state.codes[m.target])
        elif m.kind == "coding":
            about = (state.documents[state.codings[m.target].document].name, state.codings[m.target].start)
        author = state.coders[m.author].name if m.author in state.coders else ""
        if m.kind in ("case", "attribute"):
            author = ""  # a Case or Variable Description names no user
        rows.append((m.kind, about, m.start, m.end, m.text.strip(), author))
    return sorted(rows, key=repr)


@needs_shared
def test_export_is_valid_and_writes_them_as_qualcoder_reads_them(tmp_path):
    with _annotated(tmp_path) as project:
        export_qdpx(project, tmp_path / "out.qdpx")
    qde = qde_of(tmp_path / "out.qdpx")
    assert schema_errors(qde) == []
    text = qde.decode()
    assert "<Description>Family finds the work 😀</Description>" in text
    assert "<Description>Second interview promised</Description>" in text
    assert "<Description>Age in years at the interview</Description>" in text


def test_round_trip_keeps_each_memo_once(tmp_path):
    with _annotated(tmp_path) as project:
        before = _memos(project)
        export_qdpx(project, tmp_path / "out.qdpx")
    report = import_project(tmp_path / "out.qdpx", tmp_path / "back")
    with Project.open(tmp_path / "back", readonly=True) as back:
        assert _memos(back) == before
        [kin] = [m for m in back.memos.all() if m.title == "kin"]
        assert annotations.quote(back, kin) == "sister found me"
        export_qdpx(back, tmp_path / "again.qdpx")
    assert "Nothing was left out." in report.lines()
    import_project(tmp_path / "again.qdpx", tmp_path / "twice")
    with Project.open(tmp_path / "twice", readonly=True) as twice:
        assert _memos(twice) == before
