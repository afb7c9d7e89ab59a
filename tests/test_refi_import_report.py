"""The import report is exact (issue 14, item 6): one hand-made .qdpx per kind of thing
Margin drops or changes, each asserting the line that names it, and "Nothing was left
out." only when nothing was."""

from __future__ import annotations

import zipfile

import pytest

from store.refi.importer import import_project

USER = "d0000000-0000-0000-0000-000000000001"
USER2 = "d0000000-0000-0000-0000-000000000002"
CODE = "c0000000-0000-0000-0000-000000000001"
CODE2 = "c0000000-0000-0000-0000-000000000002"
SRC = "a0000000-0000-0000-0000-000000000001"
SRC2 = "a0000000-0000-0000-0000-000000000002"
SEL = "b0000000-0000-0000-0000-000000000001"
SEL2 = "b0000000-0000-0000-0000-000000000002"
VAR = "e0000000-0000-0000-0000-000000000001"
CASE = "f0000000-0000-0000-0000-000000000001"
NOTE = "90000000-0000-0000-0000-000000000001"
OTHER = "80000000-0000-0000-0000-000000000001"
TEXT = "Nurse: At first nobody knew what she was for.\n"


def _coding(guid: str = "88000000-0000-0000-0000-000000000001", code: str = CODE) -> str:
    return f'<Coding guid="{guid}" creatingUser="{USER}"><CodeRef targetGUID="{code}"/></Coding>'


def _selection(guid: str = SEL, start: int = 7, end: int = 15, inner: str = "") -> str:
    return f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}" creatingUser="{USER}">{inner}</PlainTextSelection>'


def qde(*, users="", codes="", variables="", cases="", selections=None, sources="", notes="", links="", sets="", tail="") -> str:
    selections = _selection(inner=_coding()) if selections is None else selections
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Report" origin="Hand 1" creatingUserGUID="{USER}">
  <Users><User guid="{USER}" name="Ann"/>{users}</Users>
  <CodeBook><Codes><Code guid="{CODE}" name="Trust" isCodable="true" color="#112233"/>{codes}</Codes></CodeBook>
  {variables}{cases}
  <Sources>
    <TextSource guid="{SRC}" name="N1" plainTextPath="internal://n1.txt">{selections}</TextSource>{sources}
  </Sources>
  {notes}{links}{sets}{tail}
</Project>"""


NOTHING = ("Nothing was left out.",)

# (what the file holds, the qde, a line the report must print, whether anything was left out)
CASES = {
    "nothing": (qde(), None, False),
    "a selection with neither a code nor a note": (
        qde(selections=_selection()), "N1 7-15: a selection with neither a code nor a note", True),
    "an empty selection": (qde(selections=_selection(start=7, end=7, inner=_coding())), "N1: an empty selection at 7", True),
    "a PDF source": (qde(sources=f'<PDFSource guid="{SRC2}" name="scan" path="internal://x.pdf"/>'), "PDF source 'scan'", True),
    "a missing text file": (
        qde(sources=f'<TextSource guid="{SRC2}" name="N2" plainTextPath="internal://gone.txt"/>'),
        "text source 'N2': its text file 'internal://gone.txt' is not in the export", True),
    "a set that is not an attribute": (
        qde(sets=f'<Sets><Set guid="{OTHER}" name="Later"><MemberSource targetGUID="{SRC}"/></Set></Sets>'),
        "1 set(s), as Margin has no sets (members in brackets): 'Later' (1)", True),
    "a set description": (
        qde(sets=f'<Sets><Set guid="{OTHER}" name="ward: A"><Description>day shift</Description><MemberSource targetGUID="{SRC}"/></Set></Sets>'),
        "the description of set 'ward: A' (it became an attribute value)", True),
    "a graph": (qde(tail=f'<Graphs><Graph guid="{OTHER}" name="Map"/></Graphs>'), "1 graph(s) (network views): 'Map'", True),
    "a value of an undeclared variable": (
        qde(selections=_selection(inner=_coding()) + f'<VariableValue><VariableRef targetGUID="{VAR}"/><TextValue>x</TextValue></VariableValue>'),
        "a value of an undeclared variable on 'N1'", True),
    "a case holding coded selections": (
        qde(cases=f'<Cases><Case guid="{CASE}" name="P1"><SelectionRef targetGUID="{SEL}"/><SourceRef targetGUID="{SRC}"/></Case></Cases>'),
        "case 'P1': 1 coded selection(s) or code(s) (Margin cases hold whole documents)", True),
    "a case with no document": (
        qde(cases=f'<Cases><Case guid="{CASE}" name="P9"/></Cases>'), "case 'P9' holds no document here, so Margin has no such case", True),
    "a link between codes": (
        qde(codes=f'<Code guid="{CODE2}" name="Fear" isCodable="true"/>', links=f'<Links><Link guid="{OTHER}" originGUID="{CODE}" targetGUID="{CODE2}"/></Links>'),
        "1 link between codes, sources or selections, as Margin has no links", True),
    "a code named with >": (qde(codes=f'<Code guid="{CODE2}" name="A > B" isCodable="true"/>'), "code 'A > B' is named 'A › B'", False),
    "a colour that is not one": (qde(codes=f'<Code guid="{CODE2}" name="Fear" color="red"/>'), "code 'Fear': its colour 'red' is not #RRGGBB", False),
    "two users of one name": (qde(users=f'<User guid="{USER2}" name="Ann"/>'), "user 'Ann' is named 'Ann (2)'", False),
    "two sources of one name": (
        qde(sources=f'<TextSource guid="{SRC2}" name="N1" plainTextPath="internal://n1.txt"/>'), "text source 'N1' is named 'N1 (2)'", False),
    "a repeated GUID": (
        qde(codes=f'<Code guid="{CODE}" name="Again" isCodable="true"/>'), "Code 'Again' repeats the GUID", False),
    "a repeated coding": (
        qde(selections=_selection(inner=_coding()) + _selection(SEL2, inner=_coding("88000000-0000-0000-0000-000000000002"))),
        "N1: a repeated coding at 7-15 is kept once", False),
    "a variable named with =": (
        qde(variables=f'<Variables><Variable guid="{VAR}" name="a=b" typeOfVariable="Text"/></Variables>'), "variable 'a=b' is the attribute 'a-b'", False),
    "a case value unlike the source's": (
        qde(variables=f'<Variables><Variable guid="{VAR}" name="age" typeOfVariable="Text"/></Variables>',
            selections=_selection(inner=_coding()) + f'<VariableValue><VariableRef targetGUID="{VAR}"/><TextValue>30</TextValue></VariableValue>',
            cases=f'<Cases><Case guid="{CASE}" name="P1"><VariableValue><VariableRef targetGUID="{VAR}"/><TextValue>31</TextValue></VariableValue><SourceRef targetGUID="{SRC}"/></Case></Cases>'),
        "N1 has age='30' and its case 'P1' age='31'; kept '30'", False),
    "a note on a PDF source": (
        qde(sources=f'<PDFSource guid="{SRC2}" name="scan" path="internal://x.pdf"><NoteRef targetGUID="{NOTE}"/></PDFSource>',
            notes=f'<Notes><Note guid="{NOTE}" name="On the scan"><PlainTextContent>hm</PlainTextContent></Note></Notes>'),
        "memo 'On the scan' was attached to a PDFSource Margin does not hold; kept as a project memo", True),
    "a passage note nothing refers to": (
        qde(notes=f'<Notes><Note guid="{NOTE}"><PlainTextContent>stray</PlainTextContent><PlainTextSelection guid="{OTHER}" startPosition="1" endPosition="4"/></Note></Notes>'),
        "memo 'stray' names the passage 1-4 of no source (nothing refers to it); kept as a journal entry", False),
}


def _import(tmp_path, text: str):
    path = tmp_path / "hand.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", text)
        archive.writestr("sources/n1.txt", TEXT)
    return import_project(path, tmp_path / "p")


@pytest.mark.parametrize("kind", list(CASES))
def test_the_report_names_what_was_dropped_or_changed(tmp_path, kind):
    text, line, dropped = CASES[kind]
    lines = _import(tmp_path, text).lines()
    assert ("Nothing was left out." in lines) is not dropped
    if line is None:
        assert not any(head in lines for head in ("Changed to fit Margin:", "Not brought in:")), lines
    else:
        assert any(entry.startswith("  - ") and line in entry for entry in lines), lines


@pytest.mark.parametrize(
    "kept",
    [
        # each is kept, so the report must not call it dropped nor hide it as changed
        f'<Cases><Case guid="{CASE}" name="P1"><Description>A ward nurse</Description><SourceRef targetGUID="{SRC}"/></Case></Cases>',
        f'<Variables><Variable guid="{VAR}" name="age" typeOfVariable="Text"><Description>In years</Description></Variable></Variables>',
    ],
)
def test_kept_descriptions_leave_nothing_out(tmp_path, kept):
    lines = _import(tmp_path, qde(cases=kept) if "Case" in kept else qde(variables=kept)).lines()
    assert "Nothing was left out." in lines and "Changed to fit Margin:" not in lines, lines
