"""Where each word of a document starts and ends, kept between runs.

A document's words are the words (store.text's definition) of its turns, what was said:
speaker labels, a title and the gaps between turns are not words of it (a document
without turns is all words). So words coded and the words of the text are counted alike,
whatever a coding's span takes in, and a share of words never exceeds the whole.

Finding the words is a regex over the whole text (store.text's word definition), the
largest cost of every analysis. A document's text never changes (it is stored once, named
by the document's id, checked by its sha256), so its word positions are computed once
and kept in cache/words/<document id>.words, keyed by the text's sha256, the word
definition and the turns' bounds; a file that is missing, foreign, damaged or stale is recomputed and replaced.
The cache holds nothing that cannot be rebuilt: a project folder that cannot be written
(a read-only copy, a full disk) only makes the analyses slower.
"""

from __future__ import annotations

import re
import struct
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

from store.digests import sha256  # not hashlib, which loads OpenSSL
from store.model import Coding, Document
from store.storage import make_dir, write_atomic
from store.text import LETTERS, letters  # the words store.text.word_count counts

CACHE_DIR = Path("cache") / "words"
# The header: what the file is, which word definition made it, the text's sha256, the word
# count, and a CRC-32 of the offsets that follow (starts, then ends).
_MAGIC = b"margin-words 2\n"
_HEADER = struct.Struct(f"<{len(_MAGIC)}s8s32sII")
_TYPE = "I"  # unsigned 32-bit offsets, little-endian on disk


@dataclass(frozen=True)
class WordIndex:
    """Where each word of a text starts and ends, found in the whole text so that a word
    has one place however spans cut it; spans convert to word numbers."""

    starts: array  # compact, so bisecting them stays in the cache
    ends: array

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The words text[start:end] touches (holds a letter of), as numbers [first, after)."""
        first = bisect_right(self.ends, start)
        return first, bisect_left(self.starts, end, first)

    def spans(self, codings: list[Coding]) -> list[tuple[int, int]]:
        starts, ends = self.starts, self.ends
        found = []
        for coding in codings:
            first = bisect_right(ends, coding.start)
            found.append((first, bisect_left(starts, coding.end, first)))
        return found


def bounds_of(document: Document) -> tuple[tuple[int, int], ...]:
    """Where a document's words are: its turns' contents, or the whole text without turns."""
    return tuple((t.start, t.end) for t in document.turns) or ((0, document.length),)


@lru_cache(maxsize=4096)
def word_index(text: str, bounds: tuple[tuple[int, int], ...] | None = None) -> WordIndex:
    """The words of text[start:end] for each of `bounds` (the whole text when None),
    computed (cached in the process). Each match's (start, end) goes into one array by C
    (map, chain, extend), then every other offset is a start: no Python step per word."""
    offsets = array(_TYPE)
    for first, last in bounds if bounds is not None else ((0, len(text)),):
        offsets.extend(chain.from_iterable(map(re.Match.span, letters(text, first, last))))
    return WordIndex(offsets[0::2], offsets[1::2])


def _definition(bounds: tuple[tuple[int, int], ...]) -> bytes:
    """What made an index besides the text: the word pattern and the bounds searched."""
    return sha256(LETTERS.pattern.encode("utf-8") + repr(bounds).encode("ascii")).digest()[:8]


_kept: dict[tuple, WordIndex] = {}  # (project folder, document id, sha256, turns)


def words_of(project, document: Document) -> WordIndex:
    """A document's word index: from memory, else the cache file, else computed from the
    text (and the cache file written when the folder allows)."""
    key = (str(project.dir), document.id, document.sha256, document.turns)
    index = _kept.get(key)
    if index is None:
        path = project.dir / CACHE_DIR / f"{document.id}.words"
        bounds = bounds_of(document)
        definition = _definition(bounds)
        index = _read(path, document.sha256, definition)
        if index is None:
            index = word_index(project.text(document.id), bounds)
            _write(path, document.sha256, definition, index)
        _kept[key] = index
    return index


def keep_words(project, document: Document, index: WordIndex) -> None:
    """Keep a new document's word index, found when it was imported (its word count), so
    that the first analysis does not find its words again (a third of a first `margin
    stats codes` on seven interviews)."""
    bounds = bounds_of(document)
    _write(project.dir / CACHE_DIR / f"{document.id}.words", document.sha256, _definition(bounds), index)
    _kept[(str(project.dir), document.id, document.sha256, document.turns)] = index


def encode(sha256: str, definition: bytes, index: WordIndex) -> bytes:
    starts, ends = index.starts, index.ends
    if sys.byteorder != "little":
        starts, ends = array(_TYPE, starts), array(_TYPE, ends)
        starts.byteswap()
        ends.byteswap()
    body = starts.tobytes() + ends.tobytes()
    return _HEADER.pack(_MAGIC, definition, bytes.fromhex(sha256), len(starts), zlib.crc32(body)) + body


def decode(data: bytes, sha256: str, definition: bytes) -> WordIndex | None:
    """The index a cache file holds, or None when it is not one for this text and definition."""
    if len(data) < _HEADER.size:
        return None
    magic, found, digest, count, crc = _HEADER.unpack_from(data)
    body = memoryview(data)[_HEADER.size :]
    half = count * array(_TYPE).itemsize
    if (magic, found, digest.hex()) != (_MAGIC, definition, sha256) or len(body) != 2 * half:
        return None
    if zlib.crc32(body) != crc:
        return None
    starts, ends = array(_TYPE), array(_TYPE)
    starts.frombytes(body[:half])
    ends.frombytes(body[half:])
    if sys.byteorder != "little":
        starts.byteswap()
        ends.byteswap()
    return WordIndex(starts, ends)


def _read(path: Path, sha256: str, definition: bytes) -> WordIndex | None:
    try:
        return decode(path.read_bytes(), sha256, definition)
    except OSError:
        return None


def _write(path: Path, sha256: str, definition: bytes, index: WordIndex) -> None:
    """Keep the index for the next run; a folder that cannot be written keeps nothing."""
    try:
        make_dir(path.parent.parent)  # each folder made 0700 (mkdir's parents would take the umask)
        make_dir(path.parent)
        write_atomic(path, encode(sha256, definition, index), durable=False)  # a cache: checked on reading
    except OSError:
        pass
