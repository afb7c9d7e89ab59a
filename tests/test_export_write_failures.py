"""An export or report that cannot be written (a full disk, a read-only file system, a
failing disk, its folder gone, no permission) is one line naming the file as given, the
error and what to do, exit 1, no traceback and no file left behind, whatever the format
(store/exporters/output.py, store/errors.py's `write_failed`); an operating system error
no command expected is one line too (tui/cli.py)."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.errors import advice_for, save_failed, write_failed
from tui.cli import cli

DEMO_TEXTS = Path(__file__).resolve().parents[1] / "tui" / "demo"

# (arguments before -o, the output's name)
FORMATS = {
    "csv": (["export", "csv"], "coded.csv"),
    "codebook": (["export", "codebook"], "codebook.csv"),
    "codebook md": (["export", "codebook", "--format", "md"], "codebook.md"),
    "memos": (["export", "memos"], "memos.csv"),
    "qdpx": (["export", "qdpx"], "project.qdpx"),
    "qdc": (["export", "qdc"], "codebook.qdc"),
    "report codebook html": (["report", "codebook"], "codebook.html"),
    "report codebook md": (["report", "codebook"], "codebook-report.md"),
    "report codebook docx": (["report", "codebook"], "codebook.docx"),
    "report participant": (["report", "participant", "P01"], "P01.html"),
    "report analysis": (["report", "analysis"], "analysis.html"),
    "stats codes": (["stats", "codes", "--csv"], "codes.csv"),
    "find": (["find", "Trust", "--csv"], "passages.csv"),
}


class _FailingWrites:
    """A file handle whose writes fail, as on a full disk."""

    def __init__(self, handle, error: OSError):
        self._handle, self._error = handle, error

    def write(self, data) -> int:
        raise self._error

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


def _inside(folder: Path, fd_or_path) -> bool:
    path = os.readlink(f"/proc/self/fd/{fd_or_path}") if isinstance(fd_or_path, int) else os.fspath(fd_or_path)
    return path.startswith(os.fspath(folder))


def _fail_writes(monkeypatch, folder, error):
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: (
        _FailingWrites(real(fd, *a, **k), error) if _inside(folder, fd) else real(fd, *a, **k)
    ))  # fmt: skip


def _fail_fsync(monkeypatch, folder, error):
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(error) if _inside(folder, fd) else real(fd))


def _fail_rename(monkeypatch, folder, error):
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b, **k: (_ for _ in ()).throw(error) if _inside(folder, a) else real(a, b, **k))


def _fail_temporary_file(monkeypatch, folder, error):
    real = tempfile.mkstemp
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, dir=None, **k: (
        (_ for _ in ()).throw(error) if dir is not None and _inside(folder, dir) else real(*a, dir=dir, **k)
    ))  # fmt: skip


def _error(code: int) -> OSError:
    return OSError(code, os.strerror(code))


# how the failure is injected, and the error
ERRORS = {
    "a full disk while writing": (_fail_writes, errno.ENOSPC),
    "a full disk making the temporary file": (_fail_temporary_file, errno.ENOSPC),
    "a failing disk at the fsync": (_fail_fsync, errno.EIO),
    "a read-only file system at the rename": (_fail_rename, errno.EROFS),
    "the folder gone at the rename": (_fail_rename, errno.ENOENT),
    "no permission at the rename": (_fail_rename, errno.EACCES),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from store.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("writes") / "demo", DEMO_TEXTS)


@pytest.fixture(autouse=True)
def quiet(tmp_path, monkeypatch):
    monkeypatch.setenv("MARGIN_STATE_DIR", str(tmp_path / "state"))
    for name in ("MARGIN_PROJECT", "MARGIN_CODER"):
        monkeypatch.delenv(name, raising=False)


def run(demo: Path, *args) -> object:
    return CliRunner().invoke(cli, ["-p", str(demo), *map(str, args)], prog_name="margin")


def error_lines(result) -> list[str]:
    assert "Traceback" not in result.output and not isinstance(result.exception, OSError), result.output
    return [line for line in result.stderr.splitlines() if line.startswith("Error")]


@pytest.mark.parametrize("failure", ERRORS)
@pytest.mark.parametrize("name", FORMATS)
def test_a_failed_write_is_one_line_and_leaves_no_file(demo, tmp_path, monkeypatch, name, failure):
    args, file_name = FORMATS[name]
    inject, code = ERRORS[failure]
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / file_name
    inject(monkeypatch, folder, _error(code))
    result = run(demo, *args, "-o", out)
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [f"Error: {write_failed(out, _error(code))}"]
    assert list(folder.iterdir()) == []


def test_the_line_says_what_happened_and_what_to_do(tmp_path):
    assert write_failed("out.csv", _error(errno.ENOSPC)) == (
        "could not write out.csv (No space left on device): free disk space and try again"
    )
    assert "read-only" in write_failed("out.csv", _error(errno.EROFS)) and "choose another folder" in write_failed(
        "out.csv", _error(errno.EIO)
    )
    assert save_failed(_error(errno.ENOSPC)) == (
        "could not save (No space left on device); nothing was changed: free disk space and try again"
    )
    assert "move the project" in save_failed(_error(errno.EROFS)) and "dmesg" in save_failed(_error(errno.EIO))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("name", FORMATS)
def test_a_full_device_is_one_line(demo, name):
    """/dev/full is a real full disk: written straight into, as a device is."""
    args, _ = FORMATS[name]
    result = run(demo, *args, "-o", "/dev/full")
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [f"Error: {write_failed('/dev/full', _error(errno.ENOSPC))}"]


def test_a_failed_write_keeps_the_file_it_would_replace(demo, tmp_path, monkeypatch):
    out = tmp_path / "out" / "coded.csv"
    out.parent.mkdir()
    out.write_bytes(b"yesterday's export")
    _fail_writes(monkeypatch, out.parent, _error(errno.ENOSPC))
    assert run(demo, "export", "csv", "-o", out).exit_code == 1
    assert [p.name for p in out.parent.iterdir()] == ["coded.csv"] and out.read_bytes() == b"yesterday's export"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EIO, errno.EACCES, errno.ENOENT])
def test_an_os_error_no_command_expected_is_one_line_with_the_advice(demo, monkeypatch, code):
    from store.project import Project

    error = OSError(code, os.strerror(code), str(demo / "log.jsonl"))

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(Project, "open", failing)
    result = run(demo, "codes", "add", "Other")
    assert result.exit_code == 1
    assert error_lines(result) == [f"Error: {os.strerror(code)} ({demo / 'log.jsonl'}): {advice_for(error)}"]


def test_an_error_reading_the_project_is_not_called_a_failed_write(demo, tmp_path, monkeypatch):
    """A source text that cannot be read while the export is written names that text."""
    from store.project import Project

    source = str(demo / "sources" / "unreadable.txt")
    error = OSError(errno.EIO, os.strerror(errno.EIO), source)

    def unreadable(self, document_id):
        raise error

    monkeypatch.setattr(Project, "text", unreadable)
    out = tmp_path / "out" / "project.qdpx"
    out.parent.mkdir()
    result = run(demo, "export", "qdpx", "-o", out)
    assert result.exit_code == 1
    assert error_lines(result) == [f"Error: {os.strerror(errno.EIO)} ({source}): {advice_for(error)}"]
    assert list(out.parent.iterdir()) == []
