"""The quick read path of a read-only open (codings decoded straight into `Coding` values,
codings_files.read_built, and checked by schema.built_codings_sound) must see exactly
what the checked path sees: the same codings when a file is sound, the same one-line
error when it is not. Every field of a codings file is set to each wrong value of the
schema fuzzer (or removed), and the two paths are compared; the checked path is forced
by making read_built find nothing to build."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from store import codings_files, schema
from store.errors import ProjectCorrupt
from store.project import Project
from tests.reliability.test_schema_fuzz import DELETE, WRONG, _paths, _set
from tui.cli import cli


def _codings_file(directory: Path) -> Path:
    return sorted((directory / "codings").glob("*/*.json"))[0]


def _forget_digests(directory: Path) -> None:
    """Drop the checkpoint record's file digests (as on a fresh clone), so that the schema
    checks, not the digest check, answer for a damaged field."""
    local = orjson.loads((directory / "local.json").read_bytes())
    local["checkpoint"].pop("files", None)
    (directory / "local.json").write_bytes(orjson.dumps(local))


def read_only_view(directory: Path) -> tuple[str, object]:
    """What a read-only open sees: ("ok", codings as records by id) or ("error", message)."""
    try:
        with Project.open(directory, readonly=True) as project:
            codings = {key: coding.to_record() for key, coding in project.state.codings.items()}
            documents = {d: sorted(c) for d, c in project.state.codings_by_document.items() if c}
            codes = {d: sorted(c) for d, c in project.state.codings_by_code.items() if c}
            return "ok", (codings, documents, codes)
    except ProjectCorrupt as exc:
        return "error", str(exc)


def checked_view(directory: Path, monkeypatch) -> tuple[str, object]:
    with monkeypatch.context() as patch:
        patch.setattr(codings_files, "read_built", lambda path: None)
        return read_only_view(directory)


def test_a_sound_project_takes_the_quick_path_and_sees_the_same_codings(study, monkeypatch):
    quick = read_only_view(study)
    assert quick[0] == "ok" and quick[1][0], "the study has codings"
    assert quick == checked_view(study, monkeypatch)
    with Project.open(study) as project:  # a writer builds its codings from the TinyDB records
        assert {k: c.to_record() for k, c in project.state.codings.items()} == quick[1][0]
    with monkeypatch.context() as patch:  # the checked path is not taken at all
        patch.setattr(schema, "check_codings_file", _never)
        assert read_only_view(study) == quick


def _never(*args):
    raise AssertionError("a sound codings file went through the checked path")


def _targets(path: Path) -> list[tuple]:
    data = orjson.loads(path.read_bytes())
    first = next(iter(data["codings"]))
    # every field of one coding, the coding itself, its table
    return [p for p in _paths(data) if p[:2] == ("codings", first) or len(p) < 2 or p[0] == "meta"]


def test_every_damaged_field_gives_the_same_result_on_both_paths(study, monkeypatch):
    target = _codings_file(study)
    original = target.read_bytes()
    targets = _targets(target)
    _forget_digests(study)
    assert len(targets) >= 10
    compared = errors = 0
    for path in targets:
        for value in (DELETE, *WRONG):
            data = orjson.loads(original)
            _set(data, path, value)
            target.write_bytes(json.dumps(data).encode())
            quick, checked = read_only_view(study), checked_view(study, monkeypatch)
            assert quick == checked, f"{path} = {value!r}"
            compared += 1
            errors += quick[0] == "error"
    assert errors > compared // 2, "most of these are damage that must be reported"


@pytest.mark.parametrize("table", [True, 7, "x", None, [1]])
def test_a_codings_table_that_is_not_an_object_is_one_error_line(study, table):
    """On main, `len()` of the table in codings_files.mismatch_problem raised TypeError:
    `margin export csv` and `margin codes` ended in a traceback."""
    target = _codings_file(study)
    data = orjson.loads(target.read_bytes())
    data["codings"] = table
    target.write_bytes(json.dumps(data).encode())
    _forget_digests(study)  # so that the table itself is checked, not the file's digest
    for args in (("export", "csv"), ("find", "Trust")):  # `codes` counts from the checkpoint's index, reading no file
        result = CliRunner().invoke(cli, ["-p", str(study), *args])
        assert result.exit_code == 1 and isinstance(result.exception, (SystemExit, type(None))), result.exception
        assert result.stderr.startswith("Error: codings/") and len(result.stderr.splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{",
        b"[]",
        b'{"codings": []}',
        b'{"codings": {"x": 1}}',
        b'{"codings": {}, "meta": []}',
        b'{"codings": {}, "meta": {"checkpoint": {"seq": 1.5}}}',
        b"\xef\xbb\xbf{}",
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_a_garbled_codings_file_gives_the_same_error_on_both_paths(study, monkeypatch, damage):
    _codings_file(study).write_bytes(damage)
    quick = read_only_view(study)
    assert quick[0] == "error" and quick == checked_view(study, monkeypatch)
