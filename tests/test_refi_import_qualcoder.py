"""What QualCoder writes, read by `margin init --from` (issue 14, items 4 and 5): its
annotations (a Note naming a passage, referred to by its TextSource; or a selection with
a Description and no Coding), case memos (Case Description), variable descriptions, and
a project memo whose author the file does not name."""

from __future__ import annotations

import zipfile

import pytest

from store import annotations
from store.exporters.memos import author_name
from store.project import Project
from store.refi.importer import import_project

U1, U2 = "d0000000-0000-0000-0000-000000000001", "d0000000-0000-0000-0000-000000000002"
NOBODY = "d0000000-0000-0000-0000-0000000000ff"  # QualCoder's creatingUserGUID: a fresh GUID, no user
CODE, SRC, SEL, SEL2 = (f"{p}0000000-0000-0000-0000-000000000001" for p in "cab9")
VAR, CASE, NOTE, NOTE_SEL = (f"{p}0000000-0000-0000-0000-000000000001" for p in "ef87")
TEXT = "Nurse: At first nobody knew what she was for.\nNurse: Now I trust her judgement.\n"


def _qde() -> str:
    at = TEXT.index("nobody knew")
    trust = TEXT.index("trust her")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="QC" origin="QualCoder 3.8" creatingUserGUID="{NOBODY}" creationDateTime="2026-11-30T10:00:00Z">
<Users><User guid="{U1}" name="ann"/><User guid="{U2}" name="bob"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="Trust" isCodable="true" color="#112233"><Description /></Code></Codes></CodeBook>
<Variables><Variable guid="{VAR}" name="Years on ward" typeOfVariable="Float"><Description>Counted at the interview</Description></Variable></Variables>
<Cases><Case guid="{CASE}" name="P1"><Description>A ward nurse, night shifts</Description><SourceRef targetGUID="{SRC}" /></Case></Cases>
<Sources>
<TextSource plainTextPath="internal://n1.txt" creatingUser="{U2}" creationDateTime="2026-11-30T10:00:00Z" guid="{SRC}" name="N1.txt">
<PlainTextSelection guid="{SEL}" startPosition="{trust}" endPosition="{trust + 9}" creatingUser="{U2}" creationDateTime="2026-11-30T10:00:00Z">
<Coding guid="{SEL2}" creatingUser="{U2}" creationDateTime="2026-11-30T10:00:00Z"><CodeRef targetGUID="{CODE}" /></Coding>
</PlainTextSelection>
<NoteRef targetGUID="{NOTE}" />
<VariableValue><VariableRef targetGUID="{VAR}" /><FloatValue>12</FloatValue></VariableValue>
</TextSource>
</Sources>
<Notes>
<Note guid="{NOTE}" creatingUser="{U1}" creationDateTime="2026-11-30T11:00:00Z" >
<PlainTextContent>Everyone says this at first</PlainTextContent>
<PlainTextSelection guid="{NOTE_SEL}" startPosition="{at}" endPosition="{at + 11}" />
</Note>
</Notes>
<Description>What the project is about</Description>
</Project>"""


@pytest.fixture
def imported(tmp_path):
    path = tmp_path / "qc.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", _qde())
        archive.writestr("sources/n1.txt", TEXT)
    report = import_project(path, tmp_path / "p")
    with Project.open(tmp_path / "p", readonly=True) as project:
        yield report, project


def test_qualcoder_annotation_keeps_its_passage(imported):
    _, project = imported
    document = project.documents.get("N1.txt")
    [note] = annotations.of_document(project, document.id)
    assert annotations.quote(project, note) == "nobody knew" and note.text == "Everyone says this at first"
    assert author_name(project, note) == "ann"
    assert not project.memos.on(document.id, "document")  # not also a plain document memo


def test_case_memo_and_variable_description_are_kept(imported):
    report, project = imported
    [case] = project.memos.on("P1", "case")
    assert case.text == "A ward nurse, night shifts"
    [described] = project.memos.on("Years on ward", "attribute")
    assert described.text == "Counted at the interview"
    assert project.documents.get("N1.txt").attributes == {"case": "P1", "Years on ward": "12"}
    assert "Nothing was left out." in report.lines()


def test_the_project_memo_has_the_author_the_file_names_or_none(imported):
    _, project = imported
    [memo] = project.memos.on(None, "project")
    assert memo.text == "What the project is about" and memo.author == ""


def test_a_description_on_an_uncoded_selection_is_an_annotation(tmp_path):
    """MAXQDA's and QualCoder's other form: a PlainTextSelection with a Description and no Coding."""
    start = TEXT.index("trust")
    qde = _qde().replace(
        f'<NoteRef targetGUID="{NOTE}" />',
        f'<PlainTextSelection guid="{NOTE_SEL}" startPosition="{start}" endPosition="{start + 5}"><Description>why now?</Description></PlainTextSelection>',
    )
    path = tmp_path / "maxqda.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/n1.txt", TEXT)
    import_project(path, tmp_path / "p")
    with Project.open(tmp_path / "p", readonly=True) as project:
        [note] = annotations.of_document(project, project.documents.get("N1.txt").id)
        assert (annotations.quote(project, note), note.text) == ("trust", "why now?")
