"""The order of attribute values (store/analysis/frequencies.py `natural_order`): numbers
as numbers, and "nan" (a spreadsheet's missing value) as text, found in the trial; and the
analysis screen's rounds columns in the same order as `stats rounds`."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.analysis.frequencies import natural_order
from store.analysis.rounds import rounds
from store.analysis.scope import EVERYTHING
from tests.analysis.conftest import build_small


@pytest.mark.parametrize(
    ("values", "ordered"),
    [
        (["2", "nan", "1"], ["1", "2", "nan"]),  # was 1, nan, 2: nan compares false with everything
        (["NaN", "10", "2", "1"], ["1", "10", "2", "NaN"]),  # text, as any value that is not a number makes them
        (["inf", "2", "1"], ["1", "2", "inf"]),
        (["3.5", "10", "5", ""], ["3.5", "5", "10", ""]),
        (["b", "A", "c"], ["A", "b", "c"]),
    ],
)
def test_natural_order_table(values, ordered):
    assert natural_order(values) == ordered


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.sampled_from(["nan", "NaN", "inf", "-inf", "1", "2", "x", ""])), max_size=8))
def test_natural_order_is_a_total_order_whatever_the_values(values):
    """The same set in any order gives the same list, and numbers come out ascending."""
    ordered = natural_order(values)
    assert natural_order(list(reversed(values))) == ordered == natural_order(sorted(values))
    assert sorted(ordered) == sorted(set(values))
    filled = [v for v in ordered if v]
    try:
        numbers = [float(v) for v in filled]
    except ValueError:
        return
    if all(math.isfinite(n) for n in numbers):
        assert numbers == sorted(numbers)


def test_rounds_compare_the_numbered_rounds_when_one_is_nan(tmp_path):
    study = build_small(tmp_path / "s")
    project = study.project
    project.documents.set_attributes(project.documents.get("B1"), {"case": "A", "round": "nan"})  # A: rounds 1, 2, nan
    found = rounds(project, EVERYTHING)
    assert all(list(r.present) == ["1", "2", "nan"] for r in found)
    project.close()


def test_the_screen_orders_rounds_as_stats_rounds_does(tmp_path):
    from tui.screens.analysis import Settings, build_rounds

    study = build_small(tmp_path / "s")
    project = study.project
    for name, value in (("A1", "1.5"), ("A2", "10"), ("B1", "1.5")):
        project.documents.set_attributes(project.documents.get(name), {"round": value})
    assert [v for r in rounds(project, EVERYTHING) for v in r.present][:2] == ["1.5", "10"]
    try:
        assert build_rounds(project, Settings(view="rounds")).grid.columns == ("round 1.5", "round 10")
    finally:
        project.close()
