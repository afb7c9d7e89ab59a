"""`margin find` with a code name of several words left unquoted: the one-line error
quotes the whole name, every bare word up to the next operator (found in the trial:
`Don't go in depth on interactions` was told to quote "Don't go")."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.analysis.query import parse
from store.errors import BadInput

WORDS = st.text(st.sampled_from("abcdefgh'"), min_size=1, max_size=6).filter(lambda w: w.casefold() not in ("and", "or", "not") and w != "'")


@pytest.mark.parametrize(
    ("query", "quoted"),
    [
        ("Don't go in depth on interactions", "Don't go in depth on interactions"),
        ("Don't go in depth on interactions AND SHAP", "Don't go in depth on interactions"),
        ("Peer support AND Trust", "Peer support"),
        ("(Lived experience) OR Hope", "Lived experience"),  # inside parentheses too
        ("Hope AND (Lived experience OR Trust)", "Lived experience"),
        ("Trust OR Peer support work NEAR/5 Hope", "Peer support work"),
    ],
)
def test_the_hint_quotes_the_whole_name(query, quoted):
    with pytest.raises(BadInput) as error:
        parse(query)
    assert error.value.message.endswith(f'(a name with spaces goes in quotes: "{quoted}")')


@settings(max_examples=100, deadline=None)
@given(st.lists(WORDS, min_size=2, max_size=6), st.sampled_from(["", " AND Trust", " OR Hope", " NEAR/3 X"]))
def test_any_unquoted_name_is_quoted_whole_in_the_hint(words, rest):
    name = " ".join(words)
    with pytest.raises(BadInput) as error:
        parse(name + rest)
    assert error.value.message.endswith(f'(a name with spaces goes in quotes: "{name}")')
    parse(f'"{name}"{rest}')  # and quoting it as told parses
