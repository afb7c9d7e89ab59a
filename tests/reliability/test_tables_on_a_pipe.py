"""Tables meant for reading carry no raw control character, on a pipe as on a terminal
(`margin stats codes --by attr.site | less -R` obeys what reaches it). A participants
sheet from someone else set attribute values holding escape sequences; before, the stats
tables printed them raw in their cells and titles (a trial: `stats codes --by attr.site`,
`stats rounds --by site`, `stats matrix --cols attr.key`, the title of `--attr`). The
program formats (--csv, --json, export) keep the values exactly."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from store.text import shows
from tui.cli import cli

EVIL = "North\x1b]0;PWNED\x07\x1b[31m\x9b2J"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "project"
    run = CliRunner()
    assert run.invoke(cli, ["demo", "--no-open", str(folder)]).exit_code == 0
    sheet = folder.parent / "sheet.csv"
    sheet.write_text("document,site,key\n" + "".join(f'{d},"{EVIL}","v{EVIL}"\n' for d in _documents(folder)), encoding="utf-8")
    result = run.invoke(cli, ["-p", str(folder), "attrs", "import", str(sheet)])
    assert result.exit_code == 0, result.output
    return folder


def _documents(folder) -> list[str]:
    result = CliRunner().invoke(cli, ["-p", str(folder), "docs", "--json"])
    return [d["name"] for d in json.loads(result.output)]


READING = {
    "stats codes --by attr.site": ["stats", "codes", "--by", "attr.site"],
    "stats codes --attr (title)": ["stats", "codes", "--attr", f"site={EVIL}"],
    "stats rounds --by site": ["stats", "rounds", "--case", "key", "--by", "site"],
    "stats matrix --cols attr.key": ["stats", "matrix", "--cols", "attr.key"],
    "stats matrix --wide": ["stats", "matrix", "--cols", "attr.site", "--wide"],
    "stats cooccur --attr": ["stats", "cooccur", "--attr", f"site={EVIL}"],
    "find --attr": ["find", "Trust OR Supervision", "--attr", f"site={EVIL}"],
    "attrs": ["attrs"],
    "docs": ["docs"],
}


@pytest.mark.parametrize("label", READING)
def test_a_table_for_reading_holds_no_raw_control_character(hostile, label):
    result = CliRunner().invoke(cli, ["-p", str(hostile), *READING[label]])
    assert result.exit_code == 0, result.output
    raw = sorted({f"U+{ord(c):04X}" for c in result.output if not shows(c) and c not in "\n"})
    assert raw == [], (raw, result.output[:400])


def test_the_program_formats_keep_the_value_exactly(hostile):
    result = CliRunner().invoke(cli, ["-p", str(hostile), "stats", "codes", "--by", "attr.site", "--json"])
    assert result.exit_code == 0
    assert any(row["group"] == EVIL for row in json.loads(result.output))
