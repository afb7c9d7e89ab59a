"""Nothing is shown as done before it is on disk, and a refused command changes nothing.

Every command line command that writes is run (in process, with click's runner) while the
log append fails: fsync gives EIO, or the disk is full (a short write, ENOSPC). No
success line may appear, the exit is non-zero, the one error line names the real error,
and the project's files are byte for byte as before: no half-made action, and no
"add coder" left by `--coder NEW` (issue 9, findings 3, 14 and 15). The same for the
commands whose durable step is a whole file (init, import, restore) with the file's fsync
failing.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import store.journal
import store.storage
from store.project import Project
from tests.reliability.helpers import INTERVIEW, file_bytes
from tui.cli import cli


class FailingOS:
    """The `os` module as one store module sees it, with fsync or write failing."""

    def __init__(self, fault: str):
        self.fault = fault

    def __getattr__(self, name):
        return getattr(os, name)

    def fsync(self, fd):
        if self.fault == "eio":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return os.fsync(fd)

    def write(self, fd, data):
        if self.fault == "enospc":
            return os.write(fd, data[: len(data) // 2])  # a short write, as a full disk gives
        return os.write(fd, data)


def run(project: Path | None, *args) -> tuple[int, str, str]:
    head = ["-p", str(project)] if project else []
    result = CliRunner().invoke(cli, [*head, *map(str, args)], prog_name="margin")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _memo_id(project: Path) -> str:
    with Project.open(project, readonly=True) as p:
        return next(m.id for m in p.state.memos.values() if m.kind == "journal")


def _inputs(tmp: Path) -> dict[str, Path]:
    files = {"text": tmp / "n2.txt", "attrs": tmp / "attrs.csv", "codebook": tmp / "book.csv"}
    files["text"].write_text(INTERVIEW.replace("Nurse", "Doctor"))
    files["attrs"].write_text("document,round\nN1,2\n")
    files["codebook"].write_text("Code,Description\nImported > Code,from a supervisor\n")
    return files


# (name, steps before, the command); {text} {attrs} {codebook} {memo} are filled in.
WRITING_COMMANDS = [
    ("import", [], ["import", "{text}", "--name", "N2"]),
    ("codes add", [], ["codes", "add", "New > Code"]),
    ("codes rename", [], ["codes", "rename", "Trust", "Faith"]),
    ("codes move", [], ["codes", "move", "Trust"]),
    ("codes merge", [["codes", "add", "Other"]], ["codes", "merge", "Trust", "Other"]),
    ("codes delete", [], ["codes", "delete", "Trust", "--force"]),
    ("codes describe", [], ["codes", "describe", "Trust", "when trust is named"]),
    ("codes color", [], ["codes", "color", "Trust", "#112233"]),
    ("codes import", [], ["codes", "import", "{codebook}"]),
    ("apply", [], ["apply", "N1", "Trust", "--span", "0:11"]),
    ("apply --create", [], ["apply", "N1", "Brand new", "--span", "0:11", "--create"]),
    ("auto-code", [], ["apply", "N1", "Trust", "--match", "we", "--all"]),
    ("uncode", [], ["uncode", "N1", "--code", "Trust", "--all"]),
    ("attrs set", [], ["attrs", "set", "N1", "round=2"]),
    ("attrs import", [], ["attrs", "import", "{attrs}"]),
    ("memo add", [], ["memo", "add", "--doc", "N1", "a thought"]),
    ("memo edit", [], ["memo", "edit", "{memo}", "a new text"]),
    ("memo delete", [], ["memo", "delete", "{memo}"]),
    ("undo", [], ["undo"]),
    ("redo", [["undo"]], ["redo"]),
]


def _fill(args: list[str], values: dict[str, str]) -> list[str]:
    return [a.format(**values) for a in args]


def _prepare(study: Path, tmp_path: Path, steps: list[list[str]]) -> dict[str, str]:
    values = {k: str(v) for k, v in _inputs(tmp_path).items()} | {"memo": _memo_id(study)}
    for step in steps:
        code, out, err = run(study, *_fill(step, values))
        assert code == 0, err
    return values


def _assert_refused(code: int, out: str, err: str, reason: str) -> None:
    assert code != 0, out
    assert out.strip() == "", f"a success line before the change was saved: {out!r}"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert reason in lines[0], lines[0]


@pytest.mark.parametrize("coder", [[], ["--coder", "newcomer"]], ids=["coder", "new-coder"])
@pytest.mark.parametrize("fault", ["eio", "enospc"])
@pytest.mark.parametrize("name,steps,args", WRITING_COMMANDS, ids=[c[0] for c in WRITING_COMMANDS])
def test_no_acknowledgement_when_the_log_cannot_be_saved(study, tmp_path, monkeypatch, name, steps, args, fault, coder):
    values = _prepare(study, tmp_path, steps)
    before = file_bytes(study)
    monkeypatch.setattr(store.journal, "os", FailingOS(fault))
    code, out, err = run(study, *coder, *_fill(args, values))
    reason = "Input/output error" if fault == "eio" else "No space left on device"
    if coder and name in ("undo", "redo"):
        reason = f"nothing of newcomer's to {name}"  # undo is each coder's own: refused before any write
    _assert_refused(code, out, err, reason)
    assert file_bytes(study) == before, "a refused command changed the project"


def test_eio_names_the_real_error_not_disk_space(study, monkeypatch):
    monkeypatch.setattr(store.journal, "os", FailingOS("eio"))
    code, _, err = run(study, "codes", "add", "Any")
    assert code == 1 and "Input/output error" in err
    assert "free disk space" not in err, err


def test_disk_full_still_says_free_disk_space(study, monkeypatch):
    monkeypatch.setattr(store.journal, "os", FailingOS("enospc"))
    _, _, err = run(study, "codes", "add", "Any")
    assert "free disk space and try again" in err, err


@pytest.mark.parametrize("fault", ["eio", "enospc"])
def test_import_leaves_no_text_behind_when_refused(study, tmp_path, monkeypatch, fault):
    values = _prepare(study, tmp_path, [])
    texts = sorted(p.name for p in (study / "sources").iterdir())
    monkeypatch.setattr(store.journal, "os", FailingOS(fault))
    code, out, err = run(study, "import", values["text"])
    assert code != 0 and out.strip() == ""
    assert sorted(p.name for p in (study / "sources").iterdir()) == texts


@pytest.mark.parametrize("args", [["import", "{text}"], ["restore"]], ids=["import", "restore"])
def test_no_acknowledgement_when_a_file_cannot_be_saved(study, tmp_path, monkeypatch, args):
    values = _prepare(study, tmp_path, [])
    before = file_bytes(study)
    monkeypatch.setattr(store.storage, "os", FailingOS("eio"))
    code, out, err = run(study, *_fill(args, values))
    assert code != 0 and "Input/output error" in err, (out, err)
    assert not [line for line in out.splitlines() if line.startswith(("Imported", "Restored", "The project opens"))], out
    assert file_bytes(study) == before


def test_init_is_not_acknowledged_when_project_json_cannot_be_saved(tmp_path, monkeypatch):
    monkeypatch.setattr(store.storage, "os", FailingOS("eio"))
    code, out, err = run(None, "init", tmp_path / "new")
    assert code != 0 and out.strip() == "" and "Input/output error" in err
    assert not (tmp_path / "new" / "project.json").exists()


# ---------------------------------------------------------------- refused commands (finding 14)

REFUSED = [
    ["codes", "add", "Bad", "--color", "nonsense"],
    ["codes", "delete", "Trust"],  # it has codings: refused without --force
    ["apply", "N1", "No such code", "--span", "0:5"],
    ["apply", "N1", "Trust", "--span", "5:1"],
    ["memo", "edit", "nope", "text"],
    ["redo"],
]


@pytest.mark.parametrize("args", REFUSED, ids=[" ".join(a[:2]) for a in REFUSED])
def test_a_refused_command_with_a_new_coder_changes_nothing(study, args):
    before = file_bytes(study)
    code, out, err = run(study, "--coder", "newcomer", *args)
    assert code in (1, 2), (out, err)
    assert b"newcomer" not in (study / "log.jsonl").read_bytes()
    assert file_bytes(study) == before


def test_a_new_coder_is_recorded_with_the_first_change(study):
    code, _, err = run(study, "--coder", "newcomer", "apply", "N1", "Trust", "--span", "0:11")
    assert code == 0, err
    with Project.open(study, readonly=True) as p:
        coder = p.coder_named("newcomer")
        assert [c.coder for c in p.state.codings.values()].count(coder.id) == 1
        summaries = [e["summary"] for e in p.log()]
    assert summaries[-2:] == ["add coder newcomer", "code N1 as Trust"]
