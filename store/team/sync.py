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

import contextlib
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import orjson

from store import layout
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


def base_path(ours, theirs, suffix: str = ".json") -> Path:
    key = f"{theirs.meta.get('id', '')}|{Path(theirs.dir).resolve()}"
    return Path(ours.dir) / BASES_DIR / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:16] + suffix)


SNAPSHOT = ".base"  # merges/<key>.base: the other copy as merged, file by file (Snapshot)
SNAPSHOT_FORMAT = 1


@dataclass
class Snapshot:
    """A copy as a merge saw it: its project.json tables (`tables`), and each codings
    file's bytes as they were, by name, with their digest (`files`: name -> [digest,
    offset, length, codings]). On disk one file: a line of JSON (format, tables, files),
    then the files' bytes one after another; written once, fsynced, renamed."""

    tables: dict
    files: dict[str, list]
    blob: bytes | memoryview = b""
    parts: list[bytes] | None = None  # the files' bytes, not yet joined into `blob` (a snapshot being made)

    def digests(self) -> dict[str, str]:
        return {name: entry[0] for name, entry in self.files.items()}

    def raw(self, name: str) -> bytes:
        _, offset, length, _ = self.files[name]
        return bytes(self.blob[offset : offset + length])

    def contents(self, names) -> dict[str, bytes]:
        """The bytes of the files `names` it holds, by digest; a file whose bytes are not
        its digest's (the snapshot damaged) is left out, as if the base had none: nothing
        is then deleted from it, every difference is kept and listed."""
        found = {}
        for name in names:
            if name in self.files:
                raw = self.raw(name)
                if layout.digest(raw) == self.files[name][0]:
                    found[self.files[name][0]] = raw
        return found

    def as_tables(self) -> dict:
        """Every table as records (what the entity-wise merge takes)."""
        tables = {table: dict(self.tables.get(table) or {}) for table in ORDER if table != "codings"}
        tables["codings"] = {}
        for raw in self.contents(sorted(self.files)).values():
            data = orjson.loads(raw)
            if isinstance(data, dict) and isinstance(data.get("codings"), dict):
                tables["codings"].update(data["codings"])
        return tables

    def encoded(self) -> bytes:
        header = {"format": SNAPSHOT_FORMAT, "tables": self.tables, "files": self.files}
        try:
            head = orjson.dumps(header)
        except TypeError:  # what orjson refuses (an integer past 64 bits)
            head = json.dumps(header, ensure_ascii=False).encode("utf-8")
        return b"".join([head, b"\n", *(self.parts if self.parts is not None else [self.blob])])

    @classmethod
    def of(cls, tables: dict, raws: dict[str, bytes], digests: dict[str, str]) -> Snapshot:
        files, parts, offset = {}, [], 0
        for name in sorted(raws):
            raw = raws[name]
            files[name] = [digests[name], offset, len(raw), raw.count(b'"coder"')]
            parts.append(raw)
            offset += len(raw)
        return cls(tables, files, parts=parts)

    @classmethod
    def read(cls, path: Path) -> Snapshot | None:
        try:
            data = path.read_bytes()
            end = data.index(b"\n")
            header = orjson.loads(data[:end])
        except (OSError, ValueError):
            return None
        if not isinstance(header, dict) or header.get("format") != SNAPSHOT_FORMAT:
            return None
        tables, files = header.get("tables"), header.get("files")
        if not isinstance(tables, dict) or not isinstance(files, dict):
            return None
        blob = memoryview(data)[end + 1 :]
        if not all(_sound_entry(e, len(blob)) for e in files.values()) or not all(isinstance(t, dict) for t in tables.values()):
            return None
        return cls(tables, files, blob)


def _sound_entry(entry, size: int) -> bool:
    """Whether a snapshot's file entry is [digest, offset, length, codings] inside its bytes."""
    return (
        isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str)
        and all(type(n) is int and n >= 0 for n in entry[1:]) and entry[1] + entry[2] <= size
    )  # fmt: skip


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
    candidates += [s.as_tables() for s in _snapshots(ours, theirs)]
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


def _snapshots(ours, theirs) -> list[Snapshot]:
    """The snapshots that may be the base: this copy's of the other, the other's (of this copy)."""
    paths = [base_path(ours, theirs, SNAPSHOT)]
    folder = Path(theirs.dir) / BASES_DIR
    if folder.is_dir():
        paths += sorted(folder.glob("*" + SNAPSHOT))
    return [s for s in map(Snapshot.read, paths) if s is not None]


def choose_snapshot(ours, theirs, mine: dict[str, str], other: dict[str, str], main: tuple[dict, dict]) -> Snapshot | None:
    """`choose_base` file by file: the snapshot whose files (by digest, each counting its
    codings) and project.json records match one side or the other most; None when none
    shares anything. `mine`, `other`: each side's codings files' digests by name; `main`:
    each side's project.json tables."""
    best, score = None, 0
    for snapshot in _snapshots(ours, theirs):
        shared = sum(
            entry[3] + 1 for name, entry in snapshot.files.items() if entry[0] in (mine.get(name), other.get(name))
        )
        shared += sum(
            1
            for table, records in snapshot.tables.items() if isinstance(records, dict)
            for key, record in records.items()
            if main[0].get(table, {}).get(key) == record or main[1].get(table, {}).get(key) == record
        )
        if shared > score:
            best, score = snapshot, shared
    return best


def read_base(path: Path) -> dict:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _main_tables(project) -> dict[str, dict[str, dict]]:
    state = project.state
    return {table: {key: e.to_record() for key, e in state.table(table).items()} for table in ORDER if table != "codings"}


def _files_as_state(project, check_record: bool) -> tuple[dict[str, bytes], dict[str, str]] | None:
    """The codings files' bytes and digests by name, when they hold what the project's
    state does (no action in the log past the checkpoint, each file the one its checkpoint
    record wrote); None otherwise (the merge then goes entity by entity, through the state)."""
    if project.seq != project._checkpoint_seq:
        return None
    record = (project._record_now()["meta"].get("checkpoint") or {}) if check_record else project._record
    if "pending" in record or record.get("seq", 0) != project._checkpoint_seq:
        return None
    recorded = record.get("files")
    raws, digests = {}, {}
    for key, path in layout.codings_files(project.dir).items():
        name = layout.relative_name(key)
        try:
            raws[name] = path.read_bytes()
        except OSError:
            return None
        digests[name] = layout.digest(raws[name])
        if recorded and (recorded.get(name) or [None])[0] != digests[name]:
            return None
    if recorded and {n for n in recorded if n.startswith(layout.CODINGS_DIR + "/")} - raws.keys():
        return None
    return raws, digests


def merge_folder(ours, theirs) -> Report:
    """Merge the copy `theirs` (open, read-only) into `ours` (open for writing): file by
    file (`merge_files`) when both copies' files hold their state, else entity by entity."""
    with paused_collector():  # records hold no cycles (see gitsync._merge_in)
        if ours._ops_since_checkpoint:
            ours.checkpoint()  # our files then hold every acknowledged change
        other_files = _files_as_state(theirs, check_record=True)
        mine_files = _files_as_state(ours, check_record=False) if other_files is not None else None
        other_main = _main_tables(theirs)
        if mine_files is None or (base_path(ours, theirs).exists() and not base_path(ours, theirs, SNAPSHOT).exists()):
            report = merge_entitywise(ours, theirs)
        else:
            report = merge_files(ours, theirs, mine_files, other_files, other_main)
        snapshot = Snapshot.of(other_main, *other_files) if other_files is not None else None
    # The next merge's base, written once the merge is logged; the other form goes (a
    # kill between the two leaves both, of which the next merge takes the better base).
    kept, gone = base_path(ours, theirs, SNAPSHOT), base_path(ours, theirs)
    make_dir(kept.parent)
    if snapshot is None:  # their files are not their state: the base as records, read through it
        kept, gone = gone, kept
        write_atomic(kept, _encoded(tables_of(theirs)))
    else:
        write_atomic(kept, snapshot.encoded())
    with contextlib.suppress(FileNotFoundError):
        os.unlink(gone)
    return report


def merge_files(ours, theirs, mine_files: tuple[dict, dict], other_files: tuple[dict, dict], other_main: dict) -> Report:
    """The merge file by file, as sync's (store/team/filewise.py): a codings file their
    copy did not change since the base (the snapshot of the last merge) is not read, one
    only they changed is taken as it is, one both changed is merged entity by entity;
    project.json's tables always are."""
    from store.team import filewise

    mine_main = _main_tables(ours)
    (mine_raws, mine), (other_raws, other) = mine_files, other_files  # bytes and digests by name
    snapshot = choose_snapshot(ours, theirs, mine, other, (mine_main, other_main))
    base = snapshot.digests() if snapshot is not None else {}
    one_sided, both, left_out = filewise.classified(base, mine, other)
    contents = {mine[n]: mine_raws[n] for n in (one_sided | both) if n in mine}
    contents |= {other[n]: other_raws[n] for n in (one_sided | both) if n in other}
    if snapshot is not None:
        contents |= snapshot.contents(both)
    found = filewise.gathered((base, mine, other), one_sided, both, contents, left_out & mine.keys())
    for tables, main in zip((found.base, found.ours, found.theirs), (snapshot.tables if snapshot else {}, mine_main, other_main)):
        for table in filewise.MAIN_TABLES:
            tables[table] = dict(main.get(table) or {})
    result = filewise.merged(found, ours)
    return apply_merged(
        ours, found.ours, found.theirs, result, theirs.text, f"merge the copy in {theirs.dir}", Path(theirs.dir).name, found.known
    )


def merge_entitywise(ours, theirs) -> Report:
    """The merge of every entity of both copies (what `merge_files` does file by file)."""
    mine, other = tables_of(ours), tables_of(theirs)
    result = merge(choose_base(ours, theirs, mine, other), mine, other)
    return apply_merged(ours, mine, other, result, theirs.text, f"merge the copy in {theirs.dir}", Path(theirs.dir).name)


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
            held, merged = mine[table], result.tables.get(table, {})
            common = merged.keys() & held.keys()  # most of 50,000 incoming codings are new: no look-up each
            changed = [
                (key, record) for key, record in merged.items()
                if key not in common or ((before := held[key]) is not record and before != record)  # the merge keeps our own records as they are
            ]
            came = report.came_in.setdefault(table, Counter())
            if table == "documents":
                for key, _ in changed:
                    if key not in mine["documents"]:
                        ours.store_text(key, text_of(key))
            records = [record for _, record in changed]
            by = Counter(zip(map(dict.get, records, repeat("coder")), map(dict.get, records, repeat("author"))))
            for (coder, author), count in by.items():  # 50,000 codings: by coder (in C loops), then by name
                came[coders.get(coder or "", {}).get("name", author or "")] += count
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
