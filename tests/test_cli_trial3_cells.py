"""Tables on the command line are measured in terminal cells, not characters: a CJK code
name, an emoji or a letter with a combining accent neither breaks the alignment nor runs
a line past COLUMNS, and cutting with … never splits a grapheme (tui/cells.py)."""

from __future__ import annotations

import regex
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from store.importers import parse_text
from store.project import Project
from tui.cli import cli
from tui.commands.analysis_options import aligned
from tui.cells import cut, fit_path, ljust, width

CJK = "信任 > 边界感很重要的长名字"
EMOJI = "🧑\u200d⚕️ Health worker 👍🏽"  # a ZWJ sequence and a skin tone: two cells each
ACCENTS = "Émotion > Cafe\u0301 combining"  # the accent is a character of no width
TEXT = "Interviewer: 你好，请介绍一下你自己。\n\nParticipant: 我是护士 🧑\u200d⚕️，在病房工作了十年，信任很重要。\n"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A project whose code names, document name and text are wide or combining."""
    folder = tmp_path_factory.mktemp("cells") / "p"
    with Project.init(folder, coder="ana") as project:
        document = project.documents.import_parsed(parse_text(TEXT, "txt"), "访谈 P1 护士", {"case": "P1", "职业": "护士"}).document
        for path in (CJK, EMOJI, ACCENTS, "Plain > Trust"):
            code = project.codebook.ensure(path)
            start = TEXT.index("我是")
            project.codings.apply(document, code, start, start + 10)
    return folder


def _run(folder, *args, columns: int) -> str:
    done = CliRunner().invoke(cli, ["-p", str(folder), *args], env={"COLUMNS": str(columns)}, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.stdout


COMMANDS = [
    ("stats", "codes"),
    ("stats", "codes", "--by", "attr.职业"),
    ("stats", "cooccur"),
    ("stats", "matrix", "--cols", "document", "--wide"),
    ("stats", "matrix", "--cols", "attr.职业"),
    ("stats", "rounds", "--case", "case", "--by", "职业"),
    ("find", f'"{CJK}" OR "{EMOJI}"'),
]


@pytest.mark.parametrize("columns", [40, 80, 200])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_line_runs_past_the_terminal_in_cells(study, args, columns):
    lines = _run(study, *args, columns=columns).splitlines()
    assert lines and all(cell_len(line) <= columns for line in lines)


@pytest.mark.parametrize("args", [("stats", "codes"), ("stats", "matrix", "--cols", "document", "--wide")], ids=" ".join)
def test_a_right_aligned_column_ends_in_the_same_cell_on_every_line(study, args):
    """The named bug: tables padded by characters, so the 信任 > … row ended early."""
    lines = _run(study, *args, columns=200).splitlines()[1:]  # after the title
    assert len(lines) == 8 and len({cell_len(line) for line in lines}) == 1, lines  # the header and 7 codes


def test_margin_docs_lines_up_a_wide_document_name(study):
    header, row = _run(study, "docs", columns=200).splitlines()
    assert cell_len(regex.match(r"^.*?codings", header)[0]) == cell_len(regex.match(r"^.*?  +\d+  +\d+  +\d+", row)[0])


def test_a_wide_code_path_is_cut_in_cells_keeping_the_code(study):
    text = _run(study, "stats", "codes", columns=40)
    assert all(cell_len(line) <= 40 for line in text.splitlines())
    assert "边界感很重要的长名字" in text or "… > 边界" in text


ALPHABET = st.sampled_from(["a", "B", " ", ">", "信", "任", "😀", "👍🏽", "🧑\u200d⚕️", "e\u0301", "ß", "1", "é"])
TEXTS = st.lists(ALPHABET, max_size=14).map("".join)


def _graphemes(text: str) -> list[str]:
    return regex.findall(r"\X", text)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, cells=st.integers(0, 30))
def test_cut_and_fit_path_stay_within_their_cells_and_keep_whole_graphemes(text, cells):
    for fitted in (cut(text, cells), fit_path(text, cells)):
        assert width(fitted) <= cells
        if width(text) <= cells:
            assert fitted == text
    short = cut(text, cells)
    if short != text and short:
        assert short.endswith("…") and text.startswith(short[:-1])
        assert _graphemes(text)[: len(_graphemes(short[:-1]))] == _graphemes(short[:-1])  # no grapheme split
    assert width(ljust(text, cells)) == max(cells, width(text))


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(TEXTS.filter(bool), TEXTS, st.integers(0, 10**6)), min_size=1, max_size=6),
    columns=st.sampled_from([12, 40, 80, 200]),
)
def test_every_aligned_table_fits_and_lines_up_in_cells(rows, columns):
    """Any table, any width: no line wider than the terminal; as a table (not a row at a
    time), the right-aligned last column ends in the same cell on every line."""
    lines = aligned(["code_path", "group", "codings"], [list(r) for r in rows], columns).splitlines()
    assert all(width(line) <= columns for line in lines)
    if lines[0].endswith("codings"):  # a table, not a row at a time
        assert len({width(line) for line in lines}) == 1, lines


def test_find_at_40_columns_gives_the_text_a_line_of_its_own(study):
    """Found in the trial: at COLUMNS=40 `margin find` fell back to a row at a time but
    with the text already cut for the table, three letters and … ("Oka…")."""
    lines = _run(study, "find", f'"{CJK}"', columns=40).splitlines()
    assert "text       我是护士 🧑\u200d⚕️，" in lines, lines  # the whole passage, not "我…"
    assert f"code_path  {CJK}" in lines  # the path whole: it fits the line
