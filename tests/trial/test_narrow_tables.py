"""Every terminal table fits the terminal, however narrow: at COLUMNS=40 `stats codes`
was 51 columns and `stats cooccur` 70 (numbers are never cut); a table that cannot fit
even cut is shown a row at a time, one `column  value` line per cell."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.analysis.conftest import build_small
from tui.cli import cli
from tui.commands.analysis_options import aligned

COMMANDS = [
    ["stats", "codes"],
    ["stats", "codes", "--by", "attr.group", "--rollup"],
    ["stats", "cooccur", "--within", "document"],
    ["stats", "matrix", "--cols", "document", "--wide"],
    ["stats", "matrix", "--cols", "coder", "--count", "words"],
    ["stats", "rounds", "--case", "case", "--by", "round"],
    ["find", "Care OR Role"],
    ["agreement", "--coders", "alice,bob"],
    ["agreement", "--coders", "alice,bob", "--list"],
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("narrow") / "small"
    build_small(folder).project.close()
    return folder


@pytest.mark.parametrize("width", [30, 40, 60])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_table_fits_a_narrow_terminal(folder, command, width):
    result = CliRunner().invoke(cli, ["-p", str(folder), *command], env={"COLUMNS": str(width), "MARGIN_CODER": None}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) > 1
    assert [line for line in lines[1:] if len(line) > width] == []  # the title line aside


def test_a_row_at_a_time_keeps_every_cell():
    text = aligned(["code_path", "codings", "share"], [["Care > Trust", 5, 0.25], ["Role", 2, 0.5]], 12, "Codes")
    assert text.splitlines() == [
        "Codes", "code…  …rust", "codi…  5", "share  0.25", "", "code…  Role", "codi…  2", "share  0.5",
    ]  # fmt: skip  (at 12 columns the labels take at most half)
    text = aligned(["code_path", "codings", "share"], [["Care > Trust", 5, 0.25]], 24)  # the table needs 25
    assert text.splitlines() == ["code_path  Care > Trust", "codings    5", "share      0.25"]


cells = st.one_of(st.integers(-10**6, 10**7), st.floats(0, 1), st.text("abc XY>…é", max_size=30), st.none())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text("abcdefgh_", min_size=1, max_size=14), min_size=1, max_size=8, unique=True), st.data(), st.integers(8, 160))
def test_aligned_lines_never_pass_the_width(header, data, width):
    rows = data.draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=6))
    lines = aligned(header, rows, width).splitlines()
    assert all(len(line) <= width for line in lines), (width, lines)
