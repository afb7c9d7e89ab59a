"""Migrating a project of Margin's first format (schema 1) in place, once.

Schema 1 kept every coder's codings in one file, codings/<coder id>.json, stamped with
the checkpoint's number, and the checkpoint record inside project.json. Schema 2 (see
store/layout.py) has codings/<coder id>/<document id>.json and local.json.

The steps are ordered so that a kill at any point leaves a project that opens: the new
files are written beside the old ones (no name is shared), then local.json, and only then
is project.json replaced, in one rename, which is the moment the project becomes schema 2.
Before it, project.json still says schema 1 and the next open migrates again from the
untouched old files; after it, the old codings files are leftovers that opening removes.
A backup of the old files is taken before any of this (`before-schema-2`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from store import layout
from store.errors import ProjectCorrupt
from store.storage import dump_tables, fsync_dir, make_dir, read_json_file, write_atomic
from store.text import plural


def schema_1_files(folder: Path) -> list[Path]:
    """project.json and the codings/<coder>.json files of the first format."""
    return [Path(folder) / layout.PROJECT_FILE, *sorted((Path(folder) / layout.CODINGS_DIR).glob("*.json"))]


def read_schema_1(folder: Path, main: dict) -> dict:
    """The raw data of a schema-1 project: {"main": ..., "codings": {coder id: file}},
    refusing codings files that are missing or older than project.json's checkpoint."""
    checkpoint = main["meta"].get("checkpoint") or {}
    files = {p.stem: read_json_file(p) for p in schema_1_files(folder)[1:]}
    for coder_id, count in sorted((checkpoint.get("coding_files") or {}).items()):
        if count and coder_id not in files:
            raise ProjectCorrupt(f"{layout.CODINGS_DIR}/{coder_id}.json ({plural(count, 'coding')}) is missing")
    for coder_id, data in files.items():
        stamp = ((data.get("meta") or {}).get("checkpoint") or {}).get("seq") if isinstance(data.get("meta"), dict) else None
        if isinstance(stamp, int) and stamp < checkpoint.get("seq", 0):
            raise ProjectCorrupt(
                f"{layout.CODINGS_DIR}/{coder_id}.json is older than {layout.PROJECT_FILE} "
                f"(written at action {stamp}, not {checkpoint.get('seq', 0)}), so later codings are missing"
            )
    return {"main": main, "codings": files}


def write_schema_2(folder: Path, raw: dict) -> None:
    """Write migrated data (schema.split_codings) as a schema-2 project, in the safe order
    above; `raw["main"]["meta"]` ends as the open project's (its checkpoint with files)."""
    folder = Path(folder)
    meta = raw["main"]["meta"]
    old = meta.get("checkpoint") or {}
    meta["project"]["schema"] = 2
    files: dict[str, list] = {}
    for key, data in sorted(raw["codings"].items()):
        path = layout.codings_path(folder, key)
        make_dir(path.parent)
        files[layout.relative_name(key)] = [layout.write_shared(path, data), len(data.get("codings", {}))]
    fsync_dir(folder / layout.CODINGS_DIR)  # the coders' new folders must survive a power cut
    shared = {name: rows for name, rows in raw["main"].items() if name != "meta"} | {"meta": {"project": meta["project"]}}
    encoded = dump_tables(shared)
    files[layout.PROJECT_FILE] = [layout.digest(encoded), 0]
    checkpoint = {name: old[name] for name in ("seq", "offset", "undo", "redo", "coding_counts") if name in old}
    checkpoint["files"] = files
    layout.write_gitignore(folder)
    layout.write_local(folder, checkpoint)
    write_atomic(folder / layout.PROJECT_FILE, encoded)  # the project is schema 2 from here
    remove_leftovers(folder)
    meta["checkpoint"] = checkpoint


def remove_leftovers(folder: Path) -> None:
    """The first format's codings files, once project.json is schema 2 (kept in the
    before-schema-2 backup)."""
    codings = Path(folder) / layout.CODINGS_DIR
    leftovers = sorted(codings.glob("*.json"))
    for path in leftovers:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if leftovers:
        fsync_dir(codings)
