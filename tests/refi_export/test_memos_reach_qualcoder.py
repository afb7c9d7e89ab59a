"""Issue 14 item 1: every memo reaches QualCoder (as the Description it reads, and journal
entries as Note files), the Notes stay, and Margin's own import does not double a memo."""

from __future__ import annotations

import re
import zipfile

from hypothesis import HealthCheck, given, settings, strategies as st

from store.project import Project
from store.refi import export_qdc, export_qdpx, import_project, project_xml
from store.refi.export import ExportOptions
from store.refi.peer_names import unique_code_names
from tests.refi_export.conftest import STAMP
from tests.refi_export.peers import qualcoder_reads
from tests.test_refi_support import needs_shared, qde_of, schema_errors, snapshot


def memos_of(project, kind):
    return sorted((m for m in project.state.memos.values() if m.kind == kind), key=lambda m: (m.created, m.id))


def test_qualcoder_gets_every_memo(study, tmp_path):
    export_qdpx(study, tmp_path / "out.qdpx", exported_at=STAMP, options=ExportOptions(unique_names=True))
    seen = qualcoder_reads(tmp_path / "out.qdpx")
    names = unique_code_names(study.state.codes)  # the two "Other" codes would merge (item 3)
    assert seen.project_memo == "\n\n".join(m.text for m in memos_of(study, "project"))
    for code in study.state.codes.values():
        own = [m.text for m in memos_of(study, "code") if m.target == code.id]
        assert seen.code_memos[names[code.id]] == "\n\n".join([t for t in [code.description, *own] if t])
    for document in study.state.documents.values():
        own = [m.text for m in memos_of(study, "document") if m.target == document.id]
        assert seen.file_memos[document.name] == "\n\n".join(own)
    coding_memos = {}
    for memo in memos_of(study, "coding"):
        coding_memos.setdefault(memo.target, []).append(memo.text)
    expected = sorted(
        (study.state.documents[c.document].name, names[c.code], c.text, "\n\n".join(coding_memos.get(c.id, [])))
        for c in study.state.codings.values()
    )
    assert sorted(seen.codings) == expected
    assert any("\n\n" in memo for *_, memo in seen.codings)  # two memos on one coding, joined
    journal = memos_of(study, "journal")
    assert sorted(seen.journals.values()) == sorted(m.text for m in journal) and len(journal) == 2


def test_the_notes_stay_for_tools_that_read_them(study):
    qde = project_xml(study, STAMP).decode()
    assert qde.count("<Note ") == len(study.state.memos)
    for memo in study.state.memos.values():
        if memo.kind != "journal":
            assert f'<NoteRef targetGUID="{memo.id}"/>' in qde


def test_journal_entries_are_files_under_sources(study, tmp_path):
    export_qdpx(study, tmp_path / "out.qdpx", exported_at=STAMP)
    with zipfile.ZipFile(tmp_path / "out.qdpx") as archive:
        for memo in memos_of(study, "journal"):
            assert archive.read(f"sources/{memo.id}.txt").decode("utf-8") == memo.text
    qde = qde_of(tmp_path / "out.qdpx").decode()
    for memo in memos_of(study, "journal"):
        note = qde[qde.index(f'<Note guid="{memo.id}"') :]
        note = note[: note.index("</Note>")]
        assert f'plainTextPath="internal://{memo.id}.txt"' in note and "<PlainTextContent>" not in note


def test_journal_names_are_unique_and_never_empty(tmp_path):
    """QualCoder stops at a repeated journal name (randint(100-999) raises) and needs one."""
    with Project.init(tmp_path / "j", coder="alice") as project:
        for text, title in [("a", "Day"), ("b", "Day"), ("c", ""), ("c", ""), ("", "")]:
            project.memos.add("journal", None, text, title=title)
        export_qdpx(project, tmp_path / "j.qdpx", exported_at=STAMP)
        seen = qualcoder_reads(tmp_path / "j.qdpx")
        assert len(seen.journals) == 5 and all(seen.journals)
        import_project(tmp_path / "j.qdpx", tmp_path / "back")
        with Project.open(tmp_path / "back", readonly=True) as back:
            titles = sorted(m.title for m in back.state.memos.values())
        assert titles == ["", "", "", "Day", "Day"]  # as they were: Margin reads its own numbering back


def test_round_trip_does_not_double_a_memo(study, tmp_path):
    export_qdpx(study, tmp_path / "out.qdpx", exported_at=STAMP)
    report = import_project(tmp_path / "out.qdpx", tmp_path / "copy")
    assert report.counts["memos"] == len(study.state.memos)
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        assert snapshot(copy) == snapshot(study)
        assert project_xml(copy, STAMP) == qde_of(tmp_path / "out.qdpx")


def test_a_description_that_is_not_margins_is_still_read(study, tmp_path):
    """Another tool's Description beside a Note (different text) is still a memo."""
    qde = re.sub(r"(<TextSource [^>]*>\s*<Description>)[^<]*", r"\1From MAXQDA", project_xml(study, STAMP).decode(), count=1)
    assert "From MAXQDA" in qde
    with zipfile.ZipFile(tmp_path / "other.qdpx", "w") as archive:
        archive.writestr("project.qde", qde)
        with zipfile.ZipFile(_exported(study, tmp_path)) as ours:
            for name in ours.namelist():
                if name.startswith("sources/"):
                    archive.writestr(name, ours.read(name))
    import_project(tmp_path / "other.qdpx", tmp_path / "copy")
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        texts = sorted(m.text for m in copy.state.memos.values() if m.kind == "document")
    assert texts == sorted(["From MAXQDA", *(m.text for m in memos_of(study, "document"))])


def _exported(project, tmp_path):
    export_qdpx(project, tmp_path / "ours.qdpx", exported_at=STAMP)
    return tmp_path / "ours.qdpx"


@needs_shared
def test_valid_against_both_schemas(study, tmp_path):
    assert schema_errors(project_xml(study, STAMP)) == []
    assert schema_errors(export_qdc(study), "Codebook-mrt2019.xsd") == []


MEMO_TEXT = st.text(st.sampled_from(["a", "b", " ", "\n", "é", "😀"]), max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    definition=MEMO_TEXT,
    code_memos=st.lists(MEMO_TEXT, max_size=3),
    document_memos=st.lists(MEMO_TEXT, max_size=3),
    coding_memos=st.lists(MEMO_TEXT, max_size=3),
    project_memos=st.lists(MEMO_TEXT, max_size=2),
)
def test_any_memos_round_trip_once(tmp_path_factory, definition, code_memos, document_memos, coding_memos, project_memos):
    """The whole kind: whatever the memos (empty, alike, equal to the definition, with
    blank lines), Margin's import of its export holds each once and the definition as it was."""
    base = tmp_path_factory.mktemp("memos")
    with Project.init(base / "p", coder="alice") as project:
        (base / "t.txt").write_text("Alice: hello there\n", encoding="utf-8")
        document = project.documents.import_file(base / "t.txt", name="T").document
        code = project.codebook.add("Theme", description=definition)
        coding = project.codings.apply(document, code, 0, 5)
        for kind, target, texts in [("code", code.id, code_memos), ("document", document.id, document_memos),
                                    ("coding", coding.id, coding_memos), ("project", None, project_memos)]:
            for text in texts:
                project.memos.add(kind, target, text)
        export_qdpx(project, base / "p.qdpx", exported_at=STAMP)
        import_project(base / "p.qdpx", base / "copy")
        with Project.open(base / "copy", readonly=True) as copy:
            assert sorted((m.kind, m.text) for m in copy.state.memos.values()) == sorted(
                (m.kind, m.text) for m in project.state.memos.values()
            )
            assert copy.state.codes[code.id].description == definition
