"""A crash is private and loud: no locals on the terminal, a 0600 report, exit 1, the place kept.

One test injects an error into a key handler under Pilot; the other runs `margin open` in a
real pseudo-terminal and checks what the user sees and what is left on disk.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import stat
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from store.project import Project
from tui import ui_state
from tui.app import MarginApp
from tui.launch import crash_line, write_crash_report
from tui.widgets.reader import Reader

REPO = Path(__file__).resolve().parents[2]
SECRET = "XYZZY words only the transcript holds"


def boom(self) -> None:
    """A key handler that fails with transcript text in a local variable."""
    words = SECRET  # noqa: F841 - Textual's default report would print it
    raise RuntimeError("injected failure")


async def test_an_error_in_a_key_handler_stops_the_app_without_printing_locals(demo_dir, monkeypatch, capsys):
    project = Project.open(demo_dir, coder="tester")
    app = MarginApp(project)
    monkeypatch.setattr(Reader, "action_visual", boom)
    with pytest.raises(RuntimeError, match="injected"):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("J", "J")
            here = (app.reader.document.id, app.reader.cursor)
            await pilot.press("v")
            await pilot.pause()
    project.close()
    assert isinstance(app.crash, RuntimeError) and app.return_code == 1
    printed = capsys.readouterr()
    assert SECRET not in printed.out + printed.err and "Traceback" not in printed.err
    assert ui_state.last_position(project.meta["id"]) == here  # saved on the crash

    report = write_crash_report(app.crash)
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700
    assert report.parent.parent == Path(os.environ["MARGIN_STATE_DIR"])
    text = report.read_text()
    assert "RuntimeError: injected failure" in text and "in boom" in text
    assert SECRET not in text  # the traceback has no local variables
    assert str(report) in crash_line(report) and "\n" not in crash_line(report)


CRASHING_MARGIN = """
import sys
from tui.widgets.reader import Reader
from tests.tui.test_crash import boom
Reader.action_visual = boom
from tui.cli import main
sys.argv = ["margin", "-p", sys.argv[1], "open"]
main()
"""


def run_in_pty(argv: list[str], env: dict, keys: list[bytes], size=(24, 80), timeout=60.0) -> tuple[int, bytes]:
    """Run argv on a pseudo-terminal of `size`, type `keys` once it has drawn; (exit status, output)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal
        os.execve(argv[0], argv, env)
    import fcntl

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    output, deadline = b"", time.monotonic() + timeout
    pending = list(keys)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if pending and b"turn 1/" in output:  # the status line is drawn: the app is ready
            time.sleep(0.3)
            os.write(fd, pending.pop(0))
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_margin_open_in_a_terminal_crashes_privately_and_reopens_at_the_place(demo_dir, tmp_path):
    state = tmp_path / "state"
    env = {**os.environ, "TERM": "xterm-256color", "MARGIN_STATE_DIR": str(state), "PYTHONPATH": str(REPO)}
    code, output = run_in_pty([sys.executable, "-c", CRASHING_MARGIN, str(demo_dir)], env, [b"J", b"J", b"v"])

    assert code == 1, output[-2000:]
    after = output.rsplit(b"\x1b[?1049l", 1)  # the terminal left the alternate screen: restored
    assert len(after) == 2, "the terminal was not restored"
    lines = [line for line in re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]", b"", after[1]).decode().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: Margin stopped"), lines
    assert SECRET.encode() not in output and b"Traceback" not in output
    report = Path(re.search(r"the details are in (\S+) ", lines[0]).group(1))
    assert report.parent == state / "crashes" and stat.S_IMODE(report.stat().st_mode) == 0o600
    assert SECRET not in report.read_text() and "injected failure" in report.read_text()

    with Project.open(demo_dir, readonly=True) as project:  # reopening returns to turn 3
        document = project.documents.all()[0]
        positions = json.loads((state / "positions.json").read_text())
        assert positions[project.meta["id"]] == {"document": document.id, "cursor": document.turns[2].start}


def test_the_positions_file_is_private(demo_dir, tmp_path):
    ui_state.remember("project", "document", 3)
    path = Path(os.environ["MARGIN_STATE_DIR"]) / "positions.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_crash_leaves_no_report_and_exits_zero(demo_dir, tmp_path):
    """The same pty run with q only: exit 0, nothing in crashes/."""
    state = tmp_path / "state"
    env = {**os.environ, "TERM": "xterm-256color", "MARGIN_STATE_DIR": str(state), "PYTHONPATH": str(REPO)}
    script = "import sys\nfrom tui.cli import main\nsys.argv = ['margin', '-p', sys.argv[1], 'open']\nmain()\n"
    code, output = run_in_pty([sys.executable, "-c", script, str(demo_dir)], env, [b"J", b"q"])
    assert code == 0 and not (state / "crashes").exists()
    assert b"Error" not in output.rsplit(b"\x1b[?1049l", 1)[-1]
