"""REFI-QDA GUIDs: Margin's entity ids are UUIDs, so they are the GUIDs.

Things Margin holds without an id of their own (a coding's `Coding` element beside its
selection, an attribute's `Variable`, a `Case`) get a UUID derived from a stable name, so
exporting twice writes the same GUIDs.
"""

from __future__ import annotations

import binascii
import functools
import uuid

from store.digests import sha1  # not hashlib's, which loads OpenSSL (3 ms of a small export)
from store.patterns import later

NAMESPACE = uuid.UUID("6f0c2d4e-8b1a-4c3e-9d5f-2a7b8c9d0e1f")
_GUID = later(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


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
    return _formatted(sha1(_NAMESPACE_BYTES + "\x1f".join(parts).encode("utf-8")).hexdigest())


def deriver(*first: str):
    """`derived(*first, last)` as a function of `last`, the shared start hashed once
    (an export derives a GUID for every coding from the same first part)."""
    prefix = _NAMESPACE_BYTES + "".join(f"{p}\x1f" for p in first).encode("utf-8")
    start = sha1(prefix)

    def derive(last: str) -> str:
        digest = start.copy()
        digest.update(last.encode("utf-8"))
        return _formatted(digest.hexdigest())

    def many(lasts: list[str]) -> list[bytes]:
        """`derive(last)` for each of `lasts`, as ASCII bytes: the SHA-1s are made by C-level
        maps (the shared start added to each name, hashed, digested), their version,
        variant and hyphens set for all at once by C (bytes.translate over every digest's
        7th and 9th byte, strided slices over the hex)."""
        named = map(prefix.__add__, map(str.encode, lasts))
        data = bytearray(b"".join(map(_DIGEST, map(sha1, named))))
        data[6::20] = data[6::20].translate(_VERSION_BYTE)
        data[8::20] = data[8::20].translate(_VARIANT_BYTE)
        hexed, count = binascii.hexlify(data), len(lasts)
        out = bytearray(b"-" * (37 * count))  # each GUID and a line feed
        for to, at in _LAYOUT:
            out[to::37] = hexed[at::40]
        out[36::37] = b"\n" * count
        return bytes(out).split(b"\n")[:-1]

    derive.many = many
    return derive


def _formatted(h: str) -> str:
    """The first 16 bytes of a SHA-1 (in hex) as a version-5 UUID: the version nibble is
    5 and the variant's two top bits are 10 (RFC 4122)."""
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


_NAMESPACE_BYTES = NAMESPACE.bytes
_DIGEST = type(sha1()).digest
_VERSION_BYTE = bytes((b & 0x0F) | 0x50 for b in range(256))  # version 5 in the top nibble
_VARIANT_BYTE = bytes((b & 0x3F) | 0x80 for b in range(256))  # top bits 10
# (place in a GUID, place in a SHA-1's 40 hex digits) of each of the GUID's 32 digits
_LAYOUT = [(to, at) for at, to in enumerate(i for i in range(36) if i not in (8, 13, 18, 23))]
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}
_CANONICAL = later(r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n)*")


def all_canonical(ids: list[str]) -> bool:
    """Whether every id is already a GUID in Margin's form (`of` gives it back as it is),
    told by one scan: Margin's own ids all are."""
    return _CANONICAL.fullmatch("\n".join(ids) + "\n" if ids else "") is not None


def of(entity_id: str) -> str:
    """An entity's GUID: its own id when that is a UUID, else one derived from it."""
    return normalise(entity_id) or derived("id", entity_id)
