"""Operations: changes made in memory, logged as one fsynced entry, rolled back on failure."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path

from store import layout
from store.clock import now
from store.errors import Refused, save_failed
from store.model import ENTITIES, Coder, Coding
from store.schema import MARKS, TOMBSTONES, UNMERGED, grave_of, tombstone_key, unmerged_holds
from store.storage import ProjectDB, fsync_dir, make_dir, open_db


@dataclass
class Operation:
    """The changes of one user action: (table, id, before, after) records."""

    summary: str
    changes: list[list] = field(default_factory=list)
    undoable: bool = True
    new_files: list[Path] = field(default_factory=list)  # source texts, removed if the action fails
    unsynced: set[Path] = field(default_factory=set)  # folders whose new names are fsynced at the commit
    amends: int | None = None  # the action this one continues, if still the coder's newest (see _amendment)
    merge: bool = False  # a merge of another copy: its undo marks what it takes back (History._unmerged)


CODING_FIELDS = {f.name for f in fields(Coding)}
CODING_ORDER = tuple(f.name for f in fields(Coding))


class Mark:
    """A tombstone or another mark (schema.MARKS) as `_current` gives it (what undo
    compares with the logged record)."""

    def __init__(self, record: dict):
        self.record = record

    def to_record(self) -> dict:
        return self.record


class Changes:
    """Store's operations and puts: a part of `store.core.store.Store`, which mixes it in
    (its methods work on the Store's state, files and journal)."""

    @contextmanager
    def operation(
        self, summary: str, *, undoable: bool = True, amends: int | None = None, merge: bool = False
    ) -> Iterator[Operation]:
        """Group changes into one acknowledged, undoable action (nested calls join the outer).

        `amends` names an earlier action that this one continues (the saves of one memo
        being typed): if that is still the coder's newest and touched the same entities,
        the two are one undo step."""
        if self._op is not None:
            yield self._op
            return
        self._require_writable()
        op = Operation(summary, undoable=undoable, amends=amends, merge=merge)
        self._op = op
        self._trail().clear()
        self._stage_new_coder()
        try:
            yield op
        except BaseException:
            self._rollback(op)
            self._unstage_new_coder()
            raise
        finally:
            self._op = None
        if changes_nothing(op.changes):  # a value set to what it was: nothing to log, nothing to undo
            self._rollback(op)
        if op.changes:
            amended = self._amendment(op)
            if amended is not None:
                self._commit(op, *amended)
            else:
                self._commit(op, {"kind": "do" if undoable else "system"} | ({"merge": True} if merge else {}))

    def _amendment(self, op: Operation) -> tuple[dict, list] | None:
        """When `op` continues the coder's newest undoable action on the same entities:
        the log fields that say so, and its changes with the "before" of that action, so
        that one undo takes both back. None when it does not (then it is an action of its own)."""
        if op.amends is None or not op.undoable:
            return None
        name = self._name()
        newest = next((item for item in reversed(self._undo) if self._coder_of(item) == name), None)
        if newest is None or newest[0] != op.amends:
            return None
        try:
            original = self._logged(newest)
        except Refused:
            return None
        before = {(t, i): b for t, i, b, _a in original["changes"]}
        if set(before) != {(t, i) for t, i, _b, _a in op.changes}:
            return None
        changes = [[t, i, before[(t, i)], a] for t, i, _b, a in op.changes]
        return {"kind": "do", "amends": op.amends, "summary": original["summary"]}, changes

    def put(self, entity) -> None:
        """Insert or replace an entity inside the current operation."""
        before = self._held(entity)
        self._change(entity.TABLE, entity.id, before.to_record() if before else None, entity.to_record())

    def _held(self, entity):
        """The one rule of every put (`put`, `put_records`, `put_new_entities`) for an entity
        the project may hold already: its value now, looked up by id in its table, a coding
        in its own document's codings (only that document's file is read); None when new.
        A held entity is replaced, and the change logs that value as its "before"."""
        if entity.TABLE == "codings":
            return self.state.codings_of(entity.document).get(entity.id)
        return self.state.table(entity.TABLE).get(entity.id)

    def delete(self, entity) -> None:
        self._change(entity.TABLE, entity.id, entity.to_record(), None)

    def put_records(
        self, table: str, records: list[dict], held: dict[str, dict] | None = None, known: dict | None = None
    ) -> None:
        """Insert or replace many entities of `table`, given as records, inside the current
        operation: what `put` does for each, a codings file at a time (a merge brings in
        tens of thousands: one round trip per coding through `_current` and `_set` was most
        of it). Logged, rolled back and undone like any change of the operation.

        `held`, the caller's map of the coding records this project holds (a merge has
        it), says which files hold an incoming coding already; then only the incoming
        coder's file of each document and those are read, not every coder's (a sync
        bringing in 50,000 of bob's codings need not decode alice's 50,000).

        `known` names, by codings key, the bytes and parsed table of files the records
        come from (a sync's incoming files as git holds them): a file new to the project
        that takes exactly that table's records is written as those bytes, not encoded."""
        if self._op is None:
            raise RuntimeError("changes must be made inside Project.operation()")
        if table == "codings" and len({record.get("id") for record in records}) == len(records):
            records = self._put_new_files(records, held, known or {})
        entities = ENTITIES[table].build_all(records)
        if table != "codings" or len({entity.id for entity in entities}) < len(entities):
            for entity in entities:  # an id twice: one at a time, in order, so the last one given stays
                self.put(entity)
            return
        by_file: dict[tuple[str, str], list] = {}
        for coding, record in zip(entities, records):
            by_file.setdefault((coding.coder, coding.document), []).append((coding, record))
        for (coder, document), codings in by_file.items():
            self._put_codings(coder, document, codings, held)

    def _put_new_files(self, records: list[dict], held: dict[str, dict] | None, known: dict) -> list[dict]:
        """The part of `put_records` for codings files new to the project (a sync taking in
        another coder's files): each file's records, when none is held and each has exactly
        a coding's fields, are logged as made, stored in one update of the file's table and
        held by the state as an unread file (`State.add_unread_file`): no `Coding` is built
        until its document is read. Returns the records left for the usual way."""
        by_file: dict[tuple[str, str], list[dict]] = defaultdict(list)
        rest = []
        for record in records:
            if record.keys() == CODING_FIELDS:
                by_file[record["coder"], record["document"]].append(record)
            else:
                rest.append(record)
        state, changes = self.state, self._op.changes
        for (coder, document), group in by_file.items():
            if held is None:
                state.codings_of(document)  # every file of the document read: an id held is found
            stored = self._coding_db(coder, document).table("codings")
            added = {record["id"]: record for record in group}
            if len(stored) or state.holds_any(added) or (held and not added.keys().isdisjoint(held.keys())):  # views: the smaller is walked
                rest += group
                continue
            changes += [["codings", key, None, record] for key, record in added.items()]
            stored.set_many(added)
            self._unbury("codings", added)
            key = layout.codings_key(coder, document)
            raw, table = known.get(key, (None, {}))
            if raw is not None and len(table) == len(added) and all(added.get(i) is r for i, r in table.items()):
                self._coding_dbs[key].storage.known = raw
            if not state.add_unread_file(key, document, added):
                for coding in ENTITIES["codings"].build_all(group):
                    state.put(coding)
        return rest

    def _put_codings(self, coder: str, document: str, codings: list, held: dict[str, dict] | None) -> None:
        """One codings file's part of `put_records`: its TinyDB table written once. A coding
        held already is found in its document's codings (as `_held` finds it), or, told
        what is held, in the file `held` names, and replaced."""
        if held is None:
            self.state.codings_of(document)
        stored = self._coding_db(coder, document).table("codings")
        changes, state = self._op.changes, self.state
        added = {}
        fields = codings[0][0].to_record().keys()
        for coding, raw in codings:
            elsewhere = held.get(coding.id) if held is not None else None
            if elsewhere is not None and (elsewhere["coder"], elsewhere["document"]) != (coder, document):
                state.read_file(layout.codings_key(elsewhere["coder"], elsewhere["document"]), elsewhere["document"])
            old = state.loaded_coding(coding.id)
            if old is not None and (old.coder, old.document) != (coder, document):
                self._coding_db(old.coder, old.document).table("codings").delete(coding.id)
            record = raw if raw.keys() == fields else coding.to_record()  # a record of other fields: as put() stores it
            changes.append(["codings", coding.id, old.to_record() if old is not None else None, record])
            added[coding.id] = record
            state.put(coding)
        stored._update_table(lambda table: table.update(added))
        self._unbury("codings", added)

    def put_new_entities(self, entities) -> None:
        """Put entities the project does not hold yet (an import into a new project) inside
        the current operation: each is logged as made, stored and indexed without a lookup
        of a value before it or being built again from its record, and each file's table
        is updated once, not once per entity. One already held (`_held`) goes the way of `put`."""
        if self._op is None:
            raise RuntimeError("changes must be made inside Project.operation()")
        changes, state = self._op.changes, self.state
        batch: dict[tuple[str, str] | str, dict] = {}  # (coder, document) or table -> records

        def flush() -> None:
            for key, records in batch.items():
                db = self._coding_db(*key) if isinstance(key, tuple) else self._main
                db.table("codings" if isinstance(key, tuple) else key).set_many(records)
            batch.clear()

        for entity in entities:
            table = entity.TABLE
            if self._held(entity) is not None:
                flush()
                self.put(entity)
                continue
            record = entity.to_record()
            changes.append([table, entity.id, None, record])
            batch.setdefault((entity.coder, entity.document) if table == "codings" else table, {})[entity.id] = record
            state.put(entity)
            self._unbury(table, (entity.id,))
        flush()

    def put_new_codings(self, records: list[dict]) -> None:
        """`put_new_entities` of codings given as their records (`Coding.to_record()`, its
        fields in its order), as an import plans them: logged as made in the order given,
        each file's table updated once, and held by the state as unread files
        (`State.add_unread_file`), so that no `Coding` is built (building 200,000, then
        their records, was a second of an import). Unless every one is new (`_all_new_codings`)
        they go the way of `put_new_entities`, the same changes either way; a state that
        does not read files per document is given the values, as `_put_new_files` gives them."""
        if self._op is None:
            raise RuntimeError("changes must be made inside Project.operation()")
        by_file: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
        for record in records:
            by_file[record["coder"], record["document"]][record["id"]] = record
        if not self._all_new_codings(by_file, len(records)):
            self.put_new_entities(ENTITIES["codings"].build_all(records))
            return
        self._op.changes += [["codings", record["id"], None, record] for record in records]
        for (coder, document), added in by_file.items():
            self._coding_db(coder, document).table("codings").set_many(added)
            if not self.state.add_unread_file(layout.codings_key(coder, document), document, added):
                for coding in ENTITIES["codings"].build_all(added.values()):
                    self.state.put(coding)

    def _all_new_codings(self, by_file: dict[tuple[str, str], dict[str, dict]], count: int) -> bool:
        """Whether `put_new_codings` may put these as made: no id twice, each a coding's
        fields in their order (so the log holds the bytes a `put` logs), none held (every
        file of their documents read first, as `_held` reads them), their files empty and
        no tombstone to take away (`_unbury`: a new project's import has none)."""
        state = self.state
        if sum(map(len, by_file.values())) != count:
            return False
        ids: set[str] = set()
        for (coder, document), added in by_file.items():
            state.codings_of(document)
            if not ids.isdisjoint(added) or state.holds_any(added) or len(self._coding_db(coder, document).table("codings")):
                return False
            ids.update(added)
            if not all(tuple(record) == CODING_ORDER for record in added.values()):
                return False
        dead = self.tombstones()
        return not dead or not any(tombstone_key("codings", i) in dead for i in ids)

    def _change(self, table: str, entity_id: str, before: dict | None, after: dict | None) -> None:
        if self._op is None:
            raise RuntimeError("changes must be made inside Project.operation()")
        self._op.changes.append([table, entity_id, before, after])
        self._set(table, entity_id, after, before)

    def _current(self, table: str, entity_id: str, hint: dict | None = None):
        """The entity's value now. For a coding, `hint` (a record of it, before or after
        a change) names its document, so only that document's codings are read."""
        if table in MARKS:
            found = self.marks(table).get(entity_id)
            return None if found is None else Mark(found)
        if table == "codings" and isinstance(hint, dict) and isinstance(hint.get("document"), str):
            return self.state.codings_of(hint["document"]).get(entity_id)
        return self.state.table(table).get(entity_id)

    def _set(self, table: str, entity_id: str, record: dict | None, hint: dict | None = None) -> None:
        """Make `record` the stored value (None removes it), in memory and in TinyDB;
        `hint` is another record of the entity (see _current). Every change lands here
        (a command's, a replayed one, an undo, a merge's), so here a deletion leaves its
        tombstone and a put takes it away (`_bury`)."""
        if table in MARKS:
            self._write_mark(table, entity_id, record)
            return
        if record is None and table in ("codes", "documents") and not self.state.codings_loaded:
            # read the codings that may point at it first, while their references hold
            if table == "documents":
                self.state.codings_of(entity_id)
            elif self.state.code_in_use(entity_id):
                self.state.codings  # noqa: B018
        old = self._current(table, entity_id, record or hint)
        if table == "codings" and old is not None and (record is None or (old.coder, old.document) != (
            record["coder"], record["document"]
        )):
            self._coding_db(old.coder, old.document).table(table).delete(entity_id)
        if record is None:
            if table != "codings" and old is not None:
                self._main.table(table).delete(entity_id)
            if old is not None:
                self._bury(table, old.to_record())
            self.state.remove(table, entity_id)
            return
        db = self._coding_db(record["coder"], record["document"]) if table == "codings" else self._main
        db.table(table).set(entity_id, record)
        self.state.put(ENTITIES[table].from_record(record))
        self._unbury(table, (entity_id,))

    def tombstones(self) -> dict[str, dict]:
        """The project's deletions (project.json's "deleted" table): "<table>:<id>" ->
        {"table", "id", "digest"} (a coding's with its "coder" and "document", so that a
        merge knows its file unread), the digest of the record as it was deleted. A merge
        takes them so that a deletion stays one wherever the deleted version arrives."""
        return self.marks(TOMBSTONES)

    def marks(self, table: str) -> dict[str, dict]:
        """One of project.json's tables of marks (schema.MARKS), by "<table>:<id>"."""
        return self._main.storage.read().get(table, {})

    def _bury(self, table: str, record: dict) -> None:
        self._write_mark(TOMBSTONES, tombstone_key(table, record["id"]), grave_of(table, record))

    def _unbury(self, table: str, entity_ids) -> None:
        """Take away the tombstones of entities put again (an undone deletion, a redo)."""
        dead = self.tombstones()
        if dead:
            for key in [k for k in (tombstone_key(table, i) for i in entity_ids) if k in dead]:
                self._write_mark(TOMBSTONES, key, None)

    def _write_mark(self, table: str, key: str, mark: dict | None) -> None:
        """Set or remove one mark (a tombstone, say), kept on the trail that `_rollback` walks back."""
        before = self.marks(table).get(key)
        if before == mark:
            return
        self._trail().append((table, key, before))
        if mark is None:
            self._main.table(table).delete(key)
            if not self.marks(table):  # the last one gone: project.json as if there had been none
                self._main.drop_table(table)
        else:
            self._main.table(table).set(key, mark)

    def _trail(self) -> list[tuple[str, str, dict | None]]:
        """The marks changed since the last logged (or replayed) action, with their values
        before: a failed action's rollback puts them back as they were (the reversed
        changes alone would bury what an action added, which was never deleted)."""
        return self._tomb_trail

    def prune_unmerged(self) -> None:
        """Inside an operation, drop the marks of undone merges (UNMERGED) of entities this
        copy no longer holds as marked: a merge brought them again, or they changed since."""
        for key, mark in sorted(self.marks(UNMERGED).items()):
            if not unmerged_holds(mark, self._record_of(mark)):
                self._change(UNMERGED, key, mark, None)

    def _record_of(self, mark: dict) -> dict | None:
        """The record of the entity a mark names, as this copy holds it (None: not held)."""
        held = self._current(mark["table"], mark["id"], {"document": mark.get("document")})
        return held.to_record() if held is not None else None

    def put_tombstones(self, wanted: dict[str, dict], had: dict[str, dict]) -> None:
        """Make the project hold the tombstones `wanted` (a merge's union of both copies')
        too, inside the current operation: logged as changes of the "deleted" table; and
        log the tombstones of `had` (the project's before the operation) that its puts
        took away (`_unbury`), so that the operation's undo knows them (History._unmerged)."""
        dead = self.tombstones()
        for key in sorted(wanted):
            if dead.get(key) != wanted[key]:
                self._change(TOMBSTONES, key, dead.get(key), wanted[key])
        for key in sorted(had.keys() - self.tombstones().keys()):
            self._change(TOMBSTONES, key, had[key], None)

    def _coding_db(self, coder_id: str, document_id: str) -> ProjectDB:
        """The TinyDB file of one coder's codings of one document (made when first needed)."""
        key = layout.codings_key(coder_id, document_id)
        self.state.read_file(key, document_id)  # the file as it is on disk before any write to it
        if key not in self._coding_dbs:
            self._coding_dbs[key] = open_db(layout.codings_path(self.dir, key), {"codings": {}})
            folder = layout.codings_path(self.dir, key).parent
            if not folder.is_dir() and not self.readonly:
                make_dir(folder)
                fsync_dir(folder.parent)  # the coder's new folder must survive a power cut
        return self._coding_dbs[key]

    def _rollback(self, op: Operation) -> None:
        trail = self._trail()
        for table, entity_id, before, after in reversed(op.changes):
            if table not in MARKS:
                self._set(table, entity_id, before, after)
        for table, key, before in reversed(trail):  # the marks as they were before the action
            self._write_mark(table, key, before)
        trail.clear()
        op.changes.clear()
        for path in op.new_files:
            with contextlib.suppress(OSError):
                path.unlink()
            self._texts.pop(path.stem, None)

    def _commit(self, op: Operation, extra: dict, changes: list | None = None) -> dict:
        """Log `op` durably (a session's new coder first); on failure memory is as before.
        `changes` replaces the logged changes of an amending action (memory rolls back by op's own)."""
        try:
            new_coder = self._log_new_coder()
        except Refused:
            self._rollback(op)
            raise
        try:
            entry = self._append(op, extra, changes)
        except Refused:
            if new_coder is not None:
                self._unlog_new_coder(*new_coder)
            raise
        if self.auto_checkpoint:
            self.checkpoint_if_due()
        return entry

    def _log_new_coder(self) -> tuple[Coder, int] | None:
        """Record the session's coder, if new, just before its first change: a command that
        is refused (or changes nothing) leaves no "add coder" behind."""
        coder = self._new_coder
        if coder is None:
            return None
        namesake = next((c for c in self.state.coders.values() if c.name == coder.name and c.id != coder.id), None)
        if namesake is not None:  # the action brought a coder of that name (an import)
            self._unstage_new_coder()
            self._new_coder = None
            self.coder = namesake if self.coder is coder else self.coder
            return None
        self._stage_new_coder()
        start = self.journal.size()
        op = Operation(f"add coder {coder.name}", undoable=False)
        op.changes.append(["coders", coder.id, None, coder.to_record()])
        trail = list(self._trail())  # the action's, which this entry (logged first) must not take
        try:
            self._append(op, {"kind": "system"})
        except Refused:
            self._unstage_new_coder()
            raise
        self._trail()[:] = trail
        self._new_coder = None
        return coder, start

    def _stage_new_coder(self) -> None:
        """Put the unrecorded coder in memory while an action runs (so that it is found by
        name); it is logged with the action, or taken out again if the action fails."""
        coder = self._new_coder
        if coder is not None and coder.id not in self.state.coders:
            self._set("coders", coder.id, coder.to_record())

    def _unstage_new_coder(self) -> None:
        coder = self._new_coder
        if coder is not None and coder.id in self.state.coders:
            self._set("coders", coder.id, None)
            self._write_mark(TOMBSTONES, tombstone_key("coders", coder.id), None)  # never recorded: never deleted

    def _unlog_new_coder(self, coder: Coder, start: int) -> None:
        """Take back the coder's entry when the change it came with could not be saved."""
        with contextlib.suppress(OSError):
            self.journal.cut(start)
        self.seq -= 1
        self._ops_since_checkpoint -= 1
        self._appended -= 1
        self._new_coder = coder
        self._unstage_new_coder()

    def _append(self, op: Operation, extra: dict, changes: list | None = None) -> dict:
        entry = {
            "seq": self.seq + 1,
            "at": now(),
            "by": self.coder.name if self.coder else "",
            "summary": op.summary,
            **extra,
            "changes": op.changes if changes is None else changes,
        }
        try:
            for folder in sorted(op.unsynced):  # the new texts' names, a folder at once, before the log holds them
                fsync_dir(folder)
            self.take_open_backup()  # the state at open, kept before anything changes it
            offset = self.journal.append(entry)
        except OSError as exc:
            self._rollback(op)
            raise Refused(save_failed(exc)) from None
        self.seq = entry["seq"]
        self._track_undo(entry, offset)
        self._ops_since_checkpoint += 1
        self._appended += 1
        return entry

    def _track_undo(self, entry: dict, offset: int) -> None:
        """Keep the undo and redo stacks: items are [seq, offset, coder name], each coder's
        own in one list; a coder's new action clears only that coder's redo items. The
        entry is logged (or replayed): its tombstones' trail is done with."""
        self._trail().clear()
        kind, by = entry.get("kind"), entry.get("by", "")
        if kind == "do":
            if "amends" in entry:  # one undo step with the action it continues
                self._undo[:] = [item for item in self._undo if item[0] != entry["amends"]]
            self._undo.append([entry["seq"], offset, by])
            self._redo[:] = [item for item in self._redo if self._coder_of(item) != by]
        elif kind == "undo":
            _move(self._undo, self._redo, entry.get("target"))
        elif kind == "redo":
            _move(self._redo, self._undo, entry.get("target"))

    def _require_writable(self) -> None:
        if self.readonly:
            raise Refused("the project is open read-only; close the other Margin session to change it")


def changes_nothing(changes: list) -> bool:
    """Whether every change of an action puts back what was there (its `modified` stamp
    aside): `codes describe` with the same words, `exemplar --off` on a coding that is not one."""

    def unstamped(record: dict) -> dict:
        return {k: v for k, v in record.items() if k != "modified"}

    return bool(changes) and all(b is not None and a is not None and unstamped(b) == unstamped(a) for _t, _i, b, a in changes)


def _move(source: list[list], target: list[list], seq: int | None) -> None:
    """Move the undo item of action `seq` (else the newest) from one stack to the other."""
    for index in range(len(source) - 1, -1, -1):
        if seq is None or source[index][0] == seq:
            target.append(source.pop(index))
            return
