"""The project's entities in memory, with the indexes that views read on every keystroke."""

from __future__ import annotations

from collections import defaultdict

from store.model import ENTITIES, Code, Coder, Coding, Document, Memo


class State:
    """Entity maps by id, kept in step with the TinyDB tables by `Project`."""

    def __init__(self) -> None:
        self.coders: dict[str, Coder] = {}
        self.documents: dict[str, Document] = {}
        self.codes: dict[str, Code] = {}
        self.codings: dict[str, Coding] = {}
        self.memos: dict[str, Memo] = {}
        self.codings_by_document: dict[str, dict[str, Coding]] = defaultdict(dict)
        self.codings_by_code: dict[str, dict[str, Coding]] = defaultdict(dict)
        self.memos_by_target: dict[str | None, dict[str, Memo]] = defaultdict(dict)
        self.version = 0  # bumped on every change, so views can tell when to redraw

    def table(self, name: str) -> dict:
        return getattr(self, name)

    def load(self, table: str, records: dict) -> None:
        cls = ENTITIES[table]
        for record in records.values():
            self.put(cls.from_record(record))

    def put(self, entity) -> None:
        old = self.table(entity.TABLE).get(entity.id)
        if old is not None:
            self._unindex(old)
        self.table(entity.TABLE)[entity.id] = entity
        self._index(entity)
        self.version += 1

    def remove(self, table: str, entity_id: str) -> None:
        old = self.table(table).pop(entity_id, None)
        if old is not None:
            self._unindex(old)
        self.version += 1

    def _index(self, entity) -> None:
        if isinstance(entity, Coding):
            self.codings_by_document[entity.document][entity.id] = entity
            self.codings_by_code[entity.code][entity.id] = entity
        elif isinstance(entity, Memo):
            self.memos_by_target[entity.target][entity.id] = entity

    def _unindex(self, entity) -> None:
        if isinstance(entity, Coding):
            self.codings_by_document[entity.document].pop(entity.id, None)
            self.codings_by_code[entity.code].pop(entity.id, None)
        elif isinstance(entity, Memo):
            self.memos_by_target[entity.target].pop(entity.id, None)
