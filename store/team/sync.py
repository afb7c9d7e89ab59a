"""Merging another copy of the project into this one through the store's API.

`merge_folder(ours, theirs)` reads both projects' entities as `{table: {id: record}}`,
merges them three-way (store/team/merge.py) against the base kept from the last merge
with that copy, and applies the difference to `ours` as one action (undoable, logged and
fsynced like any other). New documents bring their texts. The conflicts are listed in the
report and kept as a project memo. The base is the other copy as it was merged
(merges/<key>.json), so the next merge with it knows what either side deleted since; a
copy merging back the one that merged it finds its own snapshot in the other's merges/.
Without a base (two copies that never met), nothing is deleted and every difference is
settled by the rules and listed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from store.clock import now
from store.model import ENTITIES, Memo
from store.state import paused_collector
from store.storage import make_dir, write_atomic
from store.text import plural
from store.team.merge import Conflict, merge

ORDER = ("coders", "documents", "codes", "codings", "memos")  # what others point to first
BASES_DIR = "merges"


def tables_of(project) -> dict[str, dict[str, dict]]:
    state = project.state
    return {
        table: {key: entity.to_record() for key, entity in state.table(table).items()}
        for table in ORDER
    }


@dataclass
class Report:
    source: str
    came_in: dict[str, Counter] = field(default_factory=dict)  # table -> Counter by coder/author name ('' none)
    removed: Counter = field(default_factory=Counter)
    conflicts: list[Conflict] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not any(self.came_in.values()) and not self.removed and not self.conflicts:
            return [f"Nothing new from {self.source}."]
        parts = []
        codings = self.came_in.get("codings", Counter())
        for name, count in sorted(codings.items()):
            parts.append(f"{name or 'someone'}: {plural(count, 'coding')}")
        for table, label in (("codes", "codes"), ("memos", "memos"), ("documents", "documents")):
            total = sum(self.came_in.get(table, Counter()).values())
            if total:
                parts.append(f"{total} new or changed {label}")
        removed = sum(self.removed.values())
        if removed:
            parts.append(f"{removed} removed")
        lines = [f"From {self.source}: " + ("; ".join(parts) or "no changes") + f"; {len(self.conflicts)} conflicts"]
        lines += [f"  conflict: {c.describe()}" for c in self.conflicts]
        return lines


def _keep_conflicts(ours, conflicts: list[Conflict]) -> None:
    """The conflicts as a project memo named by its text, so two copies that meet the same
    conflicts (each merging the other) keep one memo, not two."""
    text = "\n".join(f"- {c.describe()}" for c in conflicts)
    key = "merge-conflicts-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    if key not in ours.state.memos:
        stamp = now()
        ours.put(Memo(key, "project", None, text, "margin merge", "Merge conflicts", stamp, stamp))


def base_path(ours, theirs) -> Path:
    key = f"{theirs.meta.get('id', '')}|{Path(theirs.dir).resolve()}"
    return Path(ours.dir) / BASES_DIR / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:16] + ".json")


def choose_base(ours, theirs, mine: dict, other: dict) -> dict:
    """The common ancestor: this copy's snapshot of the other from the last merge with it,
    or one of the other copy's own snapshots (of this copy, when it merged us), whichever
    holds the most records as one side or the other has them; empty when none does. Any
    snapshot is a state one side held and the other took in, so what it holds and a side
    lacks was deleted there."""
    candidates = [read_base(base_path(ours, theirs))]
    folder = Path(theirs.dir) / BASES_DIR
    if folder.is_dir():
        candidates += [read_base(path) for path in sorted(folder.glob("*.json"))]
    best, score = {}, 0
    for candidate in candidates:
        shared = sum(
            1
            for table, records in candidate.items() if isinstance(records, dict)
            for key, record in records.items()
            if mine.get(table, {}).get(key) == record or other.get(table, {}).get(key) == record
        )
        if shared > score:
            best, score = candidate, shared
    return best


def read_base(path: Path) -> dict:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def merge_folder(ours, theirs) -> Report:
    """Merge the copy `theirs` (open, read-only) into `ours` (open for writing)."""
    with paused_collector():  # records hold no cycles (see gitsync._merge_in)
        mine, other = tables_of(ours), tables_of(theirs)
        path = base_path(ours, theirs)
        result = merge(choose_base(ours, theirs, mine, other), mine, other)
        report = apply_merged(ours, mine, other, result, theirs.text, f"merge the copy in {theirs.dir}", Path(theirs.dir).name)
    make_dir(path.parent)
    write_atomic(path, _encoded(other))
    return report


def _encoded(tables: dict) -> bytes:
    """The snapshot's bytes: orjson's (ten times the standard module's speed on 50,000
    codings), or the standard module's for what orjson refuses (an integer past 64 bits)."""
    try:
        return orjson.dumps(tables)
    except TypeError:
        return json.dumps(tables, ensure_ascii=False).encode("utf-8")


def apply_merged(ours, mine: dict, other: dict, result, text_of, summary: str, source: str, known: dict | None = None) -> Report:
    """Make `ours` (whose tables are `mine`) hold the merge `result`, as one action: what
    changed is put, what went is deleted, new documents bring their texts (`text_of(id)`),
    the conflicts are kept as a project memo. `known`: incoming codings files' bytes, for
    `put_records`. Returns what came in."""
    report = Report(source, conflicts=result.conflicts)
    coders = {**other["coders"], **mine["coders"], **result.tables.get("coders", {})}
    with ours.operation(summary):
        for table in ORDER:
            held = mine[table]
            changed = [
                (key, record) for key, record in result.tables.get(table, {}).items()
                if (before := held.get(key)) is not record and before != record  # the merge keeps our own records as they are
            ]
            came = report.came_in.setdefault(table, Counter())
            for key, record in changed:
                if table == "documents" and key not in mine["documents"]:
                    ours.store_text(key, text_of(key))
                came[coders.get(record.get("coder") or "", {}).get("name", record.get("author", ""))] += 1
            records = [record for _, record in changed]
            ours.put_records(table, records, held=mine["codings"], known=known)  # a codings file at a time
        for table in reversed(ORDER):
            for key, record in mine[table].items():
                if key not in result.tables.get(table, {}):
                    ours.delete(ENTITIES[table].from_record(record))
                    report.removed[table] += 1
        result.conflicts.extend(join_twin_codes(ours, set(mine["codes"])))
        if result.conflicts:
            _keep_conflicts(ours, result.conflicts)
    return report


def join_twin_codes(project, had: set[str]) -> list[Conflict]:
    """Codes of one name under one parent (ignoring case, as the codebook does) that the
    copies made apart, each with its own id: one code, the one whose id sorts first (so
    either copy's merge keeps the same), holding both sides' codings, memos and sub-codes;
    then their sub-codes, which may now be twins too. Only codes new from the other copy
    (id not in `had`) start a join. Each join is listed, so that a team that meant two
    things by one name sees it (`margin codes rename` splits them again)."""
    joined: list[Conflict] = []
    book = project.codebook
    codes = project.state.codes
    while True:
        twins = [[codes[i] for i in group] for group in twin_codes(codes) if any(i not in had for i in group)]
        if not twins:
            return joined
        for keep, *others in twins:
            for other in others:
                book.merge(other, keep)
                joined.append(Conflict("codes", keep.id, "made in both copies, joined", (), keep.to_record(), other.to_record()))
            had.add(keep.id)


def twin_codes(codes: dict) -> list[list[str]]:
    """The ids of codes that share one name under one parent (ignoring case), each group
    sorted, the first being the one a join keeps. Only a merge can make them: a hand `git
    pull` (the merge driver sees one file at a time) leaves them for `margin sync` to join."""
    groups: dict[tuple, list[str]] = {}
    for code in codes.values():
        groups.setdefault((code.parent, code.name.casefold()), []).append(code.id)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def conflict_memos(project) -> list[Memo]:
    """The merges' conflict lists still to settle, oldest first."""
    found = [m for m in project.state.memos.values() if m.kind == "project" and m.id.startswith("merge-conflicts-")]
    return sorted(found, key=lambda m: m.created)
