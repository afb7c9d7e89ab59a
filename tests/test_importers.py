"""Importers: label forms, decoding, bad input, and the shared corpus (skipped when it is absent)."""

import codecs
import collections
import re
import time
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import BadInput
from store.importers import docx as importers_docx
from store.importers import (
    MAX_BYTES,
    SUPPORTED_SUFFIXES,
    ParsedDocument,
    decode_bytes,
    parse_file,
    parse_text,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "importers"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def corpus_path(*parts: str) -> Path:
    """A path inside the shared corpus; skips the test when the corpus is not on this machine."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not in this copy of the corpus")
    return path


def content(doc: ParsedDocument, index: int) -> str:
    turn = doc.turns[index]
    return doc.text[turn.start : turn.end]


def summary(doc: ParsedDocument) -> list[tuple[str, str]]:
    return [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns]


def assert_well_formed(doc: ParsedDocument) -> None:
    for turn in doc.turns:
        assert 0 <= turn.start < turn.end <= len(doc.text), turn
        span = doc.text[turn.start : turn.end]
        assert span == span.strip(), turn


def bad_input(call, *args) -> str:
    with pytest.raises(BadInput) as info:
        call(*args)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message and ";" in message
    return message


# --- label forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, speakers",
    [
        ("Dan: hi there\n\nAnna: hello", ["Dan", "Anna"]),
        ("**Dan**: hi there\n\n**Anna**: hello", ["Dan", "Anna"]),
        ("**Dan:** hi there\n\n**Anna:** hello", ["Dan", "Anna"]),
        ("[Dan] hi there\n\n[Anna] hello", ["Dan", "Anna"]),
        ("BELL 7: hi there\n\nCV-39: hello\n\nCC_A1: ok", ["BELL 7", "CV-39", "CC_A1"]),
        ("CMP (COLUMBIA): hi there\n\nCDR / LMP: hello", ["CMP (COLUMBIA)", "CDR / LMP"]),
        ("**Mireille B. Reece, Psy.D:** hi there\n\n**Adam:** hello", ["Mireille B. Reece, Psy.D", "Adam"]),
        ("Dan:\thi there\n\nAnna:\thello", ["Dan", "Anna"]),
        ("Dr. Jones: hi there\n\nMr. Smith: hello", ["Dr. Jones", "Mr. Smith"]),
    ],
)
def test_label_forms(text, speakers):
    doc = parse_text(text)
    assert [t.speaker for t in doc.turns] == speakers
    assert content(doc, 0) == "hi there"
    assert_well_formed(doc)


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("[00:04:06] Dan: hi there", 246.0),
        ("Dan: [00:04:06] hi there", 246.0),
        ("**Dan:** \\[04:06\\] hi there", 246.0),
        ("\\[04:06\\] **Dan**: hi there", 246.0),
        ("[01:00:00:01.5] Dan: hi there", 86401.5),
        ("[-00:00:00:10]\nDan: hi there", -10.0),
        ("[-00:00:00:10]\n\nDan: hi there", -10.0),
    ],
)
def test_inline_timestamps_become_time_and_leave_the_span(text, seconds):
    doc = parse_text(text, "md")
    assert summary(doc) == [("Dan", "hi there")]
    assert doc.turns[0].time_start == seconds


def test_plain_fixture_title_continuation_and_prose_guards():
    doc = parse_file(FIXTURES / "plain-interview.txt")
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Respondent", "Interviewer", "Respondent", "Interviewer"]
    assert doc.turns[0].start > len("Interview 4 (pilot)")
    assert content(doc, 1).endswith("help with deliveries.")
    # "Note:" inside a paragraph and "The reason is simple:" do not split the turn.
    assert "Note: the following" in content(doc, 3)
    assert content(doc, 3).endswith("people lost shifts overnight.")
    assert doc.format == "txt" and doc.warnings == ()


@pytest.mark.parametrize(
    "text",
    [
        "Dan: one\n\nAnna: two\n\nThe reason is this: we left.",
        "Dan: one\n\nAnna: two\n\nSo what I said to them was: no.",
        "Dan: one\n\nAnna: two\n\nAnd:\n\n\"A quoted passage.\"",
        "Dan: one\n\nAnna: two\n\nAt 10:30 we met.",
        "Dan: one\n\nAnna: two\n\nSee https://example.org: it helps.",
        "Dan: one\n\nAnna: two\n\n[laughter] yes",
        "Dan: one\n\nAnna: two\n\n_page : 42\nmore",
    ],
)
def test_prose_is_not_a_label(text):
    doc = parse_text(text)
    assert [t.speaker for t in doc.turns] in (["Dan", "Anna"], ["Dan", "Anna", "Anna"])


def test_lines_without_blank_lines_between_turns():
    doc = parse_text("A: hi\nB: yo\nA: again\nB: fine")
    assert summary(doc) == [("A", "hi"), ("B", "yo"), ("A", "again"), ("B", "fine")]


def test_markdown_hearing_structure():
    doc = parse_file(FIXTURES / "hearing.md")
    assert [t.speaker for t in doc.turns] == [
        "The Chair", "Mr Counsel", "Ms Example Witness", "Mr Counsel", "The Witness", "The Chair",
    ]
    assert content(doc, 2) == "That's right, since 2009.\n\nWe employ about forty carers."
    # "Recommendation 2:" and "[As read]" are prose in a document labelled with **Name**:
    assert content(doc, 4).endswith('"Staff were asked to cover double shifts."')
    for structural in ("Day 3", "=====", "*(10.00 am)*", "Ms Example Witness\n---", "^^^^", "*(A short break)*",
                       "# Afternoon session", "*MS EXAMPLE WITNESS (sworn).*"):
        at = doc.text.index(structural)
        assert not any(t.start <= at < t.end for t in doc.turns), structural


def test_text_after_a_stage_line_resumes_the_speaker():
    doc = parse_text("Dan: one\n\n*(Pause)*\n\nstill Dan\n\nAnna: two")
    assert summary(doc) == [("Dan", "one"), ("Dan", "still Dan"), ("Anna", "two")]


def test_podcast_markdown_timestamps_and_breaks():
    doc = parse_file(FIXTURES / "podcast.md")
    assert summary(doc) == [
        ("Host Person", "Welcome back to the show. Today we talk about gardening."),
        ("Guest Speaker, PhD", "Thanks for having me. \\[laughs\\]\n\nI have been growing tomatoes for thirty years."),
        ("Host Person", "And we are back.\n\n\\[02:45\\] So, what went wrong last summer?"),
        ("Guest Speaker, PhD", "Slugs. Mostly slugs."),
    ]
    assert [t.time_start for t in doc.turns] == [None, 65.0, 150.0, None]
    assert doc.format == "md"


def test_spacelog_fixture():
    doc = parse_file(FIXTURES / "spacelog.txt")
    assert [(t.speaker, t.time_start) for t in doc.turns] == [
        ("LCC", -5.0), ("CDR", 2.0), ("CC", 70.0), ("CDR", 70.0), ("BELL 7", 93784.0), ("CV-39", 93789.0),
    ]
    assert content(doc, 2) == "Roger, we copy. You are looking good\n    on all systems."


def test_no_labels_gives_one_turn_per_paragraph_with_a_warning():
    doc = parse_text("# Notes\n\nFirst thought.\n\nSecond thought,\nwrapped.")
    assert summary(doc) == [("", "First thought."), ("", "Second thought,\nwrapped.")]
    assert doc.warnings and "no speaker labels" in doc.warnings[0]


def test_only_headings_is_refused():
    assert "no transcript text" in bad_input(parse_text, "# Title\n\n## Part\n", "md")


# --- text safety and offsets -------------------------------------------------------------------


def test_unicode_offsets_are_code_points():
    text = "שלום: مرحبا 👍🏽 e\u0301 done\n\n**Zoë 🎙️**: naïve ﷽ test\n\n**Dan**: ok"
    doc = parse_text(text, "md")
    assert [t.speaker for t in doc.turns] == ["Zoë 🎙️", "Dan"]
    doc = parse_text("שלום: مرحبا 👍🏽 e\u0301 done\n\nDan: ok")
    assert summary(doc) == [("שלום", "مرحبا 👍🏽 e\u0301 done"), ("Dan", "ok")]


@pytest.mark.parametrize(
    "raw, speaker",
    [
        ("\x1b[31mDan\x1b[0m", "Dan"),
        ("D\x07an", "Dan"),
        ("Da\x9bn", "Dan"),
        ("An\u202ena", "Anna"),
        ("Dan\x00", "Dan"),
        ("  Dan   Smith ", "Dan Smith"),
    ],
)
def test_control_characters_stay_out_of_speakers(raw, speaker):
    doc = parse_text(f"{raw}: hello\n\nAnna: hi")
    assert doc.turns[0].speaker == speaker
    assert content(doc, 0) == "hello"


def test_stored_text_is_unchanged_apart_from_newlines():
    text = (FIXTURES / "hearing.md").read_text(encoding="utf-8")
    assert parse_text(text, "md").text == text


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.replace("\n", "\r\n").encode(),
        lambda s: s.replace("\n", "\r").encode(),
        lambda s: codecs.BOM_UTF8 + s.replace("\n", "\r\n").encode(),
        lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le"),
        lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"),
        lambda s: s.encode("utf-16-le"),
        lambda s: s.encode("utf-16-be"),
    ],
    ids=["crlf", "cr", "bom-crlf", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be"],
)
def test_encodings_and_line_endings(tmp_path, encode):
    original = (FIXTURES / "plain-interview.txt").read_text(encoding="utf-8")
    path = tmp_path / "interview.txt"
    path.write_bytes(encode(original))
    doc = parse_file(path)
    assert doc.text == original
    assert doc.turns == parse_file(FIXTURES / "plain-interview.txt").turns


# --- bad input ---------------------------------------------------------------------------------


def test_invalid_utf8_message(tmp_path):
    path = tmp_path / "interview.txt"
    path.write_bytes(b"Dan: caf\xe9 ok\n")
    message = bad_input(parse_file, path)
    assert message.startswith("interview.txt is not valid UTF-8 text (byte 0xe9 at offset 8)")
    assert "save it as UTF-8" in message


def test_binary_and_empty_files(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_bytes(b" \n\r\n\t\n")
    (tmp_path / "bom.txt").write_bytes(codecs.BOM_UTF8)
    assert "not a text file" in bad_input(parse_file, tmp_path / "image.txt")
    assert "empty" in bad_input(parse_file, tmp_path / "empty.txt")
    assert "no text" in bad_input(parse_file, tmp_path / "blank.md")
    assert "no text" in bad_input(parse_file, tmp_path / "bom.txt")
    assert "empty" in bad_input(parse_text, "  \n")


def test_missing_folder_and_unsupported(tmp_path):
    assert "does not exist" in bad_input(parse_file, tmp_path / "nope.txt")
    assert "folder" in bad_input(parse_file, tmp_path)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    message = bad_input(parse_file, tmp_path / "notes.pdf")
    assert "'.pdf'" in message and all(suffix in message for suffix in SUPPORTED_SUFFIXES)
    (tmp_path / "TEC").write_text("CC: hi")
    assert "no suffix" in bad_input(parse_file, tmp_path / "TEC")
    assert "cannot parse text as 'docx'" in bad_input(parse_text, "Dan: hi", "docx")


def test_suffix_is_case_insensitive(tmp_path):
    path = tmp_path / "INTERVIEW.TXT"
    path.write_text("Dan: hi\n\nAnna: yo")
    assert parse_file(path).format == "txt"


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_BYTES + 1)
    assert "over the 50 MB import limit" in bad_input(parse_file, path)
    assert "over the 50 MB" in bad_input(decode_bytes, b"x" * (MAX_BYTES + 1), "big.txt")


def test_not_a_docx(tmp_path):
    path = tmp_path / "transcript.docx"
    path.write_text("Dan: this is plain text with a .docx name")
    assert "is not a valid .docx file" in bad_input(parse_file, path)


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("bad.vtt", b"Dan: no header here\n", "not a valid WebVTT file"),
        ("bad.vtt", b"WEBVTT\n\n00:00:xx.000 --> 00:00:02.000\nhi\n", "WebVTT"),
        ("empty.vtt", b"WEBVTT\n\nNOTE nothing here\n", "no captions"),
        ("bad.srt", b"this is not\na subtitle file\n", "not a valid SubRip (SRT) file"),
        ("blank-cues.srt", b"1\n00:00:01,000 --> 00:00:02,000\n<i> </i>\n", "no captions"),
    ],
)
def test_bad_captions(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    assert expected in bad_input(parse_file, path)


# --- captions ----------------------------------------------------------------------------------


def test_vtt_voices_inline_labels_and_entities():
    doc = parse_file(FIXTURES / "voices.vtt")
    assert summary(doc) == [
        ("Ana Lima", "Hello and welcome to the Q&A hour. Today we talk about rain."),
        ("Ben", "Thanks, Ana. Glad to be here. It rained all week."),
        ("Ana Lima", "<laughs> Indeed."),
    ]
    assert [(t.time_start, t.time_end) for t in doc.turns] == [(1.0, 5.0), (5.1, 8.0), (8.1, 9.0)]
    assert doc.text.startswith("Ana Lima: Hello and welcome") and "-->" not in doc.text
    assert doc.format == "vtt"


def test_srt_matches_vtt_and_survives_bom_crlf(tmp_path):
    vtt = parse_file(FIXTURES / "voices.vtt")
    srt_doc = parse_file(FIXTURES / "inline.srt")
    assert summary(srt_doc) == summary(vtt) and srt_doc.format == "srt"
    path = tmp_path / "windows.srt"
    path.write_bytes(codecs.BOM_UTF8 + (FIXTURES / "inline.srt").read_bytes().replace(b"\n", b"\r\n"))
    assert parse_file(path) == srt_doc


def test_caption_label_alone_applies_to_next_cue():
    doc = parse_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n\n00:00:02.000 --> 00:00:03.000\nBen:\n\n"
                     "00:00:03.000 --> 00:00:04.000\nyes\n", "vtt")
    assert summary(doc) == [("", "hi"), ("Ben", "yes")]


# --- docx --------------------------------------------------------------------------------------


def test_docx_bold_runs_heading_italic_and_tables(tmp_path):
    document = docx.Document()
    document.add_heading("Interview 7", level=1)
    stage = document.add_paragraph()
    stage.add_run("(The recording starts)").italic = True
    turn = document.add_paragraph()
    turn.add_run("Ms Hands:").bold = True
    turn.add_run(" Good morning.")
    turn = document.add_paragraph()
    turn.add_run("The Witness").bold = True
    turn.add_run(": Morning.")
    document.add_paragraph("It is good to be here.")
    document.add_paragraph("")
    document.add_table(rows=1, cols=2)
    path = tmp_path / "interview.docx"
    document.save(path)
    doc = parse_file(path)
    assert doc.text.startswith("Interview 7\n\n(The recording starts)\n\nMs Hands: Good morning.")
    assert summary(doc) == [("Ms Hands", "Good morning."), ("The Witness", "Morning.\n\nIt is good to be here.")]
    assert doc.format == "docx" and "table" in doc.warnings[0]


def test_docx_tab_labels(tmp_path):
    document = docx.Document()
    document.add_heading("Interview", level=1)
    for line in ("Dan:\tFirst question?", "Participant:\tAn answer.", "Dan:\t[00:01:05] And a timed one."):
        document.add_paragraph(line)
    path = tmp_path / "tabs.DOCX"
    document.save(path)
    doc = parse_file(path)
    assert summary(doc) == [("Dan", "First question?"), ("Participant", "An answer."), ("Dan", "And a timed one.")]
    assert doc.turns[2].time_start == 65.0


def test_docx_that_is_another_zip_or_a_bomb(tmp_path, monkeypatch):
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "Dan: hi")
    assert "is not a valid .docx file" in bad_input(parse_file, path)
    path = tmp_path / "real.docx"
    docx.Document().save(path)
    monkeypatch.setattr(importers_docx, "MAX_UNPACKED_BYTES", 1000)
    assert "unpacks to more than" in bad_input(parse_file, path)


def test_docx_without_text(tmp_path):
    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    assert "holds no text" in bad_input(parse_file, path)


# --- robustness --------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["Dan: ", "**Ana**: ", "**Bo:** ", "[Cy] ", "[00:01:02] ", "\\[04:06\\] ", "_page : 3", "# H", "----",
     "*(pause)*", "\n", "\n\n", "\r\n", " ", "\t", "word", "é", "👍🏽", "\x1b[1m", ":", "*", "[", "\ufeff"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_any_text_parses_or_is_refused_cleanly(fmt, text):
    try:
        doc = parse_text(text, fmt)
    except BadInput as err:
        assert "\n" not in str(err)
        return
    assert "\r" not in doc.text
    assert_well_formed(doc)


# --- shared corpus -----------------------------------------------------------------------------

PDPILOT_COUNTS = {
    "P1": {"Dan": 47, "Participant": 47},
    "P2": {"Dan": 81, "Participant": 84},
    "P3": {"Dan": 61, "Participant": 60},
    "P4": {"Dan": 54, "Participant": 55},
    "P5": {"Dan": 67, "Participant": 66, "Particpant": 1},
    "P6": {"Dan": 50, "Participant": 49},
    "P7": {"Dan": 52, "Participant": 52},
}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(PDPILOT_COUNTS))
def test_pdpilot_turn_counts(name):
    doc = parse_file(corpus_path("pdpilot-interviews", f"{name}.txt"))
    assert collections.Counter(t.speaker for t in doc.turns) == PDPILOT_COUNTS[name]
    assert doc.text.startswith("Interview\n") and doc.turns[0].start > len("Interview")
    assert_well_formed(doc)


COVID_FILES = [
    "m6-2025-07-01_Jane-Wier-Wierzbowska.txt",
    "m6-2025-07-01_Helen-Hough.txt",
    "m6-2025-07-08_Julie-Parkinson.txt",
    "m6-2025-07-14_Helena-Herklots.txt",
    "module-6_2025-07-01.rst",
]


@pytest.mark.corpus
@pytest.mark.parametrize("name", COVID_FILES)
def test_covid_inquiry_bold_labels(name):
    path = corpus_path("uk-covid-inquiry", name)
    doc = parse_file(path)
    labels = re.findall(r"^\*\*([^*]+)\*\*:", doc.text, re.M)
    assert [t.speaker for t in doc.turns] == labels
    for match in re.finditer(r"^(\*\(.*\)\*|\*[A-Z].*\.\*|[-^]{3,})$", doc.text, re.M):
        assert not any(t.start <= match.start() < t.end for t in doc.turns), match.group()
    assert_well_formed(doc)


@pytest.mark.corpus
def test_covid_inquiry_converter_artefact_speaker():
    doc = parse_file(corpus_path("uk-covid-inquiry", "m6-2025-07-14_Helena-Herklots.txt"))
    assert collections.Counter(t.speaker for t in doc.turns)["Inq000171725"] == 11


@pytest.mark.corpus
def test_changelog_timestamps():
    doc = parse_file(corpus_path("changelog-podcast", "brain-science-1.md"))
    assert {t.speaker for t in doc.turns} == {"Adam Stacoviak", "Mireille B. Reece, Psy.D"}
    first = next(t for t in doc.turns if t.time_start is not None)
    assert first.time_start == 246.0 and first.speaker == "Mireille B. Reece, Psy.D"
    assert doc.text[first.start :].startswith("And we don't always get to pick")
    assert doc.text[first.start - 10 : first.start] == "\\[04:06\\] "
    for turn in doc.turns:
        assert not re.match(r"\\\[\d", doc.text[turn.start : turn.end])
    founders = parse_file(corpus_path("changelog-podcast", "founders-talk-63.md"))
    assert {t.speaker for t in founders.turns} == {"Adam Stacoviak", "Austen Allred"}  # **Break:** has no words
    panel = parse_file(corpus_path("changelog-podcast", "js-party-200.md"))
    assert len({t.speaker for t in panel.turns}) == 26 and "Horse JS" in {t.speaker for t in panel.turns}


@pytest.mark.corpus
def test_vtt_and_srt_of_one_podcast_agree():
    vtt_path = corpus_path("podcast-namespace-subtitles", "example.vtt")
    assert vtt_path.read_bytes().startswith(codecs.BOM_UTF8) and b"\r\n" in vtt_path.read_bytes()
    vtt = parse_file(vtt_path)
    srt_doc = parse_file(corpus_path("podcast-namespace-subtitles", "example.srt"))
    assert [t.speaker for t in vtt.turns] == [t.speaker for t in srt_doc.turns]
    assert [t.speaker for t in vtt.turns][:4] == ["Travis", "Sarah", "Travis", "Gilon"]

    def words(doc: ParsedDocument) -> list[str]:
        return [w for t in doc.turns for w in doc.text[t.start : t.end].split()]

    assert words(vtt) == words(srt_doc) and len(words(vtt)) == 2492
    assert vtt.turns[0].time_start == pytest.approx(0.179)
    short = parse_file(corpus_path("podcast-namespace-subtitles", "example-2025.vtt"))
    assert [t.speaker for t in short.turns] == ["Sarah", "Gillian"]
    assert "Podcasting Q&A" in short.text and "&amp;" not in short.text


@pytest.mark.corpus
def test_docx_derived_files():
    p3 = parse_file(corpus_path("docx-derived", "pdpilot-P3.docx"))
    assert collections.Counter(t.speaker for t in p3.turns) == PDPILOT_COUNTS["P3"]
    covid_docx = parse_file(corpus_path("docx-derived", "covid-m6-2025-07-08_Julie-Parkinson.docx"))
    covid_txt = parse_file(corpus_path("uk-covid-inquiry", "m6-2025-07-08_Julie-Parkinson.txt"))
    assert [t.speaker for t in covid_docx.turns] == [t.speaker for t in covid_txt.turns]
    assert [content(covid_docx, i).split() for i in range(3)] == [
        content(covid_txt, i).split() for i in range(3)
    ]


def _spacelog(*parts: str) -> ParsedDocument:
    path = corpus_path("nasa-spacelog", *parts)
    return parse_text(decode_bytes(path.read_bytes(), path.name))


@pytest.mark.corpus
def test_spacelog_transcripts():
    a11 = _spacelog("a11", "TEC")
    speakers = collections.Counter(t.speaker for t in a11.turns)
    assert {"CDR", "CC", "CMP", "LMP", "CDR (TRANQ)"} <= set(speakers)
    assert a11.turns[0].speaker == "CDR" and a11.turns[0].time_start == 4.0
    assert content(a11, 0) == "Roger. Clock."
    assert not any(s.startswith("_") or s in {"page", "tape"} for s in speakers)
    assert a11.text.count("\n_page") > 0 and "_page : 3\n_tape" in a11.text
    corpus_bytes = corpus_path("nasa-spacelog", "mr4", "ATG").read_bytes()
    assert b"\r\n" in corpus_bytes
    mr4 = _spacelog("mr4", "ATG")
    assert "\r" not in mr4.text
    assert {"BELL 7", "HUNTCLUB 1", "CARDFILE 9"} <= {t.speaker for t in mr4.turns}
    assert _spacelog("a13", "TEC").turns[0].time_start == -10.0


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        p for p in CORPUS.rglob("*")
        if p.suffix.lower() in SUPPORTED_SUFFIXES and "uk-covid-inquiry-large" not in p.parts
    )


@pytest.mark.corpus
@pytest.mark.parametrize("path", _corpus_files() or [None], ids=lambda p: str(p.relative_to(CORPUS)) if p else "none")
def test_every_corpus_file_imports(path):
    if path is None:
        corpus_path()
    doc = parse_file(path)
    assert doc.turns
    assert_well_formed(doc)


@pytest.mark.corpus
def test_every_spacelog_file_imports():
    for path in sorted(corpus_path("nasa-spacelog").glob("*/*")):
        doc = parse_text(decode_bytes(path.read_bytes(), path.name))
        assert len(doc.turns) > 50, path
        assert_well_formed(doc)


@pytest.mark.corpus
def test_large_corpus_parses_fast_and_finds_every_turn(capsys):
    paths = sorted(corpus_path("uk-covid-inquiry-large").rglob("*.rst"))
    assert len(paths) == 65
    began = time.process_time()  # CPU time: a busy machine (CI, helpers) does not make it fail
    docs = [parse_file(path) for path in paths]
    elapsed = time.process_time() - began
    with capsys.disabled():
        print(f"\nparsed 65 files of uk-covid-inquiry-large in {elapsed:.2f} s of CPU")
    assert elapsed < 5.0
    assert sum(len(d.turns) for d in docs) == 42738
    for doc in docs:
        assert_well_formed(doc)
