"""A small codings file is read without msgspec (store/codings_files.py `_read_small`:
msgspec's import costs a command more than decoding a few hundred codings saves). The two
readers must accept exactly the same files and build the same codings: a file one of them
refused and the other took would open in one command and be called damaged by the next.
Hypothesis draws codings files near the schema (fields left out, added, of other JSON
types, other tables, other shapes) and damaged bytes, and holds the two to each other."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import codings_files
from store.errors import ProjectCorrupt
from store.model import Coding

FIELDS = {
    "id": st.text(max_size=4),
    "document": st.text(max_size=4),
    "code": st.text(max_size=4),
    "start": st.integers(0, 50),
    "end": st.integers(0, 50),
    "text": st.text(max_size=8),
    "coder": st.text(max_size=4),
    "created": st.text(max_size=4),
    "modified": st.text(max_size=4),
    "exemplar": st.booleans(),
}
OTHER_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


@st.composite
def records(draw):
    """A coding's record: each field its own type, or left out, or another JSON value;
    sometimes with a field no Margin writes."""
    record = {}
    for name, values in FIELDS.items():
        choice = draw(st.sampled_from(["right"] * 6 + ["left out", "other"]))
        if choice == "right":
            record[name] = draw(values)
        elif choice == "other":
            record[name] = draw(OTHER_VALUES)
    if draw(st.booleans()) and draw(st.booleans()):
        record[draw(st.text(max_size=6))] = draw(OTHER_VALUES)
    return record


@st.composite
def files(draw):
    """A codings file's JSON value: mostly {"codings": {id: record}}, sometimes with
    another table, a record that is not an object, or another shape altogether."""
    shape = draw(st.sampled_from(["file"] * 8 + ["no codings", "codings not an object", "not an object"]))
    if shape == "not an object":
        return draw(OTHER_VALUES)
    main = {}
    if shape != "no codings":
        codings = draw(st.dictionaries(st.text(max_size=4), records(), max_size=4))
        if draw(st.integers(0, 9)) == 0:
            codings[draw(st.text(max_size=3))] = draw(OTHER_VALUES)
        main["codings"] = codings if shape == "file" else draw(OTHER_VALUES)
    if draw(st.booleans()):
        main[draw(st.sampled_from(["meta", "_default", "other"]))] = draw(OTHER_VALUES)
    return main


def encoded(value, data) -> bytes:
    """`value` as JSON, its strings escaped or not (a lone surrogate escaped, or raw)."""
    ascii_only = data.draw(st.booleans())
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def both(raw: bytes):
    small, decoded = codings_files._read_small(raw), codings_files._read_decoded(raw)
    return small, decoded


@settings(max_examples=600, deadline=None)
@given(files(), st.data())
def test_the_small_reader_accepts_what_the_decoder_accepts(value, data):
    raw = encoded(value, data)
    small, decoded = both(raw)
    assert small == decoded, raw
    if small is not None:
        assert all(type(c) is Coding for c in small["codings"].values())


@settings(max_examples=300, deadline=None)
@given(files(), st.data())
def test_damaged_bytes_are_refused_alike_or_by_the_checked_reader(value, data):
    raw = bytearray(encoded(value, data))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        raw[at : at + 1] = data.draw(st.binary(min_size=0, max_size=2))
    small, decoded = both(bytes(raw))
    if small is None and decoded is not None:
        # msgspec skips the bytes of a field it ignores without checking their UTF-8; the
        # small reader, like the checked reader every writer uses, refuses the file
        with pytest.raises(ProjectCorrupt):
            codings_files.parse(Path("codings/u1/d1.json"), bytes(raw))
    else:
        assert small == decoded, bytes(raw)


def test_a_written_file_reads_the_same_either_way():
    coding = Coding("c1", "d1", "k1", 0, 5, "Hello", "u1", "2026-01-01", "2026-01-02", True)
    raw = orjson.dumps({"codings": {"c1": coding.to_record()}})
    assert codings_files._read_small(raw) == codings_files._read_decoded(raw) == {"codings": {"c1": coding}}
