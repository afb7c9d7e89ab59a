"""Every filter of every command ("Only this code", "Only this document", ...) given a name
the project lacks is bad input, as a malformed filter is: one line that names what the
project does have, exit 2, no traceback, the project's files exactly as they were.

Found in a trial: `export csv --code Nope` exited 1 where `stats codes --code Nope` exited
2, and `apply --speaker`, `uncode --code` and `speakers rename --document` exited 1 too. The
table is built from the commands themselves, so a new filtering option fails here until it
has a value below (and behaves as the others do).
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from tests.conftest import folder_digest
from tests.test_cli_usage_errors import COMMANDS
from tui.cli import cli

DOCUMENT = "P01 nurse, round 1"

# A name the demo project lacks, for each filtering option.
MISSING = {
    "--code": "No such code",
    "--doc": "No such document",
    "--document": "No such document",
    "--coder": "nobody-at-all",
    "--attr": "nosuchkey=1",
    "--speaker": "Nobody at all",
    "--not-speaker": "Nobody at all",
    "--turn": "9999",
}
# "Only" options that take no name: a span is checked by what it finds (exit 1 when no
# coding fits, as grep does), a flag has no value.
NOT_NAMES = {"--span"}

# The positional arguments each command needs beside the filter.
ARGUMENTS = {
    ("apply",): [DOCUMENT, "Trust"],
    ("uncode",): [DOCUMENT],
    ("speakers", "rename"): ["Aisha", "Ash"],
    ("find",): ["Trust"],
    ("stats", "rounds"): ["--case", "case", "--by", "round"],
}


def _filters():
    for path, command in COMMANDS:
        if isinstance(command, click.Group):
            continue
        for option in command.params:
            if not isinstance(option, click.Option) or option.is_flag:
                continue
            if (option.help or "").startswith(("Only", "Leave out")) and option.opts[0] not in NOT_NAMES:
                yield path, option.opts[0]


FILTERS = list(_filters())


def test_the_table_knows_every_filter():
    assert {option for _, option in FILTERS} <= set(MISSING), "give the new filter a missing name in MISSING"
    assert ("export", "csv") in [path for path, _ in FILTERS]


@pytest.mark.parametrize(("path", "option"), FILTERS, ids=lambda x: " ".join(x) if isinstance(x, tuple) else x)
def test_a_filter_naming_what_the_project_lacks_is_bad_input(demo_folder, path, option):
    before = folder_digest(demo_folder)
    args = ["-p", str(demo_folder), *path, *ARGUMENTS.get(path, []), option, MISSING[option]]
    result = CliRunner().invoke(cli, args, prog_name="margin")
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    assert folder_digest(demo_folder) == before
