"""Two writers: the second is refused with the holder named, a stale lock from a killed
process is taken over, and read-only commands work while the project is held."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.reliability.helpers import MARGIN, clean_env, margin, one_line_error, read_state

READ_ONLY = [
    ("docs",), ("codes",), ("show", "N1"), ("log",), ("memo", "list"), ("attrs",),
    ("export", "csv"), ("export", "codebook"), ("export", "memos"), ("restore", "--list"),
]  # fmt: skip


@pytest.fixture
def holder(study):
    """A real `margin` process holding the project: `memo add -` waiting on its input."""
    child = subprocess.Popen([MARGIN, "-p", str(study), "memo", "add", "-", "--journal"], stdin=subprocess.PIPE, env=clean_env())
    deadline = time.monotonic() + 20
    while f"pid {child.pid}@" not in (study / ".margin.lock").read_text():
        assert time.monotonic() < deadline, "margin never took the lock"
        time.sleep(0.02)
    yield child
    if child.poll() is None:
        child.kill()
        child.wait()


def test_a_second_writer_is_refused_naming_the_holder(study, holder):
    before = read_state(study)
    for command in (("codes", "add", "Hope"), ("apply", "N1", "Trust", "--turn", "1"), ("undo",), ("restore",)):
        error = one_line_error(margin(*command, project=study))
        assert f"pid {holder.pid}@{socket.gethostname()}" in error, error
    assert read_state(study) == before


def test_a_second_app_is_refused_naming_the_holder(study, holder):
    from tui.cli import cli

    if "open" not in cli.commands:
        pytest.skip("the app (`margin open`) is not there yet")
    error = one_line_error(margin("open", study, timeout=30))
    assert f"pid {holder.pid}@" in error


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_read_only_commands_work_while_the_project_is_held(study, holder, command):
    run = margin(*command, project=study)
    assert run.code == 0, run
    if command == ("export", "csv"):
        assert run.out.count("Trust") >= 2


def test_a_lock_left_by_a_killed_process_is_taken_over(study, holder):
    before = read_state(study)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert f"pid {holder.pid}@" in (study / ".margin.lock").read_text()  # the stale holder is still named
    assert margin("codes", "add", "Hope", project=study).code == 0
    after = read_state(study)
    assert {k: v for k, v in after["codes"].items() if k in before["codes"]} == before["codes"]
    assert "Hope" in {c["name"] for c in after["codes"].values()}


def test_racing_writers_are_refused_or_succeed_and_nothing_is_lost(study):
    def add(name: str) -> tuple[str, int, str]:
        run = margin("codes", "add", name, project=study)
        return name, run.code, run.err

    names = [f"{side}{n}" for n in range(12) for side in "AB"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(add, names))
    for name, code, err in results:
        assert code == 0 or "is open for writing by margin pid" in err, (name, err)
    added = {name for name, code, _ in results if code == 0}
    saved = {c["name"] for c in read_state(study)["codes"].values()}
    assert added and added <= saved and not (set(names) - added) & saved
