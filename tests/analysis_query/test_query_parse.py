"""The query grammar: what parses to what, and the one line each bad query gets."""

from __future__ import annotations

import pytest

from store.analysis.query import MAX_DEPTH, Binary, Not, Operand, parse, unparse
from store.errors import BadInput

A, B, C, D = (Operand(x) for x in "ABCD")

VALID = [
    ("A", A),
    ('"A"', A),
    ("  A  ", A),
    ('"Role > Boundaries"', Operand("Role > Boundaries")),
    ("Role>Boundaries", Operand("Role>Boundaries")),
    ('"say \\"no\\""', Operand('say "no"')),
    ('"A AND B"', Operand("A AND B")),
    ("A AND B", Binary("and", A, B)),
    ("A and B", Binary("and", A, B)),
    ("A AND/TURN B", Binary("and", A, B)),
    ("A AND/OVERLAP B", Binary("overlap", A, B)),
    ("A and/overlap B", Binary("overlap", A, B)),
    ("A OR B", Binary("or", A, B)),
    ("A NEAR/5 B", Binary("near", A, B, 5)),
    ("A near/0 B", Binary("near", A, B, 0)),
    ("NOT A", Not(A)),
    ("not not A", Not(Not(A))),
    ("A AND NOT B", Binary("and", A, Not(B))),
    # precedence: NOT > NEAR > AND > OR, each level left-associative
    ("A OR B AND C", Binary("or", A, Binary("and", B, C))),
    ("A AND B OR C", Binary("or", Binary("and", A, B), C)),
    ("A AND B NEAR/3 C", Binary("and", A, Binary("near", B, C, 3))),
    ("NOT A NEAR/3 B", Binary("near", Not(A), B, 3)),
    ("A AND B AND C", Binary("and", Binary("and", A, B), C)),
    ("A AND B AND/OVERLAP C", Binary("overlap", Binary("and", A, B), C)),
    ("A OR B OR C OR D", Binary("or", Binary("or", Binary("or", A, B), C), D)),
    ("(A OR B) AND C", Binary("and", Binary("or", A, B), C)),
    ("A AND (B OR C)", Binary("and", A, Binary("or", B, C))),
    ("((A))", A),
    ("NOT (A OR B)", Not(Binary("or", A, B))),
    ("(A)AND(B)", Binary("and", A, B)),
    ('Trust AND "Role > Boundaries"', Binary("and", Operand("Trust"), Operand("Role > Boundaries"))),
    ('"and" OR "near/5"', Binary("or", Operand("and"), Operand("near/5"))),
    ("Andrea OR Nearby OR Nothing", Binary("or", Binary("or", Operand("Andrea"), Operand("Nearby")), Operand("Nothing"))),
]


@pytest.mark.parametrize("text, tree", VALID, ids=[t for t, _ in VALID])
def test_valid_queries_parse_to_their_tree(text, tree):
    query = parse(text)
    assert query.root == tree
    assert parse(unparse(query.root)).root == tree  # the canonical text parses back


INVALID = [
    ("", "query: empty; give codes joined by AND, OR, NOT, NEAR/N, e.g. 'Trust AND \"Role > Boundaries\"'"),
    ("   ", "query: empty; give codes joined by AND, OR, NOT, NEAR/N, e.g. 'Trust AND \"Role > Boundaries\"'"),
    ("Trust AND", 'query: expected a code or "(" after "AND" at column 10, found the end of the query'),
    ("AND Trust", 'query: expected a code or "(" at column 1, found "AND"'),
    ("Trust OR OR Hope", 'query: expected a code or "(" after "OR" at column 10, found "OR"'),
    ("NOT", 'query: expected a code or "(" after "NOT" at column 4, found the end of the query'),
    ("Trust AND NOT", 'query: expected a code or "(" after "NOT" at column 14, found the end of the query'),
    ("()", 'query: expected a code or "(" after "(" at column 2, found ")"'),
    ("(Trust AND Hope", 'query: unbalanced parenthesis: "(" at column 1 is never closed'),
    ("Trust AND (Hope OR (Role)", 'query: unbalanced parenthesis: "(" at column 11 is never closed'),
    ("Trust)", 'query: unexpected ")" at column 6 (no "(" before it)'),
    ("(Trust) Hope)", 'query: expected AND, OR or NEAR/N at column 9, found "Hope"'),
    ("(Trust Hope)", 'query: expected ")" or an operator at column 8, found "Hope" (a name with spaces goes in quotes: "Trust Hope")'),
    ("Peer support AND Trust", 'query: expected AND, OR or NEAR/N at column 6, found "support" (a name with spaces goes in quotes: "Peer support")'),
    ("Trust NEAR Hope", 'query: "NEAR" at column 7 needs a distance in words, like NEAR/5'),
    ("Trust NEAR/ Hope", 'query: "NEAR/" at column 7 needs a distance in words, like NEAR/5'),
    ("Trust near/x Hope", 'query: "near/x" at column 7 needs a distance in words, like NEAR/5'),
    ("Trust NEAR/٣ Hope", 'query: "NEAR/٣" at column 7 needs a distance in words, like NEAR/5'),
    ("Trust AND/OVER Hope", 'query: "AND/OVER" at column 7: AND takes /TURN (the default) or /OVERLAP'),
    ("Trust AND/ Hope", 'query: "AND/" at column 7: AND takes /TURN (the default) or /OVERLAP'),
    ('Trust AND "Role > Bound', 'query: the quote at column 11 is never closed; end the code\'s name with "'),
    ('"" OR Trust', 'query: empty code name "" at column 1; put a code\'s name or path between the quotes'),
    ("(" * (MAX_DEPTH + 1) + "A" + ")" * (MAX_DEPTH + 1), f"query: nested too deeply at column {MAX_DEPTH + 1} (more than {MAX_DEPTH} levels); split it into several queries"),
    ("NOT " * (MAX_DEPTH + 1) + "A", f"query: nested too deeply at column {4 * MAX_DEPTH + 1} (more than {MAX_DEPTH} levels); split it into several queries"),
    (" OR ".join("A" * (MAX_DEPTH + 2)), f"query: nested too deeply at column {5 * MAX_DEPTH + 3} (more than {MAX_DEPTH} levels); split it into several queries"),
]


@pytest.mark.parametrize("text, message", INVALID, ids=[t[:40] for t, _ in INVALID])
def test_invalid_queries_say_where_in_one_line(text, message):
    with pytest.raises(BadInput) as caught:
        parse(text)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_the_deepest_allowed_query_parses():
    text = " OR ".join("A" * (MAX_DEPTH + 1))
    assert parse(text).root.depth == MAX_DEPTH
