"""Every usage error of every command is one line that says where the help is, exit 2:
an unknown option, an unknown command, a value outside an option's choices, a missing
argument (click's own four lines, usage, hint, blank and error, are not shown)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from tui.cli import cli


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


COMMANDS = list(_commands(cli))


def _run(args):
    return CliRunner().invoke(cli, args, prog_name="margin")


def _one_line_error(result, where: str) -> None:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert f"`{where} --help`" in lines[0] or "`margin --help`" in lines[0], lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_an_unknown_option_is_one_line(tmp_path, path):
    result = _run(["-p", str(tmp_path), *path, "--no-such-option"])
    _one_line_error(result, " ".join(("margin", *path)))


CHOICES = [
    (path, option)
    for path, command in COMMANDS
    for option in command.params
    if isinstance(option, click.Option) and isinstance(option.type, click.Choice) and option.opts[0].startswith("--")
]


@pytest.mark.parametrize(("path", "option"), CHOICES, ids=lambda x: " ".join(x) if isinstance(x, tuple) else x.opts[0])
def test_a_value_outside_the_choices_is_one_line(tmp_path, path, option):
    result = _run(["-p", str(tmp_path), *path, option.opts[0], "no-such-choice"])
    _one_line_error(result, " ".join(("margin", *path)))


def test_an_unknown_command_and_a_missing_argument_are_one_line(tmp_path):
    _one_line_error(_run(["-p", str(tmp_path), "no-such-command"]), "margin")
    _one_line_error(_run(["-p", str(tmp_path), "memo", "add"]), "margin memo add")
    _one_line_error(_run(["--no-such-option"]), "margin")


def test_asking_for_nothing_still_shows_the_help():
    result = _run([])
    assert "Usage: margin" in result.output and "Commands:" in result.output
