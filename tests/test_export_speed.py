"""Exports at scale (issue 11, "Exchange and export"): the fast paths write exactly what the
slow ones did, and their work is counted, not timed.

- `to_csv` builds its text a column at a time; hypothesis holds it to `csv.writer` with the
  formula guard applied cell by cell, for any table (text, numbers, None, floats, ragged rows).
- The segment table looks each document and code up once, not once per coding.
"""

from __future__ import annotations

import contextlib
import csv
import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.errors import Refused
from store.exporters import segments
from store.exporters.tabular import neutralise, to_csv
from store.importers import parse_text
from store.project import Project
from store.refi import export_qdpx, guids, project_xml
from store.refi.xmlwriter import XmlWriter
from tests.analysis.conftest import build_small
from tests.analysis.test_columns import through_a_writers_actions
from tests.conftest import INTERVIEW
from tests.test_refi_support import make_project, qde_of

CELL_TEXT = st.lists(
    st.sampled_from([",", '"', "\n", "\r", "\r\n", "=", "+", "-", "@", "\t", "\x00", " ", "a", "é", "😀", ""]) | st.text(max_size=4),
    max_size=8,
).map("".join)
CELL = CELL_TEXT | st.integers(-5, 10**12) | st.none() | st.floats(allow_nan=False) | st.booleans()


def reference(header: list, rows: list[list], safe: bool, bom: bool) -> str:
    """What to_csv wrote before: Python's csv writer, `neutralise` on every cell."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row] if safe else row)
    return buffer.getvalue()


@settings(max_examples=300, deadline=None)
@given(
    width=st.integers(0, 4),
    data=st.data(),
    safe=st.booleans(),
    bom=st.booleans(),
)
def test_to_csv_writes_what_csv_writer_writes(width, data, safe, bom):
    header = data.draw(st.lists(CELL_TEXT, min_size=width, max_size=width))
    rows = data.draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=6))
    assert to_csv(header, rows, safe=safe, bom=bom) == reference(header, rows, safe, bom)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.lists(CELL, max_size=3), max_size=5), safe=st.booleans())
def test_to_csv_of_ragged_rows_writes_what_csv_writer_writes(rows, safe):
    assert to_csv(["a", "b"], rows, safe=safe) == reference(["a", "b"], rows, safe, False)


def test_only_a_column_that_needs_it_is_gone_through_cell_by_cell(monkeypatch):
    """The formula guard at 200,000 codings was 3.2 million calls: a clean column costs none."""
    import store.exporters.tabular as tabular

    calls = []
    monkeypatch.setattr(tabular, "neutralise", lambda value: calls.append(value) or neutralise(value))
    rows = [[f"id{n}", n, "plain text", None] for n in range(1000)] + [["=1+1", 1, "x", None]]
    text = to_csv(["id", "n", "text", "none"], rows)
    assert "'=1+1" in text
    assert len(calls) == 2 * len(rows), "only the column holding a formula and the column of None go cell by cell"


def test_segment_rows_look_each_document_and_code_up_once(project, monkeypatch):
    parsed = parse_text(INTERVIEW, "txt")
    document = project.documents.import_parsed(parsed, "P1", {"case": "P1"}).document
    code = project.codebook.ensure("Theme > Code")
    with project.operation("codings"):
        for turn in document.turns:
            project.codings.apply(document, code, turn.start, turn.start + 3)
    texts, paths = [], []
    real_text, real_path = project.text, project.codebook.path
    monkeypatch.setattr(project, "text", lambda doc_id: texts.append(doc_id) or real_text(doc_id))
    monkeypatch.setattr(project.codebook, "path", lambda c: paths.append(c) or real_path(c))
    header, rows = segments.segment_rows(project)
    assert len(rows) == len(document.turns) > 2
    assert texts == [document.id] and len(paths) == 1
    for row, turn in zip(rows, document.turns):
        assert row[header.index("speaker")] == turn.speaker and row[header.index("turn")] == turn.index + 1
        assert row[header.index("code_path")] == "Theme > Code"


TRICKY = (
    'Interviewer: "Why," she asked, =SUM(A1)?\n\n'
    "-Dr. Lee, MD: +1 on that @everyone, \"quoted\"\nand a second line.\n\n"
    "Interviewer: 😀 naïve café\n\nParticipant: plain words here\n"
)


@pytest.fixture(scope="module")
def tricky(tmp_path_factory):
    """Cells of every kind a CSV writer must treat with care: commas, quotes, line breaks
    and formula starts in names, speakers, texts, memos, codes and attributes."""
    project = Project.init(tmp_path_factory.mktemp("tricky") / "p", name="Tricky", coder="=alice")
    bob = project.add_coder('bob, "the second"')
    first = project.documents.import_parsed(parse_text(TRICKY, "txt"), "P1, round 1", {"case": "=P1", "site": 'a "b"'}).document
    second = project.documents.import_parsed(parse_text("no speakers at all, =1\n", "txt"), "@P2", {"case": "P2"}).document
    codes = [project.codebook.ensure(path) for path in ("Theme, one > -minus", "Theme, one > Plain", 'Other "q"')]
    rng = random.Random(3)
    with project.operation("codings"):
        for document in (first, second):
            for n in range(40):
                start = rng.randrange(document.length - 1)
                try:
                    coding = project.codings.apply(
                        document, rng.choice(codes), start, rng.randint(start + 1, document.length), coder=bob.id if n % 3 else None
                    )
                except Refused:
                    continue
                if n % 7 == 0:
                    project.memos.add("coding", coding.id, f"=memo {n},\r\nsecond line")
                if n % 11 == 0:
                    project.codings.mark_exemplar(coding)
    yield project
    project.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), safe=st.booleans(), bom=st.booleans())
def test_the_streamed_segment_table_is_the_row_table_written_by_to_csv(tricky, data, safe, bom):
    """`export csv` writes SegmentsCsv's pieces: for any filters, exactly to_csv(segment_rows)."""
    docs = tricky.documents.all()
    filters = dict(
        code=data.draw(st.none() | st.sampled_from(tricky.codebook.all())),
        documents=data.draw(st.none() | st.lists(st.sampled_from(docs), min_size=1, unique_by=lambda d: d.id)),
        coder=data.draw(st.none() | st.sampled_from(sorted(tricky.state.coders))),
        attributes=data.draw(st.sampled_from([None, {}, {"case": "=P1"}, {"case": "P2"}, {"site": "none"}])),
    )
    table = segments.SegmentsCsv(tricky, **filters, safe=safe, bom=bom)
    header, rows = segments.segment_rows(tricky, **filters)
    assert b"".join(table) == to_csv(header, rows, safe=safe, bom=bom).encode()
    assert table.rows == len(rows)


def test_export_csv_writes_the_table_a_document_at_a_time(tricky, tmp_path, monkeypatch):
    """`margin export csv` never holds every row or the whole text (846 MB at 200,000
    codings): the file is written in pieces, the header and then one per coded document."""
    from click.testing import CliRunner

    import store.exporters.tabular as tabular
    from tui.cli import cli

    written, real = [], tabular.write_pieces
    monkeypatch.setattr(tabular, "write_pieces", lambda pieces, path: real((written.append(p) or p for p in pieces), path))
    monkeypatch.setattr(segments, "segment_rows", None)  # the row table is not made
    result = CliRunner().invoke(cli, ["-p", str(tricky.dir), "export", "csv", "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    counts = tricky.state.coding_counts_by_document()
    assert len(written) == 1 + sum(1 for d in tricky.documents.all() if counts.get(d.id)) == 3
    with Project.open(tricky.dir, readonly=True) as again:
        expected = to_csv(*segments.segment_rows(again))
    assert (tmp_path / "out.csv").read_bytes() == expected.encode("utf-8")


# ---------------------------------------------------------------------- REFI-QDA export

STAMP = "2026-01-01T00:00:00Z"
AWKWARD_VALUE = st.lists(
    st.sampled_from(['"', "&", "<", ">", "\n", "\r", "\t", "\x00", "\x1f", "\ud800", "\ufffe", "\ue000", "é", "😀", " ", "a", "&amp;"]),
    max_size=8,
).map("".join) | st.text(max_size=6)


@given(st.lists(st.text(max_size=12), min_size=1, max_size=4))
def test_derived_guids_are_uuid5(parts):
    import uuid

    assert guids.derived(*parts) == str(uuid.uuid5(guids.NAMESPACE, "\x1f".join(parts)))
    assert guids.deriver(*parts[:-1])(parts[-1]) == guids.derived(*parts)


@given(st.lists(st.text(max_size=12), max_size=3), st.lists(st.uuids().map(str) | st.text(max_size=40), max_size=40))
def test_guids_derived_in_bulk_are_those_derived_one_by_one(first, lasts):
    """The export derives a document's Coding GUIDs at once (guids.deriver(...).many)."""
    derive = guids.deriver(*first)
    assert derive.many(lasts) == [derive(last).encode() for last in lasts]
    assert all(type(guid) is bytes for guid in derive.many(lasts))


@given(st.lists(st.uuids().map(str) | st.text(max_size=40), max_size=5))
def test_ids_are_found_canonical_at_once_exactly_when_each_is(ids):
    """The export writes a document's coding ids as they are when all_canonical says so."""
    assert guids.all_canonical(ids) == all(guids.of(i) == i for i in ids)


@given(st.lists(AWKWARD_VALUE, max_size=8))
def test_values_escaped_at_once_are_those_escaped_one_by_one(values):
    """The export escapes a document's quotes and times at once (xmlwriter.escape_attrs),
    for any values: every character XML escapes or forbids, and the joining character."""
    from store.refi.xmlwriter import escape_attr, escape_attrs

    assert escape_attrs(values) == [escape_attr(v) for v in values]


def test_a_failed_write_of_the_qde_fails_the_export_and_leaves_no_file(tmp_path, monkeypatch):
    """project.qde is compressed by a thread: what fails there fails the export."""
    import zipfile

    project = make_project(tmp_path / "p")
    many_codings(project, 30)
    monkeypatch.setattr(XmlWriter, "FLUSH", 4)
    real = zipfile.ZipFile.open

    def failing(self, name, mode="r", **kwargs):
        member = real(self, name, mode, **kwargs)
        if mode == "w":
            member.write = lambda data: (_ for _ in ()).throw(OSError(28, "No space left on device"))
        return member

    monkeypatch.setattr(zipfile.ZipFile, "open", failing)
    with pytest.raises(Refused, match=r"out\.qdpx \(No space left on device\): free disk space"):
        export_qdpx(project, tmp_path / "out.qdpx", exported_at=STAMP)
    assert not (tmp_path / "out.qdpx").exists() and not list(tmp_path.glob(".out.qdpx.*"))


def test_the_qde_is_streamed_into_the_archive_in_bounded_pieces(tmp_path, monkeypatch):
    """What is held at once is bounded by XmlWriter.FLUSH pieces, not by the project."""
    project = make_project(tmp_path / "p")
    many_codings(project, 60)
    held, chunks = [], []
    monkeypatch.setattr(XmlWriter, "FLUSH", 8)
    real_raw = XmlWriter.raw

    def raw(self, xml):
        real_raw(self, xml)
        held.append(len(self.parts))

    monkeypatch.setattr(XmlWriter, "raw", raw)
    real_init = XmlWriter.__init__
    monkeypatch.setattr(
        XmlWriter, "__init__", lambda self, sink=None: real_init(self, sink and (lambda b: chunks.append(len(b)) or sink(b)))
    )
    export_qdpx(project, tmp_path / "out.qdpx", exported_at=STAMP)
    assert len(chunks) > 10 and max(held) <= 8
    monkeypatch.undo()
    assert qde_of(tmp_path / "out.qdpx") == project_xml(project, STAMP)


def test_each_derived_guid_is_computed_once_per_entity(tmp_path, monkeypatch):
    """An export derives one GUID per coding (its Coding element), per variable and per
    case; a variable's GUID was derived again for every value written."""
    project = make_project(tmp_path / "p")
    many_codings(project, 30)
    calls = []
    real = guids.derived
    monkeypatch.setattr(guids, "derived", lambda *parts: calls.append(parts) or real(*parts))
    real_deriver = guids.deriver

    def deriver(*first):
        derive = real_deriver(*first)
        counted = lambda last: calls.append((*first, last)) or derive(last)  # noqa: E731
        counted.many = lambda lasts: calls.extend((*first, last) for last in lasts) or derive.many(lasts)
        return counted

    monkeypatch.setattr(guids, "deriver", deriver)
    project_xml(project, STAMP)
    assert len(calls) == len(set(calls)), [c for c in calls if calls.count(c) > 1][:3]
    kinds = {c[0] for c in calls}
    assert kinds <= {"coding", "variable", "case"}
    assert sum(c[0] == "coding" for c in calls) == len(project.state.codings)


def test_ids_and_times_are_escaped_only_when_a_document_needs_it(tmp_path, monkeypatch):
    """Margin's ids are GUIDs: a document's quoted texts are escaped at once, and so are its
    created and modified times, and no id is normalised (three escapes and two GUID checks
    per coding once, then one escape per coding and one per distinct time)."""
    from store.refi import export as export_module

    project = make_project(tmp_path / "p")
    many_codings(project, 30)
    expected = project_xml(project, STAMP)
    escaped, at_once, checked = [], [], []
    real_escape, real_escapes, real_of = export_module.escape_attr, export_module.escape_attrs, guids.of
    monkeypatch.setattr(export_module, "escape_attr", lambda v: escaped.append(v) or real_escape(v))
    monkeypatch.setattr(export_module, "escape_attrs", lambda v: at_once.append(v) or real_escapes(v))
    monkeypatch.setattr(guids, "of", lambda v: checked.append(v) or real_of(v))
    assert project_xml(project, STAMP) == expected
    codings = project.state.codings
    times = {c.created for c in codings.values() if c.created}, {c.modified for c in codings.values() if c.modified}
    assert all(times) and not escaped
    coded = {c.document for c in codings.values()}
    assert len(at_once) == 3 * len(coded) and sum(map(len, at_once)) == 3 * len(codings)
    assert not set(checked) & set(codings)


def many_codings(project, count: int) -> None:
    document = project.documents.all()[0]
    code = project.codebook.ensure("Many")
    with project.operation("many codings"):
        for n in range(count):
            start = n % (document.length - 2)
            project.codings.apply(document, code, start, start + 2 + n % 3)


AWKWARD = st.lists(st.sampled_from(['"', "&", "<", ">", "\n", "\r", "\t", "\x00", "\x1f", "\ufffe", "é", "😀", " ", "a"]), max_size=30).map("".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=AWKWARD.filter(len), data=st.data())
def test_a_documents_selections_made_at_once_are_those_made_one_by_one(tricky, text, data):
    """The qdpx export writes a document's codings by `selections` (columns joined once):
    byte for byte what `selection` writes for each, for any text, spans, coders (known or
    not), codes, times (empty or needing escapes) and codings with memos (tricky's ids)."""
    from store.model import Coding
    from store.refi.export import _ProjectWriter

    writer = _ProjectWriter(tricky)
    with_memos = [c for c in tricky.state.codings.values() if c.id in writer.memos]
    ids = st.sampled_from([c.id for c in with_memos]) | st.uuids().map(str)
    times = st.sampled_from(["", "2026-01-01T00:00:00Z"]) | AWKWARD
    codings = []
    for _ in range(data.draw(st.integers(0, 6))):
        start = data.draw(st.integers(0, len(text) - 1))
        codings.append(Coding(
            data.draw(ids), "d", data.draw(st.sampled_from(sorted(tricky.state.codes))), start,
            data.draw(st.integers(start + 1, len(text))), "", data.draw(st.sampled_from([*sorted(tricky.state.coders), "gone"])),
            data.draw(times), data.draw(times),
        ))  # fmt: skip
    pad = data.draw(st.sampled_from(["", "      "]))
    one_by_one = "".join(writer.selection(c, text, pad, plain_id=True) for c in codings).encode()
    assert writer.selections(codings, text, pad) == one_by_one


# ------------------------------------------- the exports' codings, read from their files


def exported(project) -> tuple[bytes, ...]:
    """The segment table (whole, and by a coder and by a code) and project.qde of a project,
    with each option that takes another path through the codings (NVivo's positions write
    a coding at a time)."""
    from store.refi.export import ExportOptions, project_xml

    coder, code = sorted(project.state.coders)[0], project.codebook.all()[0]
    tables = [segments.SegmentsCsv(project), segments.SegmentsCsv(project, coder=coder), segments.SegmentsCsv(project, code=code)]
    qde = [project_xml(project, STAMP, options) for options in (None, ExportOptions(positions="nvivo"),
                                                                   ExportOptions(unique_names=True))]
    return (*map(b"".join, tables), *qde)


def compare_exports(study, directory, expect_fast: bool) -> None:
    """A read-only export reads each document's codings from its files exactly when they
    are the codings (never while the log's tail changes one), and writes byte for byte
    what the exports write from the project's own reading of every coding."""
    from store.exporters import document_codings

    for small in (False, True):  # raw values decoded by msgspec, or small files as Codings
        with small_files(small):
            fast = Project.open(directory, readonly=True)
            assert (document_codings.reader(fast) != fast.codings.for_document) == expect_fast
            written = exported(fast)
            assert not expect_fast or not fast.state.codings_loaded  # no Coding built, none indexed
        plain = Project.open(directory, readonly=True)
        plain.state.codings  # every coding read: the reader takes the project's path
        assert written == exported(plain)


@contextlib.contextmanager
def small_files(small: bool):
    """Every codings file read as small (without msgspec) or none: which one a test
    process takes would otherwise depend on whether an earlier test imported msgspec."""
    from store import codings_files

    was = codings_files.small
    codings_files.small = lambda size: small
    try:
        yield
    finally:
        codings_files.small = was


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 25))
def test_exports_from_the_codings_files_equal_those_from_the_project(tmp_path_factory, seed, steps):
    through_a_writers_actions(tmp_path_factory.mktemp("exports") / "small", seed, steps, compare_exports)


# A codings file changed outside Margin and its digest recorded again (so that only the
# open's checks can tell): each way a coding can be wrong that the field types do not catch.
DAMAGE = {
    "id not its key": lambda c, doc, codes: {**c, "id": "other"},
    "start before the text": lambda c, doc, codes: {**c, "start": -1},
    "end past the text": lambda c, doc, codes: {**c, "end": doc.length + 1},
    "empty span": lambda c, doc, codes: {**c, "end": c["start"]},
    "another coder": lambda c, doc, codes: {**c, "coder": "someone-else"},
    "another document": lambda c, doc, codes: {**c, "document": "elsewhere"},
    "unknown code": lambda c, doc, codes: {**c, "code": "no-such-code"},
    "start not a number": lambda c, doc, codes: {**c, "start": "3"},
    "text missing": lambda c, doc, codes: {k: v for k, v in c.items() if k != "text"},
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("kind", ["csv", "qdpx"])
def test_an_export_of_a_damaged_codings_file_fails_as_the_open_does(small_study, tmp_path, damage, kind):
    import orjson
    from click.testing import CliRunner

    from store import layout
    from tui.cli import cli

    directory = small_study
    key = layout.codings_keys(directory)[0]
    path = layout.codings_path(directory, key)
    data = orjson.loads(path.read_bytes())
    coding_id = sorted(data["codings"])[0]
    with Project.open(directory, readonly=True) as project:
        document = project.state.documents[key.partition("/")[2]]
        data["codings"][coding_id] = DAMAGE[damage](data["codings"][coding_id], document, project.state.codes)
    raw = orjson.dumps(data)
    path.write_bytes(raw)
    local = layout.read_local(directory)
    local["files"][layout.relative_name(key)][0] = layout.digest(raw)
    layout.write_local(directory, local)
    with pytest.raises(Exception) as opened:  # noqa: PT011 - whatever the plain open raises
        Project.open(directory, readonly=True).state.codings
    result = CliRunner().invoke(cli, ["-p", str(directory), "export", kind, "-o", str(tmp_path / f"out.{kind}")])
    assert result.exit_code != 0 and str(opened.value) in result.output, result.output
    assert not (tmp_path / f"out.{kind}").exists()


@pytest.fixture
def small_study(tmp_path):
    study = build_small(tmp_path / "small")
    study.project.close()
    return study.project.dir


def test_every_member_is_deflated_by_isal_and_inflates_to_what_was_written(tmp_path):
    """The archive's members are ISA-L's deflate (a quarter of zlib's CPU time for the
    128 MB project.qde of 200,000 codings, and a smaller file): each member's stored bytes
    are what isal writes for its data, and any zip reader inflates them to that data."""
    import struct
    import zipfile

    from isal import isal_zlib

    project = make_project(tmp_path / "p")
    many_codings(project, 30)
    export_qdpx(project, tmp_path / "out.qdpx", exported_at=STAMP)
    raw = (tmp_path / "out.qdpx").read_bytes()
    with zipfile.ZipFile(tmp_path / "out.qdpx") as archive:
        assert archive.testzip() is None and archive.read("project.qde") == project_xml(project, STAMP)
        for info in archive.infolist():
            names, extra = struct.unpack_from("<HH", raw, info.header_offset + 26)
            start = info.header_offset + 30 + names + extra
            assert info.compress_type == zipfile.ZIP_DEFLATED
            if info.filename != "project.qde":  # written at once (the .qde in pieces)
                deflater = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)
                written = deflater.compress(archive.read(info)) + deflater.flush()
                assert raw[start : start + info.compress_size] == written, info.filename


# Values a codings file may hold for a coding's text and times (the open takes any string):
# what CSV quotes or guards, what XML escapes or forbids, and what JSON escapes.
UNESCAPED = [",", "=", "+", "-", "@", "&", "<", ">", "\ufffe", "\uffff", "\x7f", "é", "😀", " ", "a", "1"]
ESCAPED = ['"', "\\", "\n", "\r", "\t", "\x01"]


def raw_values(alphabet: list[str], min_size: int = 0):
    return st.lists(st.sampled_from(alphabet), min_size=min_size, max_size=5).map("".join)


@pytest.fixture(scope="module")
def small_template(tmp_path_factory):
    study = build_small(tmp_path_factory.mktemp("template") / "small")
    study.project.close()
    return study.project.dir


def with_values(template, directory, value) -> None:
    """A copy of the study at `template` whose codings' text, created and modified are
    `value(field)` each, the files' digests recorded again."""
    import shutil

    import orjson

    from store import layout

    shutil.copytree(template, directory)
    local = layout.read_local(directory)
    for key in layout.codings_keys(directory):
        path = layout.codings_path(directory, key)
        content = orjson.loads(path.read_bytes())
        for coding in content["codings"].values():
            coding.update({field: value(field) for field in ("text", "created", "modified")})
        raw = orjson.dumps(content)
        path.write_bytes(raw)
        local["files"][layout.relative_name(key)][0] = layout.digest(raw)
    layout.write_local(directory, local)


def read_raw_throughout(directory) -> bool:
    from store.exporters import document_codings

    with small_files(False), Project.open(directory, readonly=True) as project:
        read = document_codings.reader(project)
        return all(isinstance(read(d), document_codings.FromFiles) for d in project.documents.all())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_texts_and_times_written_as_read_from_the_files_are_those_decoded(small_template, tmp_path_factory, data):
    """The exports write a coding's text and times as the raw UTF-8 of its codings file when
    no value of the document holds a JSON escape (document_codings.FromFiles): for any
    values (commas, formula starts, & < >, non-characters, empty times, escapes), the CSV and
    the .qde equal those made from the project's own reading of every coding."""
    escapes = data.draw(st.booleans(), label="escapes")
    alphabet = data.draw(st.lists(st.sampled_from(UNESCAPED + ESCAPED if escapes else UNESCAPED), min_size=1, max_size=4, unique=True))
    texts, times = raw_values(alphabet), raw_values(alphabet, min_size=data.draw(st.integers(0, 1), label="no empty time"))
    directory = tmp_path_factory.mktemp("raw") / "small"
    with_values(small_template, directory, lambda field: data.draw(texts if field == "text" else times, label=field))
    compare_exports(None, directory, expect_fast=True)
    assert escapes or read_raw_throughout(directory)


@pytest.mark.parametrize("char", UNESCAPED)
def test_each_character_in_raw_texts_and_times_is_written_as_decoded(small_template, tmp_path, char):
    """Each character alone, at a value's start and inside it, in every text and time."""
    values = iter([char, f"{char}a", f"a{char}", f"{char}1"] * 100)
    with_values(small_template, tmp_path / "small", lambda field: next(values))
    compare_exports(None, tmp_path / "small", expect_fast=True)
    assert read_raw_throughout(tmp_path / "small")
