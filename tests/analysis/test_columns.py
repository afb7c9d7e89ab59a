"""The kept columns (store/analysis/columns.py) give exactly the plain path's figures.

Random projects: the small study, then random codings added and removed by two coders,
undone and redone, checkpointed or not; a read-only open then computes every frequency
and matrix both ways. Where the log past the checkpoint changes a coding the columns must
not be used at all; after a checkpoint they must be, built the first time, read the next."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import layout
from store.analysis import columns
from store.analysis.frequencies import from_columns, plain_counted
from store.analysis.matrix import matrix
from store.analysis.scope import Scope
from store.errors import Refused
from store.project import Project
from tests.analysis.conftest import build_small

BYS = (None, "document", "case", "attr.round")


def figures(rows):
    return [(f.path, f.group, f.codings.value, f.documents, f.cases, f.words, f.share) for f in rows]


def scopes(study) -> list[Scope]:
    return [
        Scope(),
        Scope(coder=study.coders["bob"]),
        Scope(code=study.codes["Care"]),
        Scope(attributes=(("case", "A"),)),
        Scope(documents=frozenset([study.docs["B1"]])),
    ]


def act(project, rng: random.Random, steps: int) -> None:
    """Random codings added, removed, undone and redone."""
    documents = list(project.state.documents.values())
    codes = list(project.state.codes.values())
    coders = list(project.state.coders)
    for _ in range(steps):
        move = rng.choice(("add", "add", "remove", "undo", "redo"))
        try:
            if move == "add":
                document = rng.choice(documents)
                start = rng.randrange(document.length)
                end = rng.randrange(start + 1, min(document.length, start + 40) + 1)
                project.codings.apply(document, rng.choice(codes), start, end, coder=rng.choice(coders))
            elif move == "remove" and project.state.codings:
                project.codings.uncode(rng.choice(sorted(project.state.codings.values(), key=lambda c: c.id)))
            elif move == "undo":
                project.undo()
            elif move == "redo":
                project.redo()
        except Refused:
            pass


def compare(study, directory, expect_fast: bool) -> None:
    """Every figure both ways on fresh read-only opens; the columns used iff expected.
    (A cell's codings come from the plain path by construction; values are compared.)"""
    columns.columns_of(Project.open(directory, readonly=True))  # stale files rebuilt first
    reader, plain_reader = Project.open(directory, readonly=True), Project.open(directory, readonly=True)
    for scope in scopes(study):
        for by in BYS:
            for rollup in (False, True):
                fast = from_columns(reader, scope, by, rollup)
                assert (fast is not None) == expect_fast, (scope, by, rollup)
                if fast is not None:
                    plain = plain_counted(plain_reader, scope, by, rollup, True, False)[0]
                    assert figures(fast) == figures(plain), (scope, by, rollup)


def through_a_writers_actions(directory, seed: int, steps: int, compare) -> None:
    """The columns' life on a small study: built at a checkpoint, read back, not used while
    the log's tail holds codings, rebuilt where a file changed; `compare(study, directory,
    expect_fast)` checks the figures of one path against the other at each stage."""
    study = build_small(directory)
    rng = random.Random(seed)
    study.project.close()  # a checkpoint: the codings are the files
    compare(study, directory, expect_fast=True)  # built
    compare(study, directory, expect_fast=True)  # read back
    writer = Project.open(directory, coder="alice")
    checkpointed = layout.read_local(directory)["seq"]
    act(writer, rng, steps)
    tail = [e for _, e in writer.journal.read_lines(0) if e and e["seq"] > checkpointed]
    touched = any(change[0] == "codings" for entry in tail for change in entry["changes"])
    compare(study, directory, expect_fast=not touched)  # the log's tail holds codings: never the columns
    writer.close()
    compare(study, directory, expect_fast=True)  # rebuilt where a file changed
    compare(study, directory, expect_fast=True)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 25))
def test_the_columns_give_the_plain_figures_or_are_not_used(tmp_path_factory, seed, steps):
    through_a_writers_actions(tmp_path_factory.mktemp("columns") / "small", seed, steps, compare)


def test_a_damaged_or_foreign_columns_file_is_rebuilt(small, tmp_path):
    directory = small.project.dir
    small.project.close()
    reader = Project.open(directory, readonly=True)
    expected = figures(plain_counted(reader, Scope(), "case", True, True, False)[0])
    assert figures(from_columns(Project.open(directory, readonly=True), Scope(), "case", True)) == expected
    kept = sorted((directory / columns.CACHE_DIR).glob("*/*.cols"))
    assert kept and all(p.stat().st_mode & 0o777 == 0o600 for p in kept)
    kept[0].write_bytes(kept[0].read_bytes()[:-3] + b"xyz")  # damaged
    kept[1].write_bytes(b"margin-columns 0\n")  # foreign
    assert figures(from_columns(Project.open(directory, readonly=True), Scope(), "case", True)) == expected
    assert columns._read(kept[0], "x" * 32, (0, 0), (b"", "00" * 32), "c", "d") is None


def test_a_speaker_scope_or_coder_grouping_takes_the_plain_path(small):
    directory = small.project.dir
    small.project.close()
    reader = Project.open(directory, readonly=True)
    assert from_columns(reader, Scope(speakers=frozenset(["Participant"])), None, False) is None
    assert from_columns(reader, Scope(), "coder", False) is None


def test_the_matrix_from_columns_equals_the_plain_matrix(small):
    directory = small.project.dir
    plain = {}
    for count in ("codings", "documents", "cases", "words"):
        table = matrix(small.project, Scope(), "case", count)  # a writer's open: the plain path
        plain[count] = (table.columns, {k: (c.value, c.codings) for k, c in table.cells.items()},
                        {k: (c.value, c.codings) for k, c in table.totals.items()})  # fmt: skip
    small.project.close()
    for count, expected in plain.items():
        reader = Project.open(directory, readonly=True)
        table = matrix(reader, Scope(), "case", count)
        assert from_columns(Project.open(directory, readonly=True), Scope(), "case", False) is not None
        found = (table.columns, {k: (c.value, c.codings) for k, c in table.cells.items()},
                 {k: (c.value, c.codings) for k, c in table.totals.items()})  # fmt: skip
        assert found == expected, count
