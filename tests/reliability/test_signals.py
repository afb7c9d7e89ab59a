"""SIGHUP and SIGTERM (a terminal closed, an SSH link dropped) to a process holding the
project: what it acknowledged is on disk and the lock is released."""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path

import orjson
import pytest

from store.project import Project
from tests.reliability.helpers import MARGIN, PYTHON, REPO, clean_env, read_state

HOLDER = """
import sys, time
from store.project import Project
project = Project.open(sys.argv[1])
for n in range(int(sys.argv[2])):
    project.codebook.add(f"held {n}")
    print(f"ACK held {n}", flush=True)
print("HOLDING", flush=True)
time.sleep(60)
"""
SIGNALS = {"SIGHUP": signal.SIGHUP, "SIGTERM": signal.SIGTERM}


def _wait_for(predicate, timeout: float = 20, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _lock_holder(project: Path) -> str:
    try:
        return (project / ".margin.lock").read_text()
    except FileNotFoundError:
        return ""


def _assert_released_with(project: Path, names: set[str]) -> None:
    with Project.open(project) as again:  # a new writer gets the lock
        assert names <= {c.name for c in again.codebook.all()}


@pytest.mark.parametrize("name", SIGNALS)
def test_store_writer_idle_when_signalled(study, name):
    child = subprocess.Popen([PYTHON, "-c", HOLDER, str(study), "5"], stdout=subprocess.PIPE, cwd=REPO, env=clean_env())
    lines = [child.stdout.readline().decode().strip() for _ in range(6)]
    assert lines[-1] == "HOLDING"
    child.send_signal(SIGNALS[name])
    assert child.wait(timeout=10) != 0
    _assert_released_with(study, {f"held {n}" for n in range(5)})


@pytest.mark.parametrize("name", SIGNALS)
def test_store_writer_busy_when_signalled(study, name):
    child = subprocess.Popen([PYTHON, "-c", HOLDER, str(study), "100000"], stdout=subprocess.PIPE, cwd=REPO, env=clean_env())
    acked = [child.stdout.readline().decode().strip() for _ in range(50)]
    child.send_signal(SIGNALS[name])
    acked += [line.strip() for line in child.stdout.read().decode().splitlines()]
    child.wait(timeout=10)
    _assert_released_with(study, {line.removeprefix("ACK ") for line in acked if line.startswith("ACK ")})


@pytest.mark.parametrize("name", SIGNALS)
def test_margin_command_waiting_on_input_releases_the_lock(study, name):
    before = read_state(study)
    child = subprocess.Popen([MARGIN, "-p", str(study), "memo", "add", "-", "--journal"], stdin=subprocess.PIPE, env=clean_env())
    _wait_for(lambda: f"pid {child.pid}@" in _lock_holder(study), what="margin to take the lock")
    child.send_signal(SIGNALS[name])
    assert child.wait(timeout=10) != 0
    assert read_state(study) == before
    _assert_released_with(study, set())


class Terminal:
    """`margin open` on a pseudo-terminal that is its controlling terminal."""

    def __init__(self, project: Path, env: dict | None = None):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.child = subprocess.Popen(
            [MARGIN, "open", str(project), "--no-mouse"],
            stdin=slave, stdout=slave, stderr=slave, env=(env or clean_env()) | {"TERM": "xterm-256color"},
            start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )  # fmt: skip
        os.close(slave)
        self.screen = bytearray()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.screen += data

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def hang_up(self) -> None:
        os.close(self.master)


def _needs_app():
    from tui.cli import cli

    if "open" not in cli.commands:
        pytest.skip("the app (`margin open`) is not there yet")


@pytest.mark.parametrize("how", ["SIGHUP", "SIGTERM", "terminal closed"])
def test_app_saves_and_releases_on_hangup(study, how):
    _needs_app()
    before = read_state(study)
    terminal = Terminal(study)
    _wait_for(lambda: f"pid {terminal.child.pid}@" in _lock_holder(study), what="the app to take the lock")
    _wait_for(lambda: b"N1" in terminal.screen, what="the app to draw the document")
    terminal.type("u")  # undo the newest action: acknowledged on screen, so it must be on disk
    _wait_for(lambda: _last_summary(study).startswith("undo"), what="the undo to reach the log")
    if how == "terminal closed":
        terminal.hang_up()
    else:
        terminal.child.send_signal(SIGNALS[how])
    terminal.child.wait(timeout=15)
    assert "Traceback" not in terminal.screen.decode("utf-8", "replace")
    after = read_state(study)
    assert after != before and _last_summary(study).startswith("undo")
    _assert_released_with(study, set())


def _last_summary(project: Path) -> str:
    lines = (project / "log.jsonl").read_bytes().splitlines()
    return orjson.loads(lines[-1])["summary"] if lines else ""
