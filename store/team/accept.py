"""Accepting shared files that git wrote: a `git pull` or `git merge` run by hand.

local.json's digests make Margin refuse a shared file it did not write (an older copy, a
torn or foreign file: see store/codings_files.py). Files that git wrote are accepted, on
purpose and only when all of this holds, checked before a project opens whenever the
clone's HEAD moved since the files last matched it (merges/git-head; reading it costs two
small file reads, no process):

- the log holds nothing past the checkpoint (every acknowledged change is in the files,
  so the files git replaced lost nothing that only the log knew), and no checkpoint was
  cut short;
- every shared file is either one the checkpoint record accepts or, byte for byte, the
  file HEAD holds (its git blob id), and a file the record lists that is gone is gone
  from HEAD too;
- each changed file is a sound Margin file (the schema's checks).

Then, under the project's lock: a code or document that the merged codings use but the
merged project.json lost (one side deleted it, the other coded with it: git's per-file
merge cannot see that) comes back from HEAD's parents, listed as "deleted and used"; the
conflicts the merge driver noted join a "Merge conflicts" memo; and local.json records the
files' digests and counts, written like a checkpoint (pending first, then the files, then
the record, each fsynced). Anything else is left to the open's own checks, which refuse
as before. `margin sync` never needs this: it writes the files through the store.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import orjson

from store import layout, schema
from store.clock import now
from store.errors import MarginError
from store.lock import ProjectLock
from store.model import Document
from store.storage import dump_tables
from store.team import driver, git
from store.team.gitsync import remember_head, remembered_head, tables_at

LOG_FILE = "log.jsonl"


def before_open(folder: Path) -> None:
    """Accept what git wrote since the files last matched HEAD, if it may be (see above).
    Never raises: whatever is not accepted, the open's own checks judge."""
    folder = Path(folder)
    if not git.is_clone(folder) or not (folder / layout.LOCAL_FILE).is_file():
        return
    head = git.head_commit(folder)
    if not head or head == remembered_head(folder) or not git.available():
        return
    try:
        lock = ProjectLock(folder)
        lock.acquire("margin (accepting files git wrote)")
    except (MarginError, OSError):
        return  # a writer has it open: it will be accepted at a later open
    try:
        accept_pulled(folder, head)
    except Exception:  # noqa: BLE001 - a file that is not sound stays refused, by the open's checks
        pass
    finally:
        lock.release()


def accept_pulled(folder: Path, head: str) -> bool:
    """The acceptance itself, the lock held. True when the files were accepted (or already were)."""
    record = layout.read_local(folder)
    if not record.get("files") or "pending" in record or _log_size(folder) > record.get("offset", 0):
        return False
    blobs = git.shared_blobs(folder, head)
    present = {layout.PROJECT_FILE: folder / layout.PROJECT_FILE} | {
        layout.relative_name(key): path for key, path in layout.codings_files(folder).items()
    }
    raws = {name: path.read_bytes() for name, path in present.items()}
    changed = {name for name, raw in raws.items() if layout.digest(raw) not in layout.accepted(record, name)}
    if any(git.blob_id(raws[name]) != blobs.get(name) for name in changed):
        return False  # not what git wrote: a torn, older or foreign file
    if any(name in blobs for name in record["files"] if name not in raws):
        return False  # lost from the folder, not deleted by git
    if changed or set(record["files"]) - set(raws) or driver.noted_conflicts(folder):
        _accept(folder, record, head, raws)
    remember_head(folder, head)
    return True


def _accept(folder: Path, record: dict, head: str, raws: dict[str, bytes]) -> None:
    main = orjson.loads(raws[layout.PROJECT_FILE])
    codings = {}
    for name, raw in raws.items():
        if name != layout.PROJECT_FILE:
            key = name[len(layout.CODINGS_DIR) + 1 : -len(".json")]
            codings[name] = schema.check_codings_file(key, orjson.loads(raw))
    lines = _bring_back_used(folder, head, main, codings) + driver.noted_conflicts(folder)
    if lines:
        _add_conflicts_memo(main, lines)
    schema.check_main(main)
    every = [r for records in codings.values() for r in records.values()]
    documents = {key: Document.from_record(r) for key, r in main.get("documents", {}).items()}
    schema.check_coding_references(every, documents, main.get("codes", {}), layout.CODINGS_DIR)
    new_main = dump_tables(main)
    files = {name: [layout.digest(raw), len(codings.get(name, {}))] for name, raw in raws.items()}
    final = {k: v for k, v in record.items() if k not in ("pending", "pending_seq")} | {
        "files": files | {layout.PROJECT_FILE: [layout.digest(new_main), 0]},
        "coding_counts": dict(Counter(r["document"] for r in every)),
        "code_counts": dict(Counter(r["code"] for r in every)),
    }
    if new_main != raws[layout.PROJECT_FILE]:
        pending = {layout.PROJECT_FILE: layout.digest(new_main)}
        layout.write_local(folder, final | {"pending": pending, "pending_seq": record.get("seq", 0)})
        layout.write_shared(folder / layout.PROJECT_FILE, main)
    layout.write_local(folder, final)
    driver.forget_conflicts(folder)


def _bring_back_used(folder: Path, head: str, main: dict, codings: dict) -> list[str]:
    """Codes and documents the codings use that project.json lost, back from HEAD's parents."""
    wanted = {("codes", r["code"]) for rs in codings.values() for r in rs.values()} | {
        ("documents", r["document"]) for rs in codings.values() for r in rs.values()
    }
    missing = sorted((t, i) for t, i in wanted if i not in main.get(t, {}))
    if not missing:
        return []
    parents = git.run(folder, "rev-list", "--parents", "-n", "1", head).split()[1:]
    versions = [tables_at(folder, parent)[0] for parent in parents]
    lines = []
    while missing:
        table, key = missing.pop()
        found = next((v[table][key] for v in versions if key in v.get(table, {})), None)
        if found is None or key in main.get(table, {}):
            continue
        main.setdefault(table, {})[key] = found
        lines.append(f"{table[:-1]} {found.get('name', key)}: deleted and used")
        parent = found.get("parent") if table == "codes" else None
        if parent and parent not in main["codes"]:
            missing.append(("codes", parent))
    return lines


def _add_conflicts_memo(main: dict, lines: list[str]) -> None:
    """The same memo `margin merge` and `margin sync` keep (named by its text)."""
    text = "\n".join(f"- {line}" for line in lines)
    key = "merge-conflicts-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    stamp = now()
    main.setdefault("memos", {}).setdefault(key, {
        "id": key, "kind": "project", "target": None, "text": text, "author": "margin merge",
        "title": "Merge conflicts", "created": stamp, "modified": stamp,
    })  # fmt: skip


def _log_size(folder: Path) -> int:
    try:
        return (folder / LOG_FILE).stat().st_size
    except FileNotFoundError:
        return 0
