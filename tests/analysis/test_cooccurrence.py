"""Co-occurrence on the small study (tests/analysis/conftest.py), counted by hand.

Overlaps: A1 c1 Trust/c2 Fear (gamma); A2 d1 Role/d2 Time (east), d2 Time/d4 Trust
(west), d4 Trust/d3 Money (up); B1 e1 Trust with e2 Fear (dog) and e3 Fear (fish), one
chain, and e4 Trust/e5 Fear (moon)."""

from __future__ import annotations

import pytest

from store.analysis.cooccurrence import code_counts, cooccurrence, parse_within
from store.analysis.scope import EVERYTHING, Scope
from store.errors import BadInput


def pairs(small, within, scope=EVERYTHING):
    return {(p.code_a.name, p.code_b.name): p for p in cooccurrence(small.project, scope, within)}


def figures(found):
    return {k: (p.together.value, p.count_a, p.count_b) for k, p in found.items()}


def test_overlap_counts_chains_of_overlapping_codings(small):
    found = pairs(small, "overlap")
    assert list(found) == [("Fear", "Trust"), ("Trust", "Money"), ("Trust", "Time"), ("Role", "Time")]  # codebook order
    assert figures(found) == {
        ("Fear", "Trust"): (3, 4, 5),  # A1 c1-c2; B1 e2-e1-e3 (one chain); B1 e4-e5
        ("Trust", "Money"): (1, 5, 1),
        ("Trust", "Time"): (1, 5, 2),
        ("Role", "Time"): (1, 4, 2),
    }
    fear_trust = found[("Fear", "Trust")]
    assert fear_trust.c_coefficient == pytest.approx(3 / (4 + 5 - 3))
    # words coded both: gamma, dog, fish, moon = 4; Fear 7 words, Trust 13
    assert fear_trust.jaccard == pytest.approx(4 / (7 + 13 - 4))
    assert fear_trust.together.codings == tuple(small.codings[n] for n in ("c1", "c2", "e1", "e2", "e3", "e4", "e5"))
    assert found[("Role", "Time")].c_coefficient == pytest.approx(1 / 5) and found[("Role", "Time")].jaccard == pytest.approx(1 / 11)
    assert found[("Trust", "Money")].jaccard == pytest.approx(1 / 14)


def test_turn_mode_counts_turns(small):
    found = pairs(small, "turn")
    assert figures(found) == {
        ("Care", "Time"): (1, 1, 2),  # A1 turn 4
        ("Fear", "Trust"): (3, 3, 4),  # A1 turn 2, B1 turns 2 and 4
        ("Fear", "Role"): (2, 3, 4),
        ("Trust", "Money"): (1, 4, 1),
        ("Trust", "Role"): (3, 4, 4),  # A1 turn 2, A2 turn 2, B1 turn 2
        ("Trust", "Time"): (1, 4, 2),
        ("Money", "Role"): (1, 1, 4),
        ("Money", "Time"): (1, 1, 2),
        ("Role", "Time"): (1, 4, 2),
    }
    assert found[("Trust", "Role")].c_coefficient == pytest.approx(3 / 5)
    assert set(found[("Trust", "Role")].together.codings) == small.ids("c1", "c3", "c4", "d1", "d4", "e1", "e6")
    counts = code_counts(small.project, EVERYTHING, "turn")
    assert counts == {small.codes[p]: n for p, n in [("Care", 1), ("Care > Fear", 3), ("Care > Trust", 4), ("Money", 1), ("Role", 4), ("Time", 2)]}


def test_document_mode_counts_documents(small):
    found = figures(pairs(small, "document"))
    assert found[("Care", "Fear")] == (1, 1, 2)
    assert found[("Fear", "Trust")] == (2, 2, 3)
    assert found[("Trust", "Role")] == (3, 3, 3)
    assert found[("Trust", "Time")] == (2, 3, 2)
    assert ("Fear", "Money") not in found and len(found) == 13


def test_within_words(small):
    a1 = Scope(documents=frozenset({small.docs["A1"]}))
    # no word between: gamma delta|epsilon zeta, epsilon zeta|eta theta, iota kappa|lambda mu
    assert figures(pairs(small, "words:0", a1)) == {
        ("Care", "Time"): (1, 1, 1),
        ("Fear", "Trust"): (1, 1, 2),
        ("Fear", "Role"): (1, 1, 2),
        ("Trust", "Role"): (1, 2, 2),  # c3-c4
    }
    # two words between one two|alpha beta gamma: c6, c1, c3 and c4 make one chain
    assert figures(pairs(small, "words:2", a1))[("Trust", "Role")] == (1, 2, 2)


def test_speakers_and_coder_restrict_the_codings(small):
    interviewer = Scope(speakers=frozenset({"Interviewer"}))
    assert cooccurrence(small.project, interviewer, "turn") == []  # only c6 is theirs
    bob = figures(pairs(small, "overlap", Scope(coder=small.coders["bob"])))
    assert bob == {("Trust", "Money"): (1, 2, 1)}  # d4-d3


def test_bad_within_is_one_line_bad_input():
    assert parse_within("words:12") == ("words", 12)
    for bad in ("near", "words:", "words:-1", "words:x", "Turn"):
        with pytest.raises(BadInput, match="overlap, turn, document or words:N"):
            parse_within(bad)
