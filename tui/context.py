"""What every command shares: where the project is, who codes, and how errors are shown."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from store.errors import MarginError
from store.patterns import later
from store.text import shows
from store.text import plural  # noqa: F401 - the commands import it from here


class Settings:
    """The group's options, for every command (a plain class: a dataclass costs a command
    line about a millisecond to build)."""

    __slots__ = ("project_dir", "coder")

    def __init__(self, project_dir: Path, coder: str | None):
        self.project_dir, self.coder = project_dir, coder

    def __repr__(self) -> str:
        return f"Settings(project_dir={self.project_dir!r}, coder={self.coder!r})"


def settings(ctx: click.Context) -> Settings:
    return ctx.find_root().obj


def open_project(ctx: click.Context, readonly: bool = False):
    """Open the project for this command; it is closed (and checkpointed) when the command ends."""
    from store.project import Project

    options = settings(ctx)
    project = Project.open(options.project_dir, readonly=readonly, coder=options.coder)

    def close() -> None:
        project.close()
        for warning in project.warnings:
            click.echo(f"Warning: {safe(warning)}", err=True)

    ctx.call_on_close(close)
    return project


def emit_json(data) -> None:
    import json  # here: most commands print no JSON

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def deliver(text: str, output: Path | None) -> None:
    """Write an export to a file, or to standard output for None or '-'.

    A terminal gets the text with control characters made visible (a transcript may hold
    escape sequences); a pipe or a file gets it exactly."""
    from store.exporters.tabular import write_file

    if output is not None and str(output) != "-":
        write_file(text, output)
    elif sys.stdout.isatty():
        click.echo(safe(text.replace("\r\n", "\n")), nl=False)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def terminal_columns(fallback: int = 100) -> int:
    """The terminal's width, as shutil.get_terminal_size gives it (COLUMNS first, then the
    standard output's terminal, else `fallback`), without importing shutil (and with it
    bz2, lzma and fnmatch: a few per cent of a small command's start-up)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or fallback


def safe(text: str) -> str:
    """Text from a project or a file, made safe for a terminal: no raw control characters."""
    if text.isprintable():  # printable characters all show: the usual case, without a loop
        return text
    return "".join(ch if shows(ch) or ch in "\n\t" else "\ufffd" for ch in text)


LONG_QUOTE = later(r"'([^'\n]{81,})'|\"([^\"\n]{81,})\"|“([^”\n]{81,})”|`([^`\n]{81,})`")
LONG_WORD = later(r"\S{201,}")  # a path or a name unquoted: longer than any sound path here


def shorten_quoted(message: str) -> str:
    """A message with each quoted text of more than 80 characters cut to its first 60 and
    last 12, and any unbroken run of more than 200 (a 5,000-character name typed by
    mistake was echoed whole, filling the terminal and burying the advice after it)."""

    def cut(match: re.Match) -> str:
        inner = next(group for group in match.groups() if group is not None)
        quote = match.group(0)
        return f"{quote[0]}{inner[:60]}…{inner[-12:]}{quote[-1]}"

    message = LONG_QUOTE.sub(cut, message)
    return LONG_WORD.sub(lambda m: f"{m.group(0)[:60]}…{m.group(0)[-12:]}", message)


def error_line(message: str) -> str:
    """An error's message as shown: no raw control characters, no text too long to read."""
    return safe(shorten_quoted(message))


def report_error(error: MarginError) -> None:
    click.echo(f"Error: {error_line(error.message)}", err=True)
    sys.exit(error.exit_code)
