"""Work counted, not timed: each command-line path reads and writes what it touches (issue 11).

Each test patches the system calls a path makes (open, link, fsync) and counts them on a
project of several documents, so a return to whole-project costs fails here, whatever
the machine's speed."""

from __future__ import annotations

import os

import pytest

from store import backup, layout
from store.importers import parse_text
from store.project import Project

from .conftest import INTERVIEW

DOCUMENTS = 6


@pytest.fixture
def study(tmp_path):
    """A closed project of DOCUMENTS interviews, each coded twice by alice."""
    with Project.init(tmp_path / "study", name="Study", coder="alice") as project:
        code = project.codebook.add("Trust")
        for n in range(DOCUMENTS):
            document = project.documents.import_parsed(parse_text(f"{INTERVIEW}\nInterviewer: Thank you, {n}.\n", "txt"), f"N{n}", {"case": f"N{n}"}).document
            for turn in document.turns[1:3]:
                project.codings.apply(document, code, turn.start, turn.end)
    return tmp_path / "study"


def _count(monkeypatch, module, name: str) -> list:
    """Record the first argument of every call of module.name."""
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args[0] if args else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_backup_is_one_link_per_file_and_an_fsync_per_folder(study, monkeypatch):
    files = layout.checkpoint_paths(study)
    links = _count(monkeypatch, os, "link")
    fsyncs = _count(monkeypatch, os, "fsync")
    made = backup.take(study, files, "test")
    assert len(links) == len(files)
    folders = {p.parent for p in made.rglob("*")} | {made, made.parent, made.parent.parent}
    assert len(fsyncs) == len(folders)
    assert sorted(p.relative_to(made) for p in made.rglob("*") if p.is_file()) == sorted(p.relative_to(study) for p in files)


def test_kept_sources_are_not_read_again(study, monkeypatch):
    backup.keep_sources(study)
    reads = _count(monkeypatch, type(study), "read_bytes")
    backup.keep_sources(study)
    assert reads == []
