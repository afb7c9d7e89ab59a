"""Code frequencies on the small study (tests/analysis/conftest.py), every figure counted
by hand: the corpus has 18 + 8 + 12 = 38 words, 11 the interviewer's and 27 the
participant's; case A is documents A1 and A2, case B is B1."""

from __future__ import annotations

import pytest

from store.analysis.frequencies import frequencies
from store.words import word_index
from store.analysis.scope import EVERYTHING, Scope
from store.errors import BadInput, UnknownName


def table(rows):
    return {(f.path, f.group): (f.codings.value, f.documents, f.cases, f.words) for f in rows}


def test_every_code_with_its_codings_documents_cases_and_words(small):
    rows = frequencies(small.project, EVERYTHING)
    assert [f.path for f in rows] == ["Care", "Care > Fear", "Care > Trust", "Money", "Role", "Time"]
    assert table(rows) == {
        ("Care", ""): (1, 1, 1, 2),  # c7 lambda mu; its sub-codes are not counted without rollup
        ("Care > Fear", ""): (4, 2, 2, 7),  # gamma delta | dog, fish cow, moon star
        ("Care > Trust", ""): (5, 3, 2, 13),  # alpha beta gamma, eta theta | west up | cat dog bird fish, sun moon
        ("Money", ""): (1, 1, 1, 2),
        ("Role", ""): (4, 3, 2, 8),  # epsilon zeta, one two | north south east | pig
        ("Time", ""): (2, 2, 1, 4),
    }
    shares = {f.path: f.share for f in rows}
    assert shares["Care > Trust"] == pytest.approx(13 / 38) and shares["Money"] == pytest.approx(2 / 38)


def test_cells_hold_exactly_the_codings_counted_in_reading_order(small):
    rows = {f.path: f for f in frequencies(small.project, EVERYTHING)}
    assert rows["Care > Fear"].codings.codings == tuple(small.codings[n] for n in ("c2", "e2", "e3", "e5"))
    assert rows["Role"].codings.codings == tuple(small.codings[n] for n in ("c6", "c3", "d1", "e6"))


def test_rollup_counts_sub_codes_in_their_parent_and_each_word_once(small):
    rows = table(frequencies(small.project, EVERYTHING, rollup=True))
    # Care: c7 + Fear's 4 + Trust's 5; words A1 alpha..delta 4 + eta theta 2 + lambda mu 2,
    # A2 west up 2, B1 cat dog bird fish cow 5 + sun moon star 3
    assert rows[("Care", "")] == (10, 3, 2, 18)
    assert rows[("Care > Trust", "")] == (5, 3, 2, 13)


def test_by_speaker_shares_are_of_that_speakers_words(small):
    rows = {(f.path, f.group): f for f in frequencies(small.project, EVERYTHING, by="speaker")}
    role_i, role_p = rows[("Role", "Interviewer")], rows[("Role", "Participant")]
    assert (role_i.codings.value, role_i.documents, role_i.cases, role_i.words) == (1, 1, 1, 2)
    assert (role_p.codings.value, role_p.documents, role_p.cases, role_p.words) == (3, 3, 2, 6)
    assert role_i.share == pytest.approx(2 / 11) and role_p.share == pytest.approx(6 / 27)
    assert ("Money", "Interviewer") not in rows  # groups without codings are left out


def test_by_coder_by_case_by_document_and_by_attribute(small):
    by_coder = table(frequencies(small.project, EVERYTHING, by="coder"))
    assert by_coder[("Care > Trust", "alice")] == (3, 2, 2, 9) and by_coder[("Care > Trust", "bob")] == (2, 2, 1, 4)
    by_case = table(frequencies(small.project, EVERYTHING, by="case"))
    assert by_case[("Care > Trust", "A")] == (3, 2, 1, 7) and by_case[("Care > Trust", "B")] == (2, 1, 1, 6)
    by_doc = frequencies(small.project, EVERYTHING, by="document")
    assert [(f.group, f.codings.value) for f in by_doc if f.path == "Care > Trust"] == [("A1", 2), ("A2", 1), ("B1", 2)]
    by_group = {(f.path, f.group): f for f in frequencies(small.project, EVERYTHING, by="attr.group")}
    assert by_group[("Care > Fear", "g1")].words == 2 and by_group[("Care > Fear", "g1")].share == pytest.approx(2 / 26)
    assert by_group[("Care > Fear", "g2")].codings.value == 3 and by_group[("Care > Fear", "g2")].share == pytest.approx(5 / 12)


def test_documents_without_the_attribute_go_in_the_empty_group(small):
    project = small.project
    project.documents.set_attributes(project.state.documents[small.docs["B1"]], {"group": ""})
    groups = {f.group for f in frequencies(project, EVERYTHING, by="attr.group")}
    assert groups == {"g1", ""}


def test_scope_filters_every_figure(small):
    participant = Scope(speakers=frozenset({"Participant"}))
    rows = {f.path: f for f in frequencies(small.project, participant)}
    assert (rows["Role"].codings.value, rows["Role"].words, rows["Role"].share) == (3, 6, pytest.approx(6 / 27))
    assert table(frequencies(small.project, Scope(not_speakers=frozenset({"Interviewer"})))) == table(
        frequencies(small.project, participant)
    )
    bob = table(frequencies(small.project, Scope(coder=small.coders["bob"])))
    assert {k: v for k, v in bob.items() if v[0]} == {
        ("Care > Fear", ""): (1, 1, 1, 2),
        ("Care > Trust", ""): (2, 2, 1, 4),
        ("Money", ""): (1, 1, 1, 2),
    }
    care = frequencies(small.project, Scope(code=small.codes["Care"]), rollup=True)
    assert [f.path for f in care] == ["Care", "Care > Fear", "Care > Trust"] and care[0].codings.value == 10
    b_only = {f.path: f for f in frequencies(small.project, Scope(attributes=(("group", "g2"),)))}
    assert b_only["Care > Fear"].codings.value == 3 and b_only["Care > Fear"].share == pytest.approx(5 / 12)
    one = {f.path: f for f in frequencies(small.project, Scope(documents=frozenset({small.docs["A2"]})))}
    assert one["Time"].words == 2 and one["Time"].share == pytest.approx(2 / 8)


def test_a_word_cut_by_two_spans_counts_once():
    index = word_index("peer support worker")
    assert index.span(0, 7) == (0, 2) and index.span(7, 19) == (1, 3)  # both touch "support"
    assert index.span(4, 5) == (1, 1)  # white space only: no word


def test_an_unknown_grouping_is_bad_input(small):
    with pytest.raises(UnknownName, match="attribute 'profession'"):
        frequencies(small.project, EVERYTHING, by="attr.profession")
    with pytest.raises(BadInput, match="cannot break down by 'colour'"):
        frequencies(small.project, EVERYTHING, by="colour")
