"""Speakers can be corrected: list, rename and merge, in one document or all, one undo each."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.errors import NotFound, Refused
from store.importers import parse_text
from store.project import Project
from store.speakers import rename, speakers
from tests.conftest import shared
from tui.cli import cli

ONE = "Dan: Hello.\n\nParticipant: Hi there.\n\nDan: Go on.\n\nParticpant: Right.\n"
TWO = "Interviewer: Next?\n\nParticipant: Yes.\n"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["-p", str(tmp_path / "study"), *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def study(run, tmp_path):
    (tmp_path / "one.txt").write_text(ONE)
    (tmp_path / "two.txt").write_text(TWO)
    assert run("init", "--coder", "alice").exit_code == 0
    assert run("import", str(tmp_path / "one.txt"), "--name", "P5").exit_code == 0
    assert run("import", str(tmp_path / "two.txt"), "--name", "P6").exit_code == 0
    return run


def test_the_pdpilot_typo_is_listed_as_a_likely_typo_and_merged_with_one_undo(run, tmp_path):
    assert run("init", "--coder", "alice").exit_code == 0
    assert run("import", str(shared("corpus", "pdpilot-interviews", "P5.txt")), "--name", "P5").exit_code == 0
    listed = run("speakers", "P5").output
    assert "Particpant   1 turn  (a typo of Participant?" in listed
    assert run("apply", "P5", "Own words", "--speaker", "Particpant", "--create").exit_code == 0
    merged = run("speakers", "rename", "Particpant", "Participant", "--document", "P5")
    assert merged.output.strip() == "Merged Particpant into Participant: 1 turn in 1 document"
    assert sorted(s["name"] for s in json.loads(run("speakers", "P5", "--json").output)) == ["Dan", "Participant"]
    exported = list(csv.DictReader(io.StringIO(run("export", "csv").stdout)))
    assert [r["speaker"] for r in exported] == ["Participant"]  # the coding's speaker follows
    assert run("undo").exit_code == 0
    assert "Particpant" in run("speakers", "P5").output


def test_rename_across_the_project_or_one_document(study, tmp_path):
    run = study
    assert "Participant  2 turns in P5, P6" in run("speakers").output.splitlines()
    one = run("speakers", "rename", "participant", "Nurse", "--document", "P6")  # case ignored
    assert one.output.strip() == "Renamed participant to Nurse: 1 turn in 1 document"
    assert "Nurse" in run("speakers", "P6").output and "Nurse" not in run("speakers", "P5").output
    everywhere = run("speakers", "rename", "Dan", "Interviewer")
    assert everywhere.output.strip() == "Merged Dan into Interviewer: 2 turns in 1 document"
    names = {s["name"]: s["turns"] for s in json.loads(run("speakers", "--json").output)}
    assert names == {"Interviewer": 3, "Participant": 1, "Nurse": 1, "Particpant": 1}
    log = json.loads(run("log", "--json", "-n", "2").output)
    assert [e["summary"] for e in log] == ["rename speaker participant to Nurse in P6",
                                          "merge speaker Dan into Interviewer in any document"]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("speakers", "rename", "Nobody", "X"), 2, "no turns by 'Nobody' in any document; speakers: "),
        (("speakers", "rename", "Dan", "  "), 2, "needs a name"),  # refused as the command is read
        (("speakers", "rename", "Dan", "Dan"), 1, "already named 'Dan'"),
        (("speakers", "rename", "Dan", "X", "--document", "P9"), 2, "P9"),  # a filter: bad input
        (("speakers", "P9"), 2, "P9"),
    ],
)
def test_speaker_mistakes_are_one_line_and_change_nothing(study, args, code, message):
    before = study("speakers").output
    result = study(*args)
    assert result.exit_code == code and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert study("speakers").output == before


NAMES = st.sampled_from(["Dan", "dan", "Ann", "Particpant", "Participant"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=st.lists(NAMES, min_size=1, max_size=8), old=NAMES, new=NAMES, whole=st.booleans())
def test_rename_keeps_every_turn_and_undo_gives_back_the_speakers(tmp_path_factory, turns, old, new, whole):
    """Any rename keeps the turn count, leaves no turn named OLD (ignoring case) where it
    acted, touches nothing else, and one undo restores every speaker."""
    folder = tmp_path_factory.mktemp("speakers")
    with Project.init(folder / "p", coder="alice") as project:
        text = "\n\n".join(f"{name}: words {i}" for i, name in enumerate(turns)) + "\n"
        first = project.documents.import_parsed(parse_text(text, "txt"), "A", {}).document
        other = project.documents.import_parsed(parse_text(text.replace("words", "other"), "txt"), "B", {}).document
        before = {d.id: [t.speaker for t in d.turns] for d in project.documents.all()}
        try:
            rename(project, old, new, None if whole else first)
        except (NotFound, Refused):
            assert {d.id: [t.speaker for t in d.turns] for d in project.documents.all()} == before
            return
        for doc in project.documents.all():
            was, now = before[doc.id], [t.speaker for t in doc.turns]
            assert len(now) == len(was)
            acted = whole or doc.id == first.id
            for a, b in zip(was, now):
                assert b == (new if acted and a.casefold() == old.casefold() else a)
        assert sum(s.turns for s in speakers(project.documents.all())) == sum(map(len, before.values()))
        project.undo()
        assert {d.id: [t.speaker for t in d.turns] for d in project.documents.all()} == before
        assert other.id in before
