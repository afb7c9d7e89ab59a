"""A command that changes nothing logs nothing (issue 13 finding 6, and its class): every
set, toggle and rename command run a second time with the same value, or asked for the
state the project is already in, leaves the operation log as it was, so `undo` never
"undoes" a non-change (store/project.py drops an action whose every change puts back what
was there). `exemplar` says "nothing changed" and exits 0; `speakers rename` refuses."""

from __future__ import annotations

import pytest

from store.project import Project
from tests.reports.conftest import margin

DOC = "P01 nurse, round 1"
CODE = "Role > Role clarity"


def _first_coding(folder) -> str:
    with Project.open(folder, readonly=True) as project:
        document = project.documents.get(DOC)
        return project.codings.for_document(document)[0].id[:8]


def _memo(folder) -> str:
    with Project.open(folder, readonly=True) as project:
        memo = next(m for m in project.memos.all() if m.kind == "code")
        return memo.id[:8], memo.text


# (the command that sets a value, run first; the same command again, or one asking for the
# state it is in) -> the second must log nothing
COMMANDS = {
    "exemplar --off on a coding that is not one": lambda f: (None, ["exemplar", DOC, "--coding", _first_coding(f), "--off"]),
    "exemplar twice": lambda f: (["exemplar", DOC, "--coding", _first_coding(f)], ["exemplar", DOC, "--coding", _first_coding(f)]),
    "attrs set to the value it has": lambda f: (None, ["attrs", "set", DOC, "round=1"]),
    "codes describe with its definition": lambda f: (["codes", "describe", CODE, "Same words"], ["codes", "describe", CODE, "Same words"]),
    "codes color with its colour": lambda f: (["codes", "color", CODE, "#123456"], ["codes", "color", CODE, "#123456"]),
    "codes rename to its name": lambda f: (None, ["codes", "rename", CODE, "Role clarity"]),
    "codes move under its parent": lambda f: (None, ["codes", "move", CODE, "Role"]),
    "memo edit with its text": lambda f: (None, ["memo", "edit", _memo(f)[0], _memo(f)[1]]),
    "speakers rename to the same name": lambda f: (None, ["speakers", "rename", "Aisha", "Aisha"]),
}
REFUSED = {"speakers rename to the same name"}  # refused (exit 1, "already named") rather than done


def _log_lines(folder) -> int:
    return (folder / "log.jsonl").read_bytes().count(b"\n")


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_that_changes_nothing_logs_nothing(demo_dir, name):
    first, again = COMMANDS[name](demo_dir)
    if first:
        margin(demo_dir, *first)
    before = _log_lines(demo_dir)
    result = margin(demo_dir, *again, code=1 if name in REFUSED else 0)
    assert _log_lines(demo_dir) == before, (name, result.output)


def test_exemplar_says_when_nothing_changes_and_undo_leaves_the_real_change(demo_dir):
    coding = _first_coding(demo_dir)
    margin(demo_dir, "exemplar", DOC, "--coding", coding)
    out = margin(demo_dir, "exemplar", DOC, "--coding", coding).output
    assert "already an exemplar" in out and "nothing changed" in out
    margin(demo_dir, "exemplar", DOC, "--coding", coding, "--off")
    out = margin(demo_dir, "exemplar", DOC, "--coding", coding, "--off").output
    assert "not an exemplar" in out and "nothing changed" in out
    margin(demo_dir, "undo")  # takes back the unmarking, not a non-change
    with Project.open(demo_dir, readonly=True) as project:
        assert sum(c.exemplar for c in project.state.codings.values()) == 1


def test_the_store_logs_no_non_change(demo):
    coding = demo.codings.for_document(demo.documents.get(DOC))[0]
    before = len(demo.log())
    assert demo.codings.mark_exemplar(coding, False) == coding
    assert len(demo.log()) == before
