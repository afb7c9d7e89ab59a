"""Whether a checkpoint's codings files are all there and belong to it.

project.json's checkpoint records, per coder, how many codings that coder's file held
(`coding_files`), and each codings file is stamped with the checkpoint it was written
for (`meta.checkpoint.seq`). Without this a codings file that a sync tool failed to copy,
or that was deleted, reads as "no codings": the project opens empty and the next
checkpoint makes the loss permanent. The same check serves a project folder at open and
a backup folder when restore picks one.

A codings file newer than project.json is normal (a crash between the two writes of a
checkpoint; the log replays the rest); one older than project.json, or one of the same
checkpoint with another number of codings, is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from store.errors import ProjectCorrupt
from store.model import Coding
from store.storage import read_json_file
from store.text import plural

CODINGS_DIR = "codings"
PROJECT_FILE = "project.json"


def missing_problem(folder: Path, main: dict) -> str:
    """The first codings file the checkpoint in `main` needs that is absent ("" if none).
    Only looks at names, so a read-only open that parses no codings file can afford it."""
    record = _record(main)
    expected = record.get("coding_files")
    if expected is None:  # a checkpoint written before coding_files was recorded
        total = sum((record.get("coding_counts") or {}).values())
        if total and not any((Path(folder) / CODINGS_DIR).glob("*.json")):
            return f"{CODINGS_DIR}/ holds no codings file, but {PROJECT_FILE} records {plural(total, 'coding')}"
        return ""
    for coder_id, count in sorted(expected.items()):
        if count and not (Path(folder) / CODINGS_DIR / f"{coder_id}.json").is_file():
            return f"{CODINGS_DIR}/{coder_id}.json ({_coder(main, coder_id)}, {count} coding{'s' * (count != 1)}) is missing"
    return ""


def mismatch_problem(main: dict, files: dict[str, dict]) -> str:
    """The first parsed codings file (by coder id) that does not belong to the checkpoint."""
    record = _record(main)
    seq = record.get("seq", 0)
    expected = record.get("coding_files") or {}
    for coder_id, data in sorted(files.items()):
        stamp = _stamp_of(data)
        if not isinstance(stamp, int):
            continue  # written before files were stamped (or damaged: the schema check names it)
        name = f"{CODINGS_DIR}/{coder_id}.json ({_coder(main, coder_id)})"
        if stamp < seq:
            return f"{name} is older than {PROJECT_FILE} (written at action {stamp}, not {seq}), so later codings are missing"
        codings = data.get("codings", {})
        if not isinstance(codings, dict):
            continue  # not a table: the schema check names it
        held = len(codings)
        if stamp == seq and coder_id in expected and held != expected[coder_id]:
            return f"{name} holds {plural(held, 'coding')} where {PROJECT_FILE} records {expected[coder_id]}"
    return ""


def codings_problem(folder: str | Path) -> str:
    """What is wrong with the codings files of the checkpoint in `folder` (a project or a
    backup), "" when they are all present and consistent with its project.json."""
    folder = Path(folder)
    try:
        main = read_json_file(folder / PROJECT_FILE)
        problem = missing_problem(folder, main)
        if problem:
            return problem
        files = {p.stem: read_json_file(p) for p in sorted((folder / CODINGS_DIR).glob("*.json"))}
    except FileNotFoundError as exc:
        return f"{Path(exc.filename).name} is missing"
    except ProjectCorrupt as exc:
        return str(exc)
    return mismatch_problem(main, files)


def read_built(path: Path) -> dict | None:
    """A codings file as {"meta": ..., "codings": {id: Coding}}, parsed, type-checked and
    built in one pass in C (msgspec: five times faster than parsing to dicts, checking
    them and building from them), or None when it does not parse or its fields are not of
    the schema's types: the checked path then names the problem. A read-only open uses
    this, having no TinyDB tables to fill; `schema.built_codings_sound` checks the rest."""
    import msgspec  # here, so that commands that read no coding do not import it

    try:
        built = _decoder().decode(path.read_bytes())
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return None
    return {"meta": built.meta, "codings": built.codings}


@dataclass
class _CodingsFile:
    """The shape of codings/<coder>.json for the decoder; other tables are ignored."""

    codings: dict[str, Coding] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


@cache
def _decoder():
    import msgspec

    return msgspec.json.Decoder(_CodingsFile)


def stamp(data: dict, seq: int) -> None:
    """Mark a codings file's data as written for checkpoint `seq` (see mismatch_problem)."""
    data.setdefault("meta", {})["checkpoint"] = {"seq": seq}


def _stamp_of(data: dict):
    """The checkpoint number a codings file is stamped with, whatever shape its meta has."""
    meta = data.get("meta")
    record = meta.get("checkpoint") if isinstance(meta, dict) else None
    return record.get("seq") if isinstance(record, dict) else None


def _record(main: dict) -> dict:
    return ((main.get("meta") or {}).get("checkpoint") or {}) if isinstance(main, dict) else {}


def _coder(main: dict, coder_id: str) -> str:
    coder = (main.get("coders") or {}).get(coder_id) or {}
    return f"the codings of {coder.get('name', 'coder ' + coder_id)!s}"
