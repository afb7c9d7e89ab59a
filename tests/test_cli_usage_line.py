"""A usage mistake is one line that ends its sentence before pointing at the help (a trial:
"Got unexpected extra argument (Nope) See `margin docs --help`." had no full stop)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tui.cli import cli

MISTAKES = {
    "an extra argument": ["docs", "Nope"],
    "an unknown option": ["docs", "--nope"],
    "a missing argument": ["show"],
    "a value not among the choices": ["stats", "cooccur", "--within", "nowhere"],
    "an option without its value": ["export", "csv", "-o"],
    "an unknown command": ["nope"],
    "--list with a backup": ["restore", "--list", "Nope"],
}


@pytest.mark.parametrize("args", list(MISTAKES.values()), ids=list(MISTAKES))
def test_a_usage_mistake_is_one_sentence_then_the_help(demo_folder, args):
    result = CliRunner().invoke(cli, ["-p", str(demo_folder), *args])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("Error: "), result.output
    said, _, help_part = lines[0].partition(" See `")
    assert said.rstrip()[-1] in ".:!?" or not help_part, lines[0]
    assert ".." not in lines[0]


@pytest.mark.parametrize("made, says", [(False, "no such folder"), (True, "no project.json")])
def test_a_folder_that_is_no_project_says_why(tmp_path, made, says):
    """Before, it advised "or pass -p DIR" when -p DIR was what had been given."""
    folder = tmp_path / "study"
    if made:
        folder.mkdir()
    result = CliRunner().invoke(cli, ["-p", str(folder), "docs"])
    assert result.exit_code == 1 and says in result.output and "pass -p" not in result.output, result.output
