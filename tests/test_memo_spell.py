"""The saves of one memo-editing spell are one undo step (Memos.edit(amends=)), in memory,
after reopening, and never across another action."""

from __future__ import annotations

import json

from store.project import Project


def _memo_saved_in_two_steps(project, document):
    memo = project.memos.add("document", document.id, "first")
    spell = project.seq
    memo = project.memos.edit(memo, "first thought", amends=spell)
    return memo, spell


def test_one_undo_takes_back_a_memo_saved_in_several_steps(project, interview):
    memo, _ = _memo_saved_in_two_steps(project, interview)
    project.memos.edit(memo, "first thought, and more", amends=project.seq)
    project.undo()
    assert project.memos.on(interview.id) == []
    project.redo()
    assert [m.text for m in project.memos.on(interview.id)] == ["first thought, and more"]


def test_an_edit_that_continues_an_edit_restores_the_text_before_the_spell(project, interview):
    memo = project.memos.add("document", interview.id, "kept")
    memo = project.memos.edit(memo, "kept, then", amends=None)  # a new spell
    memo = project.memos.edit(memo, "kept, then more", amends=project.seq)
    project.undo()
    assert [m.text for m in project.memos.on(interview.id)] == ["kept"]


def test_another_action_in_between_ends_the_spell(project, interview):
    memo, spell = _memo_saved_in_two_steps(project, interview)
    code = project.codebook.add("Trust")
    project.codings.apply(interview, code, interview.turns[0].start, interview.turns[0].end)
    project.memos.edit(memo, "first thought, later", amends=project.seq - 1)  # no longer the newest
    project.undo()
    assert [m.text for m in project.memos.on(interview.id)] == ["first thought"]


def test_an_amendment_of_other_entities_is_an_action_of_its_own(project, interview):
    memo = project.memos.add("document", interview.id, "on the document")
    other = project.memos.add("project", None, "on the project")
    project.memos.edit(memo, "on the document, edited", amends=project.seq)  # newest is the other memo
    project.undo()
    assert project.state.memos[memo.id].text == "on the document"
    assert other.id in project.state.memos


def test_the_joined_step_survives_reopening(project, interview):
    memo, _ = _memo_saved_in_two_steps(project, interview)
    folder = project.dir
    project.close()
    with Project.open(folder) as reopened:
        reopened.undo()
        assert reopened.memos.on(interview.id) == []
    entries = [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]
    amending = [e for e in entries if "amends" in e]
    assert len(amending) == 1 and amending[0]["summary"] == "add document memo"


def test_a_refused_action_in_between_does_not_end_the_spell(project, interview):
    """A refused action logs nothing, so the save still continues the newest action (the
    state machine's model once said otherwise; CI's run found the difference)."""
    import pytest

    from store.errors import Refused

    memo, spell = _memo_saved_in_two_steps(project, interview)
    project.codebook.add("Trust")
    with pytest.raises(Refused):
        project.codebook.add("Trust")  # already there: refused, nothing logged
    code_seq = project.seq
    memo = project.memos.edit(memo, "first thought, then more", amends=code_seq)  # the newest is the code: its own action
    project.undo()
    assert [m.text for m in project.memos.on(interview.id)] == ["first thought"]
    memo = project.memos.edit(memo, "again", amends=None)
    with pytest.raises(Refused):
        project.codebook.add("Trust")
    project.memos.edit(memo, "again, and more", amends=project.seq)  # still the spell's newest save: joins it
    project.undo()
    assert [m.text for m in project.memos.on(interview.id)] == ["first thought"]
