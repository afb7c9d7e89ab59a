"""Annotations in the store: add, edit, delete are one undoable action each; they
survive reopening (log replay and checkpoint); bad spans are refused; schema checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import annotations, schema
from store.errors import BadInput
from store.project import Project


def test_add_edit_delete_each_one_undo(project, interview):
    note = annotations.annotate(project, interview, 10, 30, "first thought")
    assert annotations.quote(project, note) == project.text(interview.id)[10:30]
    edited = annotations.edit(project, note, "second thought")
    annotations.delete(project, edited)
    assert annotations.of_document(project, interview.id) == []
    project.undo()
    assert annotations.of_document(project, interview.id)[0].text == "second thought"
    project.undo()
    assert annotations.of_document(project, interview.id)[0].text == "first thought"
    project.undo()
    assert annotations.of_document(project, interview.id) == []
    project.redo()
    assert [(m.start, m.end) for m in annotations.of_document(project, interview.id)] == [(10, 30)]


def test_survive_reopen_by_replay_and_checkpoint(project, interview, tmp_path):
    note = annotations.annotate(project, interview, 5, 9, "replayed")
    folder = project.dir
    project.close()
    with Project.open(folder) as again:
        assert again.state.memos[note.id] == note
        again.checkpoint()
    with Project.open(folder) as third:
        assert third.state.memos[note.id] == note
        assert annotations.at(third, interview.id, 6) == [note]
        assert annotations.at(third, interview.id, 9) == []


@pytest.mark.parametrize("span", [(5, 5), (-1, 3), (3, 2), (0, 10_000)])
def test_bad_span_refused_and_nothing_logged(project, interview, span):
    seq = project.seq
    with pytest.raises(BadInput):
        annotations.annotate(project, interview, *span, "x")
    assert project.seq == seq and not project.memos.all()


def test_other_memos_keep_their_records():
    """A memo without a span is written as before (no start/end keys)."""
    from store.model import Memo

    record = Memo("m", "document", "d", "t", "a").to_record()
    assert "start" not in record and "end" not in record


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"kind": "annotation", "target": "d", "start": 1, "end": 4}, ""),
        ({"kind": "annotation", "target": "d"}, "without a span"),
        ({"kind": "annotation", "target": None, "start": 1, "end": 4}, "with the target"),
        ({"kind": "annotation", "target": "d", "start": 4, "end": 4}, "empty or negative"),
        ({"kind": "document", "target": "d", "start": 1, "end": 4}, "with a span"),
        ({"kind": "case", "target": "P3"}, ""),
        ({"kind": "case", "target": None}, "with the target"),
        ({"kind": "attribute", "target": "age"}, ""),
    ],
)
def test_schema_of_memo_kinds(record, problem):
    full = {"id": "m1", "text": "t", "author": "a", **record}
    found = schema.record_problem("memos", full)
    assert (problem in found) if problem else found == ""


def test_deleting_the_document_deletes_its_annotations_undoably(project, interview):
    annotations.annotate(project, interview, 0, 4, "x")
    project.documents.delete(interview)
    assert not project.memos.all()
    project.undo()
    assert len(annotations.of_document(project, interview.id)) == 1


def test_case_and_attribute_memos_undo_and_redo(project, interview):
    """Their targets are names, not ids: undo and redo must not call them dangling."""
    project.memos.add("case", "N1", "a ward nurse, 12 years")
    project.memos.add("attribute", "round", "the interview round")
    project.undo()
    project.undo()
    project.redo()
    project.redo()
    assert sorted(m.kind for m in project.memos.all()) == ["attribute", "case"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 300), st.integers(-3, 300)), max_size=6))
def test_any_span_is_kept_exactly_or_refused(tmp_path_factory, spans):
    """Every span inside the text is stored as given; every other is refused; all survive reopening."""
    from store.importers import parse_text
    from tests.conftest import INTERVIEW

    folder = tmp_path_factory.mktemp("p") / "study"
    with Project.init(folder, name="S", coder="alice") as p:
        doc = p.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {}).document
        kept = []
        for start, end in spans:
            if 0 <= start < end <= doc.length:
                kept.append(annotations.annotate(p, doc, start, end, f"{start}").id)
            else:
                with pytest.raises(BadInput):
                    annotations.annotate(p, doc, start, end, "x")
    with Project.open(folder) as again:
        assert sorted(m.id for m in annotations.of_document(again, doc.id)) == sorted(kept)
