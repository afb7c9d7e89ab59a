"""What an undone merge took back, and how later merges weigh it.

`margin undo` of a merge (`margin merge DIR`, or a sync's) takes its changes back in this
copy only: it is no deletion of the other copy's work and no change to it, which a three-
way merge against the meeting's base would otherwise read it as (and carry to every copy).
The undo marks each entity the merge changed (project.json's UNMERGED table, see
store/core/history.py) with the version this copy holds again, none for what the merge
brought. A merge takes that version as the entity's base while the side that marked it
still holds it, so:

- this copy's next merge with the other brings the other's version again, as if the undone
  merge had never been;
- the other copy's merge of this one finds nothing deleted or changed here.

The codings files of marked codings enter a merge entity by entity (`files`), as the files
of codings a tombstone names do (filewise.buried_apart). A mark stands until this copy
holds another version of its entity (`Changes.prune_unmerged`, after each merge).
"""

from __future__ import annotations

from store import layout
from store.schema import TOMBSTONES, UNMERGED, tombstone_key, unmerged_holds


def as_base(base: dict, ours: dict, theirs: dict) -> None:
    """Make `base` (tables of records) hold, for each entity a side marked and still holds
    as marked, that side's version (or none); this copy's marks over the other's. A
    version held is made the base's only where the base has the entity or the other side
    deleted it (a copy that never had it, a third one, deleted nothing: against it the
    entity is this side's own, as before the undone merge)."""
    for side, other in ((theirs, ours), (ours, theirs)):
        dead = other.get(TOMBSTONES) or {}
        for mark in (side.get(UNMERGED) or {}).values():
            held = side.get(mark["table"], {}).get(mark["id"])
            if not unmerged_holds(mark, held):
                continue
            records = base.setdefault(mark["table"], {})
            if held is None:
                records.pop(mark["id"], None)
            elif mark["id"] in records or tombstone_key(mark["table"], mark["id"]) in dead:
                records[mark["id"]] = held


def files(*sides: dict) -> set[str]:
    """The codings files (relative names) of the codings the sides' marks name."""
    return {
        layout.relative_name(layout.codings_key(mark["coder"], mark["document"]))
        for side in sides
        for mark in (side.get(UNMERGED) or {}).values()
        if mark.get("table") == "codings"
    }
