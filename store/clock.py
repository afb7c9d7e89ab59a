"""Identities and time stamps for every entity."""

import uuid
from datetime import datetime, timezone


def new_id() -> str:
    """A stable identity for a new entity: a UUID, also its REFI-QDA GUID."""
    return str(uuid.uuid4())


def now() -> str:
    """The current UTC time as ISO 8601 with milliseconds, e.g. 2026-11-26T10:03:25.123Z."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
