"""`Codebook.impact` (what deleting a code takes with it, shown on the first `d` in the
codes pane) is counted from the state's codings per code, without reading every coding
(2-3 s at 200,000 codings); only memos on codings need the codings.

A table of codebook shapes checks impact, for every code, against a count made by brute
force from what the command line prints (`margin export csv`, `codes --json`,
`memo list --json`), both in the project that made the changes and in the project opened
again; and impact in a project opened again reads no coding when no memo is on one."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.importers import parse_text
from store.project import Project
from store.state import State
from tui.cli import cli

TEXT = "A: we trust her now\n\nB: she keeps to her role\n\nA: boundaries worried us at first\n\nB: not any more\n"


def _span(project, document, words: str) -> tuple[int, int]:
    start = project.text(document.id).index(words)
    return start, start + len(words)


def _code(project, document, path: str, *passages: str):
    code = project.codebook.ensure(path)
    return [project.codings.apply(document, code, *_span(project, document, words)) for words in passages]


def leaf(project, document) -> None:
    _code(project, document, "Trust", "we trust her", "not any more")
    _code(project, document, "Role")


def parent_with_children(project, document) -> None:
    _code(project, document, "Support", "she keeps")
    _code(project, document, "Support > Peer", "to her role")
    _code(project, document, "Support > Peer > Trust", "we trust her", "trust her now")
    _code(project, document, "Support > Boundaries", "boundaries worried us")
    _code(project, document, "Other", "not any more")


def codes_with_memos(project, document) -> None:
    _code(project, document, "Support > Trust", "we trust her")
    for path in ("Support", "Support > Trust", "Support > Trust"):
        project.memos.add("code", project.codebook.get(path).id, f"on {path}")
    project.memos.add("document", document.id, "on the interview")
    project.memos.add("journal", None, "my own view")


def coding_memos(project, document) -> None:
    first, second = _code(project, document, "Support > Trust", "we trust her", "not any more")
    [other] = _code(project, document, "Role", "she keeps")
    for coding, times in ((first, 2), (second, 1), (other, 1)):
        for n in range(times):
            project.memos.add("coding", coding.id, f"memo {n}")
    project.memos.add("code", project.codebook.get("Support").id, "on the parent")


def merged_codes(project, document) -> None:
    _code(project, document, "Worry", "boundaries worried us", "we trust her")
    _code(project, document, "Support > Boundaries", "boundaries worried us")
    _code(project, document, "Worry > Early", "at first")
    project.memos.add("code", project.codebook.get("Worry").id, "worry memo")
    project.codebook.merge(project.codebook.get("Worry"), project.codebook.get("Support > Boundaries"))


SHAPES = {
    "a leaf, and a code with no codings": leaf,
    "a parent with children and grandchildren": parent_with_children,
    "codes with memos": codes_with_memos,
    "coding memos": coding_memos,
    "merged codes": merged_codes,
}


def build(folder: Path, shape) -> dict[str, dict[str, int]]:
    """The project of `shape`, closed; impact of every code (by path) as the project that
    made it counts."""
    with Project.init(folder, name="Impact", coder="alice") as project:
        document = project.documents.import_parsed(parse_text(TEXT, "txt"), "N1").document
        shape(project, document)
        return impacts(project)


def impacts(project) -> dict[str, dict[str, int]]:
    return {project.codebook.path(code): project.codebook.impact(code) for code in project.codebook.all()}


def brute_force(folder: Path) -> dict[str, dict[str, int]]:
    """What deleting each code would remove, counted from the command line's output."""
    runner = CliRunner(env={"MARGIN_PROJECT": None, "MARGIN_CODER": None})

    def output(*args: str) -> str:
        done = runner.invoke(cli, ["-p", str(folder), *args])
        assert done.exit_code == 0, done.output
        return done.stdout

    codings = list(csv.DictReader(io.StringIO(output("export", "csv"), newline="")))
    codes = json.loads(output("codes", "--json"))
    memos = json.loads(output("memo", "list", "--json"))
    counted = {}
    for code in codes:
        under = [c for c in codes if c["path"] == code["path"] or c["path"].startswith(code["path"] + " > ")]
        ids, paths = {c["id"] for c in under}, {c["path"] for c in under}
        doomed_codings = {row["coding_id"] for row in codings if row["code_path"] in paths}
        on = [m for m in memos if (m["kind"] == "code" and m["target"] in ids)
              or (m["kind"] == "coding" and m["target"] in doomed_codings)]  # fmt: skip
        counted[code["path"]] = {"codings": len(doomed_codings), "sub-codes": len(under) - 1, "memos": len(on)}
    return counted


@pytest.mark.parametrize("shape", list(SHAPES.values()), ids=list(SHAPES))
def test_impact_is_the_count_made_by_brute_force(tmp_path, shape):
    folder = tmp_path / "study"
    made = build(folder, shape)
    expected = brute_force(folder)
    assert made == expected
    with Project.open(folder) as project:
        assert impacts(project) == expected


def test_the_shapes_cover_what_impact_counts(tmp_path):
    """Each part of an impact is non-zero somewhere in the table (a table of zeros would
    check nothing)."""
    seen = set()
    for n, shape in enumerate(SHAPES.values()):
        for impact in brute_force_of(tmp_path / str(n), shape).values():
            seen |= {what for what, count in impact.items() if count}
    assert seen == {"codings", "sub-codes", "memos"}


def brute_force_of(folder: Path, shape) -> dict[str, dict[str, int]]:
    build(folder, shape)
    return brute_force(folder)


@pytest.mark.parametrize("shape", [s for s in SHAPES.values() if s is not coding_memos], ids=lambda s: s.__name__)
def test_impact_reads_no_coding(tmp_path, monkeypatch, shape):
    folder = tmp_path / "study"
    made = build(folder, shape)

    def refuse(self):
        raise AssertionError("impact read every coding")

    with Project.open(folder) as project:
        monkeypatch.setattr(State, "_materialise", refuse)
        assert impacts(project) == made
        assert not project.state.codings_loaded


def test_impact_reads_the_codings_only_for_memos_on_them(tmp_path):
    folder = tmp_path / "study"
    made = build(folder, coding_memos)
    with Project.open(folder) as project:
        assert impacts(project) == made and project.state.codings_loaded


def test_impact_follows_changes_made_after_opening_without_reading_every_coding(tmp_path, monkeypatch):
    """The counts per code are the checkpoint's brought up to date by each change: coding
    and uncoding one document leaves the other's codings unread, and impact still right."""
    folder = tmp_path / "study"
    with Project.init(folder, name="Impact", coder="alice") as project:
        for name in ("N1", "N2"):
            document = project.documents.import_parsed(parse_text(f"{TEXT}\nB: {name} said so\n", "txt"), name).document
            parent_with_children(project, document)
    with Project.open(folder) as project:
        first = project.documents.get("N1")
        _code(project, first, "Support > Peer > Trust", "she keeps to")
        _code(project, first, "New", "worried us")
        project.codings.uncode(next(iter(project.state.codings_of(first.id).values())))
        monkeypatch.setattr(State, "_materialise", lambda self: pytest.fail("impact read every coding"))
        made = impacts(project)
        assert not project.state.codings_loaded
    monkeypatch.undo()
    assert made == brute_force(folder)
