"""Vendor quirks: folder and GUID case, braces, BOM and CRLF, path schemes, position
conventions, and the many places tools keep memos and attributes."""

from __future__ import annotations

import zipfile

import pytest

from store.project import Project
from store.refi import import_project
from store.refi.positions import Convention, Selection, SourceText, choose

A = "{AAAAAAAA-0000-0000-0000-000000000001}"
B = "BBBBBBBB-0000-0000-0000-000000000002"
CODE1, CODE2, CODE3, CODE4 = (f"CCCCCCCC-0000-0000-0000-00000000000{i}" for i in range(1, 5))
USER = "DDDDDDDD-0000-0000-0000-000000000001"
VAR = "EEEEEEEE-0000-0000-0000-000000000001"
NOTES = [f"FFFFFFFF-0000-0000-0000-00000000000{i}" for i in range(1, 6)]
SEL = [f"99999999-0000-0000-0000-00000000000{i}" for i in range(1, 6)]
CODING = [f"88888888-0000-0000-0000-00000000000{i}" for i in range(1, 7)]

TEXT_A = "Q: Why?\r\nA: Because 😀 my sister\r\nfound me the job.\r\n"  # CRLF, an emoji
TEXT_B = "Line one\nLine two 😀 here\n"


def _positions(text: str, fragment: str, units: str, crlf_two: bool) -> tuple[int, int]:
    """Where `fragment` is in `text` as a tool counting that way would write it."""
    prefix = text[: text.index(fragment)]
    count = (lambda s: len(s.encode("utf-16-le")) // 2) if units == "utf16" else len
    if not crlf_two:
        prefix, fragment = prefix.replace("\r\n", "\n"), fragment.replace("\r\n", "\n")
    return count(prefix), count(prefix) + count(fragment)


def _coding(guid: str, code: str) -> str:
    return f'<Coding guid="{guid}" creatingUser="{USER}" creationDateTime="2020-01-02T03:04:05Z"><CodeRef targetGUID="{code}"/></Coding>'


def _qde() -> str:
    s1, e1 = _positions(TEXT_A, "my sister\r\nfound me", "utf16", True)
    s2, e2 = _positions(TEXT_A, "the job", "utf16", True)
    s3, e3 = _positions(TEXT_B, "here", "cp", True)
    s4, e4 = _positions(TEXT_B, "Line one", "cp", True)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Quirks" origin="Test 1" creatingUserGUID="{USER}" creationDateTime="yesterday">
  <Users><User guid="{USER}" name="Ann  Lee" id="7"/></Users>
  <CodeBook><Codes>
    <Code guid="{CODE1}" name="Feelings > Joy" isCodable="true" color="#F0A"><NoteRef targetGUID="{NOTES[0]}"/>
      <Code guid="{CODE2}" name="kin" isCodable="true"/>
      <Code guid="{CODE3}" name="Kin" isCodable="true" color="#123456"/>
    </Code>
    <Code guid="{CODE4}" name="Whole" isCodable="false"/>
  </Codes></CodeBook>
  <Variables><Variable guid="{VAR}" name="age" typeOfVariable="Integer"/></Variables>
  <Cases><Case guid="{NOTES[4]}" name="Case 1"><VariableValue><VariableRef targetGUID="{VAR}"/><IntegerValue> 34 </IntegerValue></VariableValue><SourceRef targetGUID="{A.lower()}"/></Case></Cases>
  <Sources>
    <TextSource guid="{A}" name="Interview A" plainTextPath="relative://texts/a.txt" creationDateTime="2019-01-01T00:00:00Z">
      <PlainTextSelection guid="{SEL[0]}" name="" startPosition="{s1}" endPosition="{e1}">{_coding(CODING[0], CODE2)}{_coding(CODING[1], CODE3)}<NoteRef targetGUID="{NOTES[1]}"/></PlainTextSelection>
      <PlainTextSelection guid="{SEL[1]}" name="" startPosition="{s2}" endPosition="{e2}"><Description>Said with a smile</Description>{_coding(CODING[2], CODE2)}</PlainTextSelection>
      {_coding(CODING[3], CODE4)}
    </TextSource>
    <TextSource guid="{B}" name="Interview A" plainTextPath="b.txt">
      <PlainTextSelection guid="{SEL[2]}" name="here" startPosition="{s3}" endPosition="{e3}">{_coding(CODING[4], CODE3)}</PlainTextSelection>
      <PlainTextSelection guid="{SEL[3]}" name="Line one" startPosition="{s4}" endPosition="{e4}"><Description>No code here</Description></PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="{NOTES[0]}" name="About joy"><PlainTextContent>Joy memo</PlainTextContent></Note>
    <Note guid="{NOTES[1]}" name="On the sister" plainTextPath="internal://{NOTES[1]}.txt"/>
    <Note guid="{NOTES[2]}" name="Linked"><PlainTextContent>Linked memo</PlainTextContent></Note>
    <Note guid="{NOTES[3]}" name="Whole project"><PlainTextContent>Project memo</PlainTextContent></Note>
  </Notes>
  <Links><Link guid="{CODING[5]}" originGUID="{NOTES[2]}" targetGUID="{SEL[2].lower()}"/></Links>
  <Sets><Set guid="{SEL[4]}" name="gender: female"><MemberSource targetGUID="{B}"/></Set></Sets>
  <NoteRef targetGUID="{NOTES[3]}"/>
</Project>"""


@pytest.fixture
def imported(tmp_path):
    path = tmp_path / "quirks.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Trial.QDE", _qde())
        archive.writestr("Sources/texts/A.TXT", "\ufeff".encode() + TEXT_A.encode())
        archive.writestr("Sources/b.txt", TEXT_B.encode())
        archive.writestr(f"Sources/{NOTES[1].lower()}.txt", "\ufeffShe helped\r\na lot".encode())
    report = import_project(path, tmp_path / "p")
    with Project.open(tmp_path / "p", readonly=True) as project:
        yield report, project


def _document(project, name):
    return project.documents.get(name)


def test_texts_are_normalised_and_positions_converted(imported):
    report, project = imported
    a, b = _document(project, "Interview A"), _document(project, "Interview A (2)")
    assert project.text(a.id) == TEXT_A.replace("\r\n", "\n")
    texts = sorted((project.state.documents[c.document].name, c.text) for c in project.state.codings.values())
    assert texts == [
        ("Interview A", "Q: Why?\nA: Because 😀 my sister\nfound me the job.\n"),
        ("Interview A", "my sister\nfound me"),
        ("Interview A", "my sister\nfound me"),
        ("Interview A", "the job"),
        ("Interview A (2)", "here"),
    ]
    conventions = {p.document: p.convention for p in report.positions}
    assert conventions["Interview A"] == "UTF-16 units, CRLF as 2"
    assert b.id == B.lower() and a.id == A.strip("{}").lower()


def test_users_codes_and_times(imported):
    report, project = imported
    assert project.meta["created"] != "yesterday"  # not a date: an export must stay schema-valid
    assert [c.name for c in project.state.coders.values()] == ["Ann Lee"]
    joy = project.codebook.get("Feelings › Joy")
    assert joy.color == "#ff00aa"
    assert sorted(c.name for c in project.codebook.children(joy.id)) == ["Kin (2)", "kin"]
    assert not project.codebook.get("Whole").codable
    assert any("Feelings › Joy" in line for line in report.adjusted)
    coding = next(c for c in project.state.codings.values() if c.text == "the job")
    assert coding.id == SEL[1].lower() and coding.created == "2020-01-02T03:04:05Z"
    assert project.state.documents[coding.document].created == "2019-01-01T00:00:00Z"


def test_memos_from_every_place(imported):
    _, project = imported
    memos = {m.title or m.text: m for m in project.state.memos.values()}
    assert memos["About joy"].kind == "code" and memos["About joy"].text == "Joy memo"
    sister = memos["On the sister"]
    assert sister.kind == "coding" and sister.text == "She helped\na lot"
    assert project.state.codings[sister.target].text == "my sister\nfound me"
    assert memos["Linked"].kind == "coding" and project.state.codings[memos["Linked"].target].text == "here"
    assert memos["Whole project"].kind == "project"
    assert memos["Said with a smile"].kind == "coding"
    comment = next(m for m in project.state.memos.values() if m.text == "No code here")
    assert comment.kind == "annotation" and project.text(comment.target)[comment.start : comment.end] == "Line one"


def test_cases_variables_and_sets_become_attributes(imported):
    _, project = imported
    assert _document(project, "Interview A").attributes == {"case": "Case 1", "age": "34"}
    assert _document(project, "Interview A (2)").attributes == {"gender": "female"}


@pytest.mark.parametrize(
    ("units", "crlf_two", "expected"),
    [("cp", True, "code points, CRLF as 2"), ("cp", False, "code points, CRLF as 1"), ("utf16", False, "UTF-16 units, CRLF as 1")],
)
def test_each_convention_is_detected_from_quotes(units, crlf_two, expected):
    text = "Intro 😀😀 line\r\n" * 3 + "The end 🙂 of it\r\n"
    fragments = ["line\r\nIntro", "end 🙂 of", "Intro 😀😀"]
    selections = [Selection(*_positions(text, f, units, crlf_two), f.replace("\r\n", "\n")) for f in fragments]
    choice = choose(SourceText(text), selections)
    assert choice.convention.describe() == expected and choice.landed == 3


def test_utf8_bytes_and_a_counted_bom():
    text = "\ufeffZoë said: café ☕ is fine"
    start = len("Zoë said: ".encode()) + 3
    choice = choose(SourceText(text), [Selection(start, start + len("café ☕".encode()), "café ☕")])
    assert choice.convention == Convention("UTF-8 bytes", True, True)
    assert (choice.placed[0].start, choice.placed[0].end) == (10, 16)


def test_a_position_inside_a_character_is_rounded_outwards():
    source = SourceText("a😀b")
    reader = source.reader(Convention("UTF-16 units", True, False))
    assert reader.position(2, False) == (1, False) and reader.position(2, True) == (2, False)
    assert reader.position(3, True) == (2, True) and reader.position(4, True) == (3, True)
