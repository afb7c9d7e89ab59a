"""Queries on the hand-made fixture (tests/analysis_query/fixture.py), every expected
coding written out by hand from the fixture's texts."""

from __future__ import annotations

import pytest

from store.analysis.query import find, parse
from store.analysis.scope import Scope
from store.errors import BadInput
from tests.analysis_query.fixture import build


@pytest.fixture
def coded(project):
    return project, build(project)


def labels(coded, query, scope=None) -> list[str]:
    project, names = coded
    return [names[c.id] for c in find(project, query, scope)]


# Document order is the project's: M1 before N1, then by position in the text.
EXPECTED = [
    ("Trust", "m1 m2 i1 n1 n5"),
    ("trust", "m1 m2 i1 n1 n5"),
    ("Role", "m3 i2 n2 i3 n4"),  # a code means it with its sub-codes
    ('"Role > Boundaries"', "m3 i2 n2"),
    ("Boundaries", "m3 i2 n2"),  # a unique name
    ("Trust AND Boundaries", "m2 m3 i1 i2 n1 n2"),  # turns holding both
    ("Boundaries AND Trust", "m2 m3 i1 i2 n1 n2"),
    ("Trust AND Hope", "m2 m4 n1 n3 n5 n6"),
    ("Trust AND/OVERLAP Hope", "n5 n6"),  # only n6 lies inside n5
    ("Trust AND/OVERLAP Boundaries", ""),
    ("Trust AND NOT Boundaries", "m1 n5"),  # Trust in turns without Boundaries
    ("NOT Boundaries AND Trust", "m1 n5"),
    ("Trust AND/OVERLAP NOT Hope", "m1 m2 i1 n1"),  # Trust overlapping no Hope
    ("NOT Trust", "i3"),  # every coding in a turn without Trust
    ("NOT Trust AND NOT Hope", "i3"),
    ("NOT (Trust OR Hope)", "i3"),
    ("NOT Role", "m1"),  # M1's turn 0 is the only turn without a Role code (m4 shares m3's)
    ("Trust NEAR/3 Hope", "m2 m4 n5 n6"),  # m2 ... m4: "and clear boundaries", 3 words
    ("Trust NEAR/2 Hope", "n5 n6"),
    ("Trust NEAR/5 Hope", "m2 m4 n1 n3 n5 n6"),  # n1 ... n3: "Boundaries were hard at first"
    ("Trust NEAR/4 Hope", "m2 m4 n5 n6"),
    ("Hope NEAR/0 Trust", "n5 n6"),
    ('"Role > Identity" OR Hope', "m4 n3 i3 n4 n6"),
    ("(Trust OR Hope) AND NOT Role", "m1"),
    ("Boundaries AND Trust AND Hope", "m2 m3 m4 n1 n2 n3"),
    ("Boundaries AND (Trust AND Hope)", "m2 m3 m4 n1 n2 n3"),
    ("Identity AND Trust OR Boundaries", "m3 i2 n2 n4 n5"),
    ("Identity AND (Trust OR Boundaries)", "n4 n5"),
    ("Trust AND NOT Trust", ""),
    ("Role AND Boundaries", "m3 i2 n2"),  # the Boundaries codings are Role's too
]


@pytest.mark.parametrize("query, expected", EXPECTED, ids=[q for q, _ in EXPECTED])
def test_queries_retrieve_exactly_the_codings_written_out(coded, query, expected):
    assert labels(coded, query) == expected.split()


def test_the_issue_example_participants_turns_and_nurses_only(coded):
    project, _ = coded
    scope = Scope(not_speakers=frozenset({"Interviewer"}), attributes=(("profession", "nurse"),))
    assert labels(coded, "Trust AND Boundaries", scope) == ["n1", "n2"]


def test_scope_speakers_and_documents_decide_what_the_query_sees(coded):
    project, _ = coded
    n1 = project.documents.get("N1").id
    assert labels(coded, "Trust", Scope(speakers=frozenset({"Interviewer"}))) == ["m1", "i1"]
    assert labels(coded, "Trust OR Hope", Scope(documents=frozenset({n1}))) == ["i1", "n1", "n3", "n5", "n6"]
    assert labels(coded, "NOT Trust", Scope(speakers=frozenset({"Nurse", "Manager"}))) == []


def test_the_coder_filter_applies_before_the_query(coded):
    project, _ = coded
    alice = project.coder_named("alice").id
    # bob's m4 is out of sight, so m2 has no Hope in its turn
    assert labels(coded, "Trust AND Hope", Scope(coder=alice)) == ["n1", "n3", "n5", "n6"]
    assert labels(coded, "NOT Hope", Scope(coder=alice)) == ["m1", "m2", "m3", "i1", "i2", "i3"]


def test_the_code_filter_keeps_the_results_of_that_code(coded):
    project, _ = coded
    trust = project.codebook.get("Trust").id
    role = project.codebook.get("Role").id
    assert labels(coded, "Trust AND Hope", Scope(code=trust)) == ["m2", "n1", "n5"]
    assert labels(coded, "NOT Trust", Scope(code=role)) == ["i3"]


def test_a_parsed_query_and_its_text_give_the_same(coded):
    project, _ = coded
    assert find(project, parse("Trust AND NOT Boundaries")) == find(project, "Trust AND NOT Boundaries")


UNKNOWN = [
    ("Trsut", 'query: unknown code "Trsut" at column 1 (did you mean "Trust"?)'),
    ("Trust AND Bondaries", 'query: unknown code "Bondaries" at column 11 (did you mean "Role > Boundaries"?)'),
    ('Trust OR "Role > Boundries"', 'query: unknown code "Role > Boundries" at column 10 (did you mean "Role > Boundaries"?)'),
    ('"Role >> Identity"', 'query: unknown code "Role >> Identity" at column 1 (did you mean "Role > Identity"?)'),
]


@pytest.mark.parametrize("query, message", UNKNOWN, ids=[q for q, _ in UNKNOWN])
def test_an_unknown_code_is_named_with_the_nearest(coded, query, message):
    project, _ = coded
    with pytest.raises(BadInput) as caught:
        find(project, query)
    assert str(caught.value) == message


def test_a_name_that_several_codes_share_asks_for_the_path(coded):
    project, _ = coded
    project.codebook.add("Team > Identity")
    with pytest.raises(BadInput) as caught:
        find(project, "Hope AND identity")
    assert str(caught.value) == 'query: "identity" at column 10 names several codes (Role > Identity; Team > Identity); quote the full path'
    assert labels(coded, '"Team > Identity" OR Hope') == ["m4", "n3", "n6"]
    project.codebook.add("Team > Trust")
    assert labels(coded, "Trust") == ["m1", "m2", "i1", "n1", "n5"]  # a path comes before a name


def test_an_empty_codebook_suggests_the_codebook(project):
    with pytest.raises(BadInput, match=r'^query: unknown code "Trust" at column 1; see the codebook with `margin codes`$'):
        find(project, "Trust")


def test_edges_touching_spans_do_not_overlap_and_a_turn_ends_where_its_text_does(project):
    """Spans that touch are not overlapping (but are NEAR/0); a coding that starts at the
    end of a turn's text (in the blank line) belongs to the next turn, as its speaker does."""
    from store.importers import parse_text

    document = project.documents.import_parsed(parse_text("Interviewer: alpha beta.\n\nNurse: delta.\n", "txt"), "E").document
    text = project.text(document.id)
    first, second = document.turns[0], document.turns[1]
    a, b, c, d = (project.codebook.ensure(x) for x in "ABCD")
    alpha = text.index("alpha")
    names = {
        project.codings.apply(document, a, alpha, alpha + 5).id: "a",
        project.codings.apply(document, b, alpha + 5, alpha + 10).id: "b",  # " beta", touching a
        project.codings.apply(document, c, first.end, first.end + 3).id: "c",  # starts in the blank line
        project.codings.apply(document, d, second.end - 6, second.end).id: "d",
    }
    found = lambda q: [names[x.id] for x in find(project, q)]  # noqa: E731
    assert found("A AND/OVERLAP B") == []
    assert found("A NEAR/0 B") == ["a", "b"]
    assert found("A AND B") == ["a", "b"]
    assert found("C AND D") == ["c", "d"]
    assert found("C AND A") == []
    assert [names[x.id] for x in find(project, "C OR A", Scope(speakers=frozenset({"Nurse"})))] == ["c"]


def test_near_counts_only_whole_words_between(project):
    """A coding that starts inside a word leaves that word out of the gap: between "alpha"
    and "mma delta" lies one whole word, "beta" (gamma is cut)."""
    from store.importers import parse_text

    document = project.documents.import_parsed(parse_text("Nurse: alpha beta gamma delta.\n", "txt"), "W").document
    text = project.text(document.id)
    a, b = project.codebook.ensure("A"), project.codebook.ensure("B")
    project.codings.apply(document, a, text.index("alpha"), text.index("alpha") + 5)
    project.codings.apply(document, b, text.index("mma"), text.index("delta") + 5)
    assert len(find(project, "A NEAR/1 B")) == 2
    assert find(project, "A NEAR/0 B") == []
    assert len(find(project, "B NEAR/1 A")) == 2


def test_near_reads_past_a_long_stretch_without_words(project):
    """A word after a long run of punctuation still counts (the count of a long stretch
    is first tried on its beginning only)."""
    from store.importers import parse_text

    document = project.documents.import_parsed(parse_text("Nurse: alpha " + "- " * 60 + "x beta.\n", "txt"), "L").document
    text = project.text(document.id)
    a, b = project.codebook.ensure("A"), project.codebook.ensure("B")
    project.codings.apply(document, a, text.index("alpha"), text.index("alpha") + 5)
    project.codings.apply(document, b, text.index("beta"), text.index("beta") + 4)
    assert find(project, "A NEAR/0 B") == []
    assert len(find(project, "A NEAR/1 B")) == 2
