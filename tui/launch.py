"""Open a project in the app, and close it however the app ends.

Every acknowledged change is already in the project's fsynced log; closing adds the
checkpoint and releases the lock. SIGHUP (the SSH connection or terminal went away) and
SIGTERM make the app save any memo being typed and exit through the same path.
"""

from __future__ import annotations

import os
from pathlib import Path


def run_app(project_dir: Path, coder: str | None, mouse: bool = True, keymap_name: str | None = None) -> None:
    import keymaps
    from store.project import Project
    from tui.app import MarginApp

    keymap = keymaps.load(keymap_name)
    project = Project.open(project_dir, coder=coder)
    try:
        app = MarginApp(project, keymap, handle_signals=True)
        if os.environ.get("MARGIN_ANIMATIONS", "") == "none":
            app.animation_level = "none"
        app.run(mouse=mouse)
    finally:
        project.close()
