"""The workload of the kill -9 test: a writer that applies, removes and edits codings, codes
and memos in a loop through the store API, until it is killed.

    python -m tests.reliability.crash_child DIR SEED CHECKPOINT_OPS

Before each operation it prints `TRY <n> <what>`; once the operation has returned (so it
is acknowledged) it prints `ACK <n> <seq> <diff>`: the JSON of every entity the
operation changed, as "table/id" -> its record, or null when it was removed. Each line
is one write(2), so a kill leaves whole lines and at most one operation in flight.
"""

from __future__ import annotations

import os
import random
import sys

import orjson

import store.core.checkpoints
from store.errors import MarginError
from store.importers import parse_text
from store.project import Project

MAX_CODINGS = 300
TABLES = ("coders", "documents", "codes", "codings", "memos")


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def snapshot(project: Project) -> dict:
    """The entity maps as they are now (entities are immutable, so a shallow copy is enough
    and cheap: the kill should land in the store's work, not in the bookkeeping)."""
    return {table: dict(project.state.table(table)) for table in TABLES}


def diff(before: dict, after: dict) -> dict:
    changed = {}
    for table in TABLES:
        old, new = before[table], after[table]
        for key in old.keys() | new.keys():
            if old.get(key) is not new.get(key):
                changed[f"{table}/{key}"] = new[key].to_record() if key in new else None
    return changed


def _pick(rng: random.Random, values):
    values = list(values)
    return rng.choice(values) if values else None


def add_code(p: Project, rng: random.Random, n: int) -> None:
    parent = _pick(rng, [c for c in p.codebook.all() if c.parent is None]) if rng.random() < 0.3 else None
    p.codebook.add(f"{p.codebook.path(parent)} > c{n}" if parent else f"c{n}")


def apply(p: Project, rng: random.Random, n: int) -> None:
    document = _pick(rng, p.state.documents.values())
    code = _pick(rng, [c for c in p.state.codes.values() if c.codable])
    if document and code and len(p.state.codings) < MAX_CODINGS:
        start = rng.randrange(document.length - 1)
        end = rng.randrange(start + 1, min(document.length, start + 200) + 1)
        p.codings.apply(document, code, start, end, memo=f"m{n}" if rng.random() < 0.2 else "")


def uncode(p: Project, rng: random.Random, n: int) -> None:
    coding = _pick(rng, p.state.codings.values())
    if coding:
        p.codings.uncode(coding)


def resize(p: Project, rng: random.Random, n: int) -> None:
    coding = _pick(rng, p.state.codings.values())
    if coding:
        length = p.state.documents[coding.document].length
        start = max(0, min(coding.start + rng.randint(-20, 20), length - 1))
        p.codings.resize(coding, start, rng.randint(start + 1, length))


def rename_code(p: Project, rng: random.Random, n: int) -> None:
    code = _pick(rng, p.state.codes.values())
    if code:
        p.codebook.rename(code, f"r{n}")


def move_code(p: Project, rng: random.Random, n: int) -> None:
    code, parent = _pick(rng, p.state.codes.values()), _pick(rng, p.state.codes.values())
    if code:
        p.codebook.move(code, parent if rng.random() < 0.7 else None)


def merge_codes(p: Project, rng: random.Random, n: int) -> None:
    codes = list(p.state.codes.values())
    if len(codes) > 2:
        source, target = rng.sample(codes, 2)
        p.codebook.merge(source, target)


def delete_code(p: Project, rng: random.Random, n: int) -> None:
    code = _pick(rng, p.state.codes.values())
    if code and len(p.state.codes) > 3:
        p.codebook.delete(code, force=True)


def add_memo(p: Project, rng: random.Random, n: int) -> None:
    kind = rng.choice(["project", "journal", "code", "coding"])
    pool = {"code": p.state.codes, "coding": p.state.codings}.get(kind)
    target = _pick(rng, pool) if pool is not None else None
    if pool is None or target:
        p.memos.add(kind, target, f"memo {n} " + "x" * rng.randrange(2000))


def edit_memo(p: Project, rng: random.Random, n: int) -> None:
    memo = _pick(rng, p.state.memos.values())
    if memo:
        p.memos.edit(memo, f"edited {n} " + "y" * rng.randrange(3000))


def delete_memo(p: Project, rng: random.Random, n: int) -> None:
    memo = _pick(rng, p.state.memos.values())
    if memo:
        p.memos.delete(memo)


def import_document(p: Project, rng: random.Random, n: int) -> None:
    if len(p.state.documents) < 6:
        text = f"A: interview {n} {rng.random()}\n\nB: " + "words and more words " * rng.randrange(5, 50)
        p.documents.import_parsed(parse_text(text), f"D{n}")


def undo(p: Project, rng: random.Random, n: int) -> None:
    if p.can_undo:
        p.undo()


def redo(p: Project, rng: random.Random, n: int) -> None:
    if p.can_redo:
        p.redo()


OPERATIONS = {
    add_code: 8, apply: 20, uncode: 8, resize: 8, rename_code: 5, move_code: 4, merge_codes: 1,
    delete_code: 1, add_memo: 8, edit_memo: 8, delete_memo: 3, import_document: 1, undo: 6, redo: 4,
}  # fmt: skip


def main(directory: str, seed: int, checkpoint_ops: int) -> None:
    store.core.checkpoints.CHECKPOINT_OPS = checkpoint_ops
    rng = random.Random(seed)
    project = Project.open(directory)
    say(f"READY {project.seq}")
    before = snapshot(project)
    for n in range(1, 1 << 30):
        operation = rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
        say(f"TRY {n} {operation.__name__}")
        try:
            operation(project, rng, n)
        except MarginError:
            pass  # refused (a duplicate coding, a name taken): nothing changed
        after = snapshot(project)
        say(f"ACK {n} {project.seq} {orjson.dumps(diff(before, after)).decode()}")
        before = after


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
