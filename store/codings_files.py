"""Whether a checkpoint's shared files are all there and are the ones it wrote.

The checkpoint record (local.json, see store/layout.py) keeps, for every shared file it
wrote, the file's digest and how many codings it held. Without this a codings file that
a sync tool failed to copy, that was deleted, or that an older copy replaced, reads as
"fewer codings": the project opens without them and the next checkpoint makes the loss
permanent. The same check serves a project folder at open (each file when it is read)
and a backup folder when restore picks one.

A file may also match the digest a checkpoint cut short by a kill was writing (`pending`:
newer than the record, and the log replays the rest); any other digest is refused.
"""

from __future__ import annotations

import operator
import os
import sys
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from pathlib import Path

import orjson

from store import layout
from store.errors import ProjectCorrupt
from store.storage import parse_project_file
from store.model import Coding
from store.text import plural

CODINGS_DIR = layout.CODINGS_DIR
PROJECT_FILE = layout.PROJECT_FILE


def missing_problem(folder: Path, main: dict) -> str:
    """The first codings file the checkpoint in `main` needs that is absent ("" if none).
    Only looks at names, so a read-only open that parses no codings file can afford it."""
    files = _record(main).get("files") or {}
    for name, (_digest, count) in sorted(files.items()):
        if count and name.startswith(CODINGS_DIR + "/") and not os.path.isfile(os.path.join(folder, name)):
            return f"{name} ({_label(main, name)}, {plural(count, 'coding')}) is missing"
    return ""


def mismatch_problem(main: dict, digests: dict[str, str]) -> str:
    """The first file (by name, with its digest) that is not one the checkpoint wrote."""
    checkpoint = _record(main)
    if "files" not in checkpoint:
        return ""  # no record of this machine's (a fresh clone): nothing to hold them to
    for name, found in sorted(digests.items()):
        if found not in layout.accepted(checkpoint, name):
            what = f"{name} ({_label(main, name)})" if name.startswith(CODINGS_DIR) else name
            return (
                f"{what} is not the file the last checkpoint wrote (an older copy, or changed outside Margin), "
                "so codings may be missing"
            )
    return ""


def newer(main: dict, digests: dict[str, str]) -> bool:
    """Whether any file is one a checkpoint cut short wrote, newer than the record."""
    files = _record(main).get("files") or {}
    return bool(files) and any((files.get(name) or [None])[0] != found for name, found in digests.items())


def read_all(folder: Path) -> tuple[dict[str, dict], dict[str, str]]:
    """Every codings file of `folder` parsed, by key, and the digests of their bytes by name."""
    files, digests = {}, {}
    for key, path in layout.codings_files(folder).items():
        raw = _read_bytes(path)
        digests[layout.relative_name(key)] = layout.digest(raw)
        files[key] = parse(path, raw)
    return files, digests


def codings_problem(folder: str | Path) -> str:
    """What is wrong with the shared files of the checkpoint in `folder` (a project or a
    backup), "" when they are all present and the ones its checkpoint record wrote."""
    folder = Path(folder)
    try:
        main = layout.read_main(folder)
        problem = missing_problem(folder, main)
        if problem:
            return problem
        _files, digests = read_all(folder)
        digests[PROJECT_FILE] = layout.digest((folder / PROJECT_FILE).read_bytes())
    except FileNotFoundError as exc:
        return f"{Path(exc.filename).name} is missing"
    except ProjectCorrupt as exc:
        return str(exc)
    return mismatch_problem(main, digests)


def trusted_files(project) -> dict[str, str] | None:
    """{codings file key: recorded digest} when the project's codings are exactly the files
    its checkpoint record names, else None. Reads the Project's open-time record (a small,
    read-only use of its private fields: `_record`, `_codings_newer`)."""
    if not project.readonly or project.state.codings_loaded or getattr(project, "_codings_newer", False):
        return None
    record = getattr(project, "_record", None) or {}
    files = record.get("files")
    if not files:
        return None
    try:
        if (layout.read_local(project.dir) or {}).get("seq") != record.get("seq"):
            return None  # a writer checkpointed since the open
    except Exception:  # noqa: BLE001 - any doubt takes the plain path
        return None
    keys = layout.codings_files(project.dir)
    found = {}
    for key in keys:
        entry = files.get(layout.relative_name(key))
        if not entry:
            return None
        found[key] = entry[0]
    if len(found) != sum(1 for name in files if name.startswith(f"{layout.CODINGS_DIR}/")):
        return None  # a file the record names is gone: the plain path says so
    return found


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ProjectCorrupt(f"{path.name} cannot be read ({exc.strerror or exc})") from None


def parse(path: Path, raw: bytes) -> dict:
    return parse_project_file(raw, f"{CODINGS_DIR}/{path.parent.name}/{path.name}")


# Bytes of codings files a process reads without msgspec (about 2,500 codings): msgspec's
# import (9 ms) costs more than it saves below that, and saves more above.
SMALL_READS = 1 << 20
_read_without_msgspec = 0


def small(size: int) -> bool:
    """Whether to read a codings file of `size` bytes without msgspec (`read_small`):
    while msgspec is not imported and the process has read less than SMALL_READS bytes
    this way (counting this file, when the answer is yes)."""
    global _read_without_msgspec
    if "msgspec" in sys.modules or _read_without_msgspec + size > SMALL_READS:
        return False
    _read_without_msgspec += size
    return True


def read_built(raw: bytes) -> dict | None:
    """A codings file's bytes as {"codings": {id: Coding}}, parsed, type-checked and
    built in one pass in C (msgspec: five times faster than parsing to dicts, checking
    them and building from them), or None when it does not parse or its fields are not of
    the schema's types: the checked path then names the problem. A read-only open uses
    this, having no TinyDB tables to fill; `schema.built_codings_sound` checks the rest.
    A `small` file is read by `read_small` instead."""
    if small(len(raw)):
        return read_small(raw)
    return _read_decoded(raw)


def _read_decoded(raw: bytes) -> dict | None:
    import msgspec  # here, so that commands that read no coding do not import it

    try:
        built = _decoder().decode(raw)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return None
    return {"codings": built.codings}


def read_small(raw: bytes) -> dict | None:
    """`read_built` by orjson and a check of each field's type: a record must hold every
    field without a default, each of its field's JSON type (an `int` not a `bool`, as
    msgspec's strict decoding); other fields and other tables are ignored, as msgspec does.
    Where the two differ, this one reads as the checked path every writer takes does: it
    refuses a file that is not all valid JSON in UTF-8 (msgspec skips the bytes of what it
    ignores) or holds a number beyond 64 bits, and takes the last of a repeated field
    (tests/test_codings_small_files.py)."""
    try:
        main = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    records = main.get("codings", {}) if type(main) is dict else None
    if type(records) is not dict:
        return None
    codings = {}
    for key, record in records.items():
        if type(record) is not dict or not _CODING_FIELDS_REQUIRED <= record.keys():
            return None
        values = [record.get(name, default) for name, _kind, default in _CODING_FIELD_TYPES]
        if not all(map(_is, map(type, values), _CODING_KINDS)):
            return None
        codings[key] = Coding(*values)
    return {"codings": codings}


_NONE = object()
_CODING_FIELD_TYPES = tuple(
    (f.name, {"str": str, "int": int, "bool": bool}[f.type], _NONE if f.default is MISSING else f.default)
    for f in fields(Coding)
)
_CODING_FIELDS_REQUIRED = frozenset(name for name, _kind, default in _CODING_FIELD_TYPES if default is _NONE)
_CODING_KINDS = tuple(kind for _name, kind, _default in _CODING_FIELD_TYPES)
_is = operator.is_


@dataclass
class _CodingsFile:
    """The shape of codings/<coder>/<document>.json for the decoder; other tables are ignored."""

    codings: dict[str, Coding] = field(default_factory=dict)


@cache
def _decoder():
    import msgspec

    return msgspec.json.Decoder(_CodingsFile)


def _record(main: dict) -> dict:
    return ((main.get("meta") or {}).get("checkpoint") or {}) if isinstance(main, dict) else {}


def _label(main: dict, name: str) -> str:
    """"the codings of alice on interview 3" for codings/<coder id>/<document id>.json."""
    parts = name[len(CODINGS_DIR) + 1 : -len(".json")].split("/")
    coder_id, document_id = (parts + [""])[:2]
    coder = (main.get("coders") or {}).get(coder_id) or {}
    document = (main.get("documents") or {}).get(document_id) or {}
    return f"the codings of {coder.get('name', 'coder ' + coder_id)!s} on {document.get('name', 'document ' + document_id)!s}"

