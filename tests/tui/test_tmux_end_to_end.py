"""The installed `margin` in tmux at 80x24: keys through send-keys, the project checked on disk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.errors import ProjectLocked
from store.project import Project

TMUX = shutil.which("tmux")
MARGIN = shutil.which("margin") or str(Path(sys.executable).parent / "margin")

pytestmark = pytest.mark.skipif(TMUX is None or not Path(MARGIN).exists(), reason="needs tmux and the margin command")


def tmux(*args: str) -> str:
    return subprocess.run([TMUX, *args], check=True, capture_output=True, text=True).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, text: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; screen:\n{screen(session)}")


def wait_gone(session: str, text: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while text in screen(session):
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never went; screen:\n{screen(session)}")
        time.sleep(0.1)


PICKER_EMPTY = "type to find a code"  # the picker's empty filter: it is open and waits for keys
PICKER_TITLE = "Code “"  # the picker's title, shown while it is open


def pick(session: str, name: str, shown: str) -> None:
    """In the open picker: type `name`, wait until `shown` is listed, Enter, wait until it closes
    (each step waits for the screen, so a loaded machine cannot run keys together)."""
    wait_for(session, PICKER_EMPTY)
    keys(session, name)
    wait_for(session, shown)
    keys(session, "Enter")
    wait_gone(session, PICKER_TITLE)


def keys(session: str, *names: str) -> None:
    for name in names:
        tmux("send-keys", "-t", session, name)
        time.sleep(0.15)


def wait_until_released(project_dir: Path, timeout: float = 10.0) -> None:
    """The app has quit when the project can be opened for writing again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            Project.open(project_dir).close()
            return
        except ProjectLocked:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_code_memo_undo_and_quit_in_tmux(tmp_path):
    project_dir = tmp_path / "demo"
    session = f"margin-e2e-{os.getpid()}"
    env = f"TERM=screen-256color TEXTUAL_ANIMATIONS=none MARGIN_KEYMAP={tmp_path / 'none.toml'} MARGIN_CODER=e2e"
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24",
         f"env {env} {MARGIN} demo {project_dir}; sleep 5")
    try:
        wait_for(session, "turn 1/36")
        keys(session, "J", "V", "c")
        pick(session, "Hope and belonging", "Hope and belo")
        keys(session, "J", "s", "c")
        pick(session, "trust", "Trust")
        keys(session, "J", "c")
        pick(session, "stigma", "tigma")  # a third coding, undone below
        keys(session, "u")
        wait_for(session, "Undone")
        keys(session, "m")
        wait_for(session, "Memo · P01 nurse, round 1")
        keys(session, " Typed in tmux.", "Escape")
        keys(session, "q")
        wait_until_released(project_dir)
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)
    with Project.open(project_dir, readonly=True) as project:
        coder = project.coder_named("e2e")
        mine = [c for c in project.state.codings.values() if c.coder == coder.id]
        codes = sorted(project.codebook.path(project.state.codes[c.code]) for c in mine)
        assert codes == ["Hope and belonging", "Relationships > Trust"]
        memo = project.memos.on(project.documents.all()[0].id, "document")[0]
        assert memo.text.endswith("Typed in tmux.")


def test_terminal_gone_sighup_saves_the_memo_and_releases_the_lock(tmp_path):
    project_dir = tmp_path / "demo"
    session = f"margin-hup-{os.getpid()}"
    env = f"TERM=xterm-256color TEXTUAL_ANIMATIONS=none MARGIN_KEYMAP={tmp_path / 'none.toml'}"
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", f"env {env} {MARGIN} demo {project_dir}")
    try:
        wait_for(session, "turn 1/36")
        keys(session, "m")
        wait_for(session, "Memo · P01")
        tmux("send-keys", "-t", session, " Cut off mid-thought")
        # Shown, but (on a quiet machine) before the debounced save. What the app never
        # read from the terminal it never showed, so a loaded machine must wait for it.
        wait_for(session, "mid-thought")
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)  # SIGHUP
    wait_until_released(project_dir)
    with Project.open(project_dir, readonly=True) as project:
        memo = project.memos.on(project.documents.all()[0].id, "document")[0]
        assert memo.text.endswith("Cut off mid-thought")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_the_pickers_question_shows_in_a_real_terminal(tmp_path, size):
    """Enter on a top hit that is not what was typed asks y or n in one line. A picker drawn
    as an overlay once laid the question out under Pilot but never painted it in a terminal,
    so the app looked frozen: the question must be on the real screen, and `y` must code."""
    project_dir = tmp_path / "demo"
    session = f"margin-ask-{os.getpid()}-{size[0]}"
    env = f"TERM=xterm-256color TEXTUAL_ANIMATIONS=none MARGIN_KEYMAP={tmp_path / 'none.toml'}"
    tmux("new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]), f"env {env} {MARGIN} demo {project_dir}")
    try:
        wait_for(session, "turn 1/36")
        keys(session, "c")
        tmux("send-keys", "-t", session, "r", "o", "l")  # typed in a burst, as people type
        wait_for(session, "New code “rol”")
        keys(session, "Enter")
        wait_for(session, "or create “rol” (n)?")
        keys(session, "y")
        wait_for(session, "Coded ")
        keys(session, "q")
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)
    wait_until_released(project_dir)
    with Project.open(project_dir, readonly=True) as project:
        newest = max(project.state.codings.values(), key=lambda c: c.created)
        assert project.codebook.path(project.state.codes[newest.code]).startswith("Role")
        assert newest.text.startswith("Thanks for making time")
