"""Schema fuzzing at open (issue 9, finding 12): every field of project.json, the codings
files and the log entries past the checkpoint, set to a wrong type or value or removed.
The read commands (docs, codes, export csv, log) and one write must each end in success
or one `Error:` line (Margin's own error, exit 1 or 2), never a traceback or a hang, and
a refused command leaves the project's files byte-identical.

CI runs a few dozen examples (MARGIN_SCHEMA_EXAMPLES raises it, for example 2000)."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.journal import LOG_NAME
from store.project import Project
from tests.reliability.helpers import file_bytes
from tui.cli import cli

EXAMPLES = int(os.environ.get("MARGIN_SCHEMA_EXAMPLES", "15"))
WRONG = [None, True, False, 0, -1, 7, 2**70, -(2**70), 1.5, "", "x", "#zz", [], [1, 2, 3, 4], ["a"], {}, {"id": 1}]
DELETE = object()
READS = (("docs",), ("codes",), ("export", "csv"), ("log",))


@pytest.fixture(scope="module")
def fuzz_template(study_template, tmp_path_factory) -> Path:
    """The study with a memo on a code and two actions only the log holds."""
    directory = Path(shutil.copytree(study_template, tmp_path_factory.mktemp("fuzz") / "study"))
    with Project.open(directory) as project:
        project.memos.add("code", project.codebook.get("Trust").id, "what trust means")
    project = Project.open(directory)
    code = project.codebook.add("Alpha")
    document = project.documents.all()[0]
    project.codings.apply(document, code, 3, 9)
    project.journal.close()  # killed: no checkpoint, so replay reads these entries
    project.lock.release()
    return directory


def _paths(value, prefix=()) -> list[tuple]:
    """Every place in a JSON value: each key of an object, each item of a list."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _targets(directory: Path) -> list[tuple[str, tuple]]:
    """(file, path) for every field; a log path starts with the line number."""
    targets = [("project.json", p) for p in _paths(orjson.loads((directory / "project.json").read_bytes()))]
    targets += [("local.json", p) for p in _paths(orjson.loads((directory / "local.json").read_bytes()))]
    for codings in sorted((directory / "codings").glob("*/*.json")):
        name = f"codings/{codings.parent.name}/{codings.name}"
        targets += [(name, p) for p in _paths(orjson.loads(codings.read_bytes()))]
    checkpoint = orjson.loads((directory / "local.json").read_bytes())["checkpoint"]["seq"]
    for number, line in enumerate((directory / LOG_NAME).read_bytes().splitlines()):
        entry = orjson.loads(line)
        if entry["seq"] > checkpoint:
            targets += [(LOG_NAME, (number, *p)) for p in _paths(entry)]
    return targets


def _mutate(directory: Path, file: str, path: tuple, value) -> None:
    target = directory / file
    if file == LOG_NAME:
        lines = target.read_bytes().splitlines()
        number, path = path[0], path[1:]
        data = orjson.loads(lines[number])
        _set(data, path, value)
        lines[number] = json.dumps(data).encode()
        target.write_bytes(b"\n".join(lines) + b"\n")
        return
    data = orjson.loads(target.read_bytes())
    _set(data, path, value)
    target.write_bytes(json.dumps(data).encode())
    if file != "local.json":  # without the files' digests, so that the schema checks answer, not the digest check
        _forget_digests(directory)


def _set(data, path: tuple, value) -> None:
    for step in path[:-1]:
        data = data[step]
    if value is DELETE:
        del data[path[-1]]
    else:
        data[path[-1]] = value


def _run(args) -> tuple[int, str, BaseException | None]:
    def hang(signum, frame):
        raise TimeoutError(f"margin {' '.join(args)} hung")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(20)
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    crash = None if result.exception is None or isinstance(result.exception, SystemExit) else result.exception
    return result.exit_code, result.stderr, crash


def check_commands(directory: Path, label: str) -> list[str]:
    """Run every read command and one write; returns the errors seen."""
    errors = []
    before = file_bytes(directory)
    for args in (*READS, ("codes", "add", "Fuzzed")):
        code, err, crash = _run(("-p", str(directory), *args))
        assert crash is None, f"{label}: margin {' '.join(args)} raised {crash!r}"
        if code:
            lines = err.strip().splitlines()
            assert code in (1, 2) and len(lines) == 1 and lines[0].startswith("Error: "), f"{label}: {args}: {err}"
            assert file_bytes(directory) == before, f"{label}: {args} failed and changed the project"
            errors.append(lines[0])
    return errors


@pytest.fixture(scope="module")
def targets(fuzz_template) -> list[tuple[str, tuple]]:
    found = _targets(fuzz_template)
    assert {f for f, _ in found} >= {"project.json", LOG_NAME} and any(f.startswith("codings/") for f, _ in found)
    return found


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES <= 15)
@given(data=st.data())
def test_every_field_mutated_gives_success_or_one_clear_error(fuzz_template, targets, tmp_path_factory, data):
    file, path = data.draw(st.sampled_from(targets), label="field")
    value = data.draw(st.sampled_from([DELETE, *WRONG]), label="value")
    directory = Path(shutil.copytree(fuzz_template, tmp_path_factory.mktemp("case") / "study"))
    try:
        _mutate(directory, file, path, value)
        check_commands(directory, f"{file} {path} = {'deleted' if value is DELETE else repr(value)}")
    finally:
        shutil.rmtree(directory.parent, ignore_errors=True)


def _first(data: dict, table: str) -> dict:
    return next(iter(data[table].values()))


def _edit_main(directory: Path, change) -> None:
    data = orjson.loads((directory / "project.json").read_bytes())
    change(data)
    (directory / "project.json").write_bytes(orjson.dumps(data))


def _turn_with_four_fields(data):
    _first(data, "documents")["turns"][1] = ["Nurse", 0, 10, None]


def _code_under_missing_parent(data):
    next(c for c in data["codes"].values() if c["parent"])["parent"] = "no-such-code"


def _two_code_cycle(data):
    parent = next(c for c in data["codes"].values() if c["parent"] is None)
    child = next(c for c in data["codes"].values() if c["parent"] == parent["id"])
    parent["parent"] = child["id"]


def _coding_past_the_end(directory: Path):
    path = next((directory / "codings").glob("*/*.json"))
    data = orjson.loads(path.read_bytes())
    _first(data, "codings")["end"] = 10**6
    path.write_bytes(orjson.dumps(data))


HAND_EDITS = {
    "a turn with 4 fields": (lambda d: _edit_main(d, _turn_with_four_fields), "turn 2 with 4 fields"),
    "a code under a missing parent": (lambda d: _edit_main(d, _code_under_missing_parent), "parent that does not exist"),
    "a two-code parent cycle": (lambda d: _edit_main(d, _two_code_cycle), "its own ancestor"),
    "a coding past the end of its text": (_coding_past_the_end, "past the end of N1"),
}


def _forget_digests(directory: Path) -> None:
    """A copy without this machine's digests of its files (a fresh clone, say)."""
    local = orjson.loads((directory / "local.json").read_bytes())
    local["checkpoint"].pop("files", None)
    (directory / "local.json").write_bytes(orjson.dumps(local))


@pytest.mark.parametrize("case", HAND_EDITS)
def test_a_hand_edit_is_not_the_file_the_checkpoint_wrote(study, case):
    HAND_EDITS[case][0](study)
    errors = check_commands(study, case)
    assert errors and all("is not the file the last checkpoint wrote" in e and "margin restore" in e for e in errors), errors


@pytest.mark.parametrize("case", HAND_EDITS)
def test_hand_edited_files_name_the_file_and_the_entity(study, case):
    edit, said = HAND_EDITS[case]
    edit(study)
    _forget_digests(study)
    errors = check_commands(study, case)
    assert errors and all(said in e for e in errors[1:]), errors
    assert said in errors[0] or case == "a coding past the end of its text", errors  # docs never reads codings
    assert all(("project.json" in e or "codings/" in e) and "restore" in e for e in errors), errors
