"""The command line imports only the modules of the command it runs (tui/cli.py COMMAND_HOMES)."""

from __future__ import annotations

import importlib

import click
import pytest

from tests.conftest import modules_after_command
from tui import cli as cli_module


def _commands_of(modules: list[str]) -> dict[str, set[str]]:
    """Each top-level command with the names of its subcommands, as registering `modules`
    into a fresh group makes them."""
    group = click.Group("margin")
    for name in modules:
        importlib.import_module(name).register(group)
    return {name: set(getattr(command, "commands", {})) for name, command in group.commands.items()}


def test_the_table_names_every_command_and_the_modules_that_make_it():
    everything = _commands_of(list(cli_module.COMMAND_MODULES))
    assert set(cli_module.COMMAND_HOMES) == set(everything), "COMMAND_HOMES in tui/cli.py is out of date"
    for name, homes in cli_module.COMMAND_HOMES.items():
        needed = [f"tui.commands.{m}" for home in homes for m in (*cli_module.NEEDS.get(home, ()), home)]
        assert _commands_of(list(dict.fromkeys(needed)))[name] == everything[name], (name, homes)


def test_the_lazy_group_lists_every_command():
    assert set(cli_module.cli.commands) == set(cli_module.COMMAND_HOMES)
    assert "nosuch" not in cli_module.cli.commands


@pytest.mark.parametrize(
    ("args", "modules"),
    [
        (["docs"], {"project_commands"}),
        (["log", "-n", "1"], {"project_commands"}),
        (["codes"], {"coding_commands", "refi_commands", "export_commands"}),
        (["apply", "--help"], {"coding_commands"}),
    ],
)
def test_a_command_imports_only_its_own_modules(tmp_path, args, modules):
    from store.project import Project

    Project.init(tmp_path / "p", coder="ana").close()
    loaded = {m.rpartition(".")[2] for m in modules_after_command(tmp_path / "p", args) if m.startswith("tui.commands.")}
    assert loaded == modules


def test_margin_codes_writes_the_codebook_once_and_checks_printable_lines_without_a_loop(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from store.project import Project
    from tui import context

    with Project.init(tmp_path / "p", coder="ana") as project:
        with project.operation("codes"):
            for n in range(40):
                project.codebook.ensure(f"Theme {n % 4} > Code {n}")
    echoes = []
    real = click.echo
    monkeypatch.setattr(click, "echo", lambda *a, **k: (echoes.append(a), real(*a, **k))[1])
    shown, real_shows = [], context.shows
    monkeypatch.setattr(context, "shows", lambda ch: shown.append(ch) or real_shows(ch))
    done = CliRunner().invoke(cli_module.cli, ["-p", str(tmp_path / "p"), "codes"])
    assert done.exit_code == 0 and len(done.output.splitlines()) == 44
    assert len(echoes) == 1 and shown == []
    assert context.safe("a\x1bb") == "a\ufffdb" and len(shown) == 3
