"""What an import holds at once (issue 11: `init --from` a 200,000-coding .qdpx under 400 MB).

The import runs with the collector off, so a reference cycle keeps what it holds alive
to the end: the file's records must be freed by reference counts alone once planned,
the planner lets go of each source's selections as it plans the next, and the import's
one log entry is written in pieces rather than as one 90 MB string."""

from __future__ import annotations

import gc
import weakref

import orjson
import pytest

from store import journal
from store.refi import export_qdpx, import_project
from store.refi.package import Package
from store.refi.plan import plan_import
from store.refi.reader import read_project
from store.refi.report import ImportReport
from tests.test_export_speed import many_codings
from tests.test_refi_support import REFI, SAMPLES, make_project


@pytest.fixture
def export(tmp_path):
    with make_project(tmp_path / "study") as project:
        many_codings(project, 60)
        export_qdpx(project, tmp_path / "study.qdpx")
    return tmp_path / "study.qdpx"


def _without_collector():
    gc.collect()
    gc.disable()


SOURCES = [s.name for s in sorted(SAMPLES.glob("*.qd[ep]*"))] if REFI.is_dir() else []


@pytest.mark.parametrize("sample", ["margin", *SOURCES])
def test_the_read_records_are_freed_without_the_collector(export, sample):
    """On main the reader's parser and handlers referred back to it, so every record of
    the file stayed alive through planning and storing (200 MB at 200,000 codings)."""
    package = Package(export if sample == "margin" else SAMPLES / sample)
    _without_collector()
    try:
        refi = read_project(package.qde(), "study.qdpx")
        read = weakref.ref(refi)
        del refi
        assert read() is None, "the records outlive the import's last reference to them"
    finally:
        gc.enable()
        package.close()


def test_planning_a_source_lets_go_of_its_selections(export, tmp_path):
    """Once a source is planned only its commented selections (memo_plan reads them)
    stay: at no time do every selection and every planned coding exist together."""
    package = Package(export)
    try:
        refi = read_project(package.qde(), "study.qdpx")
        selections = sum(len(s.selections) for s in refi.sources)
        from store.project import Project

        with Project.init(tmp_path / "new", coder="c") as project:
            live = []
            sources = refi.sources

            class Counting(list):
                def __iter__(self):
                    for source in list.__iter__(self):
                        live.append(sum(len(s.selections) for s in sources))
                        yield source

            refi.sources = Counting(sources)
            plan = plan_import(refi, package, project.coder, False, ImportReport("p", "d", "s"))
    finally:
        package.close()
    assert selections >= 60 and len(plan.codings) >= 60
    assert live[0] == selections and live[-1] < selections, live
    assert all(s.description for source in refi.sources for s in source.selections)


def test_an_import_keeps_the_same_entities(export, tmp_path):
    report = import_project(export, tmp_path / "copy")
    from store.project import Project

    with Project.open(export.parent / "study", readonly=True) as original, Project.open(tmp_path / "copy", readonly=True) as copy:
        assert report.counts["codings"] == len(original.state.codings) == len(copy.state.codings)
        assert sorted(c.text for c in copy.state.codings.values()) == sorted(c.text for c in original.state.codings.values())


@pytest.mark.parametrize("changes", [0, 1, journal.PIECE_CHANGES, journal.PIECE_CHANGES + 1, 3 * journal.PIECE_CHANGES + 5])
def test_an_entry_in_pieces_is_its_one_line(changes):
    entry = {"seq": 3, "at": "t", "by": "Zoë", "summary": "import", "kind": "do",
             "changes": [["codings", str(i), None, {"id": str(i), "text": "ü 😀 \"q\"", "start": i}] for i in range(changes)]}  # fmt: skip
    assert b"".join(bytes(piece) for piece in journal.line_pieces(entry)) == orjson.dumps(entry) + b"\n"


def test_a_long_entry_is_never_written_as_one_string(tmp_path, monkeypatch):
    """The import's entry is a piece of PIECE_CHANGES changes at a time, read back whole."""
    written = []
    real_write = journal.os.write

    def write(fd, data):
        written.append(len(data))
        return real_write(fd, data)

    log = journal.Journal(tmp_path)
    log.open_for_append()
    monkeypatch.setattr(journal.os, "write", write)
    entry = {"seq": 1, "summary": "import", "changes": [["codings", str(i), None, {"n": i}] for i in range(4 * journal.PIECE_CHANGES)]}
    try:
        log.append(entry)
    finally:
        log.close()
    assert max(written) < sum(written) / 3
    assert [e for _offset, e in journal.Journal(tmp_path).read_from(0)] == [entry]



def _many_files(folder, documents: int, codings: int):
    """A project whose next checkpoint writes `documents` codings files of `codings` each."""
    from store.importers import parse_text
    from store.model import Coding
    from store.project import Project

    project = Project.init(folder, coder="alice")
    project.auto_checkpoint = False  # the test's own checkpoint writes them
    text = "\n".join(f"P: turn {t} says something worth coding, naïvely 😀." for t in range(40))
    docs = [project.documents.import_parsed(parse_text(f"{text} {n}", "txt"), f"D{n}", {}).document for n in range(documents)]
    code = project.codebook.add("Trust")
    stamp = "2026-01-01T00:00:00.000Z"
    with project.operation("many"):
        project.put_new_entities(
            Coding(f"{d.id[:8]}-{n:05d}", d.id, code.id, n, n + 30, text[n : n + 30], project.coder.id, stamp, stamp)
            for d in docs
            for n in range(codings)
        )
    return project


def test_a_checkpoint_holds_a_few_files_bytes_not_all(tmp_path):
    """An import's first checkpoint writes every codings file (90 MB at 200,000 codings):
    each file's bytes are staged to disk and let go before the record names them, so
    what it holds is a few files', not the sum (on main it encoded every file first)."""
    import tracemalloc

    from store.core import checkpoints

    files = 8 * checkpoints.SAVE_THREADS
    project = _many_files(tmp_path / "p", files, 500)
    total = sum(len(db.storage.encoded()) for db in project._coding_dbs.values())
    tracemalloc.start()
    try:
        project.checkpoint()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    project.close()
    # At most 2 x SAVE_THREADS files wait for a writer while one more is encoded (a slow
    # disk fills that window), and a little more for the bookkeeping.
    window = (2 * checkpoints.SAVE_THREADS + 2) / files
    assert peak < total * window, f"{peak} bytes held to write {total} (window {window:.2f})"
    from store.project import Project

    with Project.open(tmp_path / "p", readonly=True) as again:
        assert len(again.state.codings) == 4 * checkpoints.SAVE_THREADS * 1000
    assert not [p for p in (tmp_path / "p").rglob("*.tmp")]
