"""The code matrix on the small study (tests/analysis/conftest.py), counted by hand."""

from __future__ import annotations

import pytest

from store.analysis.matrix import matrix
from store.analysis.scope import EVERYTHING, Scope
from store.errors import BadInput, UnknownName


def grid(small, table):
    return {path: [table.cell(small.codes[path], col).value for col in table.columns] for path in small.codes}


def test_codes_by_document_count_codings_with_their_codings(small):
    table = matrix(small.project, EVERYTHING, cols="document", count="codings")
    assert table.columns == ["A1", "A2", "B1"]
    assert [c.name for c in table.codes] == ["Care", "Fear", "Trust", "Money", "Role", "Time"]
    assert grid(small, table) == {
        "Care": [1, 0, 0],
        "Care > Fear": [1, 0, 3],
        "Care > Trust": [2, 1, 2],
        "Money": [0, 1, 0],
        "Role": [2, 1, 1],
        "Time": [1, 1, 0],
    }
    assert set(table.cell(small.codes["Care > Fear"], "B1").codings) == small.ids("e2", "e3", "e5")
    assert table.cell(small.codes["Money"], "A1").codings == ()


def test_cases_words_documents_and_coders(small):
    words = matrix(small.project, EVERYTHING, cols="case", count="words")
    assert words.columns == ["A", "B"]
    assert grid(small, words)["Care > Trust"] == [7, 6] and grid(small, words)["Care > Fear"] == [2, 5]
    docs = matrix(small.project, EVERYTHING, cols="attr.round", count="documents")
    assert docs.columns == ["1", "2"] and grid(small, docs)["Care > Trust"] == [2, 1]
    cases = matrix(small.project, EVERYTHING, cols="attr.round", count="cases")
    assert grid(small, cases)["Role"] == [2, 1]  # round 1: A and B; round 2: A
    coders = matrix(small.project, EVERYTHING, cols="coder", count="codings")
    assert coders.columns == ["alice", "bob"] and grid(small, coders)["Care > Fear"] == [3, 1]


def test_each_row_has_a_total_that_counts_shared_passages_once(small):
    def totals(cols, count):
        table = matrix(small.project, EVERYTHING, cols=cols, count=count)
        return {path: table.total(code_id).value for path, code_id in small.codes.items()}

    assert totals("document", "codings")["Care > Trust"] == 5  # 2 + 1 + 2
    assert totals("case", "words")["Care > Trust"] == 13  # 7 + 6, as stats codes counts it
    assert totals("attr.round", "cases")["Role"] == 2  # A and B, though A is in both rounds (2 + 1 cells)
    assert totals("coder", "codings")["Care > Fear"] == 4 and totals("coder", "codings")["Money"] == 1
    table = matrix(small.project, EVERYTHING, cols="case", count="codings")
    assert set(table.total(small.codes["Care > Fear"]).codings) == set(table.cell(small.codes["Care > Fear"], "A").codings) | set(
        table.cell(small.codes["Care > Fear"], "B").codings
    )


def test_the_scope_applies_and_columns_follow_it(small):
    table = matrix(small.project, Scope(attributes=(("case", "A"),)), cols="document")
    assert table.columns == ["A1", "A2"] and grid(small, table)["Role"] == [2, 1]
    participant = matrix(small.project, Scope(speakers=frozenset({"Participant"})), cols="document")
    assert grid(small, participant)["Role"] == [1, 1, 1]


def test_bad_columns_or_counts_are_bad_input(small):
    with pytest.raises(BadInput, match="--cols 'speaker'"):
        matrix(small.project, EVERYTHING, cols="speaker")
    with pytest.raises(BadInput, match="--count 'turns'"):
        matrix(small.project, EVERYTHING, count="turns")
    with pytest.raises(UnknownName, match="attribute 'wave'"):
        matrix(small.project, EVERYTHING, cols="attr.wave")


def test_a_cell_of_no_words_still_holds_its_codings(small):
    """A span of punctuation only counts 0 words; its cell must still open the coding
    (the property test tests/analysis/test_analysis_properties.py found the lost coding)."""
    project = small.project
    document = project.state.documents[small.docs["A2"]]
    text = project.text(document.id)
    dot = text.index("green.") + len("green")
    coding = project.codings.apply(document, project.state.codes[small.codes["Money"]], dot, dot + 1)
    cell = matrix(project, EVERYTHING, cols="document", count="words").cell(small.codes["Money"], "A2")
    assert cell.value == 2 and set(cell.codings) == {coding.id, small.codings["d3"]}
    alone = matrix(project, Scope(coder=small.coders["alice"]), cols="document", count="words").cell(small.codes["Money"], "A2")
    assert (alone.value, alone.codings) == (0, (coding.id,))
