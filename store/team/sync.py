"""Merging another copy of the project into this one through the store's API.

`merge_folder(ours, theirs)` merges both projects' entities three-way (store/team/merge.py)
against the base, file by file where it can (`merge_files`), and applies the difference to
`ours` as one action (undoable, logged and fsynced like any other). New documents bring
their texts. The conflicts are listed in the report and kept as a project memo.

The base is the newest meeting of these two copies: this copy's snapshot of the other
(merges/<key>.base, written by the last merge of it) or the other's snapshot of this one,
whichever has the higher merge generation. Each copy counts its merges as a Lamport clock
(merges/generation: a merge sets it to one past the higher of the two copies'), and each
snapshot holds the merge's generation and the other copy's, so the later of two meetings
of a pair always has the higher one, and a copy whose generation is below the one a
snapshot saw it at went back (restored from an older copy of its folder): that snapshot is
no base, and the merge goes entity by entity. Without a base (two copies that never met),
nothing is deleted but what a side's tombstones name (store/team/merge.py), and every
difference is settled by the rules and listed; two copies of one project that never met
(copied, then coded apart) take as their base what both logs hold (store/team/ancestry.py).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path

import orjson

from store import layout
from store.clock import now
from store.model import ENTITIES, Memo
from store.state import paused_collector
from store.storage import fsync_dir, make_dir, write_atomic
from store.text import plural
from store.schema import MARKS
from store.team import ancestry, unmerged
from store.team.merge import ORDER, TOMBSTONES, Conflict, merge, name_codings

BASES_DIR = "merges"


def tables_of(project) -> dict[str, dict[str, dict]]:
    """Every entity of the project as records, by table, and its marks (tombstones, undone merges)."""
    state = project.state
    tables = {
        table: {key: entity.to_record() for key, entity in state.table(table).items()}
        for table in ORDER
    }
    return tables | _marks(project)


def _marks(project) -> dict[str, dict]:
    return {table: dict(project.marks(table)) for table in MARKS}


@dataclass
class Report:
    source: str
    came_in: dict[str, Counter] = field(default_factory=dict)  # table -> Counter by coder/author name ('' none)
    removed: Counter = field(default_factory=Counter)
    conflicts: list[Conflict] = field(default_factory=list)
    moved: Counter = field(default_factory=Counter)  # (whose, code name) -> codings the other copy's joins moved (`fold_joins`)
    removed_yours: int = 0  # of removed["codings"], the syncing coder's

    def lines(self) -> list[str]:
        if not any(self.came_in.values()) and not self.removed and not self.conflicts and not self.moved:
            return [f"Nothing new from {self.source}."]
        parts = came_in_words(self.came_in, self.moved, self.removed, self.removed_yours)
        lines = [f"From {self.source}: " + ("; ".join(parts) or "no changes") + f"; {plural(len(self.conflicts), 'conflict')}"]
        lines += [f"  conflict: {c.describe()}" for c in self.conflicts]
        return lines

    def fold_joins(self, coder: str, mine: dict, merged: dict) -> None:
        """Count what the other copy's joins of twin codes did to this copy's entities as
        the join's, not as work that came in: a code of ours that went, its twin kept in
        its place (same name, same parent), and our codings, memos and sub-codes of it
        changed only to point to the twin. `coder`: the syncing coder's id ("your")."""
        joined = joined_elsewhere(mine["codes"], merged["codes"])
        if self.removed["codings"]:
            went = mine["codings"].keys() - merged["codings"].keys()
            self.removed_yours = sum(1 for key in went if mine["codings"][key].get("coder") == coder)
        if not joined:
            return
        coders = {**mine["coders"], **merged.get("coders", {})}
        gone = [key for key in joined if key not in merged["codes"]]  # (one back, in use, is listed "deleted and used")
        self.removed["codes"] -= len(gone)
        joins = {joined[key] for key in gone}
        for table, field_name in (("codings", "code"), ("memos", "target"), ("codes", "parent")):
            for key, record in mine[table].items():
                if (old := record.get(field_name)) not in joined or not _only_repointed(record, merged[table].get(key), field_name, joined[old]):
                    continue
                name = coders.get(record.get("coder") or "", {}).get("name", record.get("author") or "")
                self.came_in.setdefault(table, Counter())[name] -= 1
                joins.add(joined[old])
                if table == "codings":
                    whose = "your" if record.get("coder") == coder else f"{name or 'someone'}'s"
                    self.moved[whose, merged["codes"][joined[old]]["name"]] += 1
        for kept in joins:
            if kept not in mine["codes"] or mine["codes"][kept] != merged["codes"][kept]:
                self.came_in.setdefault("codes", Counter())[""] -= 1  # the twin kept: the join's, not a new code
        self.removed, self.came_in = +self.removed, {t: +c for t, c in self.came_in.items()}


def _only_repointed(before: dict, after: dict | None, field_name: str, to: str) -> bool:
    """Whether `after` is `before` pointing to `to` instead (its modified stamp aside)."""
    if after is None or after.get(field_name) != to:
        return False
    stamp = before.get("modified")
    return {**after, field_name: before.get(field_name), "modified": stamp} == {**before, "modified": stamp}


def joined_elsewhere(mine: dict, merged: dict) -> dict[str, str]:
    """The codes of ours (records by id) that the other copy joined into a twin: one of the
    same name (ignoring case) under the same parent in the merge, that we did not have; our
    code gone (or back, "deleted and used", where we went on coding with it). By id, the
    code kept. Parents first, so a sub-code of a joined code is looked for under the code kept."""
    standing: dict[tuple, list[str]] = {}
    for key, record in merged.items():
        standing.setdefault((record.get("parent"), str(record.get("name", "")).casefold()), []).append(key)
    joined: dict[str, str] = {}
    for key in sorted(mine, key=lambda k: _depth(mine, k)):
        parent = mine[key].get("parent")
        twins = standing.get((joined.get(parent, parent), str(mine[key].get("name", "")).casefold()), [])
        kept = [twin for twin in twins if twin != key and (key not in merged or twin not in mine)]
        if kept:
            joined[key] = min(kept)
    return joined


def _depth(codes: dict, key: str) -> int:
    depth, seen = 0, {key}
    while (key := codes.get(key, {}).get("parent")) in codes and key not in seen:
        depth, seen = depth + 1, seen | {key}
    return depth


def came_in_words(came_in: dict[str, Counter], moved: Counter, removed: Counter, removed_yours: int) -> list[str]:
    """What a merge or sync brought, in parts that the reports join with "; ": each
    coder's codings, the codings joins moved, new or changed codes, memos and documents,
    then what was removed (one part: "1 code, 3 of your codings removed")."""
    parts = [f"{name or 'someone'}: {plural(count, 'coding')}" for name, count in sorted(came_in.get("codings", Counter()).items())]
    parts += moved_words(moved)
    for table, label in (("codes", "code"), ("memos", "memo"), ("documents", "document")):
        total = sum(came_in.get(table, Counter()).values())
        if total:
            parts.append(plural(total, f"new or changed {label}"))
    if removed:
        parts.append(removed_words(removed, removed_yours))
    return parts


def moved_words(moved: Counter) -> list[str]:
    """'3 of your codings moved to the joined code Stigma' ('1 of your codings'), one for each coder and code."""
    return [
        "%d of %s codings moved to the joined code %s" % (count, whose, code)  # "1 of your codings": one of them, never "1 of your coding"
        for (whose, code), count in sorted(moved.items())
    ]


def removed_words(removed: Counter, yours: int) -> str:
    """'1 code, 3 of your codings removed': what went, by kind, the syncing coder's codings named."""
    kinds = (("coders", "coder"), ("codes", "code"), ("memos", "memo"), ("documents", "document"))
    parts = [plural(removed[table], noun) for table, noun in kinds if removed[table]]
    others = removed["codings"] - yours
    if yours:
        parts.append(f"{yours} of your codings")  # "1 of your codings": one of them
    if others:
        parts.append(plural(others, "other coding" if yours else "coding"))
    return ", ".join(parts) + " removed"


def _keep_conflicts(ours, conflicts: list[Conflict]) -> None:
    """The conflicts as a project memo named by its text, so two copies that meet the same
    conflicts (each merging the other) keep one memo, not two; less those a conflict list
    the project holds already names (the list came with the merge: a conflict travels
    with the copies, and was listed again at every copy it reached)."""
    listed = {line for memo in conflict_memos(ours) for line in memo.text.splitlines()}
    lines = list(dict.fromkeys(line for line in (f"- {c.describe()}" for c in conflicts) if line not in listed))
    if not lines:
        return
    text = "\n".join(lines)
    key = "merge-conflicts-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    if key not in ours.state.memos:
        stamp = now()
        ours.put(Memo(key, "project", None, text, "margin merge", "Merge conflicts", stamp, stamp))


def base_path(ours, theirs, suffix: str = ".json") -> Path:
    """Where `ours` keeps what it last saw of the copy `theirs`: keyed by the other copy's
    project id and its copy id (`copy_id`), so that the copy reached through another path
    (a mount point, a bind mount, a folder moved or renamed) is the same copy; by its
    folder's resolved path when it has no copy id of its own (as before copy ids)."""
    found = copy_id(theirs.dir)
    return _keyed(ours, theirs, f"copy {found}" if found else str(Path(theirs.dir).resolve()), suffix)


def base_paths(ours, theirs, suffix: str = ".json") -> list[Path]:
    """`base_path`, then the one keyed by the folder's path, where a merge from before copy
    ids kept it (the next merge moves it to the copy id's key)."""
    by_path = _keyed(ours, theirs, str(Path(theirs.dir).resolve()), suffix)
    return list(dict.fromkeys((base_path(ours, theirs, suffix), by_path)))


def _keyed(ours, theirs, key: str, suffix: str) -> Path:
    key = f"{theirs.meta.get('id', '')}|{key}"
    return Path(ours.dir) / BASES_DIR / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:16] + suffix)


COPY_ID_FILE = "copy-id"  # merges/copy-id: this copy's own id, where it was made (local, never shared)


def copy_id(folder) -> str | None:
    """The copy id of the project in `folder`, made by `own_copy_id`; None when it has none,
    or when its record is another folder's: one copied with it (`cp -r`) claims the
    original's id, but neither the folder's and the record's inodes nor the path it was
    made at are its own. (A folder moved or renamed on its disk keeps its inodes; reached
    through a symlink or bind mount, too; a disk mounted elsewhere keeps them where its
    file system keeps inodes; at the path it was made in it is the copy it was, as before.)"""
    path = Path(folder) / BASES_DIR / COPY_ID_FILE
    try:
        record = orjson.loads(path.read_bytes())
        inodes = [os.stat(folder).st_ino, os.stat(path).st_ino]
        here = str(Path(folder).resolve())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(found := record.get("id"), str) or not found:
        return None
    return found if record.get("inodes") == inodes or record.get("path") == here else None


def own_copy_id(folder, replace: bool) -> str | None:
    """`copy_id`, made when the folder has none: this copy's own (`replace`: a record
    copied from another folder is replaced), or the other copy's of a merge, only where
    there is none (a record that is not its own stays: the path keys it, as before copy
    ids) and the folder is this user's (merges/ made by another user, mode 700, would
    stop its owner's merges; the copy gets its id from its own first merge). None when
    the folder cannot be written (a read-only disk)."""
    found = copy_id(folder)
    if found is not None:
        return found
    try:
        if not replace and os.stat(folder).st_uid != os.geteuid():
            return None
        return _write_copy_id(Path(folder), replace)
    except OSError:
        return None


def _write_copy_id(folder: Path, replace: bool) -> str | None:
    """A new copy id in merges/copy-id with the folder's path and inodes (the record's own
    inode in it: written to a new file, fsynced, then renamed or linked into place)."""
    merges = folder / BASES_DIR
    make_dir(merges)
    path, tmp = merges / COPY_ID_FILE, merges / f".{COPY_ID_FILE}.{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            record = {"id": os.urandom(16).hex(), "path": str(folder.resolve()), "inodes": [os.stat(folder).st_ino, os.fstat(fd).st_ino]}
            data = orjson.dumps(record) + b"\n"
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):  # another merge made one first: that one
                os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    fsync_dir(merges)
    return copy_id(folder)


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
    generation: int | None = None  # the merge's (None: a snapshot from before generations)
    of_generation: int | None = None  # the generation of the copy it holds, then

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
        tables = {table: dict(self.tables.get(table) or {}) for table in (*ORDER, TOMBSTONES) if table != "codings"}
        tables["codings"] = {}
        for raw in self.contents(sorted(self.files)).values():
            data = orjson.loads(raw)
            if isinstance(data, dict) and isinstance(data.get("codings"), dict):
                tables["codings"].update(data["codings"])
        return tables

    def encoded(self) -> bytes:
        header = {"format": SNAPSHOT_FORMAT, "generation": self.generation, "of_generation": self.of_generation}
        header |= {"tables": self.tables, "files": self.files}
        try:
            head = orjson.dumps(header)
        except TypeError:  # what orjson refuses (an integer past 64 bits)
            head = json.dumps(header, ensure_ascii=False).encode("utf-8")
        return b"".join([head, b"\n", *(self.parts if self.parts is not None else [self.blob])])

    @classmethod
    def of(cls, tables: dict, raws: dict[str, bytes], digests: dict[str, str], generations: tuple[int, int]) -> Snapshot:
        files, parts, offset = {}, [], 0
        for name in sorted(raws):
            raw = raws[name]
            files[name] = [digests[name], offset, len(raw), raw.count(b'"coder"')]
            parts.append(raw)
            offset += len(raw)
        return cls(tables, files, parts=parts, generation=generations[0], of_generation=generations[1])

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
        generations = _generations(header)
        return None if generations is None else cls(tables, files, blob, None, *generations)


def _generations(header: dict) -> tuple[int | None, int | None] | None:
    """A base's (generation, of_generation): both None for one from before generations;
    None when they are not two counts (a damaged base, which is then no base)."""
    found = (header.get("generation"), header.get("of_generation"))
    if found == (None, None) or all(type(n) is int and n >= 0 for n in found):
        return found
    return None


def _sound_entry(entry, size: int) -> bool:
    """Whether a snapshot's file entry is [digest, offset, length, codings] inside its bytes."""
    return (
        isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str)
        and all(type(n) is int and n >= 0 for n in entry[1:]) and entry[1] + entry[2] <= size
    )  # fmt: skip


def choose_base(ours, theirs, mine: dict, other: dict) -> dict:
    """The base where the two copies' bases are from before generations (`newest_base`):
    this copy's snapshot of the other from the last merge with it, or one of the other
    copy's own snapshots, whichever holds the most records as one side or the other has
    them; empty when none does. (A third copy's snapshot may hold what this copy never
    had, and an older one may match more: why generations choose the base now.)"""
    folder = Path(theirs.dir) / BASES_DIR
    theirs_kept = sorted(folder.glob("*.json")) if folder.is_dir() else []
    candidates = [read_base(path) for path in [*base_paths(ours, theirs), *theirs_kept]]
    snapshots = [*base_paths(ours, theirs, SNAPSHOT), *(sorted(folder.glob("*" + SNAPSHOT)) if folder.is_dir() else [])]
    candidates += [s.as_tables() for s in map(Snapshot.read, snapshots) if s is not None]
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
    """The tables of a base kept as records (merges/<key>.json); {} when it is not one."""
    return _read_records(path)[0]


def _read_records(path: Path) -> tuple[dict, tuple[int | None, int | None] | None]:
    """A base kept as records and its generations: {"format", "generation", "of_generation",
    "tables"}, or the tables alone (from before generations); ({}, None) when it is not one."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}, None
    if not isinstance(data, dict):
        return {}, None
    if "format" not in data:
        return data, (None, None)
    tables = data.get("tables")
    if data["format"] != SNAPSHOT_FORMAT or not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        return {}, None
    generations = _generations(data)
    return (tables, generations) if generations is not None else ({}, None)


GENERATION_FILE = "generation"  # merges/generation: this copy's merge generation, a Lamport clock


def generation(project) -> int:
    """How far this copy's merges go (0 before its first): each merge sets it one past the
    higher of the two copies' generations."""
    try:
        found = int((Path(project.dir) / BASES_DIR / GENERATION_FILE).read_bytes())
    except (OSError, ValueError):
        return 0
    return max(found, 0)


@dataclass
class Base:
    """What a merge takes as the common ancestor (see the module's docstring)."""

    snapshot: Snapshot | None = None  # the other copy, or this one, file by file
    tables: dict | None = None  # or as records (written when its files did not hold its state)
    generation: int = -1  # the meeting's
    entitywise: bool = False  # a copy went back, or the base is records: the merge goes entity by entity
    before_generations: bool = False  # only bases from before generations: chosen by records shared

    def as_tables(self) -> dict:
        return self.snapshot.as_tables() if self.snapshot is not None else dict(self.tables or {})


def _kept_base(path: Path) -> tuple[Snapshot | None, dict | None, tuple] | None:
    """A kept base and its (generation, of_generation): (snapshot, None, ...) from
    merges/<key>.base, (None, tables, ...) from merges/<key>.json; None when none is there
    or it is damaged."""
    if path.suffix == SNAPSHOT:
        snapshot = Snapshot.read(path)
        return None if snapshot is None else (snapshot, None, (snapshot.generation, snapshot.of_generation))
    tables, generations = _read_records(path)
    return None if generations is None else (None, tables, generations)


def newest_base(ours, theirs) -> Base:
    """The newest meeting of these two copies that both descend from: this copy's snapshot
    of the other or the other's of this one (either form), the one of higher generation.
    One that saw a copy at a generation above the copy's own now (the copy went back: its
    folder restored from an older copy) is left out, and the merge goes entity by entity.
    With none, what both copies' logs hold from before they parted (store/team/ancestry.py)."""
    now_at = {id(ours): generation(ours), id(theirs): generation(theirs)}
    found = Base()
    for taker, held in ((ours, theirs), (theirs, ours)):
        for path in (*base_paths(taker, held, SNAPSHOT), *base_paths(taker, held)):
            kept = _kept_base(path)
            if kept is None:
                continue  # none there, or damaged: no base
            snapshot, tables, (made, seen) = kept
            if made is None:
                found.before_generations = True
            elif now_at[id(taker)] < made or now_at[id(held)] < seen:
                found.entitywise = True
            elif made > found.generation:
                found.snapshot, found.tables, found.generation = snapshot, tables, made
    found.before_generations &= found.generation < 0
    if found.snapshot is None and found.tables is None and not found.before_generations:
        found.tables = ancestry.shared_state(ours.dir, theirs.dir)  # never met: what both logs hold
    found.entitywise |= found.before_generations or found.tables is not None
    return found


def _main_tables(project) -> dict[str, dict[str, dict]]:
    """project.json's tables as records: its entities and marks."""
    state = project.state
    tables = {table: {key: e.to_record() for key, e in state.table(table).items()} for table in ORDER if table != "codings"}
    return tables | _marks(project)


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
    """Merge the copy `theirs` (open, read-only) into `ours` (open for writing), against
    `newest_base`: file by file (`merge_files`) when both copies' files hold their state
    and the base is a snapshot that neither copy went back from, else entity by entity."""
    with paused_collector():  # records hold no cycles (see gitsync._merge_in)
        if ours._ops_since_checkpoint:
            ours.checkpoint()  # our files then hold every acknowledged change
        own_copy_id(ours.dir, replace=True)  # what the bases are keyed by (`base_path`)
        own_copy_id(theirs.dir, replace=False)
        base = newest_base(ours, theirs)
        other_files = _files_as_state(theirs, check_record=True)
        mine_files = _files_as_state(ours, check_record=False) if other_files is not None and not base.entitywise else None
        other_main = _main_tables(theirs)
        if mine_files is None:
            report = merge_entitywise(ours, theirs, base)
        else:
            report = merge_files(ours, theirs, mine_files, other_files, other_main, base.snapshot)
        generations = (max(generation(ours), generation(theirs)) + 1, generation(theirs))
        snapshot = Snapshot.of(other_main, *other_files, generations) if other_files is not None else None
    # This copy's new generation, then the next merge's base, written once the merge is
    # logged; the other form goes (a kill between the two leaves both, of which the next
    # merge takes the newer). A kill before the base leaves the older base, still common.
    kept, gone = base_path(ours, theirs, SNAPSHOT), base_path(ours, theirs)
    before = [p for p in base_paths(ours, theirs, SNAPSHOT) + base_paths(ours, theirs) if p not in (kept, gone)]  # keyed by path
    make_dir(kept.parent)
    write_atomic(kept.parent / GENERATION_FILE, b"%d\n" % generations[0])
    if snapshot is None:  # their files are not their state: the base as records, read through it
        kept, gone = gone, kept
        made, seen = generations
        write_atomic(kept, _encoded({"format": SNAPSHOT_FORMAT, "generation": made, "of_generation": seen, "tables": tables_of(theirs)}))
    else:
        write_atomic(kept, snapshot.encoded())
    for path in (gone, *before):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    return report


def merge_files(
    ours, theirs, mine_files: tuple[dict, dict], other_files: tuple[dict, dict], other_main: dict, snapshot: Snapshot | None
) -> Report:
    """The merge file by file, as sync's (store/team/filewise.py): a codings file their
    copy did not change since the base (`snapshot`, the newest meeting) is not read, one
    only they changed is taken as it is, one both changed is merged entity by entity;
    project.json's tables always are."""
    from store.team import filewise  # and store.team.git: only a merge file by file needs them

    mine_main = _main_tables(ours)
    (mine_raws, mine), (other_raws, other) = mine_files, other_files  # bytes and digests by name
    base = snapshot.digests() if snapshot is not None else {}
    apart = filewise.buried_apart(mine_main, other_main) | unmerged.files(mine_main, other_main)
    one_sided, both, left_out = filewise.classified(base, mine, other, apart)
    contents = {mine[n]: mine_raws[n] for n in (one_sided | both) if n in mine}
    contents |= {other[n]: other_raws[n] for n in (one_sided | both) if n in other}
    if snapshot is not None:
        contents |= snapshot.contents(both)
    found = filewise.gathered((base, mine, other), one_sided, both, contents, left_out & mine.keys())
    for tables, main in zip((found.base, found.ours, found.theirs), (snapshot.tables if snapshot else {}, mine_main, other_main)):
        for table in (*filewise.MAIN_TABLES, *MARKS):
            tables[table] = dict(main.get(table) or {})
    result = filewise.merged(found, ours)
    return apply_merged(
        ours, found.ours, found.theirs, result, theirs.text, f"merge the copy in {theirs.dir}", Path(theirs.dir).name, found.known
    )


def merge_entitywise(ours, theirs, base: Base | None = None) -> Report:
    """The merge of every entity of both copies (what `merge_files` does file by file),
    against the same base (`newest_base`), or, where the bases are from before
    generations, the one that holds the most records as a side has them."""
    base = base or newest_base(ours, theirs)
    mine, other = tables_of(ours), tables_of(theirs)
    at_base = choose_base(ours, theirs, mine, other) if base.before_generations else base.as_tables()
    unmerged.as_base(at_base, mine, other)
    result = merge(at_base, mine, other)
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
    name_codings(result.conflicts, {table: {**other.get(table, {}), **mine.get(table, {}), **result.tables.get(table, {})} for table in ("codes", "documents")})
    coders = {**other["coders"], **mine["coders"], **result.tables.get("coders", {})}
    with ours.operation(summary, merge=True):
        had = dict(ours.tombstones())
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
        report.fold_joins(ours.coder.id if ours.coder else "", mine, result.tables)  # before this copy's own joins, which are listed
        ours.put_tombstones(result.tables.get(TOMBSTONES, {}), had)
        ours.prune_unmerged()
        result.conflicts.extend(join_twin_codes(ours, set(mine["codes"])))
        result.conflicts.extend(join_twin_coders(ours, set(mine["coders"])))
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


def join_twin_coders(project, had: set[str]) -> list[Conflict]:
    """Coders of one name that the copies recorded apart, each with its own id (a coder
    who coded in both copies, the review's `consensus` coder made in each): one coder, the
    one whose id sorts first, holding both ids' codings and memos, so that `--coder NAME`
    counts them all. Only a coder new from the other copy (id not in `had`) starts a
    join; each is listed."""
    named: dict[str, list] = {}
    for coder in project.state.coders.values():
        named.setdefault(coder.name, []).append(coder)
    joined: list[Conflict] = []
    for _name, twins in sorted(named.items()):
        if len(twins) < 2 or all(coder.id in had for coder in twins):
            continue
        keep, *others = sorted(twins, key=lambda coder: coder.id)
        for other in others:
            for coding in [c for c in project.state.codings.values() if c.coder == other.id]:
                project.put(replace(coding, coder=keep.id))
            for memo in [m for m in project.state.memos.values() if m.author == other.id]:
                project.put(replace(memo, author=keep.id))
            project.delete(other)
            if project.coder is not None and project.coder.id == other.id:
                project.coder = keep
            joined.append(Conflict("coders", keep.id, "made in both copies, joined", (), keep.to_record(), other.to_record()))
    return joined


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
