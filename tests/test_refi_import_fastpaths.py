"""The quicker paths of `init --from` (issue 11) give what the slower ones gave: stamps of
scanned runs cached by their bytes, one search for U+FFFE/U+FFFF, placement without a search
where a reading's units are Margin's offsets, a quote equal to its text matched at once."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.refi import export_qdpx, guids, reader, scan
from store.refi.positions import Convention, Selection, SourceText, _quote_matches
from store.refi.reader import Stamp, _raw_stamp, _time, read_project, read_refi
from store.refi.xmlwriter import xml_safe
from tests.test_export_speed import many_codings
from tests.test_refi_support import make_project, qde_of

# bytes as attribute values are written: GUIDs, times, bad UTF-8, references, U+FFFF
_PIECES = [b"a", b"01b56b52-d668-4b75-98c6-b4942896e906", b"2026-12-02T14:45:20.043Z", b"x", b"\xc3\xa9",
           b"\xf0\x9f\x98\x80", b"\x80", b"\xc3", b"&amp;", b"&#x1F600;", b"&#10;", b"\xef\xbf\xbf", b"\xef\xbf\xbd"]  # fmt: skip
raw_values = st.one_of(st.none(), st.lists(st.sampled_from(_PIECES), max_size=4).map(b"".join))


def _uncached(user, created, modified):
    values = [scan.text(v) for v in (user, created, modified)]  # NotPlain as the cached path raises it
    return Stamp(guids.normalise(values[0]), _time(values[1]), _time(values[2]))


def _outcome(function, *args):
    try:
        return function(*args)
    except scan.NotPlain:
        return "not plain"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(raw_values, raw_values, raw_values), min_size=1, max_size=8))
def test_a_cached_stamp_is_the_stamp_decoded_again(keys):
    """Each stamp read by its bytes, the first time and again from the cache, is the one its
    values decoded give; bytes that are not UTF-8 are refused every time, never cached."""
    reader._RAW_STAMPS.clear()
    for key in keys + keys:
        assert _outcome(_raw_stamp, *key) == _outcome(_uncached, *key)


def test_a_run_decodes_each_distinct_stamp_once(tmp_path, monkeypatch):
    """A selection and its coding, written by one coder at one time, are one stamp's bytes
    decoded: fewer stamps are built than selections (two a selection before the cache)."""
    project = make_project(tmp_path / "p")
    many_codings(project, 60)
    export_qdpx(project, tmp_path / "out.qdpx")
    data = qde_of(tmp_path / "out.qdpx")
    built = []
    real = reader._stamp_of
    monkeypatch.setattr(reader, "_stamp_of", lambda key: built.append(key) or real(key))
    reader._RAW_STAMPS.clear()
    refi = read_project(data, "out.qdpx")
    selections = sum(len(s.selections) for s in refi.sources)
    assert selections >= 60
    assert len(built) < selections
    assert refi == read_refi(data, "again", scan=False)


_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
_REFERENCE = re.compile(rb"&#(x[0-9a-fA-F]+|[0-9]+);")


def _well_formed_as_before(run: bytes) -> bool:
    """The check as it was, one search per noncharacter."""
    if any(n in run for n in _NONCHARACTERS):
        return False
    return b"&#" not in run or all(scan._allowed(m[1]) for m in _REFERENCE.finditer(run))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b"<a>", b"\xef", b"\xbf", b"\xbe", b"\xbd", b"\xef\xbf", b"&#", b"&#1;", b"&#65;", b"x"]), max_size=12).map(b"".join))
def test_one_search_for_both_noncharacters_finds_what_two_did(run):
    assert scan.well_formed(run) == _well_formed_as_before(run)


def _quote_matches_as_before(found: str, quote: str) -> bool:
    found, quote = xml_safe(found), quote.replace("\r\n", "\n").replace("\r", "\n")
    if found == quote:
        return True
    for ellipsis in ("…", "..."):
        if quote.endswith(ellipsis) and len(quote) > len(ellipsis) and found.startswith(quote[: -len(ellipsis)].rstrip()):
            return True
    return " ".join(found.split()) == " ".join(quote.split())


texts = st.lists(st.sampled_from(["a", "b", " ", "\n", "é", "😀", "\r\n", "\r", "\ufeff", "\x01", "…", "\ufffe"]), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(texts, texts.map(xml_safe))
def test_a_quote_equal_to_its_text_matches_as_before(found, quote):
    """Margin's texts hold no CR (SourceText makes them LF), and a quote read from XML no
    character XML forbids (a reference to one, raw U+FFFF, is the parser's error)."""
    found = SourceText(found).text
    assert _quote_matches(found, quote) == _quote_matches_as_before(found, quote)


@settings(max_examples=300, deadline=None)
@given(texts, st.lists(st.tuples(st.integers(-2, 40), st.integers(-2, 40), texts), max_size=8), st.booleans())
def test_placing_without_a_search_places_as_the_search_did(raw, spans, quotes):
    """Every reading of the text: where its units are Margin's offsets, placing takes them
    as they are; the same selections placed through `position` land at the same places."""
    source = SourceText(raw)
    for unit in ("code points", "UTF-16 units", "UTF-8 bytes"):
        for crlf_two in (False, True):
            for bom in (False, True):
                quick = source.reader(Convention(unit, crlf_two, bom))
                searched = source.reader(Convention(unit, crlf_two, bom))
                searched.identity = False
                selections = [Selection(start, end, name) for start, end, name in spans]
                assert [quick.place(s, quotes) for s in selections] == [searched.place(s, quotes) for s in selections]


def test_a_plain_text_is_read_without_a_search():
    assert SourceText("plain text\n").reader(Convention("code points", True, False)).identity
    assert not SourceText("a\r\nb").reader(Convention("code points", True, False)).identity
    assert not SourceText("😀").reader(Convention("UTF-16 units", False, False)).identity
    assert not SourceText("\ufeffa").reader(Convention("code points", False, True)).identity


if __name__ == "__main__":
    pytest.main([__file__])
