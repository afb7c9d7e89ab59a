"""The project store: durability, the log, undo/redo, locking, backups, corruption."""

from __future__ import annotations

import os
import stat

import orjson
import pytest

from store import backup
from store.errors import NotAProject, ProjectCorrupt, ProjectLocked, Refused
from store.journal import LOG_NAME
from store.project import PROJECT_FILE, Project


def test_init_creates_private_layout(tmp_path):
    project = Project.init(tmp_path / "p", name="Peer support", coder="alice")
    project.close()
    root = tmp_path / "p"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for path in root.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_init_refuses_an_existing_project(project):
    with pytest.raises(Refused):
        Project.init(project.dir)


def test_open_refuses_a_folder_that_is_not_a_project(tmp_path):
    with pytest.raises(NotAProject, match="not a Margin project"):
        Project.open(tmp_path)


def test_changes_survive_reopen_without_checkpoint(project, interview):
    code = project.codebook.add("Trust")
    project.codings.apply(interview, code, 0, 9)
    # Simulate a kill: no close(), so nothing but the log has the changes.
    project.journal.close()
    project.lock.release()
    again = Project.open(project.dir)
    try:
        assert [c.text for c in again.codings.for_document(interview)] == [project.text(interview.id)[0:9]]
        assert again.codebook.get("Trust").id == code.id
    finally:
        again.close()


def test_checkpoint_then_replay_is_idempotent(project, interview):
    code = project.codebook.add("Trust")
    project.codings.apply(interview, code, 0, 5)
    project.checkpoint()
    project.codings.apply(interview, code, 5, 9)
    project.close()
    with Project.open(project.dir) as again:
        assert [(c.start, c.end) for c in again.codings.for_document(interview)] == [(0, 5), (5, 9)]


def test_no_checkpoint_runs_inside_an_action_when_the_app_defers_them(project, interview):
    """The app sets auto_checkpoint off and checkpoints when idle: an action never pays for one."""
    from store.project import CHECKPOINT_OPS

    project.auto_checkpoint = False
    code = project.codebook.add("Trust")
    written = (project.dir / PROJECT_FILE).stat().st_mtime_ns
    for _ in range(CHECKPOINT_OPS // 2 + 3):
        project.codings.uncode(project.codings.apply(interview, code, 0, 3))
    assert project.checkpoint_due
    assert (project.dir / PROJECT_FILE).stat().st_mtime_ns == written
    project.checkpoint_if_due()
    assert not project.checkpoint_due
    assert (project.dir / PROJECT_FILE).stat().st_mtime_ns != written


def test_undo_and_redo_walk_the_log_across_processes(project, interview):
    code = project.codebook.add("Trust")
    project.codings.apply(interview, code, 0, 9)
    project.close()
    with Project.open(project.dir) as second:
        assert second.undo()["summary"].startswith("code N1")
        assert second.codings.for_document(interview) == []
    with Project.open(project.dir) as third:
        third.redo()
        assert len(third.codings.for_document(interview)) == 1
        with pytest.raises(Refused, match="nothing to redo"):
            third.redo()


def test_a_new_action_clears_redo(project, interview):
    code = project.codebook.add("Trust")
    project.codings.apply(interview, code, 0, 9)
    project.undo()
    project.codings.apply(interview, code, 2, 4)
    assert not project.can_redo


def test_undo_of_a_merge_restores_both_codes(project, interview):
    a = project.codebook.add("A")
    b = project.codebook.add("B")
    project.codings.apply(interview, a, 0, 9)
    project.codebook.merge(a, b)
    assert "A" not in {c.name for c in project.codebook.all()}
    project.undo()
    assert {c.name for c in project.codebook.all()} == {"A", "B"}
    assert [c.code for c in project.codings.for_document(interview)] == [a.id]


def test_log_lists_who_did_what(project, interview):
    project.codebook.add("Trust")
    summaries = [e["summary"] for e in project.log()]
    assert summaries[-2:] == ["import N1", "add code Trust"]
    assert project.log()[-1]["by"] == "alice"


def test_torn_log_tail_is_ignored_and_cut(project, interview):
    project.codebook.add("Trust")
    project.close()
    log = project.dir / LOG_NAME
    with open(log, "ab") as handle:
        handle.write(b'{"seq": 99, "summary": "half wri')
    with Project.open(project.dir) as again:
        assert again.codebook.get("Trust")
        again.codebook.add("Stigma")
    assert log.read_bytes().endswith(b"\n")
    with Project.open(project.dir, readonly=True) as third:
        assert {c.name for c in third.codebook.all()} == {"Trust", "Stigma"}


def test_damaged_log_line_is_reported(project, interview):
    project.close()
    log = project.dir / LOG_NAME
    lines = log.read_bytes().split(b"\n")
    lines[0] = b"garbage"
    log.write_bytes(b"\n".join(lines))
    (project.dir / PROJECT_FILE).write_bytes(b"")  # force a full replay
    with pytest.raises(ProjectCorrupt):
        Project.open(project.dir)


def test_second_writer_is_refused_with_the_holder_named(project):
    with pytest.raises(ProjectLocked, match=f"pid {os.getpid()}"):
        Project.open(project.dir)


def test_readers_work_while_a_writer_holds_the_lock(project, interview):
    with Project.open(project.dir, readonly=True) as reader:
        assert [d.name for d in reader.documents.all()] == ["N1"]
        with pytest.raises(Refused, match="read-only"):
            reader.codebook.add("X")


def test_stale_lock_from_a_dead_process_is_taken_over(project):
    project.close()
    (project.dir / ".margin.lock").write_text("margin pid 999999@elsewhere since yesterday")
    with Project.open(project.dir) as again:
        assert "999999" in again.lock.stale_holder


def test_corrupt_project_file_names_the_newest_good_backup(project, interview):
    project.codebook.add("Trust")
    project.close()
    with Project.open(project.dir):
        pass  # takes a backup of the checkpoint written at close
    (project.dir / PROJECT_FILE).write_bytes(b'{"meta": {"proj')  # in place: the newest backup shares it
    good = [b for b in backup.listing(project.dir) if (b / PROJECT_FILE).read_bytes().rstrip().endswith(b"}")][-1]
    with pytest.raises(ProjectCorrupt, match=good.name):
        Project.open(project.dir)


def test_changed_source_text_is_detected(project, interview):
    project.close()
    source = project.dir / "sources" / f"{interview.id}.txt"
    source.write_text(source.read_text().replace("nurse", "NURSE"))
    with Project.open(project.dir) as again:
        with pytest.raises(ProjectCorrupt, match="sha256 mismatch"):
            again.text(interview.id)


def test_disk_full_on_append_changes_nothing(project, interview, monkeypatch):
    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(Refused, match="No space left"):
        project.codebook.add("Trust")
    monkeypatch.undo()
    assert project.codebook.all() == []
    project.codebook.add("Stigma")
    project.close()
    with Project.open(project.dir) as again:
        assert [c.name for c in again.codebook.all()] == ["Stigma"]


def test_failure_inside_an_operation_rolls_back_memory(project, interview):
    with pytest.raises(RuntimeError):
        with project.operation("half done"):
            project.codebook.ensure("Trust")
            raise RuntimeError("boom")
    assert project.codebook.all() == []


def test_schema_too_new_is_refused(project):
    project.close()
    path = project.dir / PROJECT_FILE
    data = orjson.loads(path.read_bytes())
    data["meta"]["project"]["schema"] = 99
    path.write_bytes(orjson.dumps(data))
    with pytest.raises(Refused, match="newer Margin"):
        Project.open(project.dir)


def test_migrations_run_in_order(monkeypatch):
    from store import schema

    monkeypatch.setattr(schema, "SCHEMA", 3)
    steps = {1: lambda d: {**d, "trail": d.get("trail", "") + "1"}, 2: lambda d: {**d, "trail": d["trail"] + "2"}}
    migrated, old = schema.migrate({}, 1, steps)
    assert migrated["trail"] == "12" and old == 1


def test_backups_rotate(project, interview):
    for _ in range(backup.KEEP + 5):
        project.backup("test")
    assert len(backup.listing(project.dir)) == backup.KEEP


def test_read_only_open_counts_codings_without_reading_them(project, interview):
    code = project.codebook.add("Trust")
    project.codings.apply(interview, code, 0, 5)
    project.close()
    with Project.open(project.dir, readonly=True) as reader:
        assert reader.state.coding_counts_by_document() == {interview.id: 1}
        assert reader.state._deferred is not None  # the codings files were not parsed
        assert [c.text for c in reader.codings.for_document(interview)] == [reader.text(interview.id)[:5]]
    with Project.open(project.dir) as writer:  # a coding change in the log tail, no checkpoint
        writer.codings.apply(interview, code, 5, 9)
        writer.journal.close()
        writer.lock.release()
        writer._ops_since_checkpoint = 0
    with Project.open(project.dir, readonly=True) as reader:
        assert reader.state.coding_counts_by_document() == {interview.id: 2}


def test_writes_after_a_lazy_open_keep_every_coding(project, interview):
    code = project.codebook.add("Trust")
    for start in range(0, 40, 4):
        project.codings.apply(interview, code, start, start + 3)
    project.close()
    with Project.open(project.dir) as writer:
        writer.codings.apply(interview, code, 41, 44)
        writer.checkpoint()
    with Project.open(project.dir, readonly=True) as reader:
        assert len(reader.codings.for_document(interview)) == 11


def test_disk_full_at_close_keeps_the_changes_in_the_log(project, interview, monkeypatch):
    import store.core.store as project_module

    project.codebook.add("Trust")

    def full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(project_module, "write_atomic", lambda *a: full(*a))
    monkeypatch.setattr("store.storage.write_atomic", full)
    monkeypatch.setattr("store.storage.write_temporary", full)  # a checkpoint stages its files with it
    project.close()
    assert any("No space left" in w for w in project.warnings)
    monkeypatch.undo()
    with Project.open(project.dir) as again:
        assert again.codebook.get("Trust")


def test_backups_keep_one_a_day_beyond_the_newest(project, interview):
    folder = project.dir / backup.BACKUP_DIR
    for day in range(1, 6):
        for hour in (9, 17):
            old = folder / f"202601{day:02d}T{hour:02d}0000000000Z-open"
            old.mkdir(parents=True)
            (old / "project.json").write_text("{}")
    for _ in range(backup.KEEP):
        project.backup("test")
    names = [p.name for p in backup.listing(project.dir)]
    assert [n for n in names if n.startswith("202601")] == [f"202601{d:02d}T170000000000Z-open" for d in range(1, 6)]
    assert len(names) == backup.KEEP + 5


def test_the_newest_log_lines_read_from_the_end_are_the_same_as_from_the_start(tmp_path):
    """`margin log -n N` reads from the log's end: for every N, the same entries and
    offsets as reading it all, with lines longer than a read block and a torn tail."""
    from store.journal import Journal

    journal = Journal(tmp_path)
    journal.open_for_append()
    for n in range(40):
        journal.append({"seq": n + 1, "changes": [], "summary": "x" * (n * 4000 if n % 7 == 3 else n)})
    journal.close()
    with open(tmp_path / "log.jsonl", "ab") as handle:
        handle.write(b'{"seq": 41, "chan')  # a torn last line is never an entry
    everything = list(journal.read_lines(0))
    for count in range(1, 45):
        assert journal.last_lines(count) == everything[-count:], count


# ---------------------------------------------------------------- the shared, mergeable format


def _shared_files(folder) -> dict[str, bytes]:
    """What git would share: every file but those .gitignore lists as this machine's own."""
    local = ("log.jsonl", ".margin.lock", "local.json", "backups", "damaged", "cache")
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] not in local and not p.name.endswith(".tmp")
    }


def _two_coders(project, interview):
    trust = project.codebook.add("Trust")
    project.codings.apply(interview, trust, 0, 11)
    project.coder = project.add_coder("bob")
    project.codings.apply(interview, trust, 12, 20)
    project.memos.add("journal", None, "day one")
    project.close()


def test_shared_files_are_one_entity_per_line_in_a_stable_order(project, interview):
    _two_coders(project, interview)
    files = _shared_files(project.dir)
    codings = [name for name in files if name.startswith("codings/")]
    assert len(codings) == 2 and all(name.count("/") == 2 for name in codings)  # codings/<coder>/<document>.json
    for name in ["project.json", *codings]:
        lines = files[name].decode().splitlines()
        data = orjson.loads(files[name])
        entities = sum(len(table) for table in data.values())
        assert len([x for x in lines if x.startswith('"') and x.rstrip(",").endswith("}")]) == entities, name
        keys = [orjson.loads("{" + x.rstrip(",") + "}") for x in lines if x.startswith('"') and x.rstrip(",").endswith("}")]
        assert [next(iter(k)) for k in keys] == sorted(next(iter(k)) for k in keys) or name == "project.json"
        assert "checkpoint" not in files[name].decode()  # nothing machine-local in a shared file
    with Project.open(project.dir) as again:
        again.checkpoint()  # the same data gives the same bytes
    assert _shared_files(project.dir) == files
    gitignore = (project.dir / ".gitignore").read_text()
    assert all(f"/{name}" in gitignore for name in ("log.jsonl", "local.json", "backups/", "damaged/", "cache/", ".margin.lock"))


def test_an_action_rewrites_only_the_file_it_touches(project, interview):
    from store.importers import parse_text

    _two_coders(project, interview)
    other = Project.open(project.dir)
    parsed = parse_text("Interviewer: hello there.\n\nParticipant: hello back.\n", "txt")
    second = other.documents.import_parsed(parsed, "N2", {}).document
    other.codings.apply(second, other.codebook.get("Trust"), 0, 5)
    other.close()
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in (project.dir / "codings").glob("*/*.json")}
    with Project.open(project.dir, coder="alice") as again:
        again.codings.apply(again.documents.get("N2"), again.codebook.get("Trust"), 6, 11)
        assert not again.state.codings_loaded  # the other documents' codings were never read
    after = {p: (p.stat().st_ino, p.read_bytes()) for p in (project.dir / "codings").glob("*/*.json")}
    changed = [p for p in after if after[p] != before.get(p)]
    assert len(changed) == 1 and changed[0].stem == second.id  # one small file, alice's codings of N2


def test_a_fresh_clone_without_local_state_opens_and_records_it(project, interview, tmp_path):
    _two_coders(project, interview)
    with Project.open(project.dir, readonly=True) as original:
        codes = dict(original.state.codes)
    clone = tmp_path / "clone"
    for name, data in _shared_files(project.dir).items():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_bytes(data)
    with Project.open(clone, coder="carol") as copy:
        assert len(copy.state.codings) == 2 and dict(copy.state.codes) == codes
        copy.codings.apply(copy.documents.get(interview.name), copy.codebook.get("Trust"), 21, 30)
    record = orjson.loads((clone / "local.json").read_bytes())["checkpoint"]
    assert len([n for n in record["files"] if n.startswith("codings/")]) == 3

