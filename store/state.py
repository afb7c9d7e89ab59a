"""The project's entities in memory, with the indexes that views read on every keystroke."""

from __future__ import annotations

from collections import Counter, defaultdict

from store.model import ENTITIES, Code, Coder, Coding, Document, Memo


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
        self.version = 0  # bumped on every change, so views can tell when to redraw

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

    def defer_codings(self, loader, counts: dict[str, int] | None) -> None:
        """Read codings only when first needed; `counts` (per document, saved with the
        checkpoint) answers `coding_counts_by_document` until then."""
        self._deferred, self._deferred_counts = loader, counts

    def coding_counts_by_document(self) -> Counter:
        if self._deferred is not None and self._deferred_counts is not None:
            return Counter(self._deferred_counts)
        self._load_deferred()
        if self._pending:
            return Counter(r["document"] for records in self._pending for r in records.values())
        return Counter({d: len(c) for d, c in self._by_document.items()})

    def table(self, name: str) -> dict:
        return getattr(self, name)

    def load(self, table: str, records: dict) -> None:
        if table == "codings":
            self._pending.append(records)
            return
        self._load(table, records)

    def _load(self, table: str, records: dict) -> None:
        cls = ENTITIES[table]
        target = self._codings if table == "codings" else self.table(table)
        for record in records.values():
            entity = cls.from_record(record)
            target[entity.id] = entity
            self._index(entity)
        self.version += 1

    def _load_deferred(self) -> None:
        if self._deferred is not None:
            loader, self._deferred, self._deferred_counts = self._deferred, None, None
            self._pending.extend(loader())

    def _materialise(self) -> None:
        self._load_deferred()
        while self._pending:
            self._load("codings", self._pending.pop())

    def put(self, entity) -> None:
        table = self.table(entity.TABLE)
        old = table.get(entity.id)
        if old is not None:
            self._unindex(old)
        table[entity.id] = entity
        self._index(entity)
        self.version += 1

    def remove(self, table: str, entity_id: str) -> None:
        old = self.table(table).pop(entity_id, None)
        if old is not None:
            self._unindex(old)
        self.version += 1

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
