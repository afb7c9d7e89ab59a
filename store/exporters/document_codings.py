"""An export's codings, a document at a time, read straight from the codings files.

An export goes through each document's codings once, in order, and needs neither `Coding`
values nor the project's indexes of them: at 200,000 codings, reading every file into
`project.state` was 1.7 s of each export and held every coding at once. After a read-only
open whose codings are exactly the files its checkpoint record names (the condition the
kept columns of store/analysis/columns.py use), a document's files are read when its turn
comes: each must be the file the record names (its digest), is decoded by msgspec into
small structs of a coding's fields (typed as `Coding`'s, checked as they are decoded) and
must pass the open's other checks (`schema.built_codings_sound`'s, for its one document).
A file that fails any of this, or a project whose files are not its codings (a log tail
that changed codings, a writer's checkpoint since the open), takes the project's own
reading, which reports any problem as an open does. Either way a document's codings come
in `Codings.for_document` order: start, end, id.

A coding's text and times are read as raw JSON (msgspec.Raw), not decoded: when none of a
document's holds an escape and they are valid UTF-8, what the exports write is those bytes
(`FromFiles.texts`, `.created`, `.modified`), so no string is made of them (at 200,000
codings decoding the texts was a third of the reading, and encoding them again a tenth of
the table's making). A document whose raw values hold an escape is decoded as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from itertools import compress, repeat
from operator import add, attrgetter, eq, lt, mul
from typing import TYPE_CHECKING

from store import codings_files, layout
from store.model import Document

if TYPE_CHECKING:
    from store.project import Project

ID, CODE, CODER, DOCUMENT, START, END = map(attrgetter, ("id", "code", "coder", "document", "start", "end"))


def reader(project: Project) -> Callable[[Document], list]:
    """A function giving a document's codings (values with a `Coding`'s fields), each
    document's files read when it is asked for."""
    files = codings_files.trusted_files(project)
    if files is None:
        return project.codings.for_document
    by_document: dict[str, list[tuple[str, str]]] = {}
    for key, digest in files.items():
        by_document.setdefault(key.partition("/")[2], []).append((key, digest))

    def codings_of(document: Document) -> list:
        found = _read(project, document, by_document.get(document.id, ()))
        return project.codings.for_document(document) if found is None else found

    return codings_of


class FromFiles(list):
    """A document's codings read from its files with their text, created and modified
    times left raw, none holding an escape (checked by `_raw_strings`): each of those
    columns, in the list's order, as the UTF-8 of its strings, made when first asked for."""

    def __init__(self, codings: list, joined: dict[str, bytes]):
        super().__init__(codings)
        self._joined = joined  # by field, its raw values joined by NUL

    def column(self, field: str) -> list[bytes]:
        """The UTF-8 of each coding's `field` (text, created or modified)."""
        return self._joined[field][1:-1].split(b'"\x00"') if self else []

    def decoded(self) -> list:
        """The codings with their raw fields as `str`, for a writer that takes a coding
        at a time: each is a string with no escape in valid UTF-8 (`_raw_strings`), so
        its characters are its bytes within the quotes."""
        from msgspec.structs import replace

        columns = [[bytes(v)[1:-1].decode("utf-8") for v in map(attrgetter(f), self)] for f in RAW_FIELDS]
        return [replace(c, **dict(zip(RAW_FIELDS, values))) for c, *values in zip(self, *columns)]

    def where(self, keep: Callable[[object], bool]) -> FromFiles:
        """The codings `keep` is true of, with their columns."""
        flags = list(map(keep, self))
        joined = {field: b"\x00".join(compress(map(attrgetter(field), self), flags)) for field in self._joined}
        return FromFiles(compress(self, flags), joined)


RAW_FIELDS = ("text", "created", "modified")


def _read(project: Project, document: Document, files) -> list | None:
    """The codings of a document's files in order, or None when any file is not as the
    record says or fails a check: a `FromFiles` when their raw values need no decoding.
    Small files (codings_files.small) are read as `Coding` values instead, sparing a
    small export msgspec's import."""
    if all(map(_small, repeat(project), files)):
        return _read_with(_built, project, document, files)
    found = _read_with(_decoding(raw=True), project, document, files)
    if found is None:
        return None
    joined = {field: b"\x00".join(map(attrgetter(field), found)) for field in RAW_FIELDS}
    if all(_raw_strings(raws, len(found)) for raws in joined.values()):
        return FromFiles(found, joined)
    return _read_with(_decoding(raw=False), project, document, files)


def _small(project: Project, file: tuple[str, str]) -> bool:
    try:
        return codings_files.small(layout.codings_path(project.dir, file[0]).stat().st_size)
    except OSError:
        return False  # the reading says what is wrong


def _built(raw: bytes) -> dict | None:
    built = codings_files.read_small(raw)  # `_small` has decided (and counted the file)
    return None if built is None else built["codings"]


def _raw_strings(joined: bytes, count: int) -> bool:
    """Whether `count` raw JSON values joined by NUL are each a string with no escape, in
    valid UTF-8 (what decoding them as `str` checks): a NUL cannot be in raw JSON, so
    each value starting with a quote is told by counting the NULs followed by one."""
    if not count:
        return True
    if not joined.startswith(b'"') or joined.count(b'\x00"') != count - 1 or b"\\" in joined:
        return False
    if not joined.isascii():
        try:
            joined.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def _read_with(decode: Callable[[bytes], dict | None], project: Project, document: Document, files) -> list | None:
    """The codings of a document's files, each file's {id: coding} by `decode`, in order
    (None as `_read`)."""
    found = []
    for key, digest in files:
        try:
            raw = layout.codings_path(project.dir, key).read_bytes()
        except OSError:
            return None
        if layout.digest(raw) != digest:
            return None
        codings = decode(raw)
        if codings is None or not _sound(key, codings, document, project.state.codes):
            return None
        found += codings.values()  # each file in id order (one entity per line, by id)
    return _ordered(found) if len(files) > 1 else _ordered(found, by_id=False)


def _sound(key: str, codings: dict, document: Document, codes) -> bool:
    """`schema.built_codings_sound` for the file `key` of `document`, its references
    looked up in that one document (the open checks them against every document)."""
    coder_id = key.partition("/")[0]
    values = codings.values()
    starts, ends = list(map(START, values)), list(map(END, values))
    return (
        all(map(eq, codings, map(ID, values)))
        and min(starts, default=0) >= 0
        and max(ends, default=0) <= document.length
        and all(map(lt, starts, ends))
        and {*map(CODER, values)} <= {coder_id}
        and {*map(DOCUMENT, values)} <= {document.id}
        and {*map(CODE, values)} <= codes.keys()
    )


def _ordered(codings: list, by_id: bool = True) -> list:
    """`codings` by start, end and id: sorted by id (a merge of the files' runs), then,
    stably, by one whole number per coding made of its start and end (ends are within the
    text, so below 2**40), which compares faster than a tuple."""
    if by_id:
        codings.sort(key=ID)
    places = list(map(add, map(mul, map(START, codings), repeat(1 << 40)), map(END, codings)))
    return list(map(codings.__getitem__, sorted(range(len(codings)), key=places.__getitem__)))


@cache
def _decoding(raw: bool) -> Callable[[bytes], dict | None]:
    """A file's {id: coding} by `_decoder(raw)`, None when it fails."""
    import msgspec

    decoder = _decoder(raw)

    def decode(data: bytes) -> dict | None:
        try:
            return decoder.decode(data).codings
        except (msgspec.MsgspecError, ValueError, RecursionError):
            return None

    return decode


@cache
def _decoder(raw: bool):
    """A decoder of a codings file into structs of a `Coding`'s fields, typed as `Coding`'s
    (a struct is cheaper to make than the dataclass; the .qde does not write `text`, but
    a file without one fails the open, so it is read all the same). `raw`: the text and
    times as raw JSON, checked by `_contents` (msgspec checks their syntax, not their
    UTF-8)."""
    import msgspec

    text = msgspec.Raw if raw else str
    time = (text, msgspec.Raw(b'""') if raw else "")
    fields = [("id", str), ("document", str), ("code", str), ("start", int), ("end", int), ("text", text), ("coder", str)]
    fields += [("created", *time), ("modified", *time), ("exemplar", bool, False)]
    coding = msgspec.defstruct("ExportedCoding", fields, gc=False, frozen=True)
    codings_file = msgspec.defstruct("ExportedCodings", [("codings", dict[str, coding], {})], gc=False)
    return msgspec.json.Decoder(codings_file)
