"""Rounds on the small study (tests/analysis/conftest.py): case A has rounds 1 (A1) and
2 (A2); case B only round 1 (B1), so nothing can change for it."""

from __future__ import annotations

import pytest

from store.analysis.rounds import rounds
from store.analysis.scope import EVERYTHING, Scope
from store.errors import BadInput, UnknownName


def rows(small, scope=EVERYTHING, **options):
    return {(r.case, r.path): ({k: c.value for k, c in r.present.items()}, r.change) for r in rounds(small.project, scope, **options)}


def test_appeared_disappeared_and_kept_per_case_and_code(small):
    found = rows(small)
    assert list(found) == [
        ("A", "Care"), ("A", "Care > Fear"), ("A", "Care > Trust"), ("A", "Money"), ("A", "Role"), ("A", "Time"),
        ("B", "Care > Fear"), ("B", "Care > Trust"), ("B", "Role"),
    ]  # fmt: skip
    assert found[("A", "Care")] == ({"1": 1, "2": 0}, "disappeared")
    assert found[("A", "Care > Fear")] == ({"1": 1, "2": 0}, "disappeared")
    assert found[("A", "Care > Trust")] == ({"1": 2, "2": 1}, "kept")
    assert found[("A", "Money")] == ({"1": 0, "2": 1}, "appeared")
    assert found[("A", "Role")] == ({"1": 2, "2": 1}, "kept")
    assert found[("A", "Time")] == ({"1": 1, "2": 1}, "kept")
    assert found[("B", "Care > Fear")] == ({"1": 3}, "")  # one round: no change to tell


def test_cells_hold_the_codings_and_the_scope_applies(small):
    trust = next(r for r in rounds(small.project, EVERYTHING) if (r.case, r.path) == ("A", "Care > Trust"))
    assert set(trust.present["1"].codings) == small.ids("c1", "c4") and trust.present["2"].codings == (small.codings["d4"],)
    bob = rows(small, Scope(coder=small.coders["bob"]))
    assert bob[("A", "Care > Trust")] == ({"1": 1, "2": 1}, "kept") and bob[("A", "Money")] == ({"1": 0, "2": 1}, "appeared")


def test_rounds_order_numerically_and_other_keys_work(small):
    project = small.project
    project.documents.set_attributes(project.state.documents[small.docs["A2"]], {"round": "10"})
    project.documents.set_attributes(project.state.documents[small.docs["B1"]], {"round": "9"})
    found = rows(small)
    assert list(found[("A", "Money")][0]) == ["1", "10"]  # 1 before 10, numbers as numbers
    assert rows(small, case="group", by="case")[("g1", "Money")] == ({"A": 1}, "")


def test_unknown_keys_are_bad_input(small):
    with pytest.raises(UnknownName, match="attribute 'wave'"):
        rounds(small.project, EVERYTHING, by="wave")
    with pytest.raises(BadInput, match="both 'round'"):
        rounds(small.project, EVERYTHING, case="round", by="round")
