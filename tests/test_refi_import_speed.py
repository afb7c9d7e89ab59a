"""REFI-QDA import at scale (issue 11, "Exchange and export"): project.qde is parsed as it is
read, never held whole, and the reader's work per element is counted, not timed."""

from __future__ import annotations

import tracemalloc
import zipfile

import pytest

from store.errors import BadInput
from store.refi import export_qdpx, import_project, safety
from store.refi.package import Package
from store.refi.reader import read_project
from store.refi.safety import parse_events
from tests.test_export_speed import many_codings
from tests.test_refi_support import make_project, qde_of


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
