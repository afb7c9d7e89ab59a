"""A small codings file is read without msgspec (store/codings_files.py `read_small`:
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
from store.schema import table_problem
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


def agree(raw: bytes) -> None:
    """The two readers give the same codings; where they do not, the small reader reads as
    the checked reader every writer takes: msgspec skips the bytes of what it ignores
    (invalid UTF-8, a number beyond 64 bits there), takes an integer beyond 64 bits, and
    refuses a field repeated after a value of another type, where the checked reader, as
    the small one, refuses the first three and takes the last value of the fourth."""
    small, decoded = codings_files.read_small(raw), codings_files._read_decoded(raw)
    if small == decoded:
        return
    checked = _checked(raw)
    if small is None:
        assert checked is None, (raw, decoded)
    else:
        assert small == checked, (raw, decoded)


def _checked(raw: bytes) -> dict | None:
    """The checked reader's codings (its parse and its check of the table's field types),
    or None when it refuses the file."""
    try:
        data = codings_files.parse(Path("codings/u1/d1.json"), raw)
    except ProjectCorrupt:
        return None
    records = data.get("codings", {}) if isinstance(data, dict) else None
    if not isinstance(records, dict) or table_problem("codings", records):
        return None
    return {"codings": {key: Coding.from_record(record) for key, record in records.items()}}


@settings(max_examples=600, deadline=None)
@given(files(), st.data())
def test_the_small_reader_accepts_what_the_decoder_accepts(value, data):
    raw = encoded(value, data)
    agree(raw)
    small = codings_files.read_small(raw)
    if small is not None:
        assert all(type(c) is Coding for c in small["codings"].values())


@settings(max_examples=300, deadline=None)
@given(files(), st.data())
def test_damaged_bytes_are_read_alike_or_as_the_checked_reader_reads_them(value, data):
    raw = bytearray(encoded(value, data))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        raw[at : at + 1] = data.draw(st.binary(min_size=0, max_size=2))
    agree(bytes(raw))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"codings":{"a":{"id":"a","document":"d","code":"k","start":0,"end":18446744073709551616,"text":"t","coder":"u"}}}',
        b'{"codings":{},"other":[1e400]}',
        b'{"codings":{},"other":"\xff"}',
        b'{"codings":{"a":{"id":"a","document":"d","code":"k","start":"x","start":0,"end":2,"text":"t","coder":"u"}}}',
    ],
    ids=["a number beyond 64 bits", "a number beyond a double", "invalid UTF-8 ignored", "a repeated field"],
)
def test_where_the_readers_differ_the_small_one_reads_as_the_checked_one(raw):
    small, decoded = codings_files.read_small(raw), codings_files._read_decoded(raw)
    assert small != decoded  # each of these is a difference (found by a review)
    agree(raw)


def test_a_written_file_reads_the_same_either_way():
    coding = Coding("c1", "d1", "k1", 0, 5, "Hello", "u1", "2026-01-01", "2026-01-02", True)
    raw = orjson.dumps({"codings": {"c1": coding.to_record()}})
    assert codings_files.read_small(raw) == codings_files._read_decoded(raw) == {"codings": {"c1": coding}}
