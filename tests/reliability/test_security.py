"""Nothing leaked: CSV cells that a spreadsheet would run are neutralised, every file and
folder is the owner's alone, nothing touches the network, and hostile archives and XML
given to `margin init --from` are refused cleanly."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability import hostile
from tests.reliability.helpers import MARGIN, clean_env, margin, one_line_error

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DANGEROUS = "Nurse: =SUM(A1:A9) then +cmd|' /C calc'!A0 and -2+3 and @SUM(1) and\ttabbed\n"


DOCUMENT = '=HYPERLINK("http://x")'


@pytest.fixture(scope="module")
def spreadsheet_bait(tmp_path_factory) -> Path:
    """Codings, codes, memos and attributes whose text starts with formula characters."""
    base = tmp_path_factory.mktemp("bait")
    project, source = base / "p", base / "bait.txt"
    source.write_text(DANGEROUS)
    tab = DANGEROUS.index("\t")
    steps = [
        ("init", project, "--coder", "=alice"),
        ("import", source, "--name", DOCUMENT, "--attr", "case=@evil"),
        ("codes", "add", "=cmd", "-d", "+description"),
        ("codes", "add", "-d", "\r=carriage", "--", "-minus"),
        ("memo", "add", "--journal", "@memo\r=second line"),
        ("memo", "add", "--code", "=cmd", "\t=tabbed memo"),
        ("apply", "--span", f"{tab}:{len(DANGEROUS) - 1}", DOCUMENT, "--", "-minus"),
        *(("apply", DOCUMENT, "=cmd", "--match", words) for words in ("=SUM(A1:A9)", "+cmd|'", "-2+3", "@SUM(1)")),
    ]
    for step in steps:
        run = margin(*step, project=None if step[0] == "init" else project)
        assert run.code == 0, (step, run)
    return project


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@pytest.mark.parametrize("what", [["csv"], ["codebook"], ["memos"]], ids=lambda w: w[0])
def test_csv_exports_neutralise_formula_cells(spreadsheet_bait, tmp_path, what):
    out = tmp_path / "export.csv"
    assert margin("export", *what, "-o", out, project=spreadsheet_bait).code == 0
    cells = _cells(out.read_text(encoding="utf-8"))
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], "a cell a spreadsheet would run"
    assert len([c for c in cells if c.startswith("'") and c[1:].startswith(FORMULA_STARTS)]) >= 2
    raw = _cells(margin("export", *what, "--raw", project=spreadsheet_bait).out)
    assert [c for c in raw if c.startswith(FORMULA_STARTS)], "--raw must keep cells as they are"
    assert len(raw) == len(cells)


def _modes(root: Path) -> list[str]:
    wrong = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode != (0o700 if path.is_dir() else 0o600):
            wrong.append(f"{path.relative_to(root.parent)} {oct(mode)}")
    return wrong


def test_every_file_and_folder_is_private_after_a_full_workflow(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    exports = tmp_path / "exports"
    exports.mkdir()
    project, source = tmp_path / "p", tmp_path / "n1.txt"
    source.write_text("Interviewer: hello\n\nNurse: I trust her judgement.\n")
    steps = [
        ("init", project), ("-p", project, "import", source), ("-p", project, "codes", "add", "A > Trust"),
        ("-p", project, "apply", "n1", "Trust", "--turn", "2", "--memo", "note"),
        ("-p", project, "memo", "add", "--journal", "entry"), ("-p", project, "attrs", "set", "n1", "case=P1"),
        ("-p", project, "stats", "codes"),  # keeps word positions in cache/words/
        ("-p", project, "undo"), ("-p", project, "redo"), ("-p", project, "codes", "merge", "Trust", "A"),
        ("-p", project, "export", "csv", "-o", exports / "coded.csv"),
        ("-p", project, "export", "codebook", "--format", "md", "-o", exports / "codebook.md"),
        ("-p", project, "export", "memos", "-o", exports / "memos.csv"), ("-p", project, "restore"),
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(
            [MARGIN, *map(str, step)], capture_output=True, env=clean_env({"TMPDIR": str(temp)}),
            preexec_fn=lambda: os.umask(0o022),  # a typical, permissive umask
        )  # fmt: skip
        assert done.returncode == 0, (step, done.stderr)
    assert _modes(project) == []
    assert [f"{p.name} {oct(stat.S_IMODE(p.stat().st_mode))}" for p in exports.iterdir() if stat.S_IMODE(p.stat().st_mode) != 0o600] == []
    assert list(temp.iterdir()) == [], "temporary files left in the temp folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "n1.txt", "p", "tmp"]


NO_NETWORK = '''
import os, socket, sys

def _refuse(event, args):
    if not event.startswith("socket.") or event == "socket.gethostname":
        return
    if event == "socket.__new__" and args[1] in (socket.AF_UNIX, -1):
        return  # local socket pairs (asyncio's self-pipe) are not a network
    with open(os.environ["MARGIN_NET_LOG"], "a") as log:
        log.write(f"{event} {args!r}\\n")
    raise OSError("network disabled by the test")

sys.addaudithook(_refuse)
'''


@pytest.fixture
def offline(tmp_path):
    """An environment in which any network use raises and is logged."""
    folder = tmp_path / "offline"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(NO_NETWORK)
    log = tmp_path / "net.log"
    env = clean_env({"MARGIN_NET_LOG": str(log)})
    env["PYTHONPATH"] = os.pathsep.join([str(folder), env["PYTHONPATH"]])
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"], env=env, capture_output=True)
    assert b"network disabled by the test" in probe.stderr, "the guard is not active"
    log.unlink()
    return env, log


def test_the_command_line_works_without_a_network(offline, study, tmp_path):
    env, log = offline
    for step in (["docs"], ["codes", "add", "Offline"], ["apply", "N1", "Offline", "--turn", "1"], ["export", "csv", "-o", tmp_path / "x.csv"],
                 ["memo", "list"], ["log"], ["undo"], ["restore", "--list"]):  # fmt: skip
        done = subprocess.run([MARGIN, "-p", str(study), *map(str, step)], env=env, capture_output=True, timeout=60)
        assert done.returncode == 0, (step, done.stderr)
    assert not log.exists(), log.read_text()


def test_the_app_works_without_a_network(offline, study):
    from tests.reliability.test_signals import Terminal, _wait_for

    env, log = offline
    terminal = Terminal(study, env)
    _wait_for(lambda: b"N1" in terminal.screen, what="the app to draw")
    terminal.type("q")
    assert terminal.child.wait(timeout=15) == 0
    assert not log.exists(), log.read_text()


def _refi_available() -> bool:
    try:
        from store.refi import import_project  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _refi_available(), reason="store.refi (REFI-QDA import) is not there yet")
@pytest.mark.parametrize("name", list(hostile.refi_files()))
def test_hostile_refi_files_are_refused_cleanly(tmp_path, name):
    source = tmp_path / name
    source.write_bytes(hostile.refi_files()[name])
    run = margin("init", tmp_path / "from-refi", "--from", source, timeout=120)
    one_line_error(run)
    assert hostile.SECRET not in run.both
    escaped = [p for p in tmp_path.parent.rglob("escaped.txt")] + [p for p in Path("/abs").glob("escaped.txt")]
    assert escaped == [], "a zip member was written outside the project"
