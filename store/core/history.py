"""Undo and redo, each coder's own, refused when another coder's later action would clash."""

from __future__ import annotations

import contextlib

import orjson

from store import schema
from store.core.changes import Operation
from store.errors import ProjectCorrupt, Refused
from store.model import NAMED_TARGET_KINDS
from store.schema import MARKS, TOMBSTONES, UNMERGED, tombstone_key, unmerged_mark


class History:
    """Store's undo, redo and log listing: a part of `store.core.store.Store`, which mixes it in."""

    def undo(self) -> dict:
        """Reverse the current coder's newest action not yet undone; returns its log entry.
        Another coder's work is never undone, and an action that another coder has since
        changed or built on is refused rather than half undone."""
        original = self._logged(self._own(self._undo, "undo"))
        reverse = [[t, i, after, before] for t, i, before, after in reversed(original["changes"])]
        self._walk(reverse, "undo", original)
        return original

    def redo(self) -> dict:
        """Re-apply the current coder's newest undone action."""
        original = self._logged(self._own(self._redo, "redo"))
        self._walk(original["changes"], "redo", original)
        return original

    def _own(self, stack: list[list], verb: str) -> list:
        """The current coder's newest item on `stack`."""
        name = self._name()
        for item in reversed(stack):
            if self._coder_of(item) == name:
                return item
        others = sorted({self._coder_of(item) for item in stack} - {name})
        if others:
            raise Refused(
                f"nothing of {name}'s to {verb}; the rest is {', '.join(others)}'s, "
                f"which only they can {verb} (margin --coder NAME {verb})"
            )
        raise Refused(f"nothing to {verb}")

    def _coder_of(self, item: list) -> str:
        """Who did an item's action; items saved before coders had their own undo lack
        it, and are filled in all at once from one read of the log."""
        if len(item) < 3:
            self._fill_coders()
        return item[2]

    def _fill_coders(self) -> None:
        legacy = [item for item in (*self._undo, *self._redo) if len(item) < 3]
        by: dict[int, str] = {}
        with contextlib.suppress(ProjectCorrupt):
            by = {e["seq"]: e.get("by", "") for _, e in self.journal.read_from(min(i[1] for i in legacy))}
        for item in legacy:
            item.append(by.get(item[0], ""))

    def _logged(self, position: list) -> dict:
        """The log entry an undo or redo refers to, checked to be the one it means."""
        seq, offset = position[0], position[1]
        try:
            entry = self.journal.read_at(offset)
        except ProjectCorrupt:
            entry = {}
        if entry.get("seq") != seq:
            raise Refused(f"the log no longer holds action {seq} (it was cut or replaced), so it cannot be undone or redone")
        return entry

    def _walk(self, changes: list, kind: str, original: dict) -> None:
        self._require_writable()
        op = Operation(f"{kind}: {original['summary']}")
        for table, entity_id, before, after in changes:
            if not _same(self._current(table, entity_id, before or after), before):
                self._rollback(op)
                self._refuse_walk(kind, original, entity_id)
            op.changes.append([table, entity_id, before, after])
            self._set(table, entity_id, after, before)
        broken = self._dangling(changes)
        if broken:
            self._rollback(op)
            self._refuse_walk(kind, original, broken)
        if original.get("merge"):
            self._unmerged(op, original["changes"], undone=kind == "undo")
        self._commit(op, {"kind": kind, "target": original["seq"]})

    def _unmerged(self, op, changes: list, undone: bool) -> None:
        """An undone merge takes its changes back in this copy only: no deletion of the other
        copy's work, no change to it (store/team/unmerged.py). Each entity it changed is
        marked (UNMERGED) with the version this copy holds again, and what it brought leaves
        no tombstone but the one this copy had before it; a redone merge takes the marks away."""
        graves = {key: before for table, key, before, _after in changes if table == TOMBSTONES}  # as before the merge
        for table, entity_id, before, after in changes:
            if table in MARKS:
                continue
            key = tombstone_key(table, entity_id)
            marks = [[UNMERGED, key, self.marks(UNMERGED).get(key), unmerged_mark(table, before, after) if undone else None]]
            if undone and before is None:  # what it brought leaves the tombstone there was (this copy's own deletion), or none
                marks.append([TOMBSTONES, key, self.tombstones().get(key), graves.get(key)])
            for mark in marks:
                if mark[2] != mark[3]:
                    op.changes.append(mark)
                    self._set(mark[0], key, mark[3], mark[2])

    def _dangling(self, changes: list) -> str | None:
        """An entity left pointing at nothing once `changes` are applied (a coding whose
        code is gone, say): its id, or None."""
        state = self.state
        final = {(change[0], change[1]): n for n, change in enumerate(changes)}  # an entity changed twice (a merge's join) ends as its last
        for n, (table, entity_id, _before, after) in enumerate(changes):
            if final[table, entity_id] != n:
                continue
            if after is None:
                referrers = [
                    *(state.codings_by_code.get(entity_id, {}) if table == "codes" and state.code_in_use(entity_id) else ()),
                    *(state.codings_of(entity_id) if table == "documents" else ()),
                    *state.memos_by_target.get(entity_id, {}),
                    *(c.id for c in state.codes.values() if c.parent == entity_id),
                ]
                if referrers:
                    return referrers[0]
                continue
            wanted = {
                "codings": [after.get("code"), after.get("document")],
                "codes": [after.get("parent")],
                "memos": [after.get("target")] if after.get("kind") not in NAMED_TARGET_KINDS else [],
            }.get(table, [])
            if any(ref is not None and not self._exists(ref, after.get("kind")) for ref in wanted):
                return entity_id
        return None

    def _exists(self, entity_id: str, kind: str | None = None) -> bool:
        """Whether a code, document or (for a memo of `kind` coding) coding exists."""
        state = self.state
        if entity_id in state.codes or entity_id in state.documents:
            return True
        return kind in (None, "coding") and entity_id in state.codings

    def _refuse_walk(self, kind: str, original: dict, entity_id: str) -> None:
        """Refuse an undo or redo that would clash with a later action, naming it."""
        later = None
        for _, entry in self.journal.read_from(0):
            if entry["seq"] > original["seq"] and any(c[1] == entity_id for c in entry["changes"]):
                later = entry
        said = f"{later['by']}'s later action “{later['summary']}” changed the same passage or code" if later else (
            "a later action changed the same passage or code"
        )
        raise Refused(f"cannot {kind} “{original['summary']}”: {said}; that must be undone first")

    @property
    def can_undo(self) -> bool:
        return any(self._coder_of(item) == self._name() for item in self._undo)

    @property
    def can_redo(self) -> bool:
        return any(self._coder_of(item) == self._name() for item in self._redo)

    def _name(self) -> str:
        return self.coder.name if self.coder else ""

    def log(self, newest: int | None = None) -> list[dict]:
        """Every logged operation (or the `newest` ones, read from the log's end), oldest
        first, without its change records; a damaged line (one the checkpoint covers, or
        the open would have failed) is shown as such."""
        if not newest:
            return self.journal.summaries(_summary)
        return [_summary(offset, entry) for offset, entry in self.journal.last_lines(newest)]


def _same(entity, record: dict | None) -> bool:
    """Whether an entity still holds the logged `record` (fields a newer Margin added to
    the entity, which the record lacks, are not compared)."""
    if entity is None or record is None:
        return entity is None and record is None
    current = orjson.loads(orjson.dumps(entity.to_record()))
    return all(current.get(key) == value for key, value in record.items())


def _summary(offset: int, entry: dict | None) -> dict:
    """What `margin log` shows of one log line: the entry without its change records (their
    number instead), or that the line is damaged."""
    if entry is not None and not schema.entry_problem(entry):
        return {k: v for k, v in entry.items() if k != "changes"} | {"changes": len(entry["changes"])}
    return {"seq": "?", "at": "", "by": "", "summary": f"(a damaged line at byte {offset})", "changes": 0}
