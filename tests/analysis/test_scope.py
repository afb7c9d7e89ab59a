"""The Scope every analysis shares, on the small study (tests/analysis/conftest.py)."""

from __future__ import annotations

from store.analysis.frequencies import group_words
from store.analysis.scope import EVERYTHING, Scope, code_ids, codings_in, corpus_words, documents_in


def names(small, codings):
    by_id = {v: k for k, v in small.codings.items()}
    return [by_id[c.id] for c in codings]


def test_codings_in_reading_order_and_each_filter(small):
    p = small.project
    assert names(small, codings_in(p, EVERYTHING)) == [
        "c6", "c1", "c2", "c3", "c4", "c5", "c7", "d1", "d2", "d4", "d3", "e1", "e2", "e3", "e6", "e4", "e5",
    ]  # fmt: skip
    assert names(small, codings_in(p, Scope(coder=small.coders["bob"]))) == ["c4", "d4", "d3", "e5"]
    assert names(small, codings_in(p, Scope(speakers=frozenset({"Interviewer"})))) == ["c6"]
    assert names(small, codings_in(p, Scope(code=small.codes["Care"]))) == ["c1", "c2", "c4", "c7", "d4", "e1", "e2", "e3", "e4", "e5"]
    assert [d.name for d in documents_in(p, Scope(attributes=(("round", "1"),)))] == ["A1", "B1"]
    assert code_ids(p, Scope(code=small.codes["Care"])) == {small.codes[c] for c in ("Care", "Care > Fear", "Care > Trust")}


def test_words_of_the_text_in_scope(small):
    p = small.project
    assert corpus_words(p, EVERYTHING) == 38
    assert corpus_words(p, Scope(speakers=frozenset({"Participant"}))) == 27
    assert corpus_words(p, Scope(not_speakers=frozenset({"Participant"}))) == 11
    # the analyses count the same words, split by their groups
    for by in (None, "document", "case", "speaker", "attr.round"):
        assert sum(group_words(p, EVERYTHING, by).values()) == 38, by
    assert dict(group_words(p, EVERYTHING, "speaker")) == {"Interviewer": 11, "Participant": 27}
    assert group_words(p, EVERYTHING, "coder")["alice"] == 38 == group_words(p, EVERYTHING, "coder")["bob"]


def test_describe_names_every_filter(small):
    scope = Scope(
        documents=frozenset({small.docs["A1"]}),
        attributes=(("round", "1"),),
        coder=small.coders["bob"],
        not_speakers=frozenset({"Interviewer"}),
        code=small.codes["Care > Trust"],
    )
    assert scope.describe(small.project) == "documents A1 · round=1 · code Care > Trust · coder bob · not speakers Interviewer"
    assert EVERYTHING.describe(small.project) == ""
