"""The common ancestor of two copies that never met: what both logs hold.

A team often starts by copying one project (`cp -r`, a USB stick, a zip by email), then
codes apart; the first `margin merge DIR` of two such copies has no meeting to take as
its base. Without one, every difference is a conflict settled by the later change, and
one side's change to one field of an entity (a code renamed) is lost to the other side's
later change of another field (its description). But both copies' logs begin with the
same lines, byte for byte, up to where they parted: the state after those actions is
their common ancestor (`shared_state`), and the merge is three-way against it.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from store.journal import LOG_NAME
from store.schema import MARKS, TOMBSTONES, grave_of, tombstone_key
from store.team.merge import ORDER

CHUNK = 1 << 20


def shared_state(ours: Path, theirs: Path) -> dict | None:
    """The tables (records by id, and tombstones) after the actions both folders' logs
    hold alike, from their first line; None when they share none (projects made apart)."""
    lines = _shared_lines(Path(ours) / LOG_NAME, Path(theirs) / LOG_NAME)
    if not lines:
        return None
    tables: dict[str, dict] = {table: {} for table in (*ORDER, *MARKS)}
    for line in lines.splitlines():
        try:
            entry = orjson.loads(line)
            changes = entry["changes"]
            for table, entity_id, _before, after in changes:
                _set(tables, table, entity_id, after)
        except (ValueError, KeyError, TypeError):
            break  # a line neither Margin's nor whole: the history both are sure of ends here
    return tables


def _set(tables: dict, table: str, entity_id: str, record: dict | None) -> None:
    """What replaying a change does (Changes._set): a deletion leaves its tombstone, a put takes it away."""
    held = tables.setdefault(table, {})
    if table in MARKS:
        if record is None:
            held.pop(entity_id, None)
        else:
            held[entity_id] = record
        return
    old = held.pop(entity_id, None)
    key = tombstone_key(table, entity_id)
    if record is not None:
        held[entity_id] = record
        tables[TOMBSTONES].pop(key, None)
    elif old is not None:
        tables[TOMBSTONES][key] = grave_of(table, old)


def _shared_lines(a: Path, b: Path) -> bytes:
    """The whole lines both files begin with, byte for byte."""
    try:
        with open(a, "rb") as first, open(b, "rb") as second:
            shared = []
            while True:
                x, y = first.read(CHUNK), second.read(CHUNK)
                if x == y and x:
                    shared.append(x)
                    continue
                shared.append(x[: _common_length(x, y)])
                break
    except OSError:
        return b""
    data = b"".join(shared)
    return data[: data.rfind(b"\n") + 1]


def _common_length(x: bytes, y: bytes) -> int:
    """How many bytes `x` and `y` begin with alike (by halves: slices compare in C)."""
    low, high = 0, min(len(x), len(y))
    while low < high:
        middle = (low + high + 1) // 2
        if x[:middle] == y[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
