"""Replaying the log past the checkpoint, each entry checked before and after it is applied."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from store import schema
from store.journal import LOG_NAME


class Replay:
    """Store's replay of the log: a part of `store.core.store.Store`, which mixes it in."""

    def _replay(self) -> None:
        """Bring the checkpoint up to date from the log (idempotent: sets final values).

        Each entry is checked before and after it is applied (its shape, the undo and redo
        it claims, the references and the code tree it leaves); an inconsistent entry is
        damage at its line, reported like a garbled one, so `margin restore` can cut there."""
        if self.readonly and not self.state.codings_loaded and self._touches_codings():
            self.state.codings  # noqa: B018 - read (and checked) before the log, which then holds all they do
        for offset, entry in self._unreplayed():
            problem = schema.entry_problem(entry) or self._history_problem(entry)
            if not problem:
                for table, entity_id, before, after in entry["changes"]:
                    self._set(table, entity_id, after, before)
                problem = self._effect_problem(entry) if entry["seq"] > self._mixed_until else ""
            if problem:
                raise self._log_damage(offset, f"action {entry['seq']}: {problem}")
            self._track_undo(entry, offset)
            self.seq = entry["seq"]
            self._ops_since_checkpoint += 1

    def _touches_codings(self) -> bool:
        lines, _ = self._lines_past_checkpoint()
        return any(entry is not None and any(c[0] == "codings" for c in entry.get("changes", ())) for _, entry in lines)

    def _unreplayed(self) -> Iterator[tuple[int, dict]]:
        """The log's entries past the checkpoint, with their offsets.

        The checkpoint's byte offset is a shortcut, taken only when the next action starts
        there. Otherwise (a line before it damaged with a change of length; the log cut or
        replaced outside Margin) every line is read and entries are picked by number. A
        damaged line matters only if it held an action the checkpoint lacks: numbers run on
        by one, so that is when the next good entry (or, at the end, the one before it) is
        past the checkpoint."""
        covered = self.seq
        lines, previous = self._lines_past_checkpoint()
        damaged: int | None = None
        for offset, entry in lines:
            if entry is None:
                damaged = offset if damaged is None else damaged
                continue
            if damaged is not None and entry["seq"] > covered + 1:
                raise self._log_damage(damaged, "the line is not a Margin log entry")
            damaged, previous = None, entry["seq"]
            if entry["seq"] <= covered:
                continue
            if entry["seq"] <= self.seq:
                raise self._log_damage(offset, f"action {entry['seq']} comes again after action {self.seq}")
            yield offset, entry
        if damaged is not None and previous >= covered:
            raise self._log_damage(damaged, "the line is not a Margin log entry")

    def _lines_past_checkpoint(self) -> tuple[Iterator, int]:
        """The log's lines from the checkpoint's offset if the next action starts there,
        else from the start; and the number of the action before the first line."""
        start = self._log_at_checkpoint
        if start == 0 or not self._at_line_start(start):
            return self.journal.read_lines(0), 0
        lines = self.journal.read_lines(start)
        first = next(lines, None)
        if first is not None and (first[1] is None or first[1]["seq"] != self.seq + 1):
            return self.journal.read_lines(0), 0
        return itertools.chain([first] if first else [], lines), self.seq

    def _at_line_start(self, offset: int) -> bool:
        try:
            with open(self.journal.path, "rb") as handle:
                handle.seek(offset - 1)
                return handle.read(1) == b"\n"
        except FileNotFoundError:
            return False

    def _history_problem(self, entry: dict) -> str:
        """An undo or redo must reverse or repeat an action on its stack: with undo each
        coder's own, the newest of that coder's items (or, naming no target, any)."""
        kind = entry.get("kind")
        if "amends" in entry:
            newest = next((i for i in reversed(self._undo) if self._coder_of(i) == entry.get("by", "")), None)
            if kind != "do" or newest is None or newest[0] != entry["amends"]:
                return f"it continues action {entry['amends']}, which is not its coder's newest to undo"
        stack = self._undo if kind == "undo" else self._redo if kind == "redo" else None
        if stack is None:
            return ""
        if not stack:
            return f"it is a {kind} when there is nothing to {kind}"
        target = entry.get("target")
        if target is not None and all(item[0] != target for item in stack):
            return f"it is a {kind} of action {target}, which is not there to {kind}"
        return ""

    def _effect_problem(self, entry: dict) -> str:
        """References an applied entry broke: a missing document, code or parent, a loop."""
        state = self.state
        touched_codes = []
        for table, entity_id, _before, after in entry["changes"]:
            if table == "codes" and after is not None:
                touched_codes.append(entity_id)
            elif table == "codes" and any(c.parent == entity_id for c in state.codes.values()):
                return f"it deletes code {entity_id} but not its sub-codes"
            elif table == "codings" and after is not None:
                document = state.documents.get(after["document"])
                if document is None or after["code"] not in state.codes or after["end"] > document.length:
                    return f"it puts coding {entity_id} on a document or code that does not exist, or past its end"
            if after is None and table == "documents" and not self.readonly and state.codings_of(entity_id):
                return f"it deletes document {entity_id} but not its codings"
            if after is None and table in ("codes", "documents") and state.codings_loaded:
                index = state.codings_by_code if table == "codes" else state.codings_by_document
                if index.get(entity_id):
                    return f"it deletes {table[:-1]} {entity_id} but not its codings"
        return schema.code_tree_problem(state.codes, touched_codes)

    def _log_damage(self, offset: int, problem: str) -> schema.LogDamaged:
        return schema.LogDamaged(
            offset,
            f"{LOG_NAME} is damaged at byte {offset} ({problem}); "
            "`margin restore --cut-log` cuts it there, keeping a copy",
        )
