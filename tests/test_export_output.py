"""`export ... -o PATH` into FIFOs, devices and symlinks (issue 9, finding 4): a device node
or FIFO is written into, never replaced by a renamed temporary file; a symlink stays a link."""

from __future__ import annotations

import io
import os
import stat
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.exporters.output import _destination
from store.importers import parse_text
from store.project import Project
from tests.conftest import INTERVIEW
from tui.cli import cli

EXPORTS = {
    "csv": (["export", "csv"], b"coding_id,document"),
    "codebook": (["export", "codebook"], b"path,code_id,"),
    "codebook md": (["export", "codebook", "--format", "md"], b"# Codebook"),
    "memos": (["export", "memos"], b"memo_id,"),
    "qdpx": (["export", "qdpx"], b"PK\x03\x04"),
    "qdc": (["export", "qdc"], b"<?xml"),
}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("out") / "study"
    with Project.init(folder, name="Study", coder="alice") as project:
        document = project.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {"case": "N1"}).document
        code = project.codebook.add("Support > Peer")
        project.codings.apply(document, code, document.turns[1].start, document.turns[1].end, memo="a memo")
    return folder


def export(study, args, output) -> object:
    result = CliRunner().invoke(cli, ["-p", str(study), *args, "-o", str(output)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def check_content(name: str, data: bytes) -> None:
    assert data.startswith(EXPORTS[name][1]), data[:40]
    if name == "qdpx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert "project.qde" in archive.namelist()


@pytest.mark.parametrize("name", EXPORTS)
def test_a_fifo_reader_gets_the_export_and_the_fifo_stays(study, tmp_path, name):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    os.link(fifo, tmp_path / "same-pipe")  # to free the reader should the FIFO be replaced
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = export(study, EXPORTS[name][0], fifo)
    reader.join(10)
    if reader.is_alive():
        os.close(os.open(tmp_path / "same-pipe", os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a file"
    assert result.exit_code == 0, result.output
    check_content(name, received[0])


def test_dev_null_is_written_into_and_stays_a_device(study):
    before = os.stat("/dev/null")
    assert _destination(Path("/dev/null")) is None  # checked first: the export below never renames over it
    for args, _ in EXPORTS.values():
        assert export(study, args, "/dev/null").exit_code == 0
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.parametrize("name", EXPORTS)
def test_a_device_node_is_written_into_not_replaced(study, tmp_path, name):
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # a second /dev/null, in a test folder
    except PermissionError:
        pytest.skip("making a device node needs root")
    inode = os.lstat(node).st_ino
    assert export(study, EXPORTS[name][0], node).exit_code == 0
    assert stat.S_ISCHR(os.lstat(node).st_mode) and os.lstat(node).st_ino == inode
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", EXPORTS)
def test_a_symlink_stays_a_link_and_its_file_is_replaced(study, tmp_path, name):
    (tmp_path / "synced").mkdir()
    target = tmp_path / "synced" / "export"
    target.write_bytes(b"old")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert export(study, EXPORTS[name][0], link).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    check_content(name, target.read_bytes())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_dangling_symlink_makes_the_file_it_names(study, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "new.csv")
    assert export(study, ["export", "csv"], link).exit_code == 0
    assert link.is_symlink() and (tmp_path / "new.csv").read_bytes().startswith(b"coding_id")


def test_a_symlink_to_a_fifo_is_written_into(study, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert export(study, ["export", "csv"], link).exit_code == 0
    reader.join(10)
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    check_content("csv", received[0])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.mkdir(), "it is a folder"),
        (lambda p: p.symlink_to(p), "choose another path"),  # a link to itself
        (lambda p: None, None),  # a new file: written
    ],
    ids=["folder", "link loop", "new file"],
)
def test_other_paths(study, tmp_path, make, message):
    path = tmp_path / "out.csv"
    make(path)
    result = export(study, ["export", "csv"], path)
    if message is None:
        assert result.exit_code == 0 and path.read_bytes().startswith(b"coding_id")
    else:
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_a_folder_without_write_permission_is_named_not_its_temporary_file(study, tmp_path, monkeypatch):
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".out.csv.x.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    result = export(study, ["export", "csv"], tmp_path / "out.csv")
    assert result.exit_code == 1 and ".tmp" not in result.output
    assert f"no permission to create files in {tmp_path}" in result.output


@pytest.mark.parametrize("options", [
    ["--speaker", "Aisha"], ["--not-speaker", "interviewer"], ["--speaker", "Mark", "--speaker", "dr hale"],
    ["--speaker", "Aisha", "--code", "Relationships"], ["--not-speaker", "Aisha", "--annotations"],
    ["--not-speaker", "Aisha", "--not-speaker", "MARK"],
])
def test_export_csv_by_speaker_is_the_whole_table_kept_by_its_speaker_column(tmp_path, options):
    """`export csv --speaker` (as stats and find take it) gives exactly the rows of the
    unfiltered export whose speaker column is one of them, in the same order."""
    import csv
    import io

    from click.testing import CliRunner

    from tui.cli import cli

    folder = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["demo", "--no-open", str(folder)]).exit_code == 0
    run = lambda *args: CliRunner().invoke(cli, ["-p", str(folder), "export", "csv", *args])  # noqa: E731
    rest = [o for o in options if o not in ("--annotations",)]
    narrow = [o for o, v in zip(rest[::2], rest[1::2]) if o in ("--code",) for o in (o, v)]
    every = list(csv.DictReader(io.StringIO(run(*narrow, *(["--annotations"] if "--annotations" in options else [])).stdout)))
    wanted = {" ".join(v.split()).casefold() for o, v in zip(rest[::2], rest[1::2]) if o == "--speaker"}
    unwanted = {" ".join(v.split()).casefold() for o, v in zip(rest[::2], rest[1::2]) if o == "--not-speaker"}
    kept = [r for r in every if (not wanted or r["speaker"].casefold() in wanted) and r["speaker"].casefold() not in unwanted]
    result = run(*options)
    assert result.exit_code == 0, result.output
    got = list(csv.DictReader(io.StringIO(result.stdout)))
    assert got == kept and got
