"""store.text.one_line's shortcut (collapse white space, keep the result when it is all
printable) answers as the character-by-character rule does, for any text: a table test
of the characters that decide it, then random text (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.text import one_line, shows


def by_character(text: str) -> str:
    """The rule itself: a character that does not show becomes a space; spaces collapse."""
    return " ".join("".join(ch if shows(ch) else " " for ch in text).split())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain words",
        "  lead and trail  ",
        "line\nbreaks\r\nand\ttabs",
        "no\u00a0break and\u2003em space",
        "escape\x1b[31mred",
        "joiner 👩\u200d⚕️ kept, soft\u00adhyphen",
        "bidi \u202eoverride\u202c gone",
        "separator\u2028and\u2029paragraph",
        "nul\x00and\x7fdel",
        "\x85next line",
        "only\u200c",
    ],
)
def test_one_line_is_the_character_rule(text):
    assert one_line(text) == by_character(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\n\t\r\x1b\u200d\u00ad\u00a0\u2028\u202e \x85"), max_size=60))
def test_one_line_is_the_character_rule_on_any_text(text):
    assert one_line(text) == by_character(text)
