"""Boundaries never cut a grapheme: store/graphemes.py, which looks a grapheme up with the
`regex` library's \\X from a nearby sure boundary (a line start, a space), finds the
boundaries that \\X finds over the whole text, on texts made of the pieces transcripts hold
(accents, Indic and Thai vowels, jamo, emoji sequences, flags, CR LF); and every selection
and boundary move keeps whole graphemes."""

from __future__ import annotations

import re
import sys
import unicodedata

import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from store.graphemes import MARKS, cuts_grapheme, grapheme_edge
from store.text import WORD, tidy_span, word_count

PIECES = st.sampled_from(
    ["a", "e", "Z", "7", " ", "\n", ".", "'", "\u0301", "\u0308", "\u0327", "\u093f", "\u0915", "😀", "👩",
     "\u200d", "⚕", "\ufe0f", "\U0001f3fd", "\U0001f1ec", "\U0001f1e7", "\U0001f1eb", "✌", "ß", "ı",
     "\u0903", "\u0e33", "\u1100", "\u1161", "\u11a8", "\uac00", "\r", "\u0600", "©", "\u20e3", "#"]
)  # fmt: skip
TEXTS = st.lists(PIECES, min_size=0, max_size=14).map("".join)


def starts(text: str) -> set[int]:
    return {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}


def test_marks_hold_every_combining_mark_of_this_python():
    marks = re.compile(f"[{MARKS}]")
    missing = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code))[0] == "M" and not chr(code).isalnum() and not marks.match(chr(code))
    ]
    assert not missing, f"regenerate MARKS for unicodedata {unicodedata.unidata_version}: {missing[:5]}"


@settings(max_examples=400, deadline=None)
@given(TEXTS)
@example("😀\u093f\u200d😀")  # a spacing mark ends an emoji sequence: found by this test in a helper's run
def test_cuts_grapheme_agrees_with_regex(text):
    boundaries = starts(text)
    for position in range(len(text) + 1):
        assert cuts_grapheme(text, position) == (position not in boundaries), (text, position)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(0, 14), st.booleans())
def test_grapheme_edge_lands_on_the_nearest_boundary(text, position, forward):
    position = min(position, len(text))
    edge = grapheme_edge(text, position, forward)
    assert edge in starts(text)
    assert (edge >= position) if forward else (edge <= position)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(0, 14), st.integers(0, 14))
def test_a_tidy_selection_keeps_whole_graphemes(text, a, b):
    start, end = sorted((a, b))
    span = tidy_span(text, start, end)
    if span is not None:
        assert span[0] in starts(text) and span[1] in starts(text), (text, start, end, span)


def test_words_hold_their_accents():
    text = "the cafe\u0301 and the nai\u0308ve one, \U0001f469\u200d\u2695\ufe0f here"
    assert [m.group() for m in WORD.finditer(text)][1:5] == ["cafe\u0301", "and", "the", "nai\u0308ve"]
    assert word_count(text) == 7
    assert text[slice(*tidy_span(text, 5, 8))] == "cafe\u0301"  # the selection ends before the accent
    emoji = text.index("\U0001f469")
    assert text[slice(*tidy_span(text, emoji + 1, emoji + 2))] == "\U0001f469\u200d\u2695\ufe0f"


@settings(max_examples=60, deadline=None)
@given(st.lists(PIECES, min_size=0, max_size=40).map("".join), st.integers(400, 700), TEXTS)
def test_in_a_long_line_the_lookup_from_a_space_finds_the_same_boundaries(head, run, tail):
    """A long line is not scanned from its start: the lookup starts at a space within
    store.graphemes._SCAN characters, which must give the boundaries of the whole line."""
    text = head + ("ab " * run)[:run] + tail
    boundaries = starts(text)
    for position in range(max(0, len(text) - len(tail) - 3), len(text) + 1):
        assert cuts_grapheme(text, position) == (position not in boundaries), (text[-40:], position)
