"""The agreement statistics: the sweep against a per-unit brute force, and the figures
against Krippendorff's published examples, the `krippendorff` package and R's
psych::cohen.kappa (each skipped, saying so, when absent)."""

from __future__ import annotations

import csv
import math
import random
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.team.agreement import (
    Tally, cohen_kappa, krippendorff_alpha, percent_agreement, qualcoder_kappa, tally, total,
)  # fmt: skip
from tests.team import oracle

TOLERANCE = 1e-9


def tally_of(units: int, per_coder: list[list[tuple[int, int]] | None]) -> Tally:
    """The product's tally of one code in one document (None: the coder did not code it)."""
    present = [i for i, s in enumerate(per_coder) if s is not None]
    ranges = {i: [(max(a, 0), min(b, units)) for a, b in per_coder[i]] for i in present}  # overlaps allowed
    return tally(ranges, present, units, len(per_coder))


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE


spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda t: (min(t), max(t))), max_size=6)


# ---------------------------------------------------------------------- published and hand-made


def test_krippendorff_binary_example():
    """Krippendorff (2011), "Computing Krippendorff's alpha-reliability", A: two observers,
    binary data, ten units: α = 0.095 (exactly 1 - 19·4/(14·6))."""
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    t = tally_of(10, [[(i, i + 1) for i, v in enumerate(a) if v], [(i, i + 1) for i, v in enumerate(b) if v]])
    assert close(krippendorff_alpha(t), 1 - 19 * 4 / (14 * 6))
    assert round(krippendorff_alpha(t), 3) == 0.095
    assert percent_agreement(t) == 60.0


def test_oracle_reproduces_krippendorffs_nominal_example():
    """The brute-force α reproduces Krippendorff's (2011, C) four observers, missing data,
    nominal: α = 0.743; so it is a fair judge of the product below."""
    nan = math.nan
    rows = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    assert round(oracle.alpha_nominal(rows), 3) == 0.743


def test_nvivo_style_character_kappa_by_hand():
    """A 100-character document; alice codes 0-40, bob 20-60. Both 20, neither 40, one
    only 40: Po 0.6, Pe 0.4·0.4 + 0.6·0.6 = 0.52, κ = 0.08/0.48 (NVivo's per-source κ)."""
    t = tally_of(100, [[(0, 40)], [(20, 60)]])
    assert (t.units, t.agreed, t.coded) == (100, 60, (40, 40))
    assert close(cohen_kappa(t), 0.08 / 0.48)
    assert close(percent_agreement(t), 60.0)


def test_qualcoder_kappa_by_hand():
    """QualCoder's κ of the same codings: union 60, both 20: Po 1/3, Pe (40/60)²·(20/60)²."""
    t = tally_of(100, [[(0, 40)], [(20, 60)]])
    pe = (40 / 60) ** 2 * (20 / 60) ** 2
    assert qualcoder_kappa(t) == round((1 / 3 - pe) / (1 - pe), 4)


def test_undefined_figures_are_empty():
    """Nobody coded (or both coded everything): κ and α have no variation to work with."""
    for coded in ([], [(0, 10)]):
        t = tally_of(10, [coded, coded])
        assert percent_agreement(t) == 100.0
        assert cohen_kappa(t) is None and krippendorff_alpha(t) is None
    assert percent_agreement(Tally()) is None


def test_overlapping_codings_of_one_coder_count_once():
    t = tally_of(20, [[(0, 10), (5, 15)], [(0, 15)]])
    assert t.coded == (15, 15) and t.agreed == 20


# ---------------------------------------------------------------------- random: the sweep


@settings(max_examples=150, deadline=None)
@given(
    units=st.integers(1, 60),
    coders=st.lists(st.one_of(st.none(), spans), min_size=2, max_size=4),
    split=st.integers(1, 59),
)
def test_sweep_matches_brute_force(units, coders, split):
    """Every figure of the tally equals the per-unit brute force, and tallies add: a
    document cut in two gives the same total as the whole."""
    t = tally_of(units, coders)
    rows = oracle.matrix(units, coders)
    present = [r for r in rows if not math.isnan(r[0])]
    if len(present) < 2:
        assert t.units == 0
        return
    assert t.units == units
    assert t.agreed == sum(1 for u in range(units) if len({r[u] for r in present}) == 1)
    assert close(krippendorff_alpha(t), oracle.alpha_nominal(rows))
    if len(coders) == 2:
        assert close(cohen_kappa(t), oracle.kappa(*rows))
    split = min(split, units)
    left = tally_of(split, [None if s is None else [(a, min(b, split)) for a, b in s] for s in coders])
    right = tally_of(units - split, [None if s is None else [(a - split, b - split) for a, b in s] for s in coders])
    whole = total([left, right])
    assert (whole.units, whole.agreed, whole.ones, whole.values, whole.coded) == (t.units, t.agreed, t.ones, t.values, t.coded)
    assert close(whole.pairs, t.pairs)


@settings(max_examples=150, deadline=None)
@given(units=st.integers(1, 60), first=spans, second=spans)
def test_character_figures_are_qualcoders(units, first, second):
    """QualCoder's percentage agreement is ours at character units, and `qualcoder_kappa`
    is its κ (each coder's codings of a code not overlapping one another, as QualCoder
    counts overlapping ones twice)."""
    first, second = (oracle.merged((a, min(b, units)) for a, b in s if a < units) for s in (first, second))
    t = tally_of(units, [first, second])
    agreement, kappa = oracle.qualcoder(units, first, second)
    assert close(percent_agreement(t), agreement)
    assert qualcoder_kappa(t) == kappa


# ---------------------------------------------------------------------- the krippendorff package


@settings(max_examples=100, deadline=None)
@given(units=st.integers(2, 50), coders=st.lists(st.one_of(st.none(), spans), min_size=2, max_size=5))
def test_alpha_matches_the_krippendorff_package(units, coders):
    krippendorff = pytest.importorskip("krippendorff", reason="the krippendorff package is not installed")
    import numpy as np

    t = tally_of(units, coders)
    ours = krippendorff_alpha(t)
    if ours is None:
        return  # no variation: the package divides by zero (nan or an error)
    data = np.array(oracle.matrix(units, coders))
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert abs(ours - theirs) <= TOLERANCE


# ---------------------------------------------------------------------- R's psych::cohen.kappa


R_SCRIPT = r"""
suppressMessages(library(psych))
d <- read.csv(commandArgs(TRUE)[1])
for (s in unique(d$set)) {
  x <- d[d$set == s, c("a", "b")]
  k <- suppressWarnings(cohen.kappa(x))$kappa
  cat(s, sprintf("%.15f", k), "\n")
}
"""


def r_psych() -> str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("needs Rscript (R is not installed)")
    check = subprocess.run([rscript, "-e", "library(psych)"], capture_output=True)
    if check.returncode != 0:
        pytest.skip("needs R's psych package (Debian: r-cran-psych)")
    return rscript


def test_kappa_matches_r_psych(tmp_path):
    """Sixty seeded random two-coder sets plus hand-made ones, one R run for all."""
    rscript = r_psych()
    rng = random.Random(12)
    sets = {"hand1": (100, [[(0, 40)], [(20, 60)]]), "hand2": (10, [[(1, 2), (8, 9)], [(0, 3), (5, 6)]])}
    for n in range(60):
        units = rng.randint(5, 300)
        coders = [[(a, a + rng.randint(1, 40)) for a in rng.sample(range(units), rng.randint(1, 5))] for _ in range(2)]
        sets[f"r{n}"] = (units, coders)
    path = tmp_path / "sets.csv"
    ours = {}
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["set", "a", "b"])
        for name, (units, coders) in sets.items():
            t = tally_of(units, coders)
            if cohen_kappa(t) is None or t.coded[0] in (0, units) or t.coded[1] in (0, units):
                continue  # psych needs both values from both coders to build its table
            ours[name] = cohen_kappa(t)
            a, b = oracle.matrix(units, coders)
            writer.writerows([name, int(x), int(y)] for x, y in zip(a, b))
    out = subprocess.run([rscript, "-e", R_SCRIPT, str(path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    theirs = {line.split()[0]: float(line.split()[1]) for line in out.stdout.splitlines() if line.strip()}
    assert set(theirs) == set(ours) and len(ours) > 40
    for name, value in ours.items():
        assert abs(value - theirs[name]) <= TOLERANCE, name
