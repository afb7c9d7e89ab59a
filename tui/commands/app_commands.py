"""App commands: open, demo, keys. Textual is imported inside the commands only."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tui.context import safe, settings

DEMO_DIR = Path("margin-demo")


@click.command("open")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--no-mouse", is_flag=True, help="Leave the mouse to the terminal (native copy and paste).")
@click.option("--keymap", "keymap_name", metavar="NAME", help="A key table from keymaps/ (e.g. arrows).")
@click.option("--blind", is_flag=True, envvar="MARGIN_BLIND", help="Blind double coding: only your codings (ctrl+b shows the others).")
@click.pass_context
def open_(ctx, directory, no_mouse, keymap_name, blind):
    """Open the project in the full-screen app (`margin DIR` does the same)."""
    from tui.launch import run_app

    options = settings(ctx)
    run_app(directory or options.project_dir, options.coder, mouse=not no_mouse, keymap_name=keymap_name, blind=blind)


@click.command()
@click.argument("directory", required=False, default=str(DEMO_DIR), type=click.Path(path_type=Path))
@click.option("--no-open", is_flag=True, help="Only create the demo project.")
@click.option("--no-mouse", is_flag=True, help="Leave the mouse to the terminal.")
@click.option("--keymap", "keymap_name", metavar="NAME", help="A key table from keymaps/ (e.g. arrows).")
@click.pass_context
def demo(ctx, directory, no_open, no_mouse, keymap_name):
    """Create the demo project (four interviews, a codebook, codings, memos) and open it.

    If DIRECTORY (default ./margin-demo) already holds it, it is just opened.
    """
    from store.demo import build_demo, demo_exists

    if keymap_name and not no_open:
        import keymaps

        keymaps.load(keymap_name)  # a key table that is not there is refused before anything is made
    if not demo_exists(directory):
        build_demo(directory, Path(__file__).resolve().parent.parent / "demo")
        click.echo(f"Created the demo project in {directory}", err=True)
    if not no_open:
        from tui.launch import run_app

        run_app(directory, settings(ctx).coder, mouse=not no_mouse, keymap_name=keymap_name)


@click.command()
@click.option("--keymap", "keymap_name", metavar="NAME", help="Show this key table (e.g. arrows) with your overrides.")
@click.option("--json", "as_json", is_flag=True, help="Print id -> keys as JSON.")
def keys(keymap_name, as_json):
    """Print the effective keymap: action id, keys, what it does.

    Override single actions in the file shown at the top (TOML, "reader.undo" = "u,ctrl+z").
    """
    import keymaps

    keymap = keymaps.load(keymap_name)
    for problem in keymap.problems:
        click.echo(f"Error: {safe(problem)}", err=True)
    if as_json:
        click.echo(json.dumps({a.id: list(a.keys) for a in keymap.actions.values()}, indent=2))
    else:
        click.echo(f"# user overrides: {keymaps.user_file()}")
        for action in keymap.actions.values():
            click.echo(f"{action.id:28} {keymap.display(action.id):22} {action.help}")
    if keymap.problems:
        sys.exit(2)


def register(cli: click.Group) -> None:
    cli.add_command(open_)
    cli.add_command(demo)
    cli.add_command(keys)
