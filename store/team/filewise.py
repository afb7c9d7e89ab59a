"""The three sides of a sync's merge, read file by file so that the cost is what changed.

Codings live one file per coder and document, so most files changed on one side only (each
coder's own files; a coder's file is touched by the other only through the codebook). git
names each file's content by its blob id, so without reading a file it is known whether a
side changed it since the common ancestor:

- changed on neither side, or only on ours: the file stays as it is, nothing to read;
- changed on theirs (only, or on both): the file's codings enter the merge, all three
  versions of them.

project.json (coders, documents, codes, memos) always enters the merge. The one thing
the files left out can still need is a code or document that the merge removed (deleted
on their side, unchanged on ours) while one of our codings in a file left out uses it:
`bring_back_used` puts it back from our side, listed as "deleted and used", as the
whole-project merge does.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from store import layout
from store.team import git
from store.team.merge import Conflict, Merged, _restore_references
from store.team.sync import ORDER

MAIN_TABLES = ("coders", "documents", "codes", "memos")


def sides(folder: Path, base: str, head: str, theirs: str) -> tuple[dict, dict, dict, dict[str, str], set[str]]:
    """(base, ours, theirs) tables of what changed on their side, the blob ids of their
    source texts by document id, and the codings files left out (ours as they are)."""
    listed = [git.shared_blobs(folder, commit) if commit else {} for commit in (base, head, theirs)]
    b, o, t = listed
    names = {n for side in listed for n in side if n == layout.PROJECT_FILE or n.startswith(layout.CODINGS_DIR + "/")}
    wanted = {n for n in names if n == layout.PROJECT_FILE or t.get(n) != b.get(n)}
    contents = git.read_blobs(folder, sorted({side[n] for side in listed for n in wanted if n in side}))
    tables = [_tables(side, wanted, contents) for side in listed]
    sources = {Path(p).stem: blob for p, blob in t.items() if p.startswith(layout.SOURCES_DIR + "/")}
    left_out = {n for n in names - wanted if n in o}
    return tables[0], tables[1], tables[2], sources, left_out


def _tables(blobs: dict[str, str], names: set[str], contents: dict[str, bytes]) -> dict:
    tables: dict[str, dict] = {table: {} for table in ORDER}
    for name in sorted(names):
        blob = blobs.get(name)
        if blob is None or blob not in contents:
            continue
        data = orjson.loads(contents[blob])
        for table in ("codings",) if name != layout.PROJECT_FILE else MAIN_TABLES:
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
