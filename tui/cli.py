"""The `margin` command line.

Every command acts on the project in the current folder, or the one given by
`-p/--project DIR` or the MARGIN_PROJECT environment variable. Errors a user can cause
print one line, `Error: ...`, and exit 1 (refused) or 2 (bad input), never a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from store.errors import MarginError
from tui.context import Settings, report_error, safe

COMMAND_MODULES = (
    "tui.commands.project_commands",
    "tui.commands.coding_commands",
    "tui.commands.speaker_commands",
    "tui.commands.memo_commands",
    "tui.commands.export_commands",
    "tui.commands.find_commands",
    "tui.commands.restore_commands",
    "tui.commands.refi_commands",
    "tui.commands.app_commands",
    "tui.commands.stats_commands",
    "tui.commands.team_commands",
    "tui.commands.report_commands",
)


class MarginGroup(click.Group):
    """Shows user errors as one line; `margin DIR` opens the app on DIR."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MarginError as error:
            report_error(error)
        except BrokenPipeError:
            quiet_broken_pipe()
        except OSError as error:
            message = f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")
            click.echo(f"Error: {safe(message)}", err=True)
            ctx.exit(1)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in self.commands and Path(args[0]).is_dir() and "open" in self.commands:
            return "open", self.commands["open"], args
        return super().resolve_command(ctx, args)


@click.group(cls=MarginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-p",
    "--project",
    "project_dir",
    envvar="MARGIN_PROJECT",
    default=".",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The project folder.",
)
@click.option("--coder", envvar="MARGIN_CODER", help="Who is coding (default: the project's default coder).")
@click.version_option(package_name="margin-qda", prog_name="margin")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path, coder: str | None) -> None:
    """Margin: keyboard-only qualitative coding of interview transcripts.

    \b
    Start:  margin demo              open the demo project in the app
            margin init study        create a project in ./study
            margin -p study import interviews/*.txt --attr round=1
            margin -p study open     code in the full-screen app
            margin -p study export csv -o coded.csv
    """
    os.umask(0o077)
    if ctx.get_parameter_source("project_dir") is ParameterSource.DEFAULT:
        from store.project import find_project

        project_dir = find_project(Path.cwd())
    ctx.obj = Settings(project_dir=project_dir, coder=coder)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def quiet_broken_pipe() -> None:
    """The reader of our output went away (`margin export csv | head`): stop without a word.

    Standard output is pointed at /dev/null so the interpreter's final flush cannot fail
    again; the status is 1, as click gives for a broken pipe outside a command.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


def main() -> None:
    try:
        cli(prog_name="margin")
    except BrokenPipeError:
        quiet_broken_pipe()
