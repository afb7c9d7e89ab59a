"""The three-way merge: the issue's conflict rules by hand, and random divergent
histories (hypothesis) checked for the invariants: the same result in either order,
nothing either side made lost, no memo text lost, nothing left pointing nowhere, and a
second merge changing nothing."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from store.team.merge import MEMO_TARGETS, REFERENCES, merge


def base_tables() -> dict:
    codes = {f"k{i}": {"id": f"k{i}", "name": f"Code {i}", "parent": None, "modified": "2026-01-01"} for i in range(4)}
    docs = {"d1": {"id": "d1", "name": "P01"}, "d2": {"id": "d2", "name": "P02"}}
    codings = {f"c{i}": {"id": f"c{i}", "document": "d1", "code": f"k{i % 4}", "start": i, "end": i + 5, "coder": "a"} for i in range(4)}
    memos = {"m1": {"id": "m1", "kind": "code", "target": "k0", "text": "first", "title": "", "modified": "2026-01-01"}}
    return {"codes": codes, "documents": docs, "codings": codings, "memos": memos}


def test_a_code_renamed_two_ways_is_a_listed_conflict_and_the_other_name_kept():
    base = base_tables()
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours["codes"]["k1"].update(name="Trust", modified="2026-02-01")
    theirs["codes"]["k1"].update(name="Confidence", modified="2026-02-02")
    result = merge(base, ours, theirs)
    assert result.tables["codes"]["k1"]["name"] == "Confidence"  # modified later
    (conflict,) = result.conflicts
    assert conflict.what == "changed on both sides" and conflict.fields == ("name",)
    assert conflict.other["name"] == "Trust"


def test_a_memo_edited_by_both_is_never_overwritten():
    base = base_tables()
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours["memos"]["m1"].update(text="alice's thoughts", modified="2026-02-01")
    theirs["memos"]["m1"].update(text="bob's thoughts", modified="2026-02-01")
    result = merge(base, ours, theirs)
    texts = sorted(m["text"] for m in result.tables["memos"].values())
    assert texts == ["alice's thoughts", "bob's thoughts"]
    assert any("conflicting copy" in m["title"] for m in result.tables["memos"].values())


def test_a_deleted_code_the_other_side_used_comes_back():
    base = base_tables()
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    del ours["codes"]["k2"]
    del ours["codings"]["c2"]  # alice deleted the code and her coding with it
    theirs["codings"]["c9"] = {"id": "c9", "document": "d2", "code": "k2", "start": 0, "end": 3, "coder": "b"}
    result = merge(base, ours, theirs)
    assert "k2" in result.tables["codes"] and "c9" in result.tables["codings"]
    assert "c2" not in result.tables["codings"]
    assert [c.what for c in result.conflicts] == ["deleted and used"]


def test_deleted_and_changed_keeps_the_change():
    base = base_tables()
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    del ours["codes"]["k3"]
    del ours["codings"]["c3"]
    theirs["codes"]["k3"].update(name="Kept", modified="2026-03-01")
    result = merge(base, ours, theirs)
    assert result.tables["codes"]["k3"]["name"] == "Kept"
    assert "deleted and changed" in [c.what for c in result.conflicts]


# ---------------------------------------------------------------------- random histories

EDITS = st.lists(
    st.tuples(st.sampled_from(["rename", "delete_code", "add_coding", "edit_memo", "add_memo", "delete_memo", "move", "uncode"]),
              st.integers(0, 9), st.integers(0, 3)),
    max_size=12,
)  # fmt: skip


def play(tables: dict, edits, side: str) -> dict:
    """A coder's history, as the store would leave it (a deleted code takes its codings and memos)."""
    t = copy.deepcopy(tables)
    for n, (kind, a, b) in enumerate(edits):
        stamp = f"2026-02-{a + 1:02d}T{n:02d}{side}"
        codes = sorted(t["codes"])
        if kind == "rename" and codes:
            t["codes"][codes[a % len(codes)]].update(name=f"{side} name {a}", modified=stamp)
        elif kind == "move" and len(codes) > 1:
            code, parent = codes[a % len(codes)], codes[b % len(codes)]
            if parent != code and t["codes"][parent]["parent"] is None and not any(c["parent"] == code for c in t["codes"].values()):
                t["codes"][code].update(parent=parent, modified=stamp)
        elif kind == "delete_code" and codes:
            code = codes[a % len(codes)]
            if not any(c["parent"] == code for c in t["codes"].values()):
                del t["codes"][code]
                t["codings"] = {i: c for i, c in t["codings"].items() if c["code"] != code}
                t["memos"] = {i: m for i, m in t["memos"].items() if not (m["kind"] == "code" and m["target"] == code)}
        elif kind == "add_coding" and codes:
            key = f"{side}c{n}"
            t["codings"][key] = {"id": key, "document": f"d{b % 2 + 1}", "code": codes[a % len(codes)], "start": a, "end": a + 3, "coder": side}
        elif kind == "uncode" and t["codings"]:
            del t["codings"][sorted(t["codings"])[a % len(t["codings"])]]
        elif kind == "edit_memo" and t["memos"]:
            t["memos"][sorted(t["memos"])[a % len(t["memos"])]].update(text=f"{side} text {n}", modified=stamp)
        elif kind == "add_memo" and codes:
            key = f"{side}m{n}"
            t["memos"][key] = {"id": key, "kind": "code", "target": codes[a % len(codes)], "text": f"{side} memo {n}", "title": "", "modified": stamp}
        elif kind == "delete_memo" and t["memos"]:
            del t["memos"][sorted(t["memos"])[a % len(t["memos"])]]
    return t


def dangling(tables: dict) -> list:
    found = []
    for (table, name), target in REFERENCES.items():
        found += [r["id"] for r in tables.get(table, {}).values() if r.get(name) is not None and r[name] not in tables.get(target, {})]
    for m in tables.get("memos", {}).values():
        target = MEMO_TARGETS.get(m["kind"])
        if target and m["target"] not in tables.get(target, {}):
            found.append(m["id"])
    return found


@settings(max_examples=300, deadline=None)
@given(first=EDITS, second=EDITS, later=EDITS)
def test_random_divergent_histories_merge_without_loss(first, second, later):
    base = base_tables()
    ours, theirs = play(base, first, "a"), play(base, second, "b")
    result = merge(base, ours, theirs)
    assert merge(base, theirs, ours).tables == result.tables  # either order, the same state
    merged = result.tables
    assert not dangling(merged)
    for side, other in ((ours, theirs), (theirs, ours)):
        for table in ("codes", "codings", "memos"):
            for key, record in side[table].items():
                if key not in base[table]:
                    assert key in merged[table], (table, key)  # made on one side: there
                elif record != base[table][key]:
                    assert key in merged[table]  # changed on one side: never lost to a deletion
        for key, memo in side["memos"].items():
            if memo != base["memos"].get(key):
                assert memo["text"] in {m["text"] for m in merged["memos"].values()}  # no memo text lost
    assert merge(theirs, merged, theirs).tables == merged  # merged again: nothing changes
    assert merge(ours, merged, ours).tables == merged
    # and a later round: bob merges the result, goes on, and they meet again
    bob = play(merged, later, "c")
    again = merge(merged, merged, bob)
    assert again.tables == bob and not again.conflicts
