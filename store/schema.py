"""The project files' schema: its version, the migrations between versions, and the checks
that what is read from disk has the shape and references the code relies on.

A migration is a pure function from the raw data of every project file at version N to
version N + 1. They run on open, after a backup, and are written in one checkpoint.

Everything read is checked once, at open (or, for the codings of a read-only open, when
they are first parsed), so a hand-edited or damaged file gives one `ProjectCorrupt` line
naming the file and the entity instead of a traceback deep inside a view or an exporter.
The checks are type tests by table lookup: 50,000 codings take a few milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from operator import attrgetter, eq, itemgetter, le, lt, methodcaller

from store.digests import sha256
from store.errors import ProjectCorrupt, Refused
from store.model import MEMO_KINDS, MEMO_TARGET_TABLES, NAMED_TARGET_KINDS

SCHEMA = 2

# project.json's table of deletions: "<table>:<id>" -> {"table", "id", "digest"} (a
# coding's also "coder", "document"), what a merge weighs so a deletion stays one.
TOMBSTONES = "deleted"

# project.json's table of what this copy's undone merges took back (store/team/unmerged.py):
# "<table>:<id>" -> {"table", "id", "digest"}, the digest of the version this copy holds
# again (None where the merge brought the entity new), a coding's also "coder", "document".
UNMERGED = "unmerged"
MARKS = (TOMBSTONES, UNMERGED)  # the tables that mark entities rather than hold them


def tombstone_key(table: str, entity_id: str) -> str:
    return f"{table}:{entity_id}"


def canonical(record) -> str:
    """A record as one string, the same for equal records: sorted keys, no spaces."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def record_digest(record: dict) -> str:
    """What a tombstone keeps of the record deleted: enough to tell that version from any other."""
    return sha256(canonical(record).encode("utf-8")).hexdigest()[:32]

Migration = Callable[[dict], dict]


def split_codings(data: dict) -> dict:
    """Schema 1 to 2: codings/<coder>.json becomes codings/<coder>/<document>.json (keys
    "<coder>/<document>"), one small file per coder and document, so that an action
    rewrites one file and two coders' copies merge; the files lose their checkpoint stamp
    (the checkpoint record moves to local.json, see store/layout.py)."""
    split: dict[str, dict] = {}
    for coder_id, file in data["codings"].items():
        for coding_id, record in (file.get("codings") or {}).items():
            document = record.get("document") if isinstance(record, dict) else None
            split.setdefault(f"{coder_id}/{document}", {"codings": {}})["codings"][coding_id] = record
    return data | {"codings": split}


MIGRATIONS: dict[int, Migration] = {1: split_codings}


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


# ---------------------------------------------------------------------- record shapes


class _Missing:
    """The type of an absent optional field."""


_ABSENT = _Missing()
STR, INT, NONE, BOOL = frozenset({str}), frozenset({int}), frozenset({type(None)}), frozenset({bool})
OPTIONAL = frozenset({_Missing})

# Per table: field -> the exact types allowed (bool is not an int here).
FIELDS: dict[str, dict[str, frozenset]] = {
    "coders": {"id": STR, "name": STR, "created": STR},
    "documents": {
        "id": STR, "name": STR, "sha256": STR, "length": INT, "format": STR, "turns": frozenset({list}),
        "attributes": frozenset({dict}) | OPTIONAL, "words": INT | OPTIONAL, "imported_from": STR | OPTIONAL,
        "created": STR | OPTIONAL, "modified": STR | OPTIONAL,
    },
    "codes": {
        "id": STR, "name": STR, "parent": STR | NONE, "color": STR, "description": STR | OPTIONAL,
        "codable": BOOL | OPTIONAL, "created": STR | OPTIONAL, "modified": STR | OPTIONAL,
    },
    "codings": {
        "id": STR, "document": STR, "code": STR, "start": INT, "end": INT, "text": STR, "coder": STR,
        "created": STR | OPTIONAL, "modified": STR | OPTIONAL, "exemplar": BOOL | OPTIONAL,
    },
    "memos": {
        "id": STR, "kind": STR, "target": STR | NONE, "text": STR, "author": STR, "title": STR | OPTIONAL,
        "created": STR | OPTIONAL, "modified": STR | OPTIONAL, "start": INT | OPTIONAL, "end": INT | OPTIONAL,
    },
}  # fmt: skip
_FIELD_ITEMS = {table: tuple(spec.items()) for table, spec in FIELDS.items()}
ENTITY_NOUN = {"coders": "coder", "documents": "document", "codes": "code", "codings": "coding", "memos": "memo"}
_NUMBER = frozenset({int, float, type(None)})
_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", float: "a number", type(None): "null",
               list: "a list", dict: "an object", _Missing: "absent"}  # fmt: skip


def _kind(value) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _label(table: str, record) -> str:
    """`code 'Trust' (id 1f2e...)`: the entity as a researcher would look for it."""
    noun = ENTITY_NOUN.get(table, table)
    if not isinstance(record, dict):
        return noun
    name = record.get("name")
    ident = record.get("id")
    shown = f" {name!r}" if isinstance(name, str) and name else ""
    return f"{noun}{shown} (id {ident})" if isinstance(ident, str) else f"{noun}{shown}"


def record_problem(table: str, record) -> str:
    """What is wrong with one entity record ("" when nothing is): field types and the
    values within a record (a turn's five fields, a span's order, a memo's kind)."""
    if type(record) is not dict:
        return f"a {ENTITY_NOUN.get(table, table)} is {_kind(record)} instead of an object"
    for name, allowed in _FIELD_ITEMS[table]:
        if type(record.get(name, _ABSENT)) not in allowed:
            return f"{_label(table, record)} has {name} {_kind(record.get(name, _ABSENT))}, not {_expected(allowed)}"
    check = _VALUE_CHECKS.get(table)
    return check(record) if check else ""


def _expected(allowed: frozenset) -> str:
    return " or ".join(sorted(_TYPE_NAMES[t] for t in allowed if t is not _Missing))


def _document_values(record: dict) -> str:
    length = record["length"]
    if length < 0:
        return f"{_label('documents', record)} has a negative length"
    attributes = record.get("attributes", {})
    if not {*map(type, chain(attributes, attributes.values()))} <= STR:
        return f"{_label('documents', record)} has an attribute that is not text"
    turns = record["turns"]
    if turns and not _turns_sound(turns, length):
        return _turn_problem(record, turns, length)
    return ""


def _turns_sound(turns: list, length: int) -> bool:
    """Every turn five fields of the right types, in order, inside the text (C loops)."""
    if not {*map(type, turns)} <= {list} or not {*map(len, turns)} <= {5}:
        return False
    speakers, starts, ends, t0, t1 = zip(*turns)
    return (
        {*map(type, speakers)} <= STR
        and {*map(type, chain(starts, ends))} <= INT
        and {*map(type, chain(t0, t1))} <= _NUMBER
        and 0 <= starts[0]
        and ends[-1] <= length
        and all(map(le, starts, ends))
        and all(map(le, ends[:-1], starts[1:]))
    )


def _turn_problem(record: dict, turns: list, length: int) -> str:
    previous_end = 0
    for number, turn in enumerate(turns, 1):
        if type(turn) is not list or len(turn) != 5:
            return f"{_label('documents', record)} has turn {number} with {_size(turn)}, not 5 fields"
        speaker, start, end, t0, t1 = turn
        if type(speaker) is not str or type(start) is not int or type(end) is not int:
            return f"{_label('documents', record)} has turn {number} without a speaker and whole-number offsets"
        if type(t0) not in _NUMBER or type(t1) not in _NUMBER:
            return f"{_label('documents', record)} has turn {number} with a time that is not a number"
        if not previous_end <= start <= end <= length:
            return f"{_label('documents', record)} has turn {number} at {start}:{end}, outside its text or out of order"
        previous_end = end
    return f"{_label('documents', record)} has turns that are not in order"


def _size(value) -> str:
    return f"{len(value)} fields" if isinstance(value, list) else _kind(value)


def _coding_values(record: dict) -> str:
    if not 0 <= record["start"] < record["end"]:
        return f"{_label('codings', record)} has the span {record['start']}:{record['end']}, which is empty or negative"
    return ""


def _memo_values(record: dict) -> str:
    if record["kind"] not in MEMO_KINDS:
        return f"{_label('memos', record)} has the kind {record['kind']!r}, not one of {', '.join(MEMO_KINDS)}"
    kind = record["kind"]
    if (kind in MEMO_TARGET_TABLES or kind in NAMED_TARGET_KINDS) != (record["target"] is not None):
        return f"{_label('memos', record)} is a {kind} memo with the target {record['target']!r}"
    if (kind == "annotation") != ("start" in record or "end" in record):
        return f"{_label('memos', record)} is a {kind} memo " + ("without a span" if kind == "annotation" else "with a span")
    if kind == "annotation" and not 0 <= record.get("start", -1) < record.get("end", -1):
        return f"{_label('memos', record)} has the span {record.get('start')}:{record.get('end')}, which is empty or negative"
    return ""


_VALUE_CHECKS = {"documents": _document_values, "codings": _coding_values, "memos": _memo_values}


def table_problem(table: str, records) -> str:
    """The first problem in a TinyDB table of entities keyed by their ids."""
    if type(records) is not dict:
        return f"the {table} table is {_kind(records)} instead of an object"
    if _columns_sound(table, records):
        return ""
    for key, record in records.items():
        problem = record_problem(table, record)
        if problem:
            return problem
        if record["id"] != key:
            return f"{_label(table, record)} is stored under the id {key!r}"
    return ""


def _columns_sound(table: str, records: dict) -> bool:
    """The quick test of a whole table, a column at a time in C loops (map, set): about
    ten times faster than record by record, which runs only to name what is wrong."""
    values = list(records.values())
    if not {*map(type, values)} <= {dict}:
        return False
    try:
        for name, allowed in _FIELD_ITEMS[table]:
            getter = methodcaller("get", name, _ABSENT) if _Missing in allowed else itemgetter(name)
            if not {*map(type, map(getter, values))} <= allowed:
                return False
        if not all(map(eq, records, map(itemgetter("id"), values))):
            return False
    except KeyError:
        return False
    if table == "codings":
        starts, ends = list(map(itemgetter("start"), values)), list(map(itemgetter("end"), values))
        return min(starts, default=0) >= 0 and all(map(lt, starts, ends))
    check = _VALUE_CHECKS.get(table)
    return check is None or not any(map(check, values))


# ---------------------------------------------------------------------- files


def _fail(where: str, problem: str):
    raise ProjectCorrupt(f"{where}: {problem}")


def check_main(main: dict, where: str = "project.json") -> None:
    """project.json: its meta records and every entity table, shapes and references."""
    meta = main.get("meta")
    if type(meta) is not dict or type(meta.get("project")) is not dict:
        _fail(where, "it has no project record")
    problem = meta_problem(meta["project"]) or _checkpoint_problem(meta.get("checkpoint", {}))
    if problem:
        _fail(where, problem)
    for table in ("coders", "documents", "codes", "memos"):
        problem = table_problem(table, main.get(table, {}))
        if problem:
            _fail(where, problem)
    problem = code_tree_problem(main.get("codes", {}))
    if problem:
        _fail(where, problem)
    dead = main.get(TOMBSTONES, {})
    if type(dead) is not dict or not all(map(tombstone_sound, dead.values())):
        _fail(where, "its table of deletions holds something that is not a tombstone")
    taken_back = main.get(UNMERGED, {})
    if type(taken_back) is not dict or not all(map(unmerged_sound, taken_back.values())):
        _fail(where, "its table of undone merges holds something that is not a mark of one")


_META = {"id": STR, "name": STR, "schema": INT | OPTIONAL, "created": STR, "default_coder": STR}


def meta_problem(project: dict) -> str:
    for name, allowed in _META.items():
        if type(project.get(name, _ABSENT)) not in allowed:
            return f"the project record has {name} {_kind(project.get(name, _ABSENT))}, not {_expected(allowed)}"
    return ""


def _checkpoint_problem(checkpoint) -> str:
    if type(checkpoint) is not dict:
        return "the checkpoint record is not an object"
    for name in ("seq", "offset"):
        value = checkpoint.get(name, 0)
        if type(value) is not int or value < 0:
            return f"the checkpoint record has {name} {value!r}, not a whole number"
    for name in ("undo", "redo"):
        stack = checkpoint.get(name, [])
        if type(stack) is not list or not all(_is_position(p) for p in stack):
            return f"the checkpoint record's {name} list is not a list of [action, byte, coder] items"
    counts = checkpoint.get("coding_counts", {})
    if type(counts) is not dict or not all(type(n) is int and n >= 0 for n in counts.values()):
        return "the checkpoint record's coding counts are not whole numbers"
    return _files_problem(checkpoint)


def _files_problem(checkpoint: dict) -> str:
    """local.json's record of the shared files: name -> [digest, codings held], the
    digests of a checkpoint cut short (pending) and the action they reflect."""
    files, pending = checkpoint.get("files", {}), checkpoint.get("pending", {})
    if type(files) is not dict or not all(
        type(v) is list and len(v) == 2 and type(v[0]) is str and type(v[1]) is int and v[1] >= 0 for v in files.values()
    ):
        return "the checkpoint record's files are not [digest, count] items"
    if type(pending) is not dict or not all(type(v) is str for v in pending.values()):
        return "the checkpoint record's pending files are not digests"
    counts = checkpoint.get("code_counts", {})
    if type(counts) is not dict or not all(type(n) is int and n >= 0 for n in counts.values()):
        return "the checkpoint record's code counts are not whole numbers"
    if type(checkpoint.get("pending_seq", 0)) is not int:
        return "the checkpoint record's pending action is not a whole number"
    return ""


def local_problem(checkpoint: dict) -> str:
    """What is wrong with local.json's checkpoint record ("" when it is sound)."""
    return _checkpoint_problem(checkpoint)


def _is_position(value) -> bool:
    """An undo or redo item: [action, byte], and since undo became each coder's own, the
    coder's name third."""
    if type(value) is not list or len(value) not in (2, 3):
        return False
    return all(type(x) is int and x >= 0 for x in value[:2]) and (len(value) == 2 or type(value[2]) is str)


def check_codings_file(key: str, data: dict) -> dict:
    """codings/<coder>/<document>.json (`key` "<coder>/<document>"): its records
    (returned), each a coding by that coder of that document."""
    where = f"codings/{key}.json"
    coder_id, _, document_id = key.partition("/")
    records = data.get("codings", {})
    problem = table_problem("codings", records)
    if problem:
        _fail(where, problem)
    if not {*map(itemgetter("coder"), records.values())} <= {coder_id}:
        stray = next(r for r in records.values() if r["coder"] != coder_id)
        _fail(where, f"{_label('codings', stray)} is by coder {stray['coder']}, not by {coder_id}")
    if not {*map(itemgetter("document"), records.values())} <= {document_id}:
        stray = next(r for r in records.values() if r["document"] != document_id)
        _fail(where, f"{_label('codings', stray)} is on document {stray['document']}, not on {document_id}")
    return records


def check_coding_references(records: Iterable[dict], documents: Mapping, codes: Mapping, where: str) -> None:
    """Every coding points at a document and a code that exist, inside the document's text."""
    records = list(records)
    if _references_sound(records, itemgetter, documents, codes):
        return
    for record in records:
        document = documents.get(record["document"])
        if document is None:
            _fail(where, f"{_label('codings', record)} is on a document that does not exist ({record['document']})")
        if record["code"] not in codes:
            _fail(where, f"{_label('codings', record)} has a code that does not exist ({record['code']})")
        if record["end"] > document.length:
            _fail(where, f"{_label('codings', record)} ends at {record['end']}, past the end of {document.name}")


def _references_sound(items: list, getter, documents: Mapping, codes: Mapping) -> bool:
    """The quick test of check_coding_references, over records (itemgetter) or values (attrgetter)."""
    targets = list(map(getter("document"), items))
    if not ({*targets} <= documents.keys() and {*map(getter("code"), items)} <= codes.keys()):
        return False
    lengths = {key: document.length for key, document in documents.items()}
    return all(map(le, map(getter("end"), items), map(lengths.__getitem__, targets)))


# The whole numbers orjson reads as int (past them, a float): the checked path's range.
_WHOLE = range(-(2**63), 2**64)


def built_codings_sound(key: str, codings: dict, documents: Mapping | None, codes: Mapping) -> bool:
    """The checks of check_codings_file and check_coding_references that field types do
    not cover, over a codings file decoded straight into `Coding` values (whose types the
    decoder checked): True when the file passes them all, False for the checked path to
    name what is wrong. `documents` None skips the references (checked later, see _settle)."""
    coder_id, _, document_id = key.partition("/")
    values = list(codings.values())
    starts, ends = list(map(attrgetter("start"), values)), list(map(attrgetter("end"), values))
    return (
        all(map(eq, codings, map(attrgetter("id"), values)))
        and min(starts, default=0) >= 0
        and max(ends, default=0) in _WHOLE
        and all(map(lt, starts, ends))
        and {*map(attrgetter("coder"), values)} <= {coder_id}
        and {*map(attrgetter("document"), values)} <= {document_id}
        and (documents is None or _references_sound(values, attrgetter, documents, codes))
    )


# ---------------------------------------------------------------------- the code tree


def code_tree_problem(codes: Mapping, only: Iterable[str] | None = None) -> str:
    """A code whose parent does not exist, or a loop of parents ("" when the tree is sound).

    `codes` maps ids to records or `Code` values; `only` limits the walk to the chains
    above some codes (those one log entry touched). Iterative, so a deep tree is fine.
    This is the one check of the tree's shape for every path in: open, replay, import."""
    sound: set[str] = set()
    for start in codes if only is None else only:
        chain: list[str] = []
        seen: set[str] = set()
        current = start
        while current is not None and current not in sound:
            if current in seen:
                return f"{_code_label(codes, current)} is its own ancestor (a loop of parents)"
            if current not in codes:
                return f"{_code_label(codes, chain[-1])} has a parent that does not exist ({current})"
            seen.add(current)
            chain.append(current)
            current = _parent(codes[current])
        sound.update(chain)
    return ""


def check_code_tree(codes: Mapping, where: str = "the codebook") -> None:
    """Raise ProjectCorrupt naming the code when the tree is not a tree."""
    problem = code_tree_problem(codes)
    if problem:
        _fail(where, problem)


def _parent(code) -> str | None:
    return code.get("parent") if isinstance(code, dict) else code.parent


def _code_label(codes: Mapping, code_id: str) -> str:
    code = codes.get(code_id)
    name = code.get("name") if isinstance(code, dict) else getattr(code, "name", None)
    return f"code {name!r} (id {code_id})" if name else f"code {code_id}"


# ---------------------------------------------------------------------- log entries

KINDS = ("do", "undo", "redo", "system")


class LogDamaged(ProjectCorrupt):
    """A log line that is not an entry, or an entry that does not fit the ones before it."""

    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset


def tombstone_sound(grave) -> bool:
    """A record of the "deleted" table: {"table", "id", "digest"} (a coding's also names
    its "coder" and "document"), all text, of an entity table."""
    return (
        type(grave) is dict and grave.get("table") in FIELDS
        and all(type(grave.get(name)) is str for name in ("id", "digest"))
        and (grave["table"] != "codings" or all(type(grave.get(name)) is str for name in ("coder", "document")))
    )  # fmt: skip


def unmerged_sound(mark) -> bool:
    """A record of the "unmerged" table: a tombstone's shape, its digest text or None."""
    return type(mark) is dict and tombstone_sound(mark | {"digest": mark.get("digest") or ""})


def unmerged_holds(mark: dict, record: dict | None) -> bool:
    """Whether a side holding `record` (None: not holding it) holds the version `mark` names."""
    return record_digest(record) == mark["digest"] if record is not None else mark["digest"] is None


def grave_of(table: str, record: dict) -> dict:
    """The tombstone of `record` deleted: {"table", "id", "digest"}, a coding's also its
    "coder" and "document" (so that a merge knows its file unread)."""
    grave = {"table": table, "id": record["id"], "digest": record_digest(record)}
    if table == "codings":
        grave |= {"coder": record["coder"], "document": record["document"]}
    return grave


def unmerged_mark(table: str, held: dict | None, other: dict | None) -> dict:
    """The mark of an entity an undone merge took back: the version this copy holds again
    (`held`, None where the merge brought it), named as a tombstone names it (`other`,
    the merge's version, gives a coding's coder and document where `held` is None)."""
    return grave_of(table, held) if held is not None else grave_of(table, other) | {"digest": None}


MARK_SOUND = {TOMBSTONES: tombstone_sound, UNMERGED: unmerged_sound}


def entry_problem(entry: dict) -> str:
    """What is wrong with the shape of one log entry ("" when nothing is)."""
    if type(entry.get("seq")) is not int or entry["seq"] < 1:
        return "its action number is not a positive whole number"
    kind = entry.get("kind", "do")
    if type(kind) is not str or kind not in KINDS:
        return f"its kind {kind!r} is not one of {', '.join(KINDS)}"
    if kind in ("undo", "redo") and type(entry.get("target", 0)) is not int:
        return f"its {kind} target is not an action number"
    if type(entry.get("amends", 0)) is not int:
        return "the action it continues is not an action number"
    if type(entry.get("merge", False)) is not bool:
        return "whether it is a merge is not true or false"
    for name in ("summary", "by", "at"):
        if type(entry.get(name)) is not str:
            return f"its {name} is not text"
    for change in entry["changes"]:
        table, entity_id, before, after = change
        if table in MARK_SOUND:
            if type(entity_id) is not str or not all(r is None or MARK_SOUND[table](r) for r in (before, after)):
                return f"it changes the mark {entity_id!r} of {table}, which is not one"
            continue
        if type(table) is not str or table not in FIELDS:
            return f"it changes the table {table!r}, which a project does not have"
        if type(entity_id) is not str:
            return f"it changes a {ENTITY_NOUN[table]} whose id is not text"
        for record in (before, after):
            if record is None:
                continue
            problem = record_problem(table, record)
            if problem:
                return problem
            if record["id"] != entity_id:
                return f"it stores {_label(table, record)} under the id {entity_id!r}"
    return ""
