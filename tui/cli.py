"""The `margin` command line.

Every command acts on the project in the current folder, or the one given by
`-p/--project DIR` or the MARGIN_PROJECT environment variable. Errors a user can cause
print one line, `Error: ...`, and exit 1 (refused) or 2 (bad input), never a traceback.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from pathlib import Path

import click
import click.parser
from click.core import ParameterSource
from click.exceptions import NoArgsIsHelpError, NoSuchOption

from store.errors import MarginError, advice_for, reason_of
from tui.context import Settings, error_line, report_error

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
# Which modules make (or add subcommands to) each command, so that a command line imports
# only its own: importing all twelve cost about a third of `margin docs`. A name missing
# here still works (every module is then loaded); tests/test_cli_lazy.py checks the table.
COMMAND_HOMES = {
    **dict.fromkeys(("attrs", "docs", "import", "init", "log", "redo", "show", "undo"), ("project_commands",)),
    **dict.fromkeys(("apply", "uncode"), ("coding_commands",)),
    "codes": ("coding_commands", "refi_commands"),
    "export": ("export_commands", "refi_commands"),
    "speakers": ("speaker_commands",),
    "memo": ("memo_commands",),
    "find": ("find_commands",),
    "restore": ("restore_commands",),
    **dict.fromkeys(("demo", "keys", "open"), ("app_commands",)),
    "stats": ("stats_commands",),
    **dict.fromkeys(("agreement", "conflicts", "merge", "sync", "git-setup", "merge-file"), ("team_commands",)),
    **dict.fromkeys(("exemplar", "pseudonyms", "report"), ("report_commands",)),
}
# A module that adds to another's commands needs that one registered first.
NEEDS = {"refi_commands": ("export_commands", "coding_commands")}


class LazyCommands(dict):
    """The group's commands, each module registered when one of its commands is first
    looked up (all of them when the whole list is asked for, as --help does)."""

    def __init__(self, group: click.Group):
        super().__init__()
        self.group = group
        self.registered: set[str] = set()

    def load(self, name: str | None = None) -> None:
        homes = COMMAND_HOMES.get(name) if name is not None else None
        for module in homes or [m.rpartition(".")[2] for m in COMMAND_MODULES]:
            self._register(module)

    def _register(self, module: str) -> None:
        if module in self.registered:
            return
        self.registered.add(module)
        for need in NEEDS.get(module, ()):
            self._register(need)
        importlib.import_module(f"tui.commands.{module}").register(self.group)
        for command in dict.values(self):  # again for those a module added subcommands to
            adopt(command)

    def __getitem__(self, name):
        if name not in self:
            raise KeyError(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        return self[name] if name in self else default

    def __contains__(self, name) -> bool:
        if not dict.__contains__(self, name):
            self.load(name)  # its modules; every module for a name the table lacks
        if not dict.__contains__(self, name) and name in COMMAND_HOMES:
            self.load()  # the table is out of date: the command is still found
        return dict.__contains__(self, name)

    def __iter__(self):
        self.load()
        return super().__iter__()

    def __len__(self) -> int:
        self.load()
        return super().__len__()

    def keys(self):
        self.load()
        return super().keys()

    def values(self):
        self.load()
        return super().values()

    def items(self):
        self.load()
        return super().items()


def one_line_usage(error: click.UsageError) -> click.UsageError:
    """Click's usage error (an unknown option, command or value) as one line that says
    where the help is, instead of click's usage, hint and error on four."""
    if isinstance(error, NoArgsIsHelpError):
        return error  # the help itself, asked for by giving nothing
    where = error.ctx.command_path if error.ctx else "margin"
    said = error.format_message().rstrip()
    said += "" if said.endswith((".", "!", "?", ":")) else "."  # click ends some with a full stop, not all
    plain = click.UsageError(f"{error_line(said)} See `{where} --help`.")
    plain.exit_code = error.exit_code
    return plain


class QuickShortOptions(getattr(click.parser, "_OptionParser", None) or click.parser.OptionParser):
    """Click's parser, except that a short option (`-p DIR`) no longer fails as a long one
    first with a translated message and close matches (difflib, gettext's search for a
    catalogue and locale: about a tenth of `margin -p DIR docs`): click drops that error
    and reads the option as a short one, as it still does here."""

    def _match_long_opt(self, opt, explicit_value, state) -> None:
        if opt not in self._long_opt and opt[:2] not in self._opt_prefixes:
            raise NoSuchOption(opt, message=opt, ctx=self.ctx)  # caught by click, never shown
        super()._match_long_opt(opt, explicit_value, state)


def quick_parser(command: click.Command, ctx: click.Context):
    """`command.make_parser`, with QuickShortOptions for click's parser."""
    parser = QuickShortOptions(ctx)
    for param in command.get_params(ctx):
        param.add_to_parser(parser, ctx)
    return parser


def adopt(command: click.Command) -> None:
    """Give a command, and each of a group's subcommands, QuickShortOptions (`export qdpx
    -o FILE` has a short option too) and names that cannot be empty."""
    command.make_parser = functools.partial(quick_parser, command)
    refuse_empty_names(command)
    for sub in getattr(command, "commands", {}).values():
        adopt(sub)


# The parameters that name something the project holds (or will: a new name), and memo
# text. An empty or blank value names nothing: before, `--coder ""` (a shell variable
# unset) meant no filter at all, and `export csv` wrote every coder's codings.
NAMES = frozenset({
    "backup", "by_key", "case", "case_attribute", "case_key", "code", "coder", "coder_name", "coders",
    "coding", "coding_id", "document", "documents", "memo_id", "name", "new", "new_name", "not_speakers",
    "old", "parent", "path", "pseudonym", "real", "source", "speakers", "target", "keymap_name", "text",
})  # fmt: skip


def refuse_empty_names(command: click.Command) -> None:
    for param in command.params:
        if param.name in NAMES and isinstance(param.type, click.types.StringParamType) and not getattr(param, "_names_checked", False):
            param.callback, param._names_checked = functools.partial(_not_empty, param.callback), True


def _not_empty(then, ctx: click.Context, param: click.Parameter, value):
    given = value if isinstance(value, tuple) else (value,)
    if any(isinstance(v, str) and not v.strip() for v in given):
        what = "text: a memo says something" if param.name == "text" else "a name: an empty one names nothing"
        raise click.BadParameter(f"needs {what}.", ctx=ctx, param=param)
    return then(ctx, param, value) if then is not None else value


class MarginGroup(click.Group):
    """Shows user errors as one line; `margin DIR` opens the app on DIR."""

    def make_parser(self, ctx: click.Context):
        return quick_parser(self, ctx)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise one_line_usage(error) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise one_line_usage(error) from None
        except MarginError as error:
            report_error(error)
        except BrokenPipeError:
            quiet_broken_pipe()
        except OSError as error:  # one that no command turned into a MarginError
            click.echo(f"Error: {error_line(os_error_line(error))}", err=True)
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


cli.commands = LazyCommands(cli)
refuse_empty_names(cli)


def os_error_line(error: OSError) -> str:
    """The one line for an operating system error no command expected: the error, the
    file it names, and what to do (the advice of store/errors.py's `save_failed`)."""
    where = f" ({error.filename})" if error.filename else ""
    return f"{reason_of(error)}{where}: {advice_for(error)}"


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
