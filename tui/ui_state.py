"""UI-only state kept per user, never in the project: where each project was last read.

`positions.json` in platformdirs' user state folder (or $MARGIN_STATE_DIR) maps a project's
id to the document and cursor offset shown when the app closed. Losing or failing to write
it costs nothing but the place, so errors are ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ENV_DIR = "MARGIN_STATE_DIR"
KEEP = 200  # projects remembered


def _file() -> Path:
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]) / "positions.json"
    from platformdirs import user_state_path

    return user_state_path("margin") / "positions.json"


def _read() -> dict:
    try:
        data = json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def last_position(project_id: str) -> tuple[str, int] | None:
    entry = _read().get(project_id)
    if isinstance(entry, dict) and isinstance(entry.get("document"), str) and isinstance(entry.get("cursor"), int):
        return entry["document"], entry["cursor"]
    return None


def remember(project_id: str, document_id: str, cursor: int) -> None:
    data = _read()
    data.pop(project_id, None)
    data[project_id] = {"document": document_id, "cursor": cursor}
    data = dict(list(data.items())[-KEEP:])
    path = _file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass
