"""Source and note texts from an export, decoded the way Margin stores texts."""

from __future__ import annotations

import codecs

from store.refi.positions import SourceText


class Undecodable(ValueError):
    """The bytes are neither UTF-8 nor UTF-16 with a BOM."""


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is kept for position counting) or UTF-16 with a BOM."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return "\ufeff" + _strict(data[len(bom) :], encoding)
    return _strict(data, "utf-8")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise Undecodable(f"it is not {encoding.upper()[:6]} text (byte {exc.start})") from None


def normalised(data: bytes) -> str:
    """A note's text as Margin keeps it: no BOM, LF line endings."""
    return SourceText(decode(data)).text
