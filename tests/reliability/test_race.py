"""A read-only command racing a writer's checkpoints sees one consistent state (issue 9,
finding 9: `export csv` once crashed with KeyError when it read project.json and the log
at one moment and the codings files later, from a newer checkpoint)."""

from __future__ import annotations

import subprocess
import time

from store.exporters.segments import segment_rows
from store.project import Project
from tests.reliability.helpers import PYTHON, REPO, clean_env, margin

SECONDS = 4.0


def test_readers_racing_a_checkpointing_writer_see_consistent_states(study):
    writer = subprocess.Popen(
        [PYTHON, str(REPO / "tests" / "reliability" / "race_writer.py"), str(study), str(SECONDS)],
        stdout=subprocess.PIPE, env=clean_env(),
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == b"ready"
        reads, deadline = 0, time.monotonic() + SECONDS - 0.5
        while time.monotonic() < deadline:
            with Project.open(study, readonly=True) as project:
                time.sleep(0.01)  # as a command parses its options before it needs codings
                header, rows = segment_rows(project)
                codes = {row[header.index("code")] for row in rows}
                assert all(codes), rows
                assert len(rows) == sum(project.state.coding_counts_by_document().values())
            reads += 1
        assert margin("export", "csv", project=study).code == 0
    finally:
        writer.wait(timeout=30)
    assert writer.returncode == 0
    assert reads > 20
    with Project.open(study, readonly=True) as project:
        assert len(project.state.codings) > 2


def test_a_checkpoint_between_a_readers_open_and_its_codings_is_caught_up(study):
    """The window made certain: a writer process checkpoints a new code and a coding
    with it after the reader read project.json and the log, before it read codings."""
    with Project.open(study, readonly=True) as project:
        assert margin("codes", "add", "Late", project=study).code == 0
        assert margin("apply", "N1", "Late", "--match", "She notices", project=study).code == 0
        header, rows = segment_rows(project)
        assert "Late" in {row[header.index("code")] for row in rows}
        assert "Late" in {code.name for code in project.state.codes.values()}


def test_a_checkpoint_while_a_reader_reads_the_codings_files_is_read_again(study, monkeypatch):
    """The window of the CI failure made certain: a writer checkpoints after a reader took
    the checkpoint record and before it read the codings files (the checked path, which a
    file the quick decoder refuses takes), so the files are newer than the record. The
    reader said the project was damaged and to run `margin restore`; it now reads again."""
    from store import codings_files
    from store.core.opening import Opening

    read_all, raced = codings_files.read_all, []

    def racing(folder):
        if not raced:
            with Project.open(study, coder="writer") as writer:
                code = writer.codebook.add("Raced")
                writer.codings.apply(writer.documents.all()[0], code, 0, 5)
                writer.checkpoint()
            raced.append(True)
        return read_all(folder)

    monkeypatch.setattr(codings_files, "read_all", racing)
    monkeypatch.setattr(Opening, "_built_codings", lambda self: None)
    with Project.open(study, readonly=True) as project:
        header, rows = segment_rows(project)
    assert raced
    assert "Raced" in {row[header.index("code")] for row in rows}


def test_a_file_changed_outside_margin_is_still_refused_by_a_reader(study, monkeypatch):
    """Reading again is only for a record that changed meanwhile: a codings file that is
    not the checkpoint's, with no checkpoint since, is named as before, at once."""
    from store import layout
    from store.core.opening import Opening
    from store.errors import ProjectCorrupt

    path = next(iter(layout.codings_files(study).values()))
    path.write_bytes(path.read_bytes().replace(b"}}", b"} }", 1))
    monkeypatch.setattr(Opening, "_built_codings", lambda self: None)
    started = time.monotonic()
    with Project.open(study, readonly=True) as project:
        try:
            segment_rows(project)
        except ProjectCorrupt as refused:
            assert "not the file the last checkpoint wrote" in str(refused)
        else:
            raise AssertionError("a changed codings file was read as the checkpoint's")
    assert time.monotonic() - started < 2


def test_a_checkpoint_between_the_record_and_project_json_is_read_again(study, monkeypatch):
    """The same at open: the record read, then a writer's checkpoint rewrites project.json
    before the reader reads it."""
    from store import layout

    read_local, raced = layout.read_local, []

    def racing(folder):
        record = read_local(folder)
        if not raced:
            raced.append(True)
            with Project.open(study, coder="writer") as writer:
                writer.codebook.add("Raced at open")
                writer.checkpoint()
        return record

    monkeypatch.setattr(layout, "read_local", racing)
    with Project.open(study, readonly=True) as project:
        assert "Raced at open" in {code.name for code in project.state.codes.values()}
    assert raced
