"""Documents, the codebook, codings and memos."""

from __future__ import annotations

import pytest

from store.errors import BadInput, NotFound, Refused
from store.importers import parse_text
from store.matching import LineIndex, find_matches, speaker_spans, turn_span


def test_import_keeps_turns_attributes_and_detects_duplicates(project, interview):
    assert interview.attributes == {"case": "N1", "round": "1"}
    assert [t.speaker for t in interview.turns] == ["Interviewer", "Nurse", "Interviewer", "Nurse"]
    again = project.documents.import_parsed(parse_text(project.text(interview.id), "txt"), "copy")
    assert not again.imported and again.duplicate_of.id == interview.id
    assert len(project.documents.all()) == 1


def test_documents_by_name_or_id_and_clear_errors(project, interview):
    assert project.documents.get("n1").id == interview.id
    assert project.documents.get(interview.id).name == "N1"
    with pytest.raises(NotFound, match="N1"):
        project.documents.get("P9")


def test_names_are_kept_unique_and_printable(project, interview):
    text = "A: one\n\nB: two\n"
    second = project.documents.import_parsed(parse_text(text, "txt"), "N1\x1b[31m").document
    assert second.name == "N1 [31m"
    third = project.documents.import_parsed(parse_text(text + "x", "txt"), "N1").document
    assert third.name == "N1 (2)"


def test_attributes_set_and_remove(project, interview):
    updated = project.documents.set_attributes(interview, {"profession": "nurse", "round": ""})
    assert updated.attributes == {"case": "N1", "profession": "nurse"}
    assert project.documents.attribute_keys() == ["case", "profession"]


def test_codebook_paths_create_parents(project):
    child = project.codebook.add("Peer support > Trust", description="Relying on the worker")
    parent = project.codebook.get("Peer support")
    assert child.parent == parent.id
    assert project.codebook.path(child) == "Peer support > Trust"
    assert project.codebook.get("trust").id == child.id
    with pytest.raises(Refused, match="exists already"):
        project.codebook.add("Peer support > trust")


def test_ambiguous_code_name_asks_for_the_path(project):
    project.codebook.add("A > Trust")
    project.codebook.add("B > Trust")
    with pytest.raises(BadInput, match="several codes"):
        project.codebook.get("Trust")


def test_rename_move_and_cycles(project):
    trust = project.codebook.add("Peer support > Trust")
    top = project.codebook.get("Peer support")
    moved = project.codebook.move(trust, None)
    assert project.codebook.path(moved) == "Trust"
    with pytest.raises(Refused, match="under itself"):
        project.codebook.move(top, top)
    project.codebook.move(moved, top)
    with pytest.raises(Refused, match="under itself"):
        project.codebook.move(top, project.codebook.get("Trust"))
    renamed = project.codebook.rename(project.codebook.get("Trust"), "Trust in the worker")
    assert project.codebook.path(renamed) == "Peer support > Trust in the worker"


def test_code_names_refuse_separators_and_controls(project):
    with pytest.raises(BadInput):
        project.codebook.add("  ")
    with pytest.raises(BadInput, match="control character"):
        project.codebook.add("Bell\x07 ring")
    assert project.codebook.add("Bell\tring").name == "Bell ring"


def test_merge_moves_codings_memos_and_definition_dropping_duplicates(project, interview):
    a = project.codebook.add("Worry", description="Concern about boundaries")
    b = project.codebook.add("Boundaries", description="Professional boundaries")
    project.codings.apply(interview, a, 0, 9)
    project.codings.apply(interview, a, 10, 20)
    project.codings.apply(interview, b, 0, 9)
    project.memos.add("code", a.id, "A memo on worry")
    moved = project.codebook.merge(a, b)
    assert moved == 1
    spans = sorted((c.start, c.end) for c in project.codings.for_document(interview))
    assert spans == [(0, 9), (10, 20)]
    merged = project.codebook.get("Boundaries")
    assert "Concern about boundaries" in merged.description
    assert [m.text for m in project.memos.on(merged.id)] == ["A memo on worry"]


def test_delete_refuses_without_force_and_says_why(project, interview):
    code = project.codebook.add("Support > Trust")
    project.codings.apply(interview, code, 0, 9)
    parent = project.codebook.get("Support")
    assert project.codebook.impact(parent) == {"codings": 1, "sub-codes": 1, "memos": 0}
    with pytest.raises(Refused, match="1 coding, 1 sub-code;"):
        project.codebook.delete(parent)
    project.codebook.delete(parent, force=True)
    assert project.codebook.all() == [] and project.codings.for_document(interview) == []


def test_apply_keeps_text_and_refuses_bad_spans(project, interview):
    code = project.codebook.add("Trust")
    text = project.text(interview.id)
    coding = project.codings.apply(interview, code, 10, 30)
    assert coding.text == text[10:30]
    with pytest.raises(BadInput, match="outside N1"):
        project.codings.apply(interview, code, 0, len(text) + 1)
    with pytest.raises(BadInput):
        project.codings.apply(interview, code, 5, 5)
    with pytest.raises(Refused, match="already coded"):
        project.codings.apply(interview, code, 10, 30)


def test_categories_cannot_be_applied(project, interview):
    category = project.codebook.add("Themes", codable=False)
    with pytest.raises(Refused, match="category"):
        project.codings.apply(interview, category, 0, 5)


def test_resize_and_uncode(project, interview):
    code = project.codebook.add("Trust")
    coding = project.codings.apply(interview, code, 10, 30, memo="why")
    resized = project.codings.resize(coding, 12, 40)
    assert resized.text == project.text(interview.id)[12:40]
    project.codings.uncode(resized)
    assert project.codings.for_document(interview) == []
    assert project.memos.all() == []


def test_query_filters_by_code_tree_coder_and_attribute(project, interview):
    trust = project.codebook.add("Support > Trust")
    other = project.codebook.add("Other")
    project.codings.apply(interview, trust, 0, 5)
    project.codings.apply(interview, other, 5, 9)
    bob = project.add_coder("bob")
    project.codings.apply(interview, other, 9, 12, coder=bob.id)
    assert len(project.codings.query(code=project.codebook.get("Support"))) == 1
    assert len(project.codings.query(code=project.codebook.get("Support"), with_subcodes=False)) == 0
    assert len(project.codings.query(coder=bob.id)) == 1
    assert len(project.codings.query(attributes={"round": "1"})) == 3
    assert project.codings.query(attributes={"round": "2"}) == []


def test_each_coder_has_a_codings_file(project, interview):
    code = project.codebook.add("Trust")
    bob = project.add_coder("bob")
    project.codings.apply(interview, code, 0, 5)
    project.codings.apply(interview, code, 0, 5, coder=bob.id)
    project.checkpoint()
    files = sorted(p.parent.name for p in (project.dir / "codings").glob("*/*.json"))
    assert files == sorted([project.coder.id, bob.id])  # codings/<coder id>/<document id>.json


def test_memos_and_journal(project, interview):
    project.memos.add("document", interview.id, "Tone shifts in round 2")
    entry = project.memos.add("journal", None, "I worked on a ward like this")
    project.memos.edit(entry, "I worked on a ward like this one, years ago")
    assert [m.text for m in project.memos.journal()] == ["I worked on a ward like this one, years ago"]
    assert [m.kind for m in project.memos.all()] == ["document", "journal"]
    with pytest.raises(NotFound):
        project.memos.add("code", "no-such-code", "x")


def test_matching_ignores_whitespace_layout():
    text = "Dan: So what\n\nParticipant: then   we\nwent on"
    start = text.index("what")
    end = text.index("went") + len("went")
    assert find_matches(text, "what Participant: then we went") == [(start, end)]
    assert find_matches(text, "absent") == []


def test_turn_and_speaker_spans(project, interview):
    text = project.text(interview.id)
    start, end = turn_span(interview, 2)
    assert text[start:end].startswith("At first nobody")
    assert text[start:end].endswith("we could not.")
    with pytest.raises(BadInput, match="turns 1 to 4"):
        turn_span(interview, 5)
    assert len(speaker_spans(interview, "nurse")) == 2
    with pytest.raises(NotFound, match="speakers: Interviewer, Nurse"):
        speaker_spans(interview, "Doctor")


def test_line_index_counts_from_one():
    index = LineIndex("a\nbc\n\nd")
    assert [index.line(i) for i in range(7)] == [1, 1, 2, 2, 2, 3, 4]


def test_turn_at_prefers_the_turn_after_a_label(project, interview):
    text = project.text(interview.id)
    label = text.index("Nurse:")
    assert interview.turn_at(label).speaker == "Nurse"
    assert interview.turn_at(interview.turns[-1].end + 5).index == 3


def test_document_names_sort_naturally_whatever_their_digits(project):
    for name in ("P10", "P2", "P²", "P①", "p1"):
        project.documents.import_parsed(parse_text(f"A: {name} text\n", "txt"), name)
    assert [d.name for d in project.documents.all()] == ["p1", "P2", "P10", "P²", "P①"]


def test_in_vivo_names_and_coding_with_a_new_code(project, interview):
    from store.codebook import in_vivo_name

    assert in_vivo_name(' “she notices\n things we miss.” ') == "she notices things we miss"
    assert in_vivo_name("a > b") == "a b"
    assert len(in_vivo_name("word " * 40)) == 60
    coding = project.codings.apply_new_code(interview, "Noticing", 10, 20)
    assert project.codebook.path(project.state.codes[coding.code]) == "Noticing"
    project.undo()
    assert project.codebook.all() == [] and project.codings.for_document(interview) == []
