"""The kept columns give exactly the plain path's co-occurrence (every --within), rounds
and query results, on random projects: the small study, then random codings added and
removed by two coders, undone and redone, left in the log's tail or checkpointed; then a
read-only open computes each figure both ways. Where the log past the checkpoint changes
a coding the columns must not be used; after a checkpoint they must be."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.analysis import columns
from store.analysis.cooccurrence import cooccurrence
from store.analysis.query import find
from store.analysis.rounds import rounds
from store.analysis.scope import Scope
from store.project import Project
from tests.analysis.test_columns import scopes as column_scopes, through_a_writers_actions

WITHINS = ("overlap", "turn", "document", "words:0", "words:3")
QUERIES = (
    "Trust AND Role",
    "Care OR Time",
    "NOT Role",
    "Care AND NOT Time",
    '"Care > Fear" NEAR/2 Role',
    "Role AND/OVERLAP Care",
    "(Trust OR Money) AND NOT Fear",
    "NOT Care AND NOT Role",
    "Care AND (Role OR Time) AND Trust",
)


def scopes(study) -> list[Scope]:
    """The frequencies' scopes, and speakers (these figures take the columns with them too)."""
    return [
        *column_scopes(study),
        Scope(speakers=frozenset(["Participant"])),
        Scope(not_speakers=frozenset(["Participant"]), coder=study.coders["alice"]),
    ]


def pairs(found) -> list:
    return [(p.code_a.id, p.code_b.id, p.together, p.count_a, p.count_b, p.c_coefficient, p.jaccard) for p in found]


def rows(found) -> list:
    return [(r.case, r.code.id, r.path, r.present, r.change) for r in found]


def figures(project, study, fast: bool) -> list:
    """Every figure of every scope; a cell is compared by value and codings (Cell's ==),
    listed once all are computed (a columns cell lists its codings from the plain path)."""
    found = []
    for scope in scopes(study):
        found += [pairs(cooccurrence(project, scope, within, columns=fast)) for within in WITHINS]
        found.append(rows(rounds(project, scope, columns=fast)))
        found += [find(project, query, scope, columns=fast) for query in QUERIES]
    return found


def compare(study, directory, expect_fast: bool) -> None:
    """Every figure both ways, on two fresh read-only opens; the columns used iff expected."""
    columns.columns_of(Project.open(directory, readonly=True))  # stale files rebuilt first
    reader = Project.open(directory, readonly=True)
    assert all((columns.gathered(reader, scope) is not None) == expect_fast for scope in scopes(study))
    fast = figures(reader, study, fast=True)
    assert not expect_fast or not reader.state.codings_loaded  # no Coding built for the figures
    assert fast == figures(Project.open(directory, readonly=True), study, fast=False)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 25))
def test_cooccur_rounds_and_find_from_columns_equal_the_plain_path(tmp_path_factory, seed, steps):
    through_a_writers_actions(tmp_path_factory.mktemp("paths") / "small", seed, steps, compare)


def test_find_reads_only_the_files_of_documents_with_results(small):
    directory = small.project.dir
    small.project.close()
    columns.columns_of(Project.open(directory, readonly=True))  # kept (building reads every file)
    reader = Project.open(directory, readonly=True)
    found = find(reader, "Money")  # one coding, in A2
    assert [c.document for c in found] == [small.docs["A2"]]
    assert not reader.state.codings_loaded  # the open's own reading never ran
    assert found == find(Project.open(directory, readonly=True), "Money", columns=False)


def test_a_changed_codings_file_makes_find_read_as_the_open_does(small):
    """A file whose digest is not the one its columns were kept for is read the project's way."""
    directory = small.project.dir
    small.project.close()
    reader = Project.open(directory, readonly=True)
    part = columns.gathered(reader, Scope())[0]
    part.segments[0] = (columns.Columns(**{**part.segments[0][0].__dict__, "digest": "0" * 32}), part.segments[0][1])
    assert columns.codings_of(reader, part) == reader.state.codings_of(part.document.id)
    assert reader.state.codings_loaded
