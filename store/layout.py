"""Where a project's pieces live on disk, and how the shared ones are written.

    project.json                          meta, coders, documents, codes, memos,  (shared)
                                          deleted (every deletion's tombstone)
    codings/<coder id>/<document id>.json one coder's codings of one document     (shared)
    sources/<document id>.txt             the texts                                (shared)
    local.json                            this machine's checkpoint record        (local)
    log.jsonl, .margin.lock, backups/, damaged/, cache/                            (local)

Shared files are TinyDB-readable JSON written deterministically: tables in name order,
one entity per line in id order, each with sorted keys, so that two coders' copies diff
and merge line by line. Nothing a checkpoint counts or stamps lives in them: the
checkpoint record (action number, log offset, undo and redo stacks, counts, and the
digest of every shared file it wrote) is `local.json`, which `.gitignore` lists.

A checkpoint writes `local.json` twice: first with the digests of the files it is about
to write as `pending`, then the files, then the final record. So a file on disk always
matches a digest the record accepts, unless it was lost, replaced by an older copy or
changed outside Margin, which opening refuses, naming `margin restore`.

The tombstones of all tables, codings' too, live in project.json's "deleted" table
(docs/team.md): project.json is the one file every merge reads (sync's and `margin
merge`'s, entity by entity) and the one the store keeps whole in memory, so a deletion's
tombstone reaches every merge without reading a codings file, and the codings files
keep their one table that their readers (msgspec, the open's checks) know.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from store import schema
from store.digests import blake2b
from store.errors import ProjectCorrupt
from store.storage import dump_tables, read_json_file, write_atomic

PROJECT_FILE = "project.json"
CODINGS_DIR = "codings"
SOURCES_DIR = "sources"
LOCAL_FILE = "local.json"
GITIGNORE = ".gitignore"
# What is one machine's own: never shared, never merged.
# pseudonyms.json holds real names; merges/ is what `margin merge` last saw of another copy.
LOCAL_NAMES = (
    "/log.jsonl", "/.margin.lock", "/local.json", "/backups/", "/damaged/", "/cache/", ".*.tmp", "/merges/", "/pseudonyms.json",
)  # fmt: skip


def codings_key(coder_id: str, document_id: str) -> str:
    """The name of a codings file inside codings/, without .json: "<coder id>/<document id>"."""
    return f"{coder_id}/{document_id}"


def codings_path(folder: Path, key: str) -> Path:
    return Path(folder) / CODINGS_DIR / f"{key}.json"


def relative_name(key: str) -> str:
    return f"{CODINGS_DIR}/{key}.json"


def codings_files(folder: Path) -> dict[str, Path]:
    """Every codings file of a project (or backup) folder, by key, in key order."""
    root = Path(folder) / CODINGS_DIR
    return {key: root / f"{key}.json" for key in codings_keys(folder)}


def codings_keys(folder) -> list[str]:
    """The keys of `codings_files`, in key order, without making a path for each (200
    pathlib paths cost more than listing the folders)."""
    root, found = os.path.join(folder, CODINGS_DIR), []
    for coder in _entries(root):
        if coder.is_dir():
            found.extend((coder.name, entry.name) for entry in _entries(coder.path) if _codings_name(entry.name))
    return [f"{coder}/{name[:-5]}" for coder, name in sorted(found)]


def _entries(folder) -> list[os.DirEntry]:
    """A folder's entries, none if it is missing (os.scandir: pathlib's glob cost 3 ms
    of every open at 200 documents)."""
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _codings_name(name: str) -> bool:
    return name.endswith(".json") and not name.startswith(".")


def checkpoint_paths(folder: Path) -> list[Path]:
    """The files a backup keeps: project.json, local.json (if any) and every codings file
    (those of the first format too, codings/<coder>.json, in an old backup)."""
    folder = Path(folder)
    local = [folder / LOCAL_FILE] if (folder / LOCAL_FILE).is_file() else []
    old = sorted(p for p in (folder / CODINGS_DIR).glob("*.json") if not p.name.startswith("."))
    return [folder / PROJECT_FILE, *local, *old, *codings_files(folder).values()]


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def write_shared(path: Path, data: dict) -> str:
    """Write a shared file deterministically; returns its digest."""
    raw = dump_tables(data)
    write_atomic(path, raw)
    return digest(raw)


def read_local(folder: Path) -> dict:
    """The checkpoint record of local.json; {} when there is none (a fresh clone)."""
    try:
        record = read_json_file(Path(folder) / LOCAL_FILE)
    except FileNotFoundError:
        return {}
    checkpoint = record.get("checkpoint")
    problem = schema.local_problem(checkpoint) if isinstance(checkpoint, dict) else "it has no checkpoint record"
    if problem:
        raise ProjectCorrupt(f"{LOCAL_FILE}: {problem}")
    return checkpoint


def write_local(folder: Path, checkpoint: dict, durable_name: bool = True) -> None:
    data = orjson.dumps({"checkpoint": checkpoint}, option=orjson.OPT_SORT_KEYS)
    write_atomic(Path(folder) / LOCAL_FILE, data, durable_name=durable_name)


def read_main(folder: Path) -> dict:
    """project.json with local.json's checkpoint record in meta.checkpoint, as the checks
    and the rest of the store see a checkpoint."""
    main = read_json_file(Path(folder) / PROJECT_FILE)
    meta = main.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("project"), dict) and meta["project"].get("schema") == 2:
        meta["checkpoint"] = read_local(folder)
    return main


def accepted(checkpoint: dict, name: str) -> set[str]:
    """The digests a file may have under this checkpoint record: the one it wrote, or the
    one a checkpoint that was cut short was writing."""
    files, pending = checkpoint.get("files") or {}, checkpoint.get("pending") or {}
    return {d for d in ((files.get(name) or [None])[0], pending.get(name)) if d}


def write_gitignore(folder: Path) -> None:
    """List what is local to this machine, so that git shares only the shared files."""
    lines = ["# Margin: this machine's own files, never shared (see docs/architecture.md)", *LOCAL_NAMES]
    write_atomic(Path(folder) / GITIGNORE, ("\n".join(lines) + "\n").encode())
