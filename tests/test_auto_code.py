"""Auto-coding for thematic work: regex or words, widened to word, sentence or turn, kept
to chosen speakers, across one or every document, one undoable action."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.importers import parse_text
from store.matching import extend_spans
from store.project import Project
from store.search import Rule, auto_code_spans, rule_spans
from tests.conftest import INTERVIEW
from tui.cli import cli

SECOND = """Interviewer: Did the peer worker help with the scatter plots?

Nurse: The scatter plots helped. Our peer worker read them with us.

Interviewer: And the peer worker's notes?

Nurse: I don't trust notes. But I trust her.
"""


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    runner = CliRunner()
    (tmp_path / "one.txt").write_text(INTERVIEW)
    (tmp_path / "two.txt").write_text(SECOND)

    def invoke(*args):
        return runner.invoke(cli, ["-p", str(tmp_path / "study"), *args], catch_exceptions=False)

    assert invoke("init", "--coder", "alice").exit_code == 0
    assert invoke("import", str(tmp_path / "one.txt"), "--name", "N1").exit_code == 0
    assert invoke("import", str(tmp_path / "two.txt"), "--name", "N2").exit_code == 0
    assert invoke("codes", "add", "Peer worker").exit_code == 0
    return invoke


def coded(tmp_path) -> list[tuple[str, str, str]]:
    """(document, speaker, text) of every coding, in order."""
    with Project.open(tmp_path / "study", readonly=True) as project:
        found = []
        for c in project.codings.query():
            doc = project.state.documents[c.document]
            found.append((doc.name, doc.turn_at(c.start).speaker, c.text))
        return found


def test_all_documents_regex_sentence_without_the_interviewer_is_one_undo(run, tmp_path):
    result = run("apply", "--all-documents", "Peer worker", "--regex", r"peer (support )?worker",
                 "--extend", "sentence", "--not-speaker", "interviewer")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Coded N2 ")  # N1's "peer support worker" is the interviewer's
    assert coded(tmp_path) == [("N2", "Nurse", "Our peer worker read them with us.")]
    both = run("apply", "--all-documents", "Peer worker", "--regex", r"peer (support )?worker", "--extend", "turn")
    assert both.output.strip() == "Coded 4 passages in 2 documents as Peer worker (0 already coded)"
    log = json.loads(run("log", "--json", "-n", "0").output)
    assert log[-1]["summary"] == "auto-code “peer (support )?worker” with its turn in every document as Peer worker"
    assert run("undo").exit_code == 0
    assert coded(tmp_path) == [("N2", "Nurse", "Our peer worker read them with us.")]
    assert run("undo").exit_code == 0
    assert coded(tmp_path) == []


def test_the_interviewer_left_out_and_speakers_chosen_case_and_spacing_ignored(run, tmp_path):
    assert run("apply", "--all-documents", "Peer worker", "--match", "peer", "--all").exit_code == 0
    assert {s for _, s, _ in coded(tmp_path)} == {"Interviewer", "Nurse"}
    assert run("undo").exit_code == 0
    assert run("apply", "--all-documents", "Peer worker", "--match", "peer", "--speaker", " NURSE ").exit_code == 0
    assert {s for _, s, _ in coded(tmp_path)} == {"Nurse"}


def test_extend_word_turns_a_piece_of_a_word_into_the_word(run, tmp_path):
    assert run("apply", "N2", "Peer worker", "--regex", "scatter plot", "--all", "--extend", "word").exit_code == 0
    assert [t for _, _, t in coded(tmp_path)] == ["scatter plots", "scatter plots"]


def test_extend_turn_and_first_match_only_without_all(run, tmp_path):
    assert run("apply", "N2", "Peer worker", "--regex", "trust", "--extend", "turn").exit_code == 0
    assert [t for _, _, t in coded(tmp_path)] == ["I don't trust notes. But I trust her."]


def test_speaker_alone_codes_every_turn_of_theirs_in_every_document(run, tmp_path):
    result = run("apply", "--all-documents", "Own words", "--speaker", "Nurse", "--create")
    assert result.exit_code == 0, result.output
    assert len(coded(tmp_path)) == 4 and {s for _, s, _ in coded(tmp_path)} == {"Nurse"}
    assert run("undo").exit_code == 0
    assert coded(tmp_path) == []
    assert "Own words" not in run("codes").output  # the code made with --create went too


@pytest.mark.parametrize(
    "args, message",
    [
        (("apply", "--all-documents", "Peer worker", "--regex", "peer", "--speaker", "Dan"), "no turns by 'Dan'"),
        (("apply", "--all-documents", "Peer worker", "--regex", "(peer"), "not a valid search pattern"),
        (("apply", "--all-documents", "N1", "Peer worker", "--regex", "peer"), "give only CODE"),
        (("apply", "--all-documents", "Peer worker", "--turn", "2"), "--turn and --span"),
        (("apply", "N1", "Peer worker", "--match", "a", "--regex", "b"), "not both"),
        (("apply", "N1", "Peer worker", "--regex", "zebra", "--all"), "no passage of N1 matches"),
        (("apply", "--all-documents", "Peer worker", "--regex", "zebra"), "no passage of any document"),
        (("apply", "N1"), "give DOCUMENT and CODE"),
        (("apply", "N2", "Peer worker", "--regex", "peer", "--all", "--memo", "x"), "--memo goes on one passage"),
    ],
)
def test_mistakes_are_one_line_and_change_nothing(run, tmp_path, args, message):
    result = run(*args)
    assert result.exit_code in (1, 2), result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert coded(tmp_path) == []


# ---------------------------------------------------------------- the class: rules on any text

TURN = st.text(st.sampled_from("ab c.!?'\n\u00e9\U0001f600"), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=st.lists(st.tuples(st.sampled_from(["Ann", "Bob", "bob "]), TURN), min_size=1, max_size=5),
       pattern=st.sampled_from(["a", "b c", "a+", "c\\.", "'"]),
       extend=st.sampled_from(["", "word", "sentence", "turn"]),
       drop=st.sampled_from([(), ("Bob",)]))
def test_every_rule_span_lies_in_one_turn_holds_its_match_and_keeps_the_speakers(turns, pattern, extend, drop):
    document, text = made_document(turns)
    spans = rule_spans(document, text, Rule(pattern, True, extend, (), drop))
    matches = [m.span() for m in re.finditer(pattern, text, re.IGNORECASE) if m.end() > m.start()]
    for start, end in spans:
        turn = document.turn_at(start)
        assert turn.start <= start < end <= turn.end, (start, end, turn)
        assert not drop or turn.speaker.casefold() != "bob"
        if extend == "word":
            assert not (start > 0 and text[start - 1].isalnum() and text[start].isalnum())
            assert not (end < len(text) and text[end - 1].isalnum() and text[end].isalnum())
    plain = rule_spans(document, text, Rule(pattern, True, "", (), drop))
    assert plain == sorted(set(plain)) and set(plain) <= set(matches)
    for start, end in plain:  # every kept match is inside one coded span
        assert any(s <= start and end <= e for s, e in spans)


def made_document(turns):
    """A document of `turns` (speaker, words) laid out as the importer does: labels, then
    the turn's words, a blank line between turns."""
    from store.model import Document, Turn

    text, made = "", []
    for index, (speaker, said) in enumerate(turns):
        text += f"{speaker}: "
        made.append(Turn(index, speaker, len(text), len(text) + len(said)))
        text += said + "\n\n"
    return Document("d", "D", "", len(text), "txt", tuple(made)), text


def test_extend_units_are_checked():
    from store.errors import BadInput

    with pytest.raises(BadInput):
        extend_spans(None, "", [(0, 1)], "paragraph")


def test_auto_code_spans_across_documents_and_apply_across_is_one_action(tmp_path):
    with Project.init(tmp_path / "p", coder="alice") as project:
        for name, text in (("N1", INTERVIEW), ("N2", SECOND)):
            project.documents.import_parsed(parse_text(text, "txt"), name, {})
        found = auto_code_spans(project, project.documents.all(), Rule("trust", True, "sentence", ("nurse",)))
        assert sum(map(len, found.values())) == 3
        seq = project.seq
        code, made = project.codings.apply_across("Trust > In people", found, "trust")
        assert made == 3 and project.seq == seq + 1 and project.codebook.path(code) == "Trust > In people"
        project.undo()
        assert not project.state.codings and not project.state.codes
