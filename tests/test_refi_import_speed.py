"""REFI-QDA import at scale (issue 11, "Exchange and export"): project.qde is parsed as it is
read, never held whole, and the reader's work per element is counted, not timed."""

from __future__ import annotations

import tracemalloc
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.errors import BadInput
from store.refi import export_qdpx, import_project, safety
from store.refi.package import Package
from store.refi.reader import read_project, read_refi
from store.refi.safety import parse_events
from tests.test_export_speed import many_codings
from tests.test_refi_support import SAMPLES, make_project, needs_shared, qde_of


class Discard:
    """A parser target that keeps nothing."""

    def start(self, tag, attrs):
        pass

    def end(self, tag):
        pass

    def data(self, text):
        pass

    def close(self):
        return None


def pieces(size: int):
    """A well-formed document of about `size` bytes, made as it is read."""
    yield b'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
    row = b'<PlainTextSelection guid="x" name="' + b"w" * 200 + b'" startPosition="0" endPosition="1"/>\n'
    for _ in range(size // (len(row) * 100)):
        yield row * 100
    yield b"</Project>"


def test_parsing_a_stream_holds_a_piece_not_the_file():
    """Memory does not grow with the file: 40 MB parsed with well under 4 MB held."""
    tracemalloc.start()
    try:
        parse_events(pieces(40 << 20), "big.qde", Discard())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, f"{peak / 1048576:.1f} MB held"


def test_an_import_never_reads_project_qde_whole(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p")
    many_codings(project, 40)
    export_qdpx(project, tmp_path / "p.qdpx")
    monkeypatch.setattr(safety, "CHUNK", 64)
    read_whole = safety.Archive.read

    def read(self, name):
        assert not name.endswith(".qde"), "project.qde read whole"
        return read_whole(self, name)

    monkeypatch.setattr(safety.Archive, "read", read)
    report = import_project(tmp_path / "p.qdpx", tmp_path / "copy")
    assert report.counts["codings"] == len(project.state.codings)


@pytest.mark.parametrize("size", [1, 7, 64, 1 << 20])
def test_a_project_read_in_pieces_of_any_size_is_the_project_read_whole(tmp_path, size):
    project = make_project(tmp_path / "p")
    export_qdpx(project, tmp_path / "p.qdpx")
    data = qde_of(tmp_path / "p.qdpx")
    whole = read_project(data, "p")
    assert read_project((data[n : n + size] for n in range(0, len(data), size)), "p") == whole


def test_a_damaged_qde_member_read_in_pieces_is_one_clear_error(tmp_path):
    project = make_project(tmp_path / "p")
    export_qdpx(project, tmp_path / "p.qdpx")
    with zipfile.ZipFile(tmp_path / "p.qdpx") as archive:
        info = archive.getinfo("project.qde")
    data = bytearray((tmp_path / "p.qdpx").read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 200 : start + 240] = bytes(40)  # inside the deflated qde
    (tmp_path / "bad.qdpx").write_bytes(bytes(data))
    package = Package(tmp_path / "bad.qdpx")
    with pytest.raises(BadInput):
        read_project(package.qde(), "bad.qdpx")
    package.close()


def test_each_distinct_time_is_checked_once(tmp_path, monkeypatch):
    """A selection and its coding carry the same times: reading checks each distinct one
    once (at 200,000 codings the checks were a tenth of the reading)."""
    from store.refi import reader

    project = make_project(tmp_path / "p")
    many_codings(project, 40)
    export_qdpx(project, tmp_path / "out.qdpx", exported_at="2026-01-01T00:00:00Z")
    checked = []
    real = reader.is_datetime
    monkeypatch.setattr(reader, "is_datetime", lambda value: checked.append(value) or real(value))
    reader._time.cache_clear()
    refi = read_project(qde_of(tmp_path / "out.qdpx"), "out.qdpx")
    assert sum(len(s.selections) for s in refi.sources) >= 40
    assert checked and len(checked) == len(set(checked))


def test_text_between_elements_calls_no_handler(tmp_path, monkeypatch):
    """Only the text of elements that hold some (descriptions, values, contents) reaches
    Python: the whitespace between a project's selections was a million calls at 200,000."""
    from store.refi import reader

    project = make_project(tmp_path / "p")
    many_codings(project, 40)
    export_qdpx(project, tmp_path / "out.qdpx")
    data = qde_of(tmp_path / "out.qdpx")
    calls = []
    real = reader._Reader.data
    monkeypatch.setattr(reader._Reader, "data", lambda self, text: calls.append(text) or real(self, text))
    refi = read_project(data, "out.qdpx")
    selections = sum(len(s.selections) for s in refi.sources)
    assert selections >= 40
    assert all(text.strip() for text in calls) and len(calls) < selections
    assert refi == read_project(data, "again")


# ---------------------------------------------------------------- scanned selection runs

GUIDS = [f"{n:08x}-0000-4000-8000-{n:012x}" for n in range(1, 7)]
CODE = GUIDS[0]


def _attribute_value():
    """Attribute values as files write them: plain, escaped, with references allowed and
    not, bad UTF-8, U+FFFF, raw tabs and line ends (which XML turns into spaces)."""
    pieces = ["a", " ", "é", "😀", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#10;", "&#13;", "&#x9;",
              "&#x1F600;", "&#1;", "&#xFFFF;", "\t", "\n", "\r\n", ">", "'", "\uffff", "\x80"]  # fmt: skip
    return st.lists(st.sampled_from(pieces), max_size=6).map("".join)


@st.composite
def selection_xml(draw) -> str:
    """A PlainTextSelection: mostly as Margin writes one, often not (another order, other
    attributes, upper case or braced or repeated GUIDs, a Description, two codings, none)."""
    guid = draw(st.sampled_from([*GUIDS, GUIDS[1].upper(), "{" + GUIDS[2] + "}", "not-a-guid"]))
    attrs = [f'guid="{guid}"', f'name="{draw(_attribute_value())}"',
             f'startPosition="{draw(st.sampled_from(["0", "3", "12", " 4", "x"]))}"', 'endPosition="7"']  # fmt: skip
    for name in ("creatingUser", "creationDateTime", "modifiedDateTime"):
        if draw(st.booleans()):
            attrs.append(f'{name}="{draw(st.sampled_from([GUIDS[5], "2026-01-01T00:00:00Z", "x", draw(_attribute_value())]))}"')
    if draw(st.integers(0, 9)) == 0:
        attrs.insert(draw(st.integers(0, len(attrs))), 'extra="1"')
    space = draw(st.sampled_from([" ", "  ", "\n  ", "\t"]))
    inner = ""
    if draw(st.integers(0, 9)) == 0:
        inner += "<Description>a note</Description>"
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 0]))):
        stamp = "".join(f' {n}="{GUIDS[5] if n == "creatingUser" else "2026-01-01T00:00:00Z"}"'
                        for n in ("creatingUser", "creationDateTime") if draw(st.booleans()))  # fmt: skip
        target = draw(st.sampled_from([CODE, CODE.upper(), "{" + CODE + "}", "nothing"]))
        inner += f'\n  <Coding guid="{draw(st.sampled_from(GUIDS))}"{stamp}>\n    <CodeRef targetGUID="{target}"/>\n  </Coding>\n'
    closing = draw(st.sampled_from(["</PlainTextSelection>", "</PlainTextSelection >"]))
    return f"<PlainTextSelection {space.join(attrs)}>{inner}{closing}" if inner or draw(st.booleans()) else f"<PlainTextSelection {' '.join(attrs)}/>"


@st.composite
def project_xml(draw) -> bytes:
    """A .qde whose sources hold runs of selections, with now and then a comment, CDATA or
    a processing instruction, a selection where a source's would not be read (in a Note, a
    Description, a PDF source, a selection), or markup that is not well-formed."""
    sources = []
    for n in range(draw(st.integers(1, 3))):
        parts = [draw(selection_xml()) for _ in range(draw(st.integers(0, 6)))]
        odd = ["<!-- <PlainTextSelection> -->", "<![CDATA[x]]>", "<?pi x?>", "<Description>d</Description>",
               "<Description> " + draw(selection_xml()) + "</Description>", draw(selection_xml()).replace("</PlainTextSelection>", "")]  # fmt: skip
        if parts and draw(st.integers(0, 3)) == 0:
            parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(odd)))
        sources.append(f'<TextSource guid="{GUIDS[4][:-1]}{n}" name="s{n}">\n' + "\n".join(parts) + "\n</TextSource>")
    if draw(st.integers(0, 4)) == 0:
        sources.append(f'<PDFSource guid="{GUIDS[3]}" name="p"><TextSource>{draw(selection_xml())}</TextSource></PDFSource>')
    notes = f'<Notes><Note guid="{GUIDS[3]}" name="n">{draw(selection_xml())}</Note></Notes>' if draw(st.booleans()) else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
        f'<Users><User guid="{GUIDS[5]}" name="u"/></Users><CodeBook><Codes><Code guid="{CODE}" name="c" isCodable="true"/></Codes></CodeBook>'
        f"<Sources>{''.join(sources)}</Sources>{notes}</Project>"
    ).encode("utf-8", "surrogateescape")


def _read(data: bytes, scan: bool, size: int):
    """The records read, or the one-line error."""
    try:
        return read_refi((data[n : n + size] for n in range(0, len(data), size)), "p.qde", scan=scan)
    except BadInput as exc:
        return str(exc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=project_xml(), size=st.sampled_from([1 << 20, 7, 64, 333]))
def test_scanned_runs_read_what_the_parser_reads(data, size):
    """Runs of plain selections read by scan (store/refi/scan.py) give the records, or the
    error, that the parser's events give, in pieces of any size."""
    assert _read(data, True, size) == _read(data, False, size)


@needs_shared
def test_scanned_samples_read_what_the_parser_reads():
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in (".qdpx", ".qde"):
            package = Package(path)
            assert _read(b"".join(package.qde()), True, 1 << 20) == _read(b"".join(package.qde()), False, 1 << 20), path.name
            package.close()


def test_a_margin_export_is_read_by_scanning(tmp_path, monkeypatch):
    """Margin's own selections are read a run at a time, not an element at a time: the
    reader's `start` sees the selections with memos (a Description) only."""
    from store.refi import reader

    project = make_project(tmp_path / "p")
    many_codings(project, 100)
    export_qdpx(project, tmp_path / "out.qdpx")
    data = qde_of(tmp_path / "out.qdpx")
    seen = []
    real = reader._Reader.start
    monkeypatch.setattr(reader._Reader, "start", lambda self, tag, attrs: seen.append(tag.rpartition("}")[2]) or real(self, tag, attrs))
    refi = read_project(data, "out.qdpx")
    selections = sum(len(s.selections) for s in refi.sources)
    assert selections >= 100
    assert seen.count("PlainTextSelection") < selections / 10
    assert refi == read_refi(data, "again", scan=False)
