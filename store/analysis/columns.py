"""The codings as compact columns, kept between runs, for the figures of a read-only command.

Decoding every codings file and building a `Coding` for each is most of a `margin stats`
command on a large project, and a figure needs only a coding's code and the words it
touches. So each codings file (one coder's codings of one document) is kept beside it as
columns in cache/columns/<coder id>/<document id>.cols: per code, its codings' first and
after word numbers (store/words.py), the words they cover together, their character spans,
the turns of their first and last characters (as the co-occurrence by turn and the query's
AND read them), and their ids (the order `find` sorts by, and what it lists). A file
is keyed by the codings file's digest as local.json records it and by that file's size and
modification time, and by the document's word definition (its text's sha256 and its turns);
anything that differs, or a file missing, damaged or foreign, is rebuilt from the plain
path. Like cache/words, the folder holds nothing that cannot be rebuilt.

The columns are used only when they are exactly the codings: after a read-only open whose
log tail holds no change to a coding (the codings are then those of the files the checkpoint
record names), and no writer's checkpoint since. Otherwise the analyses take the plain path
over `project.state`. tests/analysis/test_columns.py compares the two on random projects.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from itertools import chain
from operator import lt
from pathlib import Path

from store import codings_files, layout
from store.digests import sha256  # not hashlib, which loads OpenSSL
from store.storage import make_dir, write_atomic
from store.text import LETTERS
from store.words import bounds_of, words_of

CACHE_DIR = Path("cache") / "columns"
_MAGIC = b"margin-columns 3\n"
# magic, the codings file's recorded digest (hex, 32 chars), its size and mtime_ns, the
# word definition (8 bytes) and the text's sha256 (32 bytes), codes, codings, the code
# ids' and the coding ids' length in bytes, pairs of codes sharing words, the document's
# words, and a CRC-32 of what follows
_HEADER = struct.Struct(f"<{len(_MAGIC)}s32sQQ8s32sIIIIIII")
_PER_CODING = ("first", "after", "start", "end", "turn_first", "turn_last")
_TYPE = "I"


@dataclass(frozen=True)
class Columns:
    """One codings file's codings, grouped by code: the codes (in id order), and for the
    i-th code its codings' words, first[bounds[i]:bounds[i+1]] and after[...] in position
    order, and how many words they cover together (unions[i]), and the words each pair
    of codes covers together (pair_a, pair_b, pair_words); per coding also its
    characters [start, end), the turns of its first and last character (0 in a document
    without turns) and its id (`coding_ids`). `words` is the document's words as the
    analyses count the text (every turn's words)."""

    coder: str
    document: str
    codes: list[str]
    bounds: array
    unions: array
    first: array
    after: array
    start: array
    end: array
    turn_first: array
    turn_last: array
    ids: bytes  # the coding ids, "\n"-joined, decoded only when asked for
    pair_a: array  # pairs of codes (indices into `codes`, a < b) whose codings share words,
    pair_b: array  # and how many words they share (frequencies.shared_words), for Jaccard
    pair_words: array
    words: int
    digest: str = ""  # the codings file's, as the checkpoint record names it

    def coding_ids(self) -> list[str]:
        return self.ids.decode("utf-8").split("\n") if self.ids else []

    def runs(self):
        """(code id, begin, end, words covered) per code."""
        bounds = self.bounds
        return zip(self.codes, bounds, bounds[1:], self.unions)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


def turn_bounds(document) -> tuple[tuple[int, int], ...]:
    """store.words.bounds_of without making the document's `Turn` values (an open leaves
    them as read, and making 16,000 of them was a sixth of a `stats` command)."""
    spans = getattr(document.turns, "spans", None)
    if spans is None or not document.turns:
        return bounds_of(document)
    return spans()


def words_definition(document) -> bytes:
    """What a document's words depend on besides its text: the word pattern and its turns'
    bounds (a cheaper key than store.words's, made from the same things)."""
    bounds = array("q", list(chain.from_iterable(turn_bounds(document)))).tobytes()
    return sha256(LETTERS.pattern.encode("utf-8") + bounds).digest()[:8]


def columns_of(project) -> list[Columns] | None:
    """Every codings file's columns (rebuilding those that are stale), or None when the
    columns would not be exactly the project's codings."""
    files = codings_files.trusted_files(project)
    if files is None:
        from store.analysis.live import live_columns

        return live_columns(project)  # None unless the app keeps them (store/analysis/live.py)
    documents = project.state.documents
    found, stale = {}, []
    for key, digest in files.items():
        coder, _, document_id = key.partition("/")
        document = documents.get(document_id)
        if document is None:
            return None
        stamp = _stamp(layout.codings_path(project.dir, key))
        if stamp is None:
            return None
        words = (words_definition(document), document.sha256)
        columns = _read(project.dir / CACHE_DIR / f"{key}.cols", digest, stamp, words, coder, document_id)
        if columns is None:
            stale.append((key, digest, stamp, words))
        found[key] = columns
    if stale:
        built = _build(project, stale)
        if built is None:
            return None
        found.update(built)
    return list(found.values())


def _build(project, stale: list) -> dict[str, Columns] | None:
    """The stale files' columns from the plain path (every coding built once), kept."""
    state = project.state
    for document_id in {key.partition("/")[2] for key, *_ in stale}:
        state.codings_of(document_id)
    if getattr(project, "_codings_newer", False):
        return None  # a writer's checkpoint came between: the state is no longer the files
    built = {}
    for key, digest, stamp, words in stale:
        coder, _, document_id = key.partition("/")
        document = state.documents[document_id]
        columns = _columns(project, document, coder)
        if _stamp(layout.codings_path(project.dir, key)) == stamp:
            _write(project.dir / CACHE_DIR / f"{key}.cols", digest, stamp, words, columns)
        built[key] = replace(columns, digest=digest)
    return built


def _columns(project, document, coder: str) -> Columns:
    """One coder's codings of a document as columns (what `_build` keeps)."""
    return columns_from(project, document, coder, [c for c in project.codings.for_document(document) if c.coder == coder])


def columns_from(project, document, coder: str, codings: list) -> Columns:
    """The columns of one coder's codings of a document, given in position order."""
    from store.analysis.frequencies import shared_words, union_size

    index = words_of(project, document)
    by_code: dict[str, list] = {}
    touched = turns_touched(document, codings)
    for coding, span, turns in zip(codings, index.spans(codings), touched):
        by_code.setdefault(coding.code, []).append((coding, span, turns))
    codes = sorted(by_code)
    bounds, unions = array(_TYPE, [0]), array(_TYPE)
    per = {name: array(_TYPE) for name in _PER_CODING}
    ids = []
    for code in codes:
        found = by_code[code]
        for coding, (first, after), (turn_first, turn_last) in found:
            for name, value in zip(_PER_CODING, (first, after, coding.start, coding.end, turn_first, turn_last)):
                per[name].append(value)
            ids.append(coding.id)
        bounds.append(len(ids))
        unions.append(union_size([span for _, span, _ in found]))
    _, both = shared_words({n: [span for _, span, _ in by_code[code]] for n, code in enumerate(codes)})
    pairs = [array(_TYPE, values) for values in zip(*((a, b, w) for (a, b), w in sorted(both.items())))] or [array(_TYPE)] * 3
    words = document_words(index, document)
    ids_bytes = "\n".join(ids).encode("utf-8")
    return Columns(coder, document.id, codes, bounds, unions, *per.values(), ids_bytes, *pairs, words)


def turns_touched(document, codings) -> list[tuple[int, int]]:
    """Per coding, the turns of its first and last character (a character in a speaker
    label belongs to the turn that follows, as Document.turn_at); (0, 0) without turns."""
    turns = document.turns
    if not turns:
        return [(0, 0)] * len(codings)
    ends, last = [t.end for t in turns], len(turns) - 1
    return [
        (min(bisect_right(ends, c.start), last), min(bisect_right(ends, max(c.start, c.end - 1)), last))
        for c in codings
    ]


def document_words(index, document) -> int:
    """The words of a document's text as group_words counts them without a speaker filter:
    its turns' words, or every word of a document without turns."""
    if not document.turns:
        return len(index.starts)
    return sum(after - first for first, after in (index.span(t.start, t.end) for t in document.turns))


def encode(digest: str, stamp: tuple[int, int], words: tuple[bytes, str], columns: Columns) -> bytes:
    arrays = [columns.bounds, columns.unions, *(getattr(columns, name) for name in _PER_CODING)]
    arrays += [columns.pair_a, columns.pair_b, columns.pair_words]
    if sys.byteorder != "little":
        arrays = [array(_TYPE, a) for a in arrays]
        for a in arrays:
            a.byteswap()
    names = "\n".join(columns.codes).encode("utf-8")
    body = names + columns.ids + b"".join(a.tobytes() for a in arrays)
    header = _HEADER.pack(
        _MAGIC, digest.encode("ascii")[:32].ljust(32), *stamp, words[0], bytes.fromhex(words[1]),
        len(columns.codes), len(columns.first), len(names), len(columns.ids), len(columns.pair_a), columns.words,
        zlib.crc32(body),
    )  # fmt: skip
    return header + body


def decode(data: bytes, digest: str, stamp, words, coder: str, document: str) -> Columns | None:
    """The columns a cache file holds, or None when it is not the one for this codings file."""
    if len(data) < _HEADER.size:
        return None
    magic, found, size, mtime, definition, sha, codes, count, names, ids, pairs, total, crc = _HEADER.unpack_from(data)
    expected = (_MAGIC, digest.encode("ascii")[:32].ljust(32), *stamp, words[0], bytes.fromhex(words[1]))
    body = memoryview(data)[_HEADER.size :]
    item = array(_TYPE).itemsize
    lengths = (codes + 1, codes, *(count for _ in _PER_CODING), pairs, pairs, pairs)
    if (magic, found, size, mtime, definition, sha) != expected or len(body) != names + ids + item * sum(lengths):
        return None
    if zlib.crc32(body) != crc:
        return None
    code_ids = bytes(body[:names]).decode("utf-8").split("\n") if codes else []
    coding_ids = bytes(body[names : names + ids])
    arrays, at = [], names + ids
    for length in lengths:
        a = array(_TYPE)
        a.frombytes(body[at : at + length * item])
        at += length * item
        if sys.byteorder != "little":
            a.byteswap()
        arrays.append(a)
    bounds = arrays[0]
    if len(code_ids) != codes or bounds[0] != 0 or bounds[-1] != count or bounds.tolist() != sorted(bounds):
        return None
    pair_a, pair_b = arrays[-3], arrays[-2]
    if count and coding_ids.count(b"\n") != count - 1 or not all(map(lt, pair_a, pair_b)) or max(pair_b, default=0) >= max(codes, 1):
        return None
    return Columns(coder, document, code_ids, *arrays[:-3], coding_ids, *arrays[-3:], total, digest)


def _read(path: Path, digest: str, stamp, words, coder: str, document: str) -> Columns | None:
    try:
        return decode(path.read_bytes(), digest, stamp, words, coder, document)
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _write(path: Path, digest: str, stamp, words, columns: Columns) -> None:
    """Keep the columns for the next run; a folder that cannot be written keeps nothing."""
    try:
        for folder in (path.parent.parent.parent, path.parent.parent, path.parent):
            make_dir(folder)  # each folder made 0700
        write_atomic(path, encode(digest, stamp, words, columns), durable=False)  # a cache: checked on reading
    except OSError:
        pass


# ---------------------------------------------------------------------- read by document


@dataclass
class Gathered:
    """One document's codings in scope from its files' columns, as parallel lists (the
    files' order, then code id, then position): what cooccur, rounds and find read
    instead of `Coding` values."""

    document: object
    codes: list[str] = field(default_factory=list)
    first: list[int] = field(default_factory=list)
    after: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    turn_first: list[int] = field(default_factory=list)
    turn_last: list[int] = field(default_factory=list)
    segments: list = field(default_factory=list)  # (columns, indices taken from it)

    def coding_ids(self) -> list[str]:
        found = []
        for columns, indices in self.segments:
            ids = columns.coding_ids()
            found += [ids[i] for i in indices]
        return found

    def take_all(self, columns: Columns) -> None:
        """Every coding of one file."""
        bounds = columns.bounds
        for code, begin, end in zip(columns.codes, bounds, bounds[1:]):
            self.codes += [code] * (end - begin)
        for name in _PER_CODING:
            getattr(self, name).extend(getattr(columns, name))
        self.segments.append((columns, range(len(columns.first))))

    def take(self, columns: Columns, code: str, indices) -> None:
        """The codings `indices` of one file's code (a range: whole slices, in C)."""
        if isinstance(indices, range):
            begin, end = indices.start, indices.stop
            self.codes += [code] * (end - begin)
            for name in _PER_CODING:
                getattr(self, name).extend(getattr(columns, name)[begin:end])
        else:
            self.codes += [code] * len(indices)
            for name in _PER_CODING:
                values = getattr(columns, name)
                getattr(self, name).extend([values[i] for i in indices])
        self.segments.append((columns, indices))


def gathered(project, scope, wanted: set[str] | None = None) -> list[Gathered] | None:
    """The documents in scope (project order) holding codings in scope of the codes
    `wanted` (None: any), from the kept columns; None where the columns are not exactly
    the codings. The scope's coder, documents, attributes and speakers apply here (a
    coding's speaker is its first turn's); its code does not (the caller decides)."""
    from store.analysis.scope import documents_in

    files = columns_of(project)
    if files is None:
        return None
    by_document: dict[str, list[Columns]] = {}
    for columns in files:
        if scope.coder is None or columns.coder == scope.coder:
            by_document.setdefault(columns.document, []).append(columns)
    found = []
    for document in documents_in(project, scope):
        here = gather_document(document, by_document.get(document.id, ()), scope, wanted)
        if here.codes:
            found.append(here)
    return found


def gather_document(document, files, scope, wanted: set[str] | None) -> Gathered:
    """One document's codings in scope (see `gathered`) from its files' columns (those of
    the scope's coder, or every coder's when the scope has none)."""
    from store.analysis.scope import speaker_allowed

    here = Gathered(document)
    allowed = _allowed_turns(document, scope, speaker_allowed) if scope.speakers is not None or scope.not_speakers else None
    for columns in files:
        if scope.coder is not None and columns.coder != scope.coder:
            continue
        if allowed is None and (wanted is None or wanted.issuperset(columns.codes)):
            here.take_all(columns)
            continue
        for code, begin, end, _ in columns.runs():
            if wanted is not None and code not in wanted:
                continue
            indices = range(begin, end)
            if allowed is not None:
                turns = columns.turn_first
                indices = [i for i in indices if allowed[turns[i]]]
            if indices:
                here.take(columns, code, indices)
    return here


def _allowed_turns(document, scope, speaker_allowed) -> list[bool]:
    """Per turn number, whether its speaker is in scope ([""]'s for a document without turns)."""
    if not document.turns:
        return [speaker_allowed(scope, "")]
    return [speaker_allowed(scope, turn.speaker) for turn in document.turns]


def codings_of(project, found: Gathered) -> dict:
    """{coding id: Coding} of the document's files the columns were read from, decoding
    only those files (a read-only open would read every file at once); each file must be
    the one the checkpoint recorded and pass the open's checks, else the project's own
    reading is used (which reports any problem as an open does)."""
    from store import schema

    state = project.state
    codings: dict = {}
    for columns, _ in found.segments:
        key = f"{columns.coder}/{columns.document}"
        if key in codings:
            continue
        try:
            raw = layout.codings_path(project.dir, key).read_bytes()
        except OSError:
            return state.codings_of(found.document.id)
        data = codings_files.read_built(raw) if layout.digest(raw) == columns.digest else None
        if data is None or not schema.built_codings_sound(key, data["codings"], state.documents, state.codes):
            return state.codings_of(found.document.id)
        codings[key] = data["codings"]
    return {k: v for part in codings.values() for k, v in part.items()}
