"""The REFI-QDA mutation fuzzer in CI, on a small budget (tests/refi_fuzz.py runs long ones),
and each kind of mutation once on Margin's own export, so every kind is exercised."""

from __future__ import annotations

import random

import pytest

from tests import refi_fuzz

BUDGET_SECONDS = 20


def test_mutated_refi_files_import_cleanly_or_are_refused_in_one_line():
    figures = refi_fuzz.fuzz(cases=400, seed=20261201, include_large=False, budget=BUDGET_SECONDS)
    assert figures.cases >= 20
    assert not figures.failures, "\n".join(figures.failures)
    assert figures.imported and figures.refused


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    return {seed.suffix: seed for seed in refi_fuzz.own_exports(tmp_path_factory.mktemp("own"))}


@pytest.mark.parametrize("mutation", refi_fuzz.XML_MUTATIONS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("suffix", [".qdpx", ".qdc"])
def test_each_xml_mutation(own, tmp_path, mutation, suffix):
    seed = own[suffix]
    rng = random.Random(7)
    for _ in range(3):
        data = mutation(seed.data, rng) if suffix == ".qdc" else _in_qde(seed, mutation, rng)
        assert refi_fuzz.run_case(seed, mutation.__name__, data, tmp_path) in ("imported", "refused")


@pytest.mark.parametrize("seed_number", range(9))
def test_each_zip_mutation(own, tmp_path, seed_number):
    seed = own[".qdpx"]
    kind, data = refi_fuzz.zip_mutation(seed.members, random.Random(seed_number))
    assert refi_fuzz.run_case(seed, kind, data, tmp_path) in ("imported", "refused")


def _in_qde(seed, mutation, rng) -> bytes:
    members = seed.members
    return refi_fuzz.rezip({**members, "project.qde": mutation(members["project.qde"], rng)})
