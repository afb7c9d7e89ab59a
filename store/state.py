"""The project's entities in memory, with the indexes that views read on every keystroke."""

from __future__ import annotations

import gc
import sys
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from itertools import repeat
from operator import attrgetter, eq, itemgetter, setitem

from store.model import ENTITIES, Code, Coder, Coding, Document, Memo

CODING_FIELDS = tuple(f.name for f in fields(Coding))
_FIELD_SET = frozenset(CODING_FIELDS)
_ID, _CODE, _DOCUMENT = attrgetter("id"), attrgetter("code"), attrgetter("document")
_SET = object.__setattr__  # a frozen value's field, set while it is being built


@contextmanager
def paused_collector() -> Iterator[None]:
    """Pause Python's cycle collector while a project is read: records and entities hold
    no cycles, yet each of its passes walks every object made so far (150 ms of an
    open of 50,000 codings, more than checking them against the schema costs)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


class State:
    """Entity maps by id, kept in step with the TinyDB tables by `Project`.

    Codings are the bulk of a project (50,000 in a big one), so their records are turned
    into `Coding` values only when first needed: `margin docs` never pays for them.
    """

    def __init__(self) -> None:
        self.coders: dict[str, Coder] = {}
        self.documents: dict[str, Document] = {}
        self.codes: dict[str, Code] = {}
        self.memos: dict[str, Memo] = {}
        self.memos_by_target: dict[str | None, dict[str, Memo]] = defaultdict(dict)
        self._codings: dict[str, Coding] = {}
        self._by_document: dict[str, dict[str, Coding]] = defaultdict(dict)
        self._by_code: dict[str, dict[str, Coding]] = defaultdict(dict)
        self._pending: list[dict] = []  # coding record tables not yet made into values
        self._deferred = None  # a function reading the codings files, until first needed
        self._deferred_counts: dict[str, int] | None = None
        self._deferred_code_counts: dict[str, int] | None = None
        self._settle = None  # called once the deferred codings are in
        # A writer's codings files not yet read, by document: each document's are read
        # when first needed (`codings_of`), all of them when a whole-project view asks.
        self._unloaded: dict[str, dict[str, object]] = {}  # document -> {codings key: loader}
        self._unloaded_counts: dict[str, int] = {}
        self._read_counts = Counter()  # records read so far from the files of documents still partly unread
        # Codings per code as the checkpoint counted them, and the part of that count in
        # the files read since: what `coding_counts_by_code` answers without reading all.
        self._code_counts: Counter | None = None
        self._code_counts_read = Counter()
        self._unread_code_counts: Counter | None = None  # the first less the second, kept until either changes
        self.version = 0  # bumped on every change, so views can tell when to redraw
        # Changes per table, bumped with `version`: a view that shows codings can tell a
        # codebook change (a rename, a colour) from a change to what it indexed.
        self.changes: Counter = Counter()
        self._shared: dict[str, str] = {}  # one string per document, code and coder id that codings hold

    @property
    def codings(self) -> dict[str, Coding]:
        self._materialise()
        return self._codings

    @property
    def codings_by_document(self) -> dict[str, dict[str, Coding]]:
        self._materialise()
        return self._by_document

    @property
    def codings_by_code(self) -> dict[str, dict[str, Coding]]:
        self._materialise()
        return self._by_code

    def defer_codings(self, loader, counts: dict[str, int] | None, settle=None, code_counts: dict | None = None) -> None:
        """Read codings only when first needed; `counts` (per document, saved with the
        checkpoint) answers `coding_counts_by_document` until then; `settle` runs once
        they are in (to catch up with a writer that checkpointed meanwhile)."""
        self._deferred, self._deferred_counts, self._settle = loader, counts, settle
        self._deferred_code_counts = code_counts

    def defer_documents(self, loaders: dict[str, dict], counts: dict[str, int], code_counts: dict | None) -> None:
        """Read each document's codings only when first needed: `loaders` by document id,
        each a map of its codings files' keys to a function returning the file's table of
        records; `counts` and `code_counts` (from the checkpoint) stand in for the counts
        of what is not yet read."""
        self._unloaded, self._unloaded_counts = loaders, counts
        self._code_counts = Counter(code_counts) if code_counts is not None else None
        self._unread_code_counts = None

    def coding_counts_by_code(self) -> Counter:
        """Codings per code; while files are unread, from the checkpoint's counts with
        those of the files read since brought up to date."""
        if self._unloaded and self._code_counts is not None and not self._pending and self._deferred is None:
            if self._unread_code_counts is None:  # 5,000 codes: 7 ms, once, not on every key
                self._unread_code_counts = self._code_counts - self._code_counts_read
            counts = Counter(self._unread_code_counts)
            counts.update({code: n for code, codings in self._by_code.items() if (n := len(codings))})
            return counts
        if self._deferred is not None and self._deferred_code_counts is not None:
            return Counter(self._deferred_code_counts)
        return +Counter({code: len(codings) for code, codings in self.codings_by_code.items()})

    def code_in_use(self, code_id: str) -> bool:
        """Whether any coding may use the code: while a writer's files are unread, from the
        checkpoint's counts brought up to date by the files read since (so undoing a new
        code reads no codings file); else from the codings themselves."""
        if self._unloaded and self._code_counts is not None and not self._pending and self._deferred is None:
            unread = self._code_counts[code_id] - self._code_counts_read[code_id]
            return unread > 0 or bool(self._by_code.get(code_id))
        return bool(self.codings_by_code.get(code_id))

    def codings_of(self, document_id: str) -> dict[str, Coding]:
        """One document's codings by id, reading only that document's files if need be."""
        if self._deferred is not None or self._pending:
            self._materialise()
        elif document_id in self._unloaded:
            self._read_files(document_id, list(self._unloaded[document_id]))
        return self._by_document.get(document_id, {})

    def read_file(self, key: str, document_id: str) -> None:
        """Read one codings file of a document (`key`, coder/document) if it is unread,
        leaving the document's other files unread: what a change to that file needs
        first (a sync bringing in another coder's codings need not read this coder's)."""
        if self._deferred is not None or self._pending:
            self._materialise()
        elif key in self._unloaded.get(document_id, ()):
            self._read_files(document_id, [key])

    def add_unread_file(self, key: str, document_id: str, records: dict) -> bool:
        """Hold a codings file new to the project (`records`, by id, none held already)
        as an unread file is held: its codings become values when its document is first
        read, as a file on disk does, and the counts include them meanwhile. A sync taking
        in 50,000 of another coder's codings then builds none of them. False, and nothing
        done, unless files are read per document (a writer's open)."""
        if self._deferred is not None or self._pending:
            return False
        if self._code_counts is None and not self._unloaded:  # none unread: the counts are those read (a new project's none)
            self._code_counts = Counter(self._code_counts_read)
        loaders = self._unloaded.get(document_id)
        if loaders is None:  # every file of the document read (or none there): count afresh
            loaders = self._unloaded[document_id] = {}
            self._unloaded_counts[document_id] = 0
            self._read_counts.pop(document_id, None)
        loaders[key] = lambda: records
        self._unloaded_counts[document_id] = self._unloaded_counts.get(document_id, 0) + len(records)
        if self._code_counts is not None:
            self._code_counts.update(map(itemgetter("code"), records.values()))
            self._unread_code_counts = None
        self.version += 1
        self.changes["codings"] += 1
        return True

    def holds_any(self, coding_ids) -> bool:
        """Whether any of the codings is held among those read (no file is read)."""
        return not self._codings.keys().isdisjoint(coding_ids.keys() if isinstance(coding_ids, dict) else coding_ids)

    def loaded_coding(self, coding_id: str) -> Coding | None:
        """The coding if its file has been read, without reading any."""
        return self._codings.get(coding_id)

    def _read_files(self, document_id: str, keys: list[str]) -> None:
        loaders = self._unloaded[document_id]
        with paused_collector():
            tables = [loaders[key]() for key in keys]  # a damaged file fails every time: its loader stays
        for key in keys:
            del loaders[key]
        if not loaders:
            del self._unloaded[document_id]
            self._read_counts.pop(document_id, None)
        for records in tables:
            codings = self._load_codings(records)
            self._code_counts_read.update(map(_CODE, codings.values()))
            self._unread_code_counts = None
            if loaders:
                self._read_counts[document_id] += len(codings)

    def coding_counts_by_document(self) -> Counter:
        if self._deferred is not None and self._deferred_counts is not None:
            return Counter(self._deferred_counts)
        if self._unloaded and not self._pending:
            counts = Counter({d: len(c) for d, c in self._by_document.items() if d not in self._unloaded})
            by_document, read = self._by_document, self._read_counts
            counts.update({
                d: self._unloaded_counts.get(d, 0) - read.get(d, 0) + len(by_document.get(d, ())) for d in self._unloaded
            })
            return +counts
        self._load_deferred()
        if self._pending:
            return Counter(_document_of(r) for records in self._pending for r in records.values())
        return Counter({d: len(c) for d, c in self._by_document.items()})

    def table(self, name: str) -> dict:
        return getattr(self, name)

    def load(self, table: str, records: dict) -> None:
        if table == "codings":
            self._pending.append(records)
            return
        self._load(table, records)

    def _load(self, table: str, records: dict) -> None:
        if table == "codings":
            self._load_codings(records)
            return
        target = self.table(table)
        for entity in ENTITIES[table].build_all(records.values()):
            target[entity.id] = entity
            if table == "memos":
                self._index(entity)
        self.version += 1
        self.changes[table] += 1

    def _load_codings(self, records: dict) -> dict[str, Coding]:
        """The bulk of an open: a file's table of records built into codings sharing their
        repeated strings (`_built`), and indexed in C loops (a file's codings are usually
        of one document). A read-only open hands over `Coding` values already built
        (codings_files.read_built). Returns the codings by id."""
        codings = records
        if type(next(iter(records.values()), None)) is not Coding:
            codings = _built(records, self._shared)
        self._codings.update(codings)
        values = list(codings.values())
        documents = {*map(_DOCUMENT, values)}
        if len(documents) == 1:
            self._by_document[documents.pop()].update(codings)
        else:
            deque(map(setitem, map(self._by_document.__getitem__, map(_DOCUMENT, values)), codings, values), 0)
        deque(map(setitem, map(self._by_code.__getitem__, map(_CODE, values)), codings, values), 0)
        # No version bump: reading codings that were on disk changes nothing a view shows,
        # and a view cached by version (the analysis screen's) must not count again.
        return codings

    @property
    def codings_loaded(self) -> bool:
        """Whether every codings file has been read (opens defer them)."""
        return self._deferred is None and not self._unloaded

    def _load_deferred(self) -> None:
        """Read the deferred codings; a loader that fails (a damaged file) stays, so a
        later read fails the same way instead of seeing no codings."""
        if self._deferred is not None:
            self._pending.extend(self._deferred())
            self._deferred = self._deferred_counts = None

    def _materialise(self) -> None:
        if len(self._unloaded) + len(self._pending) > 1:
            import msgspec  # noqa: F401 - every file is read: msgspec builds them (`_built`)
        if self._unloaded:
            with paused_collector():
                for document_id in list(self._unloaded):
                    self.codings_of(document_id)
        if self._deferred is None and not self._pending:
            return
        settle, self._settle = (self._settle, None) if self._deferred is not None else (None, self._settle)
        with paused_collector():
            self._load_deferred()
            while self._pending:
                self._load("codings", self._pending.pop())
            if settle is not None:
                settle()

    def _writable(self, name: str) -> dict:
        """The map a change goes to; for codings the loaded ones, as the Project reads a
        coding's document (codings_of) before it changes one of its codings."""
        return self._codings if name == "codings" else self.table(name)

    def put(self, entity) -> None:
        table = self._writable(entity.TABLE)
        old = table.get(entity.id)
        if old is not None:
            self._unindex(old)
        table[entity.id] = entity
        self._index(entity)
        self.version += 1
        self.changes[entity.TABLE] += 1

    def remove(self, table: str, entity_id: str) -> None:
        old = self._writable(table).pop(entity_id, None)
        if old is not None:
            self._unindex(old)
        self.version += 1
        self.changes[table] += 1

    def _index(self, entity) -> None:
        if isinstance(entity, Coding):
            self._by_document[entity.document][entity.id] = entity
            self._by_code[entity.code][entity.id] = entity
        elif isinstance(entity, Memo):
            self.memos_by_target[entity.target][entity.id] = entity

    def _unindex(self, entity) -> None:
        if isinstance(entity, Coding):
            self._by_document[entity.document].pop(entity.id, None)
            self._by_code[entity.code].pop(entity.id, None)
        elif isinstance(entity, Memo):
            self.memos_by_target[entity.target].pop(entity.id, None)


FEW_CODINGS = 8000  # up to this many in one file, and msgspec not imported yet: built by the dataclass


def _built(records: dict, shared: dict[str, str]) -> dict[str, Coding]:
    """A codings file's table of records as `Coding` values by id. 200,000 codings read
    held 1,400 bytes each, two thirds of it in what the values repeat: the TinyDB table's
    record beside each value, its id as the table's key and as the record's, and a string
    of its own for its document, code and coder ids (a few thousand among them) and for
    its two stamps (mostly equal, and one for every coding an action made). So the values
    share the ids across files (`shared`) and the stamps within the file, and the table,
    handed over by the file's reader, is given the values in place of its records: a
    checkpoint writes a value as its record (`storage.dump_tables`). A table holding a
    record with other fields than a coding's (a newer Margin's) keeps its records, which
    a checkpoint then writes back as they were.

    The values are built in C (msgspec.convert, checking the field types again: half the
    time of calling the dataclass), and the strings replaced in C loops of setattr."""
    rows = list(records.values())
    if not all(map(eq, map(dict.keys, rows), repeat(_FIELD_SET))):  # fields left out or added: the checked way
        return {key: Coding.from_record(record) for key, record in records.items()}
    if "msgspec" not in sys.modules and len(rows) < FEW_CODINGS:
        values = Coding.build_all(rows)  # one document's codings: msgspec's import (9 ms) would cost more
    else:
        import msgspec  # here, so that commands that read no coding do not import it

        try:
            values = msgspec.convert(rows, list[Coding])
        except msgspec.ValidationError:  # as many fields, other ones (or a number msgspec refuses)
            return {key: Coding.from_record(record) for key, record in records.items()}
    stamps: dict[str, str] = {}
    for name, pool in (("document", shared), ("code", shared), ("coder", shared), ("created", stamps), ("modified", stamps)):
        column = list(map(attrgetter(name), values))
        distinct = {*column}
        if len(distinct) == 1:  # a file's document and coder: one string for every value
            one = distinct.pop()
            deque(map(_SET, values, repeat(name), repeat(pool.setdefault(one, one))), 0)
        else:
            deque(map(_SET, values, repeat(name), map(pool.setdefault, column, column)), 0)
    codings = dict(zip(map(_ID, values), values))
    records.clear()
    records.update(codings)
    return codings


def _document_of(record) -> str:
    """The document of a pending coding: a record, or a value a read-only open built."""
    return record.document if type(record) is Coding else record["document"]
