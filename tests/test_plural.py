"""Counts with their noun in the right number ("1 coding", never "1 codings"), everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from store.text import plural

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("count", "noun", "expected"), [
    (0, "coding", "0 codings"), (1, "coding", "1 coding"), (2, "coding", "2 codings"),
    (1, "match", "1 match"), (0, "match", "0 matches"), (5000, "match", "5000 matches"),
    (1, "document", "1 document"), (3, "document", "3 documents"), (1, "code", "1 code"), (2, "code", "2 codes"),
    (1, "memo", "1 memo"), (2, "memo", "2 memos"), (1, "turn", "1 turn"), (36, "turn", "36 turns"),
    (1, "character", "1 character"), (67, "character", "67 characters"), (1, "entry", "1 entry"),
    (2, "entry", "2 entries"), (1, "sub-code", "1 sub-code"), (2, "sub-code", "2 sub-codes"), (-1, "coding", "-1 codings"),
])  # fmt: skip
def test_plural(count, noun, expected):
    assert plural(count, noun) == expected


# A number put straight in front of a plural noun in an f-string: wrong whenever it is 1.
COUNTED_NOUN = re.compile(r"\{[^{}]+\} (codings|codes|memos|documents|matches|turns|words|hits|characters|speakers|entries)\b(?! \{)")  # not "… matches {pattern}" (a verb)


def test_no_count_is_written_before_a_plural_noun_by_hand():
    found = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
             for folder in ("store", "tui") for path in sorted((REPO / folder).rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if COUNTED_NOUN.search(line)]
    assert not found, "use store.text.plural:\n" + "\n".join(found)
