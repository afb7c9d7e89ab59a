"""A three-way merge of two copies of a project, entity by entity, by id.

Works on any `{table: {id: record}}` mapping (records are plain dicts, as in Margin's
TinyDB files), whatever the files' layout: `merge(base, ours, theirs)` where base is the
common ancestor (empty when there is none). The rules:

- An entity changed on one side only takes that side's version; added on one side, it is
  added; deleted on one side and unchanged on the other, it goes.
- Changed on both sides: fields changed on one side only are both kept; a field changed
  differently on both sides is a conflict, settled by a documented rule (the version
  modified later wins; on a tie, the one whose JSON sorts last) and listed, with the
  other value kept in the conflict. A memo is never overwritten: the other text is kept
  as a memo of its own ("conflicting copy").
- Deleted on one side, changed on the other: the changed version stays, listed.
- Whatever a kept entity points to (a coding's code and document, a code's parent, a
  memo's target) comes back if one side deleted it: a deleted code the other side used
  returns, listed.
- Deletions travel: each side's TOMBSTONES table names what it deleted, by the digest of
  the record deleted. An entity one side holds and the base lacks (it reached that side
  through a third copy after the two met) goes if the other side's tombstone, newer than
  the base, names it as it is; changed since, it stays, listed ("deleted and changed").
  The result's tombstones are both sides', less those of what it keeps.

The result does not depend on which side is `ours` (so two coders who merge each other's
copies, in either order, hold the same state), and merging a result again changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from itertools import repeat

from store.schema import MARKS, TOMBSTONES, canonical, record_digest, tombstone_key

ORDER = ("coders", "documents", "codes", "codings", "memos")  # the tables, what others point to first
# What points where: (table, field) -> the table it names. A memo's target depends on its kind.
REFERENCES = {("codings", "code"): "codes", ("codings", "document"): "documents", ("codes", "parent"): "codes"}
MEMO_TARGETS = {"document": "documents", "code": "codes", "coding": "codings", "annotation": "documents"}
STAMPS = ("created", "modified")  # when, not what: the later version's stamps, never a conflict


@dataclass(frozen=True)
class Conflict:
    table: str
    id: str
    what: str  # "changed on both sides" | "deleted and changed" | "deleted and used"
    fields: tuple[str, ...] = ()
    kept: dict | None = None  # the version in the merge
    other: dict | None = None  # the version not kept as the entity (kept here, or as a copy)

    label: str = ""  # what names the entity where its record cannot (a coding: its code and document, `name_codings`)

    def describe(self) -> str:
        record = self.kept or self.other or {}
        name = self.label or record.get("name") or record.get("title") or _opening(record.get("text")) or self.id
        detail = f" ({', '.join(map(self._field, self.fields))})" if self.fields else ""
        return f"{self.table[:-1]} {name}: {self.what}{detail}"

    def _field(self, field: str) -> str:
        """A changed name or title with both versions, so the list says what was not kept
        (a code renamed two ways: which name the other copy gave it)."""
        kept, other = (self.kept or {}).get(field), (self.other or {}).get(field)
        if field in ("name", "title") and isinstance(other, str) and other != kept:
            return f"{field}: kept {kept!r}, not {other!r}"  # either copy's (the list is both copies')
        return field


def _opening(text) -> str:
    """A memo without a title, named by its first words: “What counts as access?”."""
    if not isinstance(text, str) or not text.strip():
        return ""
    words = " ".join(text.split())
    return f"“{words[:40].rstrip()}…”" if len(words) > 40 else f"“{words}”"


def name_codings(conflicts: list[Conflict], tables: dict) -> None:
    """Label the codings in conflict by their code and document as `tables` name them
    ("coding of Trust in P3, 120-184"), not by their ids."""
    for n, conflict in enumerate(conflicts):
        record = conflict.kept or conflict.other or {}
        if conflict.table != "codings" or conflict.label:
            continue
        code = tables.get("codes", {}).get(record.get("code"), {}).get("name", "a code")
        document = tables.get("documents", {}).get(record.get("document"), {}).get("name", "a document")
        conflicts[n] = replace(conflict, label=f"of {code} in {document}, {record.get('start')}-{record.get('end')}")


@dataclass
class Merged:
    tables: dict[str, dict[str, dict]]
    conflicts: list[Conflict] = field(default_factory=list)




def _later(a: dict, b: dict) -> tuple[dict, dict]:
    """(winner, loser) of two versions: modified later wins; a tie goes to the JSON that sorts last."""
    key_a, key_b = (str(a.get("modified", "")), canonical(a)), (str(b.get("modified", "")), canonical(b))
    return (a, b) if key_a >= key_b else (b, a)


def merge_record(base: dict | None, ours: dict, theirs: dict) -> tuple[dict, tuple[str, ...]]:
    """Field by field: one-sided changes kept; fields changed differently on both sides
    take the later version's value. Returns the record and the fields in conflict."""
    base = base or {}
    winner, _ = _later(ours, theirs)
    ours_wins = winner is ours
    result, clashes = {}, []
    for name in sorted(set(ours) | set(theirs) | set(base)):
        value, clashed = merge_value(base.get(name, _MISSING), ours.get(name, _MISSING), theirs.get(name, _MISSING), ours_wins)
        if clashed and name not in STAMPS:
            clashes.append(name)
        if value is not _MISSING:
            result[name] = value
    if clashes or ours != theirs:
        stamps = [str(r.get("modified", "")) for r in (ours, theirs) if "modified" in r]
        if stamps:
            result["modified"] = max(stamps)
    return result, tuple(clashes)


_MISSING = object()


def merge_value(b, o, t, ours_wins: bool):
    """One field three-way: a side's change kept; a mapping (a document's attributes) key by
    key, and a list of lists of one shape (its turns, whose speakers a rename changes)
    item by item, so that two coders' changes to different keys or turns both stay; what
    both changed differently takes the later version's (`ours_wins`). Returns the value
    and whether anything clashed."""
    if o == t or t == b:
        return o, False
    if o == b:
        return t, False
    if isinstance(o, dict) and isinstance(t, dict) and (b is _MISSING or isinstance(b, dict)):
        base = b if isinstance(b, dict) else {}
        merged, clashed = {}, False
        for key in sorted(o.keys() | t.keys() | base.keys(), key=str):
            value, inner = merge_value(base.get(key, _MISSING), o.get(key, _MISSING), t.get(key, _MISSING), ours_wins)
            clashed |= inner
            if value is not _MISSING:
                merged[key] = value
        return merged, clashed
    if _same_shape(o, t, b):
        pairs = [merge_value(*items, ours_wins) for items in zip(b, o, t)]
        return [value for value, _ in pairs], any(inner for _, inner in pairs)
    return (o if ours_wins else t), True


def _same_shape(o, t, b) -> bool:
    """Three lists of as many lists each, each of one length: rows that merge item by item."""
    if not (isinstance(o, list) and isinstance(t, list) and isinstance(b, list) and len(o) == len(t) == len(b)):
        return False
    rows = list(zip(b, o, t))
    return all(isinstance(x, list) for row in rows for x in row) and all(len(x) == len(row[0]) for row in rows for x in row)


def merge(base: dict, ours: dict, theirs: dict) -> Merged:
    """The three-way merge of two copies (see the module's rules)."""
    out = Merged({})
    copies: list[dict] = []
    dead_o, dead_t = ours.get(TOMBSTONES) or {}, theirs.get(TOMBSTONES) or {}
    news_o, news_t = (_since(dead, base.get(TOMBSTONES) or {}) for dead in (dead_o, dead_t))
    for table in sorted((set(base) | set(ours) | set(theirs)) - set(MARKS)):
        b, o, t = base.get(table, {}), ours.get(table, {}), theirs.get(table, {})
        merged: dict[str, dict] = {}
        for key in sorted(b.keys() | o.keys() | t.keys()):
            mine, other = o.get(key), t.get(key)
            if key not in b and (mine is None or other is None):  # added on one side: most of a merge
                kept, dead = (mine, news_t) if other is None else (other, news_o)
                if not dead or tombstone_key(table, key) not in dead or _changed_since_deleted(out, table, key, kept, dead):
                    merged[key] = kept
                continue
            record = _merge_entity(out, table, key, b.get(key), mine, other, copies, (news_o, news_t))
            if record is not None:
                merged[key] = record
        out.tables[table] = merged
    for copy in copies:
        out.tables.setdefault("memos", {})[copy["id"]] = copy
    _restore_references(out, base, ours, theirs)
    if any(TOMBSTONES in side for side in (base, ours, theirs)):
        out.tables[TOMBSTONES] = buried(out.tables, dead_o, dead_t)
    return out


def _since(dead: dict, at_base: dict) -> dict:
    """The tombstones a side made or took in since the base: the ones the base holds too
    the merge at that meeting weighed already (what it kept then, used or changed, stays)."""
    return {key: grave for key, grave in dead.items() if at_base.get(key) != grave} if at_base else dead


def _changed_since_deleted(out: Merged, table: str, key: str, kept: dict, dead: dict) -> bool:
    """Whether an entity one side holds, which the base lacks and the other side deleted
    (it reached this side through a third copy, after their meeting), is to be kept: only
    when the other side deleted another version of it ("deleted and changed", listed)."""
    if dead[tombstone_key(table, key)].get("digest") == record_digest(kept):
        return False
    out.conflicts.append(Conflict(table, key, "deleted and changed", (), kept, None))
    return True


def buried(tables: dict, *sides: dict) -> dict:
    """The tombstones of a merge: both sides' (of one entity deleted in two versions, the
    one whose digest sorts last), but none of an entity the merge keeps."""
    found: dict[str, dict] = {}
    for dead in sides:
        for key, grave in dead.items():
            if key not in found or str(grave.get("digest")) > str(found[key].get("digest")):
                found[key] = grave
    return {
        key: grave for key, grave in sorted(found.items())
        if grave.get("id") not in tables.get(grave.get("table"), {})
    }  # fmt: skip


def _merge_entity(out: Merged, table, key, b, o, t, copies: list, news: tuple[dict, dict]) -> dict | None:
    if o == t:
        return o
    if o is None or t is None:  # deleted (or never there) on one side
        kept, dead = (o, news[1]) if t is None else (t, news[0])
        if b is None:
            return kept  # added on one side
        if kept == b:
            return None  # deleted on one side, unchanged on the other
        grave = dead.get(tombstone_key(table, key)) if dead else None
        if grave is not None and grave.get("digest") == record_digest(kept):
            return None  # changed since the base, back to the very version the other side deleted since
        out.conflicts.append(Conflict(table, key, "deleted and changed", (), kept, None))
        return kept
    if o == b:
        return t
    if t == b:
        return o
    record, clashes = merge_record(b, o, t)
    if clashes:
        winner, loser = _later(o, t)
        out.conflicts.append(Conflict(table, key, "changed on both sides", clashes, record, loser))
        if table == "memos" and "text" in clashes:
            copies.append(conflict_copy(loser))
    return record


def conflict_copy(memo: dict) -> dict:
    """The losing version of a memo, kept as a memo of its own: its id is derived from its
    content, so both sides of a merge make the same copy, once."""
    digest = hashlib.sha256(canonical(memo).encode("utf-8")).hexdigest()[:12]
    title = memo.get("title") or ""
    return {**memo, "id": f"{memo['id']}-copy-{digest}", "title": f"{title} (conflicting copy)".strip()}


def _restore_references(out: Merged, *versions: dict) -> None:
    """Bring back, from any side, what a kept entity points to and the merge removed."""
    changed = not _all_present(out.tables)
    while changed:
        changed = False
        for table, name, target, record in list(_references(out.tables)):
            wanted = record.get(name)
            if wanted is None or wanted in out.tables.get(target, {}):
                continue
            found = [v[target][wanted] for v in versions if wanted in v.get(target, {})]
            if not found:
                continue  # dangling in every version: not the merge's doing
            back = found[0]
            for other in found[1:]:
                back = _later(back, other)[0]
            out.tables.setdefault(target, {})[wanted] = back
            out.conflicts.append(Conflict(target, wanted, "deleted and used", (), back, None))
            changed = True


def _all_present(tables: dict) -> bool:
    """Whether every reference of every kept entity is held (the usual case), checked a
    table at a time with sets: walking 100,000 codings' references one by one is slow."""
    for (table, name), target in REFERENCES.items():
        wanted = set(map(dict.get, tables.get(table, {}).values(), repeat(name)))  # C loops
        wanted.discard(None)
        if not wanted <= tables.get(target, {}).keys():
            return False
    return all(
        record.get("target") is None or record.get("target") in tables.get(MEMO_TARGETS[record.get("kind")], {})
        for record in tables.get("memos", {}).values() if record.get("kind") in MEMO_TARGETS
    )  # fmt: skip


def _references(tables: dict):
    for (table, name), target in REFERENCES.items():
        for record in tables.get(table, {}).values():
            yield table, name, target, record
    for record in tables.get("memos", {}).values():
        target = MEMO_TARGETS.get(record.get("kind"))
        if target is not None:
            yield "memos", "target", target, record
