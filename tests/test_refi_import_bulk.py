"""The import's bulk put (`Project.put_new_entities`, issue 11) writes what one `put` per
entity wrote: the same log, project.json, codings files and checkpoint record, byte for
byte, for every real export in ../shared/refi/samples and a project of Margin's own."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from store import project as project_module
from store.core import changes as core_changes
from store.core import store as core_store
from store.model import Coding, Memo
from store.refi import export_qdpx, import_project, importer
from store.refi import plan as plan_module
from tests.test_export_speed import many_codings
from tests.test_refi_support import REFI, SAMPLES, make_project

STAMP = "2026-01-01T00:00:00.000Z"


def one_put_each(project, plan, label: str) -> None:
    """What the import did before the bulk put: one `put` per entity."""
    with project.operation(f"import {label}"):
        for document, text in plan.documents:
            project.store_text(document.id, text)
        if plan.replaces is not None:
            project.delete(plan.replaces)
        codings = (Coding.from_record(record) for record in plan.codings)  # the plan holds them as records
        for entity in (*plan.coders, *plan.codes, *(d for d, _ in plan.documents), *codings, *plan.memos):
            project.put(entity)


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file of the project but its lock and backups (named by time), by path."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != ".margin.lock" and "backups" not in path.relative_to(folder).parts
    }


def imported(source: Path, target: Path, monkeypatch, store=None) -> dict[str, bytes]:
    """The import's files, made with fixed ids and times so that two imports can agree."""
    ids = (f"00000000-0000-4000-8000-{n:012d}" for n in itertools.count())
    monkeypatch.setattr(core_store, "new_id", lambda: next(ids))
    monkeypatch.setattr(core_store, "now", lambda: STAMP)
    monkeypatch.setattr(core_changes, "now", lambda: STAMP)
    monkeypatch.setattr(plan_module, "now", lambda: STAMP)
    if store is not None:
        monkeypatch.setattr(importer, "_store", store)
    import_project(source, target)
    return files_of(target)


def margin_export(tmp_path: Path) -> Path:
    with make_project(tmp_path / "study") as project:
        many_codings(project, 60)
        export_qdpx(project, tmp_path / "study.qdpx")
    return tmp_path / "study.qdpx"


SOURCES = [s.name for s in sorted(SAMPLES.glob("*.qd[ep]*"))] if REFI.is_dir() else []


@pytest.mark.parametrize("sample", ["margin", *SOURCES])
def test_the_bulk_put_writes_what_one_put_each_wrote(tmp_path, monkeypatch, sample):
    source = margin_export(tmp_path) if sample == "margin" else SAMPLES / sample
    with monkeypatch.context() as patch:
        bulk = imported(source, tmp_path / "bulk", patch)
    with monkeypatch.context() as patch:
        each = imported(source, tmp_path / "each", patch, one_put_each)
    assert sorted(bulk) == sorted(each)
    for name in each:
        assert bulk[name] == each[name], name
    assert sample != "margin" or sum(name.startswith("codings/") for name in bulk) >= 2


def test_an_entity_already_held_is_put_as_a_change_not_a_second_copy(tmp_path):
    """The bulk put of an id the project holds (or that came earlier in the same batch)
    goes the way of `put`: logged with its value before, one copy in memory and on disk."""
    with make_project(tmp_path / "p") as project:
        coding = next(iter(project.state.codings.values()))
        memo = Memo("m-new", "project", None, "first", "", "", STAMP, STAMP)
        with project.operation("bulk"):
            project.put_new_entities([memo, Memo(**{**memo.to_record(), "text": "second"}), coding])
        assert project.state.memos["m-new"].text == "second"
        entry = project.log()[-1]
        assert entry["changes"] == 3
        project.checkpoint()
    with project_module.Project.open(tmp_path / "p", readonly=True) as again:
        assert again.state.memos["m-new"].text == "second"
        assert again.state.codings[coding.id] == coding
