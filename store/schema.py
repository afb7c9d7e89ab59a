"""The project file's schema version and the migrations between versions.

A migration is a pure function from the raw data of every project file at version N to
version N + 1. They run on open, after a backup, and are written in one checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable

from store.errors import Refused

SCHEMA = 1

Migration = Callable[[dict], dict]
MIGRATIONS: dict[int, Migration] = {}


def migrate(data: dict, version: int, migrations: dict[int, Migration] | None = None) -> tuple[dict, int]:
    """Bring `data` from `version` up to SCHEMA; returns the data and the version it came from."""
    steps = MIGRATIONS if migrations is None else migrations
    if version > SCHEMA:
        raise Refused(
            f"this project was written by a newer Margin (schema {version}, this one knows {SCHEMA}); "
            "upgrade Margin to open it"
        )
    for step in range(version, SCHEMA):
        data = steps[step](data)
    return data, version
