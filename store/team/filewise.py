"""The three sides of a sync's merge, read file by file so that the cost is what changed.

Codings live one file per coder and document, so most files changed on one side only (each
coder's own files; a coder's file is touched by the other only through the codebook). git
names each file's content by its blob id, so without reading a file it is known whether a
side changed it since the common ancestor:

- changed on neither side, or only on ours: the file stays as it is, nothing to read;
- changed on theirs only: their version is the merge's, taken as it is (no merge over its
  codings; ours, the ancestor's, read once so that what they deleted goes);
- changed on both sides: the file's codings enter the merge, all three versions of them.

project.json (coders, documents, codes, memos) always enters the merge. The one thing
the files left out can still need is a code or document that the merge removed (deleted
on their side, unchanged on ours) while one of our codings in a file left out uses it:
`bring_back_used` puts it back from our side, listed as "deleted and used", as the
whole-project merge does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from store import layout
from store.schema import MARKS
from store.team import git, unmerged
from store.team.merge import ORDER, TOMBSTONES, Conflict, Merged, _restore_references, _since, buried, merge, record_digest

MAIN_TABLES = ("coders", "documents", "codes", "memos")
SHARED_PATHS = (layout.PROJECT_FILE, layout.CODINGS_DIR, layout.SOURCES_DIR)


@dataclass
class Sides:
    """The three sides of the files that enter the merge, and what else the merge needs."""

    base: dict
    ours: dict
    theirs: dict
    sources: dict[str, str]  # their source texts' blob ids, by document id
    left_out: set[str]  # codings files not read: ours as they are
    taken: dict[str, dict] = field(default_factory=dict)  # codings of files changed on their side only, theirs as they are
    known: dict[str, tuple] = field(default_factory=dict)  # codings key -> (their bytes, their table) of those files
    replaced: dict[str, dict] = field(default_factory=dict)  # our codings of those files (the ancestor's)


def sides(folder: Path, base: str, head: str, theirs: str) -> Sides:
    """The tables of what changed on their side, by file: a codings file changed on their
    side only needs no merge (theirs is the result), so its records are `taken` whole
    and only its ancestor's, which is ours, read once; a file changed on both sides and
    project.json enter the merge with all three versions, each blob read once."""
    b, o, t = _blobs(folder, base, head, theirs)
    names = {n for n in t if n.startswith(layout.CODINGS_DIR + "/")} | {layout.PROJECT_FILE}
    one_sided = {n for n in names if n != layout.PROJECT_FILE and o.get(n) == b.get(n)}
    both = names - one_sided
    wanted = {side[n] for side in (b, o, t) for n in both if side.get(n)}
    wanted |= {side[n] for side in (o, t) for n in one_sided if side.get(n)}  # a one-sided file's ancestor is ours
    contents = git.read_blobs(folder, sorted(wanted))
    left_out = {layout.relative_name(key) for key in layout.codings_keys(folder)} - names
    found = gathered((b, o, t), one_sided, both, contents, left_out)
    marked = one_sided & unmerged.files(found.ours, found.theirs)
    if marked:  # a one-sided file's ancestor is ours: read already
        both |= marked
        found = gathered((b, o, t), one_sided - marked, both, contents, left_out)
    if base:
        _read_buried_apart(folder, (base, head, theirs), found, names)
    found.sources = {Path(n).stem: blob for n, blob in t.items() if n.startswith(layout.SOURCES_DIR + "/") and blob}
    return found


def _read_buried_apart(folder: Path, commits: tuple[str, str, str], found: Sides, read: set[str]) -> None:
    """The files not `read` yet that hold codings one side's tombstones name and the
    other's do not (`buried_apart`: a coding that came in by `margin merge DIR`, not
    through git), or that an undone merge took back (unmerged.py: a file this copy may no
    longer hold), read at the three commits into the merge, as files both sides changed."""
    names = sorted((buried_apart(found.ours, found.theirs) | unmerged.files(found.ours, found.theirs)) - read)
    if not names:
        return
    contents = git.read_blobs(folder, [f"{commit}:{name}" for commit in commits for name in names])
    for tables, commit in zip((found.base, found.ours, found.theirs), commits):
        for name in names:
            raw = contents.get(f"{commit}:{name}")
            if raw:
                tables["codings"].update(orjson.loads(raw).get("codings") or {})
    found.left_out -= set(names)


def classified(b: dict, o: dict, t: dict, buried_in: set[str] = frozenset()) -> tuple[set[str], set[str], set[str]]:
    """The codings files of three sides named by content (blob ids or digests, "" or
    absent where a side has none), as (one-sided, both, left out): left out when their side
    did not change it or both sides hold the same; one-sided when only theirs changed it;
    both when both changed it differently, or when it is one of `buried_in`, the files of
    codings one side deleted and the other may not know (`buried_apart`). What `margin
    merge DIR` goes by (sync knows the files their side changed from git, `sides`)."""
    one_sided, both, left_out = set(), set(), set()
    for name in {*o, *t, *b}:
        mine, other, was = o.get(name) or "", t.get(name) or "", b.get(name) or ""
        if name in buried_in and (mine or other) and mine != other:
            both.add(name)
        elif other == was or mine == other:
            left_out.add(name)
        elif mine == was:
            one_sided.add(name)
        else:
            both.add(name)
    return one_sided, both, left_out


def buried_apart(ours: dict, theirs: dict) -> set[str]:
    """The codings files of the codings that one side's tombstones (project.json's
    TOMBSTONES table) name and the other's do not: a coding deleted on one side can have
    reached the other through a third copy after their meeting, into a file the other did
    not otherwise change, so those files enter the merge entity by entity."""
    mine, other = ours.get(TOMBSTONES) or {}, theirs.get(TOMBSTONES) or {}
    names = set()
    for dead, alive in ((mine, other), (other, mine)):
        for key, grave in dead.items():
            if grave.get("table") == "codings" and alive.get(key) != grave:
                names.add(layout.relative_name(layout.codings_key(grave.get("coder"), grave.get("document"))))
    return names


def gathered(blobs: tuple[dict, dict, dict], one_sided: set[str], both: set[str], contents: dict, left_out: set[str]) -> Sides:
    """The Sides of three sides' files named by content in `blobs` (base, ours, theirs:
    file name -> blob id or digest), whose bytes `contents` holds by that name: the files
    `both` changed enter the merge (with project.json, when named), the `one_sided` ones
    are taken as their side holds them."""
    b, o, t = blobs
    parsed: dict[str, dict] = {}  # by blob: a file two sides share is decoded once
    tables = [_tables(side, both, contents, parsed) for side in (b, o, t)]
    found = Sides(*tables, {}, left_out)
    found.taken, found.known = _taken(t, one_sided, contents)
    found.replaced = _tables(o, one_sided, contents, parsed)["codings"]
    return found


def _blobs(folder: Path, base: str, head: str, theirs: str) -> tuple[dict, dict, dict]:
    """The blob ids (or `commit:path` names) of the shared files each side holds, as far
    as the merge needs them: with an ancestor, only the files their side changed (and
    project.json), from one `git diff-tree` of both sides against it; "" where a side has
    none. Without one (two copies that never met), every file of both sides."""
    if not base:
        return {}, git.shared_blobs(folder, head), git.shared_blobs(folder, theirs)
    ours_changed, theirs_changed = git.changed_files(folder, base, [head, theirs], SHARED_PATHS)
    b, o, t = {}, {}, {}
    for name in {*theirs_changed, layout.PROJECT_FILE}:
        at_base = (theirs_changed.get(name) or ours_changed.get(name) or (f"{base}:{name}",))[0]
        b[name] = at_base
        o[name] = ours_changed[name][1] if name in ours_changed else at_base
        t[name] = theirs_changed[name][1] if name in theirs_changed else at_base
    return b, o, t


def merged(found: Sides, project) -> Merged:
    """The merge of `found`: the files that need one merged entity by entity, the files
    changed on their side only taken as they are (our codings of them join `found.ours`,
    so that the ones they deleted go), then what a kept coding uses brought back; the
    entities of undone merges weighed against the versions they were marked with (unmerged.py)."""
    unmerged.as_base(found.base, found.ours, found.theirs)
    result = merge(found.base, found.ours, found.theirs)
    ours_since = _since(found.ours.get(TOMBSTONES) or {}, found.base.get(TOMBSTONES) or {})  # as merge() weighs them
    result.tables.setdefault("codings", {}).update(_not_buried(result, found.taken, ours_since))
    found.ours["codings"].update(found.replaced)
    versions = (found.base, found.ours, found.theirs)
    if found.taken:
        _restore_references(result, *versions)
    bring_back_used(result, versions, project, found.left_out)
    if TOMBSTONES in result.tables:  # none of what came back since
        result.tables[TOMBSTONES] = buried(result.tables, result.tables[TOMBSTONES])
    return result


def _not_buried(result: Merged, taken: dict[str, dict], dead: dict) -> dict[str, dict]:
    """Their codings taken as they are, less those we deleted as they hold them (a file
    we did not change since the meeting can bring back, from a third copy, what we
    deleted before it); one we deleted in another version stays, "deleted and changed"."""
    gone = [grave for grave in dead.values() if grave.get("table") == "codings" and grave.get("id") in taken]
    if not gone:
        return taken
    taken = dict(taken)
    for grave in gone:
        kept = taken[grave["id"]]
        if grave.get("digest") == record_digest(kept):
            del taken[grave["id"]]
        else:
            result.conflicts.append(Conflict("codings", grave["id"], "deleted and changed", (), kept, None))
    return taken


def _taken(blobs: dict[str, str], names: set[str], contents: dict[str, bytes]) -> tuple[dict, dict]:
    """Their codings of the files `names`, and each file's bytes and table by codings key
    (when the file holds nothing else), so that the project writes those bytes as they are."""
    records, known = {}, {}
    for name in sorted(names):
        raw = contents.get(blobs.get(name) or "")
        if raw is None:
            continue
        data = orjson.loads(raw)
        table = data.get("codings") or {}
        records.update(table)
        if data.keys() == {"codings"}:
            known[name[len(layout.CODINGS_DIR) + 1 : -len(".json")]] = (raw, table)
    return records, known


def _tables(blobs: dict[str, str], names: set[str], contents: dict[str, bytes], parsed: dict) -> dict:
    tables: dict[str, dict] = {table: {} for table in (*ORDER, *MARKS)}
    for name in sorted(names):
        blob = blobs.get(name)
        if not blob or blob not in contents:
            continue
        if blob not in parsed:
            parsed[blob] = orjson.loads(contents[blob])
        data = parsed[blob]
        for table in ("codings",) if name != layout.PROJECT_FILE else (*MAIN_TABLES, *MARKS):
            tables[table].update(data.get(table) or {})
    return tables


def bring_back_used(result: Merged, versions: tuple[dict, dict, dict], project, left_out: set[str]) -> None:
    """Codes and documents our codings in the files left out use, that the merge removed:
    back from our side (which holds them), listed; then their parents, as merge() does."""
    ours = versions[1]
    removed = {(t, k) for t in ("codes", "documents") for k in ours.get(t, {}) if k not in result.tables.get(t, {})}
    if not removed or not left_out:
        return
    keys = {name[len(layout.CODINGS_DIR) + 1 : -len(".json")] for name in left_out}
    used = {("documents", key.partition("/")[2]) for key in keys}
    if any(t == "codes" for t, _ in removed):
        used |= {("codes", c.code) for c in project.state.codings.values() if f"{c.coder}/{c.document}" in keys}
    for table, key in sorted(removed & used):
        back = ours[table][key]
        result.tables.setdefault(table, {})[key] = back
        result.conflicts.append(Conflict(table, key, "deleted and used", (), back, None))
    _restore_references(result, *versions)
