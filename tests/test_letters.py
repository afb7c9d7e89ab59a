"""The faster word pattern finds exactly LETTERS' words (store/text.py `letters`): on any
text, with or without combining marks, curly quotes, dashes, emoji, in any span."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from store.text import LETTERS, letters, word_count, words_said

ALPHABET = st.sampled_from(list("ab Z9_'’-—–“”…\n\t.é") + ["\u0301", "\u0308", "\u200d", "\u2019", "漢", "👩", "\u093f", "\u2060"])


@settings(max_examples=500, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join), st.integers(0, 70), st.integers(0, 70))
def test_letters_are_the_words_letters_finds(text, start, end):
    start, end = min(start, len(text)), min(max(start, end), len(text))
    assert [m.span() for m in letters(text, start, end)] == [m.span() for m in LETTERS.finditer(text, start, end)]
    assert word_count(text) == len(LETTERS.findall(text))


def test_a_plain_transcript_and_one_with_a_combining_mark_both_count():
    plain = "Interviewer: Don’t you think so — really?\nP1: I don't."
    assert word_count(plain) == 9
    marked = "Cafe\u0301 au lait"
    assert [m.group() for m in letters(marked)] == ["Cafe\u0301", "au", "lait"]


@settings(max_examples=500, deadline=None)
@given(st.lists(ALPHABET, max_size=80).map("".join), st.lists(st.tuples(st.integers(0, 90), st.integers(0, 90)), max_size=6))
def test_words_said_counts_each_turns_words_as_letters_finds_them(text, spans):
    """A document's words (store/text.py `words_said`, one pattern for the whole text)
    are LETTERS' words of each turn, the turns in any order and overlapping."""
    turns = [SimpleNamespace(start=min(a, b, len(text)), end=min(max(a, b), len(text))) for a, b in spans]
    expected = sum(len(LETTERS.findall(text, t.start, t.end)) for t in turns) if turns else len(LETTERS.findall(text))
    assert words_said(text, turns) == expected
