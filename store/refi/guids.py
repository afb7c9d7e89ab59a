"""REFI-QDA GUIDs: Margin's entity ids are UUIDs, so they are the GUIDs.

Things Margin holds without an id of their own (a coding's `Coding` element beside its
selection, an attribute's `Variable`, a `Case`) get a UUID derived from a stable name, so
exporting twice writes the same GUIDs.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid

NAMESPACE = uuid.UUID("6f0c2d4e-8b1a-4c3e-9d5f-2a7b8c9d0e1f")
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


@functools.lru_cache(maxsize=1 << 17)
def normalise(guid: str | None) -> str | None:
    """`{ABC...}` or `abc...` as Margin's lower-case form; None when it is not a GUID.
    Cached: a file names each user and code thousands of times."""
    match = _GUID.match((guid or "").strip())
    return match[1].lower() if match else None


def derived(*parts: str) -> str:
    """A stable GUID for something named by `parts` (such as a project id and a key):
    `uuid.uuid5(NAMESPACE, "\x1f".join(parts))`, computed without building UUID objects
    (an export derives one per coding; tests/test_export_speed.py holds it to uuid5)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "\x1f".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_NAMESPACE_BYTES = NAMESPACE.bytes


def of(entity_id: str) -> str:
    """An entity's GUID: its own id when that is a UUID, else one derived from it."""
    return normalise(entity_id) or derived("id", entity_id)
