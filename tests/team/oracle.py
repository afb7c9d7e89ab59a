"""Brute-force references for the agreement tests: one value per unit, nothing clever."""

from __future__ import annotations

import math


def merged(spans) -> list[tuple[int, int]]:
    """The union of [first, after) ranges as sorted, disjoint, non-touching ranges."""
    out: list[list[int]] = []
    for first, after in sorted(s for s in spans if s[1] > s[0]):
        if out and first <= out[-1][1]:
            out[-1][1] = max(out[-1][1], after)
        else:
            out.append([first, after])
    return [(a, b) for a, b in out]


def matrix(units: int, per_coder: list[list[tuple[int, int]] | None]) -> list[list[float]]:
    """Rows per coder, one value per unit: 1 coded, 0 not, nan missing (a coder given None)."""
    rows = []
    for spans in per_coder:
        if spans is None:
            rows.append([math.nan] * units)
            continue
        row = [0.0] * units
        for a, b in spans:
            for u in range(max(a, 0), min(b, units)):
                row[u] = 1.0
        rows.append(row)
    return rows


def kappa(a: list[float], b: list[float]) -> float | None:
    """Cohen's κ from the 2x2 table, the textbook way."""
    n = len(a)
    table = {(x, y): 0 for x in (0.0, 1.0) for y in (0.0, 1.0)}
    for x, y in zip(a, b):
        table[(x, y)] += 1
    po = (table[(0, 0)] + table[(1, 1)]) / n
    pa, pb = (table[(1, 0)] + table[(1, 1)]) / n, (table[(0, 1)] + table[(1, 1)]) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return None if pe >= 1 else (po - pe) / (1 - pe)


def alpha_nominal(rows: list[list[float]]) -> float | None:
    """Krippendorff's α, nominal, from the coincidence matrix (Krippendorff 2011, §C),
    for any values; nan is missing."""
    coincidences: dict[tuple[float, float], float] = {}
    for u in range(len(rows[0])):
        values = [r[u] for r in rows if not math.isnan(r[u])]
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidences[(c, k)] = coincidences.get((c, k), 0.0) + 1 / (m - 1)
    n_c: dict[float, float] = {}
    for (c, _), o in coincidences.items():
        n_c[c] = n_c.get(c, 0.0) + o
    n = sum(n_c.values())
    observed = sum(o for (c, k), o in coincidences.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k) / (n - 1) if n > 1 else 0
    if expected == 0:
        return None
    return 1 - observed / expected


def qualcoder(units: int, first: list[tuple[int, int]], second: list[tuple[int, int]]) -> tuple[float, float | None]:
    """QualCoder's percentage agreement and κ for one code, as its coder comparison counts
    them (docs/team.md): a count per character of the coders coding it, coded characters
    summed per coding; 'zerodiv' is None."""
    counts = [0] * units
    coded = [0, 0]
    for who, spans in enumerate((first, second)):
        for a, b in spans:
            for u in range(a, b):
                counts[u] += 1
                coded[who] += 1
    dual = sum(1 for n in counts if n == 2)
    uncoded = sum(1 for n in counts if n == 0)
    agreement = 100 * (dual + uncoded) / units
    union = coded[0] + coded[1] - dual
    if union == 0:
        return agreement, None
    po = dual / union
    pe = (coded[0] / union * coded[1] / union) * ((union - coded[0]) / union * (union - coded[1]) / union)
    return agreement, round((po - pe) / (1 - pe), 4)
