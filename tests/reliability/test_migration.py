"""Opening a project made by Margin's first format (tests/fixtures/v1_project, made by
tests/fixtures/make_v1_project.py on main) migrates it once, in place, losing nothing;
a power cut or kill -9 at any step of the migration leaves the old project or the new
one, each opening with every coding, memo and undo step (checked over every crash state
of the migration's file-system calls, as tests/reliability/alice.py builds them)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson

from store.project import Project
from tests.reliability.alice import Prefixes, Recorder, crash_states
from tests.reliability.helpers import check_invariants, state_of

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "v1_project"


def _copy(target: Path) -> Path:
    shutil.copytree(FIXTURE, target)
    return target


def _history(project: Project) -> tuple:
    """What undo and redo reach: each stack's [action, coder] items."""
    return [(i[0], i[2]) for i in project._undo], [(i[0], i[2]) for i in project._redo]


def _reference(tmp_path: Path) -> tuple[dict, tuple, int]:
    """The fixture's state and history as a read-only open sees them (nothing migrated)."""
    with Project.open(FIXTURE, readonly=True) as project:
        return state_of(project), _history(project), project.seq


def test_the_fixture_is_of_the_first_format():
    main = orjson.loads((FIXTURE / "project.json").read_bytes())
    assert main["meta"]["project"]["schema"] == 1 and "checkpoint" in main["meta"]
    assert sorted(p.name for p in (FIXTURE / "codings").iterdir() if p.suffix == ".json")  # codings/<coder>.json
    assert not (FIXTURE / "local.json").exists()
    lines = (FIXTURE / "log.jsonl").read_bytes().splitlines()
    assert orjson.loads(lines[-1])["seq"] > main["meta"]["checkpoint"]["seq"]  # entries past the checkpoint


def test_opening_migrates_once_and_keeps_every_coding_memo_and_undo_step(tmp_path):
    state, history, seq = _reference(tmp_path)
    assert len(state["codings"]) == 4 and len({c["coder"] for c in state["codings"].values()}) == 2
    assert any(m["kind"] == "journal" for m in state["memos"].values()) and history[1]
    project_dir = _copy(tmp_path / "p")
    with Project.open(project_dir, coder="alice") as project:
        assert state_of(project) == state and _history(project) == history and project.seq == seq
    main = orjson.loads((project_dir / "project.json").read_bytes())
    assert main["meta"]["project"]["schema"] == 2 and "checkpoint" not in main["meta"]
    assert not list((project_dir / "codings").glob("*.json"))  # the old files are gone ...
    assert [p.name for p in (project_dir / "backups").iterdir() if p.name.endswith("before-schema-2")]  # ... kept here
    assert "/local.json" in (project_dir / ".gitignore").read_text()
    for path in (project_dir / "codings").glob("*/*.json"):
        coder, document = path.parent.name, path.stem
        records = orjson.loads(path.read_bytes())["codings"]
        assert all(r["coder"] == coder and r["document"] == document for r in records.values())
    before = sorted(os.listdir(project_dir / "backups"))
    with Project.open(project_dir, coder="bob") as project:
        assert state_of(project) == state and _history(project) == history
        assert project.redo()["seq"] == history[1][0][0]  # bob's undone action comes back
    assert not [n for n in set(os.listdir(project_dir / "backups")) - set(before) if "schema" in n]  # migrated once


def test_a_read_only_open_of_the_first_format_changes_nothing(tmp_path):
    project_dir = _copy(tmp_path / "p")
    before = {str(p): p.read_bytes() for p in project_dir.rglob("*") if p.is_file()}
    with Project.open(project_dir, readonly=True) as project:
        assert len(project.state.codings) == 4
    assert {str(p): p.read_bytes() for p in project_dir.rglob("*") if p.is_file()} == before


def test_a_crash_at_any_step_of_the_migration_leaves_the_old_or_the_new_project(tmp_path):
    state, history, seq = _reference(tmp_path)
    root = _copy(tmp_path / "root" / "p").parent
    recorder = Recorder(root)
    with recorder.recording(lambda: 0):
        Project.open(root / "p", coder="alice").close()
    recorder.verify()
    prefixes, seen, checked, kinds = Prefixes(recorder.initial, recorder.ops), set(), 0, set()
    scratch = tmp_path / "states"
    for end in range(len(recorder.ops) + 1):
        for what, model in crash_states(prefixes, recorder.ops, end):
            if model.digest() in seen:
                continue
            seen.add(model.digest())
            target = scratch / str(len(seen))
            target.mkdir(parents=True)
            model.materialize(target)
            main = orjson.loads((target / "p" / "project.json").read_bytes())
            kinds.add(main["meta"]["project"]["schema"])
            with Project.open(target / "p", coder="alice") as project:  # no restore: it must just open
                assert state_of(project) == state, f"cut after call {end} ({what})"
                assert _history(project) == history and project.seq == seq, f"cut after call {end} ({what})"
                check_invariants(project)
            shutil.rmtree(target)
            checked += 1
    assert kinds == {1, 2}, "the cuts must fall both before and after the migration's commit"
    assert checked > 20, checked
