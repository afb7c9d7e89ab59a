"""UI-only state kept per user, never in the project: where each project was last read,
and the codes last applied there (the picker lists them first).

`positions.json` in platformdirs' user state folder (or $MARGIN_STATE_DIR) maps a project's
id to the document and cursor offset last shown; the app writes it as the cursor moves (at
most once a second) and on quit, so a crash or a lost terminal still reopens at the place.
Losing or failing to write it costs nothing but the place, so errors are ignored. Crash
reports go to `crashes/` in the same folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ENV_DIR = "MARGIN_STATE_DIR"
KEEP = 200  # projects remembered


def state_dir() -> Path:
    """The user's Margin state folder ($MARGIN_STATE_DIR overrides platformdirs')."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    from platformdirs import user_state_path

    return user_state_path("margin")


def _file() -> Path:
    return state_dir() / "positions.json"


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


def recent_codes(project_id: str) -> list[str] | None:
    """The ids of the codes last applied in the app on this project, newest first (None:
    none kept)."""
    entry = _read().get(project_id)
    recent = entry.get("recent") if isinstance(entry, dict) else None
    return [c for c in recent if isinstance(c, str)] if isinstance(recent, list) else None


def remember(project_id: str, document_id: str | None = None, cursor: int | None = None,
             recent: list[str] | None = None) -> None:
    """Keep the reading position and (when given) the recent codes of a project."""
    data = _read()
    entry = data.pop(project_id, None)
    entry = entry if isinstance(entry, dict) else {}
    if document_id is not None:
        entry |= {"document": document_id, "cursor": cursor}
    if recent is not None:
        entry["recent"] = recent
    data[project_id] = entry
    data = dict(list(data.items())[-KEEP:])
    path = _file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data))
        os.replace(temporary, path)
    except OSError:
        pass
