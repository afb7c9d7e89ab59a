"""What an open project holds per coding once every coding is read (issue 11: an open
200,000-coding project under 300 MB in the app). 200,000 codings held 1,400 bytes each:
the TinyDB table's record beside each `Coding` value, the id twice, and a string of its
own for every document, code and coder id and every stamp. A writer now holds each
coding once, as a value whose repeated strings are shared (store/state.py `_built`)."""

from __future__ import annotations

import gc
import random
import sys
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from store.clock import new_id
from store.importers import parse_text
from store.model import Coding
from store.project import Project
from store import state as state_module
from store.state import State
from store.storage import dump_tables

DOCUMENTS, CODES, PER_DOCUMENT = 6, 40, 500
BYTES_PER_CODING = 700  # besides its text: 610 here; 1,235 before (the record, the id twice, strings unshared)


def _study(folder) -> Project:
    """DOCUMENTS interviews with PER_DOCUMENT codings each, every coding stamped apart
    (as codings made one key at a time are), written and closed."""
    rng = random.Random(11)
    project = Project.init(folder, name="memory", coder="alice")
    with project.operation("codebook"):
        codes = [project.codebook.add(f"Theme {i}") for i in range(CODES)]
    texts = ["".join(f"Speaker {i % 2}: the ward team said peer support workers were trusted {d} {i}.\n\n" for i in range(400))
             for d in range(DOCUMENTS)]  # fmt: skip
    documents = [project.documents.import_parsed(parse_text(text, "txt"), f"P{d}").document for d, text in enumerate(texts)]
    made = []
    for d, (document, text) in enumerate(zip(documents, texts)):
        for i in range(PER_DOCUMENT):
            start = rng.randrange(0, document.length - 60)
            end = start + rng.randrange(5, 60)
            stamp = f"2026-12-02T05:{d:02d}:{i // 10:02d}.{i:03d}Z"
            made.append(Coding(new_id(), document.id, rng.choice(codes).id, start, end, text[start:end],
                               project.coder.id, stamp, stamp))  # fmt: skip
    with project.operation("codings"):
        project.put_new_entities(made)
    project.close()
    return Project.open(folder)


def test_a_writer_holds_each_coding_read_in_under_700_bytes_besides_its_text(tmp_path):
    project = _study(tmp_path / "study")
    try:
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        codings = project.state.codings
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        assert len(codings) == DOCUMENTS * PER_DOCUMENT
        texts = sum(sys.getsizeof(c.text) for c in codings.values())
        per_coding = (held - texts) / len(codings)
        assert per_coding < BYTES_PER_CODING, f"{per_coding:.0f} bytes per coding besides its text"
    finally:
        project.close()


def test_codings_read_share_their_ids_and_stamps_and_the_tables_hold_the_values(tmp_path):
    project = _study(tmp_path / "study")
    try:
        codings = list(project.state.codings.values())
        assert len({id(c.document) for c in codings}) == DOCUMENTS
        assert len({id(c.coder) for c in codings}) == 1
        assert len({id(c.code) for c in codings}) == len({c.code for c in codings})
        assert all(c.created is c.modified for c in codings)
        assert all(key is coding.id for key, coding in project.state.codings.items())
        for db in project._coding_dbs.values():  # no record kept beside a value
            table = db.storage.read()["codings"]
            assert all(type(row) is Coding and row is project.state.codings[key] for key, row in table.items())
    finally:
        project.close()


def test_a_checkpoint_after_every_coding_is_read_writes_what_the_records_would(tmp_path):
    """The changed file is written from values and records mixed, byte for byte as from
    records; the files of documents not changed are not written again."""
    folder = tmp_path / "study"
    project = _study(folder)
    try:
        files = {p: p.read_bytes() for p in folder.glob("codings/*/*.json")}
        codings = project.state.codings
        document = project.documents.all()[2]
        coding = next(c for c in codings.values() if c.document == document.id)
        project.codings.mark_exemplar(coding)
        project.codings.apply(document, project.codebook.all()[0], 1, 4)
        project.checkpoint()
        changed = {p for p, raw in files.items() if p.read_bytes() != raw}
        assert {p.stem for p in changed} == {document.id}
        mine = project.state.codings_of(document.id)
        expected = dump_tables({"codings": {key: c.to_record() for key, c in mine.items()}})
        assert next(iter(changed)).read_bytes() == expected
    finally:
        project.close()
    with Project.open(folder) as again:
        assert {k: c.to_record() for k, c in again.state.codings.items()} == {k: c.to_record() for k, c in codings.items()} | {
            k: c.to_record() for k, c in mine.items()
        }


IDS = st.sampled_from(["a1", "b2", "c3", "d4"])
RECORD = st.fixed_dictionaries(
    {"id": st.uuids().map(str), "document": IDS, "code": IDS, "start": st.integers(0, 10**12), "end": st.integers(0, 10**12),
     "text": st.text(max_size=6), "coder": IDS},
    optional={"created": st.sampled_from(["t1", "t2"]), "modified": st.sampled_from(["t1", "t2"]), "exemplar": st.booleans(),
              "from_a_newer_margin": st.integers(-9, 9)},
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(RECORD, max_size=8))
def test_a_table_given_its_values_is_written_as_its_records_were(records):
    """Any table of records (optional fields left out, a newer Margin's fields added):
    the values built are `from_record`'s, and the table, values in place of records or
    its records kept, is written byte for byte as the records were."""
    table = {r["id"]: dict(r) for r in records}
    written = dump_tables({"codings": {k: dict(r) for k, r in table.items()}})
    state = State()
    state.load("codings", table)
    built = state.codings
    assert {k: c.to_record() for k, c in built.items()} == {k: Coding.from_record(r).to_record() for k, r in
                                                            {r["id"]: r for r in records}.items()}  # fmt: skip
    assert dump_tables({"codings": table}) == written


def test_a_file_of_codings_of_two_documents_is_indexed_by_each(tmp_path):
    """`_built` and the C-loop indexing over a table whose codings name two documents."""
    shared: dict = {}
    records = {
        str(i): {"id": str(i), "document": "d1" if i % 2 else "d2", "code": "c", "start": 0, "end": 1, "text": "x",
                 "coder": "a", "created": "t", "modified": "t", "exemplar": False}
        for i in range(6)
    }  # fmt: skip
    assert set(state_module._built(dict(records), shared)) == set(records)
    state = State()
    state.load("codings", records)
    assert {d: sorted(c) for d, c in state.codings_by_document.items()} == {"d1": ["1", "3", "5"], "d2": ["0", "2", "4"]}
    assert sorted(state.codings_by_code["c"]) == sorted(records)
