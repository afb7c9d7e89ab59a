"""An empty or blank name on the command line names nothing: exit 2, one line, nothing
read or written (before, `--coder ""` from an unset shell variable meant no filter, and
`export csv` wrote every coder's codings). Every parameter of every command that names
something (tui/cli.py NAMES) is tried, found by walking the command tree, so a new
command's name parameter is checked without a new row here."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from tests.conftest import folder_digest
from tui.cli import NAMES, cli


def _commands():
    cli.commands.load()
    found = []

    def walk(command, path):
        for sub_name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, sub_name])
        for param in command.params:
            if param.name in NAMES and isinstance(param.type, click.types.StringParamType):
                found.append((path, param.name))

    walk(cli, [])
    return found


CASES = _commands()


def invocation(path: list[str], name: str, blank: str) -> list[str]:
    """`margin PATH ...` with the parameter `name` given as `blank`, every other required
    argument as a plausible word."""
    command = cli
    for part in path:
        command = command.commands[part]
    group_args = ["--coder", blank] if not path else []
    args: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument):
            count = 1 if param.nargs in (1, -1) else param.nargs
            if param.name == name:
                args += [blank] * count
            elif param.required:
                args += ["x"] * count
        elif param.name == name:
            args += [param.opts[0], blank] if not param.is_flag else []
        elif param.required:
            args += [param.opts[0], "x"]
    return group_args if not path else [*path, *args]


def test_every_command_with_a_name_is_tried():
    assert len(CASES) >= 60 and {name for _, name in CASES} >= {"code", "coder", "coder_name", "documents", "text"}


@pytest.mark.parametrize("blank", ["", "   "])
@pytest.mark.parametrize("path, name", CASES, ids=[" ".join([*p, n]) for p, n in CASES])
def test_an_empty_name_is_refused_on_one_line(demo_folder, path, name, blank):
    before = folder_digest(demo_folder)
    result = CliRunner().invoke(cli, ["-p", str(demo_folder), *invocation(path, name, blank)])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("Error:") and "needs " in lines[0], result.output
    assert "Traceback" not in result.output
    assert folder_digest(demo_folder) == before
