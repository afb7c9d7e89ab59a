"""Damaged project files: a clear error naming the problem and a usable backup, and
`margin restore` bringing everything back (store/restore.py)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import orjson
import pytest

from store import backup, restore
from store.journal import LOG_NAME
from store.project import Project
from tests.reliability.helpers import INTERVIEW, margin, one_line_error, read_state


def _codings_file(project: Path) -> Path:
    return next((project / "codings").glob("*/*.json"))


def _source(project: Path) -> Path:
    return next((project / "sources").glob("*.txt"))


def _truncate(path: Path) -> None:
    with open(path, "r+b") as handle:  # in place, as a crashed editor or a full disk would
        handle.truncate(path.stat().st_size // 2)


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = b"\x00\xff{]\x00\"\x1b\x00"
    with open(path, "r+b") as handle:
        handle.write(data)


DAMAGE = {
    "truncated project.json": lambda p: _truncate(p / "project.json"),
    "garbled project.json": lambda p: _garble(p / "project.json"),
    "project.json not a project": lambda p: (p / "project.json").write_bytes(b'{"meta": {}}'),
    "empty project.json": lambda p: (p / "project.json").write_bytes(b""),
    "garbled codings file": lambda p: _garble(_codings_file(p)),
    "truncated codings file": lambda p: _truncate(_codings_file(p)),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_is_named_with_a_usable_backup_and_restore_loses_nothing(study, damage):
    before = read_state(study)
    DAMAGE[damage](study)
    error = one_line_error(margin("export", "csv", project=study))
    assert ".json" in error and ("cannot be read" in error or "no project record" in error), error
    named = error.split("the newest backup is ")[1].split(":")[0]
    assert restore.check(study / named, 1 << 40).good, f"{error} names a damaged backup"
    done = margin("restore", project=study)
    assert done.code == 0, done
    assert "The project opens" in done.out
    assert read_state(study) == before
    assert margin("export", "csv", project=study).code == 0


def test_saved_copies_of_the_damaged_files_are_kept_out_of_the_rotation(study):
    _garble(study / "project.json")
    garbled = (study / "project.json").read_bytes()
    assert margin("restore", project=study).code == 0
    (saved,) = (study / "damaged").iterdir()
    assert (saved / "project.json").read_bytes() == garbled
    assert all(p.name != saved.name for p in backup.listing(study))


def test_missing_source_text_is_named_and_restored_from_the_kept_copy(study):
    _source(study).unlink()
    error = one_line_error(margin("show", "N1", project=study))
    assert "text of N1 is missing" in error and "backup" in error
    done = margin("restore", project=study)
    assert done.code == 0 and "Put back the text of N1 (missing)" in done.out, done
    assert "I trust her judgement" in margin("show", "N1", project=study).out


def test_missing_source_text_without_a_kept_copy_is_restored_from_the_originals(study, tmp_path):
    source = _source(study)
    source.unlink()
    (study / "backups" / "sources" / source.name).unlink()
    refused = margin("restore", project=study)
    assert "still missing or changed: N1 (missing" in one_line_error(refused)
    originals = tmp_path / "originals"
    originals.mkdir()
    (originals / "nurse.txt").write_text(INTERVIEW)
    done = margin("restore", "--sources", originals, project=study)
    assert done.code == 0 and "Put back the text of N1 (missing)" in done.out, done
    assert "I trust her judgement" in margin("show", "N1", project=study).out


def test_changed_source_text_is_named_and_the_changed_copy_kept(study, tmp_path):
    source = _source(study)
    source.write_text(source.read_text().replace("trust", "TRUST"))
    error = one_line_error(margin("export", "csv", project=study))
    assert "sha256 mismatch" in error
    originals = tmp_path / "originals"
    originals.mkdir()
    (originals / "n1.txt").write_text(INTERVIEW)
    assert margin("restore", "--sources", originals, project=study).code == 0
    assert margin("export", "csv", project=study).code == 0
    kept = list((study / "damaged").rglob(source.name))
    assert kept and "TRUST" in kept[0].read_text()


def test_a_source_copy_in_a_backup_is_found_by_checksum(study):
    source = _source(study)
    good = source.read_bytes()
    hidden = study / "backups" / "20000101T000000000000Z-manual" / "sources"
    hidden.mkdir(parents=True)
    (hidden / source.name).write_bytes(good)
    source.write_bytes(good.replace(b"nurse", b"NURSE"))
    assert margin("restore", project=study).code == 0
    assert source.read_bytes() == good


def _kill_after_three_ops(directory: Path) -> list[int]:
    """Three acknowledged operations that only the log holds (no checkpoint), and their offsets."""
    project = Project.open(directory)
    offsets = []
    for name in ("Alpha", "Beta", "Gamma"):
        offsets.append(project.journal.size())
        project.codebook.add(name)
    project.journal.close()  # as if killed: no checkpoint, the lock dropped by the OS
    project.lock.release()
    return offsets


def test_log_damaged_in_the_middle_is_cut_with_the_later_entries_counted(study):
    offsets = _kill_after_three_ops(study)
    log = study / LOG_NAME
    data = bytearray(log.read_bytes())
    data[offsets[1]] = ord("#")  # the line of "Beta" is no longer JSON
    log.write_bytes(bytes(data))
    assert f"damaged at byte {offsets[1]}" in one_line_error(margin("codes", project=study))
    refused = one_line_error(margin("restore", project=study))
    assert "--cut-log" in refused and "1 later entries" in refused
    done = margin("restore", "--cut-log", project=study)
    assert done.code == 0 and "1 later entries were set aside" in done.out, done
    names = {c["name"] for c in read_state(study)["codes"].values()}
    assert {"Alpha", "Support", "Trust"} <= names and not {"Beta", "Gamma"} & names
    saved = next((study / "damaged").rglob(LOG_NAME))
    assert saved.read_bytes() == bytes(data)


def test_a_log_line_that_is_json_but_not_an_entry_is_reported_as_damage(study):
    offsets = _kill_after_three_ops(study)
    log = study / LOG_NAME
    data = bytearray(log.read_bytes())
    data[offsets[1] + 2] = ord("#")  # {"seq": ... becomes {"#eq": ..., still JSON
    log.write_bytes(bytes(data))
    assert f"damaged at byte {offsets[1]}" in one_line_error(margin("codes", project=study))


def test_restore_cuts_a_log_line_that_is_json_but_not_an_entry(study):
    offsets = _kill_after_three_ops(study)
    log = study / LOG_NAME
    data = bytearray(log.read_bytes())
    data[offsets[1] + 2] = ord("#")
    log.write_bytes(bytes(data))
    done = margin("restore", "--cut-log", project=study)
    assert done.code == 0 and "1 later entries were set aside" in done.out, done
    assert margin("codes", project=study).code == 0


def test_restore_is_refused_while_another_process_writes(study):
    with Project.open(study):
        error = one_line_error(margin("restore", project=study))
    assert f"pid {os.getpid()}@{socket.gethostname()}" in error


def test_restore_of_a_named_backup_and_of_an_unknown_one(study):
    oldest = backup.listing(study)[0].name
    before = read_state(study)
    assert margin("restore", oldest, project=study).code == 0
    assert read_state(study) == before  # the oldest checkpoint plus the whole log
    assert margin("restore", "no-such-backup", project=study).code == 2


def test_rebuild_from_the_log_alone_when_no_backup_is_usable(study):
    before = read_state(study)
    for folder in backup.listing(study):
        (folder / "project.json").unlink()
        (folder / "project.json").write_bytes(b"garbage")
    _garble(study / "project.json")
    assert "--from-log" in one_line_error(margin("restore", project=study))
    assert margin("restore", "--from-log", project=study).code == 0
    after = read_state(study)
    assert {t: after[t] for t in ("documents", "codes", "codings", "memos")} == {
        t: before[t] for t in ("documents", "codes", "codings", "memos")
    }


def _quiet_app_session(study: Path) -> None:
    """What the app does on a session that changes nothing: its backup at open (the
    newest backup then links the live files), no change, a close."""
    project = Project.open(study)
    project.take_open_backup(every_session=True)
    project.close()


def test_in_place_damage_after_a_quiet_open_names_a_usable_backup(study):
    _quiet_app_session(study)
    newest = backup.newest(study)
    assert os.path.samefile(newest / "project.json", study / "project.json")
    _truncate(study / "project.json")
    error = one_line_error(margin("docs", project=study))
    named = error.split("the newest backup is ")[1].split(":")[0]
    assert restore.check(study / named, 1 << 40).good, error


def test_in_place_damage_shared_with_the_newest_backup_is_still_restored(study):
    before = read_state(study)
    _quiet_app_session(study)
    _truncate(study / "project.json")
    listed = margin("restore", "--list", project=study).out
    assert "damaged: project.json cannot be read" in listed
    assert margin("restore", project=study).code == 0
    assert read_state(study) == before


def test_a_log_shorter_than_the_checkpoint_loses_nothing_acknowledged(study):
    (study / LOG_NAME).write_bytes(b"")  # e.g. copied back from an old sync, or emptied by a tool
    _kill_after_three_ops(study)
    names = {c["name"] for c in read_state(study)["codes"].values()}
    assert {"Alpha", "Beta", "Gamma"} <= names


def test_checkpoint_written_to_disk_is_valid_json(study):
    data = orjson.loads((study / "project.json").read_bytes())
    assert data["meta"]["project"]["name"] == "study"
