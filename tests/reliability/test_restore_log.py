"""Restore and replay against a damaged or inconsistent log, backups without their
codings, and a rebuild from the log (issue 9, findings 1, 6, 7 and 8)."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from store import backup, restore
from store.errors import ProjectCorrupt
from store.journal import LOG_NAME
from store.project import Project
from tests.reliability.helpers import age_backups, margin, one_line_error, read_state


def _ops_after_checkpoint(directory: Path, names=("Alpha", "Beta", "Gamma")) -> None:
    """Acknowledged operations only the log holds (the process dies before a checkpoint)."""
    project = Project.open(directory)
    for name in names:
        project.codebook.add(name)
    project.journal.close()
    project.lock.release()


def _lines(directory: Path) -> list[tuple[int, dict]]:
    """(offset, entry) of every line, read here rather than by the code under test."""
    found, offset = [], 0
    for line in (directory / LOG_NAME).read_bytes().split(b"\n")[:-1]:
        found.append((offset, orjson.loads(line)))
        offset += len(line) + 1
    return found


def _replace_line(directory: Path, offset: int, new: bytes) -> None:
    log = directory / LOG_NAME
    data = log.read_bytes()
    end = data.index(b"\n", offset)
    log.write_bytes(data[:offset] + new + data[end:])


def _append(directory: Path, entry: dict) -> None:
    with open(directory / LOG_NAME, "ab") as handle:
        handle.write(orjson.dumps(entry) + b"\n")


# ---------------------------------------------------------------- finding 1


def test_a_backup_without_its_codings_is_not_usable_and_restore_takes_an_older_one(study):
    for name in ("Hope", "Doubt"):  # two sessions an hour apart: two backups holding the codings
        assert margin("codes", "add", name, project=study).code == 0
        age_backups(study)
    before = read_state(study)
    assert before["codings"]
    newest = backup.listing(study)[-1]
    assert list((newest / "codings").glob("*/*.json"))
    for path in (newest / "codings").glob("*/*.json"):
        path.unlink()  # a sync tool that failed to copy the codings files
    listing = margin("restore", "--list", project=study).out
    line = next(x for x in listing.splitlines() if newest.name in x)
    assert "damaged" in line and "codings" in line, listing
    assert margin("restore", project=study).code == 0
    assert read_state(study) == before


def test_a_backup_missing_one_coders_file_is_not_usable(study):
    assert margin("--coder", "bob", "apply", "N1", "Trust", "--match", "She notices", project=study).code == 0
    margin("codes", project=study)
    project = Project.open(study)
    project.take_open_backup(every_session=True)  # as the app does: a backup of the checkpoint holding both coders' files
    project.close()
    before = read_state(study)
    newest = backup.listing(study)[-1]
    files = sorted((newest / "codings").glob("*/*.json"))
    assert len(files) == 2
    files[0].unlink()
    assert not restore.check(newest, 1 << 40).good
    assert margin("restore", project=study).code == 0
    assert read_state(study) == before


# ---------------------------------------------------------------- finding 6


def test_rebuild_from_the_log_keeps_the_projects_metadata(study):
    meta = orjson.loads((study / "project.json").read_bytes())["meta"]["project"]
    (study / "project.json").write_bytes(b"\x00garbage")
    assert margin("restore", "--from-log", project=study).code == 0
    after = orjson.loads((study / "project.json").read_bytes())["meta"]["project"]
    assert after == meta
    assert margin("codes", "add", "After", project=study).code == 0
    summaries = [entry["summary"] for _, entry in _lines(study)]
    assert summaries[-1] == "add code After", summaries[-3:]


def test_rebuild_from_the_log_alone_takes_the_first_coder_and_time_from_the_log(study):
    for path in [study / "project.json", *(p / "project.json" for p in backup.listing(study))]:
        path.unlink()
        path.write_bytes(b"garbage")
    first = _lines(study)[0][1]
    assert margin("restore", "--from-log", project=study).code == 0
    after = orjson.loads((study / "project.json").read_bytes())["meta"]["project"]
    assert after["default_coder"] == "alice" and after["created"] == first["at"]
    assert margin("codes", "add", "After", project=study).code == 0
    assert not any(e["summary"].startswith("add coder") for _, e in _lines(study)[1:])


# ---------------------------------------------------------------- finding 7


def test_a_line_before_the_checkpoint_damaged_with_a_change_of_length_is_harmless(study):
    _ops_after_checkpoint(study)
    before = read_state(study)
    offset, _ = _lines(study)[2]
    _replace_line(study, offset, b"#" * 300)  # longer: every later offset moves
    assert margin("codes", project=study).code == 0
    assert read_state(study) == before
    done = margin("restore", project=study)
    assert done.code == 0, done
    assert read_state(study) == before
    assert len(list((study / "damaged").iterdir())) == 1


@pytest.mark.parametrize("length", [1, 40, 3000])
def test_damage_after_the_checkpoint_is_found_at_its_line_by_restore_and_cut(study, length):
    _ops_after_checkpoint(study)
    lines = _lines(study)
    offset, beta = lines[-2]
    assert beta["summary"] == "add code Beta"
    _replace_line(study, offset, b"x" * length)
    assert f"damaged at byte {offset}" in one_line_error(margin("codes", project=study))
    refused = one_line_error(margin("restore", project=study))
    assert f"damaged at byte {offset}" in refused and "1 later entries" in refused
    assert not (study / "damaged").exists()  # a refusal leaves nothing behind
    done = margin("restore", "--cut-log", project=study)
    assert done.code == 0 and f"Cut {LOG_NAME} at byte {offset}" in done.out, done
    names = {c["name"] for c in read_state(study)["codes"].values()}
    assert "Alpha" in names and not {"Beta", "Gamma"} & names


def test_every_line_damaged_with_any_length_opens_or_names_its_own_line(study, tmp_path):
    """The class: each line of a log replaced by garbage shorter and longer than it."""
    _ops_after_checkpoint(study)
    checkpoint_seq = orjson.loads((study / "local.json").read_bytes())["checkpoint"]["seq"]
    good = read_state(study)
    template = tmp_path / "template"
    shutil.copytree(study, template)
    checked = 0
    for index, (offset, entry) in enumerate(_lines(template)):
        for length in (1, 500):
            shutil.rmtree(study)
            shutil.copytree(template, study)
            _replace_line(study, offset, b"#" * length)
            try:
                state = read_state(study)
            except ProjectCorrupt as exc:
                assert entry["seq"] > checkpoint_seq, (index, str(exc))
                assert f"damaged at byte {offset} " in str(exc), (index, str(exc))
                restore.restore(study, cut_log=True)
                state = read_state(study)
            else:
                assert entry["seq"] <= checkpoint_seq and state == good, index
            checked += 1
    assert checked >= 16


# ---------------------------------------------------------------- finding 8

INCONSISTENT = {
    "a redo with nothing undone": lambda seq: {"seq": seq, "kind": "redo", "target": 1, "summary": "redo", "changes": []},
    "an undo of the wrong action": lambda seq: {"seq": seq, "kind": "undo", "target": 1, "summary": "undo", "changes": []},
    "a coding on a missing document": lambda seq: {
        "seq": seq, "kind": "do", "summary": "x",
        "changes": [["codings", "c1", None, {"id": "c1", "document": "nowhere", "code": "nothing", "start": 0,
                                             "end": 3, "text": "abc", "coder": "x"}]],
    },
}  # fmt: skip


def _parent_cycle(study: Path, seq: int) -> dict:
    with Project.open(study, readonly=True) as project:
        support = project.codebook.get("Support").to_record()
        trust = project.codebook.get("Trust").to_record()
    return {"seq": seq, "kind": "do", "summary": "cycle", "changes": [["codes", support["id"], support, support | {"parent": trust["id"]}]]}


@pytest.mark.parametrize("case", [*INCONSISTENT, "a two-code parent cycle"])
def test_an_inconsistent_log_entry_is_damage_at_its_line(study, case):
    seq = _lines(study)[-1][1]["seq"] + 1
    offset = (study / LOG_NAME).stat().st_size
    entry = _parent_cycle(study, seq) if case == "a two-code parent cycle" else INCONSISTENT[case](seq)
    _append(study, entry)
    for command in (("docs",), ("codes",), ("export", "csv"), ("restore",)):
        error = one_line_error(margin(*command, project=study))
        assert f"damaged at byte {offset}" in error, (command, error)
    assert f"damaged at byte {offset}" in one_line_error(margin("restore", "--from-log", project=study))
    done = margin("restore", "--cut-log", project=study)
    assert done.code == 0, done
    assert margin("docs", project=study).code == 0 and margin("export", "csv", project=study).code == 0
    assert (study / LOG_NAME).stat().st_size == offset


def test_rebuild_from_the_log_with_an_inconsistent_entry_cuts_it(study):
    before = read_state(study)
    seq = _lines(study)[-1][1]["seq"] + 1
    _append(study, INCONSISTENT["a redo with nothing undone"](seq))
    done = margin("restore", "--from-log", "--cut-log", project=study)
    assert done.code == 0, done
    after = read_state(study)
    assert {t: after[t] for t in ("documents", "codes", "codings", "memos")} == {
        t: before[t] for t in ("documents", "codes", "codings", "memos")
    }
