"""REFI-QDA commands: export qdpx, export qdc, codes import (init --from lives in init)."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict
from pathlib import Path

import click

from tui.context import emit_json, open_project
from store.text import plural

JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


def _default_name(project, suffix: str) -> Path:
    stem = re.sub(r"[^\w.-]+", "-", project.name).strip("-.") or "project"
    return Path(f"{stem}{suffix}")


@click.command("qdpx")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE (default: PROJECT-NAME.qdpx here).")
@JSON
@click.pass_context
def export_qdpx_cmd(ctx, output, as_json):
    """The whole project as a REFI-QDA .qdpx for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    \b
    It holds every document, code, coding, memo, journal entry and attribute.
    Example:
      margin export qdpx -o study.qdpx
    """
    from store.refi import export_qdpx

    project = open_project(ctx, readonly=True)
    summary = export_qdpx(project, output or _default_name(project, ".qdpx"))
    if as_json:
        emit_json(asdict(summary))
        return
    click.echo(
        f"Wrote {summary.path}: {plural(summary.documents, 'document')}, {plural(summary.codes, 'code')}, "
        f"{plural(summary.codings, 'coding')}, {plural(summary.memos, 'memo')}"
    )


@click.command("qdc")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE, - for standard output (default: PROJECT-NAME.qdc).")
@click.pass_context
def export_qdc_cmd(ctx, output):
    """The codebook as a REFI-QDA .qdc (codes, sub-codes, colours, definitions).

    \b
    Example:
      margin export qdc -o codebook.qdc
    """
    from store.exporters.output import write_export
    from store.refi import export_qdc

    project = open_project(ctx, readonly=True)
    data = export_qdc(project)
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    path = output or _default_name(project, ".qdc")
    write_export(path, data)
    click.echo(f"Wrote {path}: {plural(len(project.state.codes), 'code')}")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@JSON
@click.pass_context
def codes_import_cmd(ctx, file, as_json):
    """Merge a codebook from another tool into this one; codes already here are not doubled.

    \b
    Reads REFI-QDA .qdc, the codebook of a .qdpx or .qde project, and CSV
    codebooks (Taguette's tag,description,...; a Code/Description table with
    paths written with >, / or .; Margin's own `export codebook`).
    One `margin undo` takes the whole import back.
    Example:
      margin codes import supervisor-codebook.qdc
    """
    from store.refi import merge_codes, read_codebook

    specs = read_codebook(file)
    project = open_project(ctx)
    result = merge_codes(project, specs, file.name)
    if as_json:
        emit_json(asdict(result))
        return
    click.echo(result.line())


def register(cli: click.Group) -> None:
    cli.commands["export"].add_command(export_qdpx_cmd)
    cli.commands["export"].add_command(export_qdc_cmd)
    cli.commands["codes"].add_command(codes_import_cmd)
