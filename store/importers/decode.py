"""Turn the raw bytes of a text file into a str, or refuse with a message the user can act on.

Only UTF-8 (with or without BOM) and UTF-16 (with BOM, or recognisable by its NUL pattern) are
accepted. Guessing a legacy code page would silently corrupt names and quotes in a transcript,
so anything else is refused with the offending byte and its offset.
"""

import codecs

from store.errors import BadInput

MAX_BYTES = 50 * 1024 * 1024

_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_SAMPLE = 4096


def check_size(size: int, name: str) -> None:
    """Refuse files over MAX_BYTES before anything reads them into memory."""
    if size > MAX_BYTES:
        raise BadInput(
            f"{name} is {size / 1024 / 1024:.1f} MB, over the {MAX_BYTES // 1024 // 1024} MB import limit; "
            "split it into smaller files and import them one by one"
        )


def decode_bytes(data: bytes, name: str) -> str:
    """Decode a text file's bytes; the result has no BOM but line endings are left as they are."""
    check_size(len(data), name)
    if not data:
        raise BadInput(f"{name} is empty; choose a file that holds the transcript text")
    text = _decode(data, name)
    if "\x00" in text:
        raise BadInput(
            f"{name} is not a text file (it decodes to NUL characters); export the transcript as plain text and import that"
        )
    if not text.strip():
        raise BadInput(f"{name} holds no text, only white space; choose a file that holds the transcript text")
    return text


def normalise_newlines(text: str) -> str:
    """Strip a leading BOM and turn CRLF and lone CR into LF; nothing else changes."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, name: str) -> str:
    for bom, encoding in _UTF16_BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, name, skip=len(bom))
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise BadInput(
                f"{name} is not a text file (it contains NUL bytes); export the transcript as plain text and import that"
            )
        return _strict(data, encoding, name)
    return _strict(data, "utf-8", name, skip)


def _utf16_without_bom(data: bytes) -> str | None:
    """Recognise BOM-less UTF-16: mostly-ASCII text has a NUL in every other byte, on one side only."""
    sample = data[:_SAMPLE]
    pairs = len(sample) // 2
    if len(data) % 2 or pairs == 0:
        return None
    nul_even = sample[0::2].count(0)
    nul_odd = sample[1::2].count(0)
    if nul_odd >= 0.3 * pairs and nul_even <= 0.05 * pairs:
        return "utf-16-le"
    if nul_even >= 0.3 * pairs and nul_odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str, name: str, skip: int = 0) -> str:
    """Decode `data[skip:]` (skip = the BOM) and report a failure with its offset in the file."""
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as err:
        offset = skip + err.start
        label = "UTF-8" if encoding == "utf-8" else "UTF-16"
        raise BadInput(
            f"{name} is not valid {label} text (byte 0x{data[offset]:02x} at offset {offset}); "
            "save it as UTF-8 and import again"
        ) from None
