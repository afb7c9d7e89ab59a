"""Figures that R and pandas read as numbers: a negative κ or α was written `'-0.046`
(the spreadsheet-formula guard took a minus sign for a formula), so pandas read the
column as text; κ of two coders whose agreement is what chance gives was -7.8e-16 (`-0`
in the terminal), not 0."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from store.exporters.tabular import to_csv
from store.team.agreement import Tally, cohen_kappa
from tests.team.test_agreement_cli import coded_study
from tui.cli import cli
from tui.commands.analysis_options import _cell


@pytest.mark.parametrize(
    "cell, written",
    [
        ("-0.25", "-0.25"), ("-7.77e-16", "-7.77e-16"), ("+3", "+3"), ("-.5", "-.5"), ("-12", "-12"), ("1E+5", "1E+5"),
        ("-1+2", "'-1+2"), ("=1", "'=1"), ("-", "'-"), ("-x", "'-x"), ("- 5", "'- 5"), ("+1 -2 @home", "'+1 -2 @home"),
        ("@SUM(A1)", "'@SUM(A1)"), ("-0.5e", "'-0.5e"), ("-1,5", "\"'-1,5\""), ("\t-1", "'\t-1"),
    ],
)  # fmt: skip
def test_the_formula_guard_leaves_plain_numbers(cell, written):
    assert to_csv(["x", "y"], [[cell, "a"]]).splitlines()[1] == f"{written},a"
    assert to_csv(["x"], [[cell], ["plain"]]).splitlines()[1] == written  # the column-at-a-time path


def test_agreement_csv_reads_back_as_numbers_in_pandas(tmp_path, monkeypatch):
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    coded_study(tmp_path / "study", carol=True)
    result = CliRunner().invoke(cli, ["-p", str(tmp_path / "study"), "agreement", "--coders", "alice,bob,carol", "--csv"], catch_exceptions=False)
    table = pd.read_csv(io.StringIO(result.stdout))
    assert (table["krippendorff_alpha"] < 0).any()  # Worry's α is negative here
    for column in ("units", "agreed", "percent_agreement", "krippendorff_alpha"):
        assert pd.api.types.is_numeric_dtype(table[column]), column


def test_kappa_at_chance_is_exactly_zero(tmp_path, monkeypatch):
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    coded_study(tmp_path / "study")
    run = ["-p", str(tmp_path / "study"), "agreement", "--coders", "alice,bob", "--unit", "sentence", "--code", "Worry"]
    csv = CliRunner().invoke(cli, [*run, "--csv"], catch_exceptions=False).stdout
    assert pd.read_csv(io.StringIO(csv))["cohen_kappa"].tolist() == [0.0] * 4
    assert "-0" not in CliRunner().invoke(cli, run, catch_exceptions=False).stdout


@given(st.integers(1, 400), st.data())
def test_kappa_in_whole_numbers_is_the_formula(n, data):
    a, b = data.draw(st.integers(0, n)), data.draw(st.integers(0, n))
    agreed = data.draw(st.integers(max(0, n - a - b, a + b - n), n - abs(a - b)))  # what two coders can agree on
    kappa = cohen_kappa(Tally(units=n, agreed=agreed, coded=(a, b)))
    pa, pb = a / n, b / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1 - 1e-12:
        assert kappa is None or abs(kappa - (agreed / n - pe) / (1 - pe)) < 1e-9
        return
    assert abs(kappa - (agreed / n - pe) / (1 - pe)) < 1e-9
    assert (kappa == 0) == (agreed * n == a * b + (n - a) * (n - b))


@given(st.floats(-1, 1))
def test_a_figure_is_never_minus_zero(value):
    text = _cell(value)
    assert text != "-0" and float(text) == pytest.approx(value, abs=6e-5)  # four places, half-even
