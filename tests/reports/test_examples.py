"""Every example in the --help of the report, exemplar and pseudonyms commands, and every
example of them in the README, runs on the demo as written (issue 13 finding 10): in
order, in a fresh demo, from a folder holding the names.csv an example imports."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from tests.reports.conftest import margin
from tui.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"
OURS = ("report", "exemplar", "pseudonyms")


def _commands(group: click.Group, prefix=()):
    """(path, command) for every command under `group`'s commands of ours."""
    for name, command in sorted(group.commands.items()):
        if prefix or name in OURS:
            yield (*prefix, name), command
            if isinstance(command, click.Group):
                yield from _commands(command, (*prefix, name))


def _example(line: str) -> list[str] | None:
    """The arguments of an example line (`margin ...`), its comment left off."""
    line = line.strip()
    if not line.startswith("margin ") or line.split()[1] not in OURS:
        return None
    line = re.split(r"\s+#\s|\s{2,}\(", line)[0]
    return shlex.split(line)[1:]


def help_examples() -> list[tuple[str, list[str]]]:
    found = []
    for path, command in _commands(cli):
        for line in (command.help or "").split("Examples:")[-1].splitlines() if "Examples:" in (command.help or "") else ():
            args = _example(line)
            if args:
                found.append((" ".join(path), args))
    return found


def readme_examples() -> list[list[str]]:
    blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [args for block in blocks for args in map(_example, block.splitlines()) if args]


def test_the_examples_are_found():
    assert {path for path, _ in help_examples()} >= {"report", "exemplar", "pseudonyms"}
    assert sum(args[0] == "exemplar" for args in readme_examples()) >= 1


@pytest.mark.parametrize("source", ["help", "README"])
def test_every_example_runs_on_the_demo(demo_dir, tmp_path, monkeypatch, source):
    examples = [args for _, args in help_examples()] if source == "help" else readme_examples()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "names.csv").write_text("real,pseudonym\nMark,P03\n", encoding="utf-8")
    for args in examples:
        margin(demo_dir, *args)
    assert any(tmp_path.glob("*.docx")) and any(tmp_path.glob("*.html"))
