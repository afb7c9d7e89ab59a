"""Open a project in the app, and close it however the app ends.

Every acknowledged change is already in the project's fsynced log; closing adds the
checkpoint and releases the lock. SIGHUP (the SSH connection or terminal went away) and
SIGTERM make the app save any memo being typed and exit through the same path.

Should the app fail, Textual's own report (a traceback printing every local variable, so
transcript text) is dropped: the terminal is restored, the traceback without locals goes
to a 0600 file in the user's state folder, one line names it, and the exit status is 1.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

import click

CRASH_EXIT = 1


def run_app(project_dir: Path, coder: str | None, mouse: bool = True, keymap_name: str | None = None, blind: bool = False) -> None:
    import keymaps
    from store.project import Project
    from tui.app import MarginApp

    keymap = keymaps.load(keymap_name)
    project = Project.open(project_dir, coder=coder)
    _take_open_backup(project)
    crash: BaseException | None = None
    try:
        app = MarginApp(project, keymap, handle_signals=True, blind=blind)
        if os.environ.get("MARGIN_ANIMATIONS", "") == "none":
            app.animation_level = "none"
        app.run(mouse=mouse)
        crash = app.crash
    except Exception as error:  # noqa: BLE001 - any failure is reported privately, below
        crash = error
    finally:
        project.close()
    if crash is not None:
        click.echo(crash_line(write_crash_report(crash)), err=True)
        sys.exit(CRASH_EXIT)


def _take_open_backup(project) -> None:
    """A session of the app is where work happens: its backup is taken as it opens, not
    at its first change (a command line's is, store/core/checkpoints.py)."""
    from store.errors import Refused, save_failed

    try:
        project.take_open_backup(every_session=True)
    except OSError as exc:
        project.close()
        raise Refused(save_failed(exc)) from None


def crash_line(path: Path | None) -> str:
    where = f"the details are in {path}" if path else "the details could not be written"
    return f"Error: Margin stopped on an unexpected error; your work is saved and {where} (please send it with a bug report)"


def write_crash_report(error: BaseException) -> Path | None:
    """The traceback, without local variables, in a new 0600 file under the state folder."""
    from importlib.metadata import version

    from tui.ui_state import state_dir

    now = datetime.now(timezone.utc)
    lines = [
        f"Margin {version('margin-qda')} crash report, {now.isoformat(timespec='seconds')}",
        f"Python {platform.python_version()} · Textual {version('textual')} · {platform.platform()}",
        "",
        *traceback.format_exception(error),
    ]
    folder = state_dir() / "crashes"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}.txt"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("\n".join(line.rstrip("\n") for line in lines) + "\n")
    except OSError:
        return None
    return path
