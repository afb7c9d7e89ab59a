"""REFI-QDA commands: export qdpx, export qdc, codes import (init --from lives in init)."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict
from pathlib import Path

import click

from store.errors import UnknownName
from tui.context import emit_json, open_project, safe
from store.text import plural

JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


def _default_name(project, suffix: str) -> Path:
    stem = re.sub(r"[^\w.-]+", "-", project.name).strip("-.") or "project"
    return Path(f"{stem}{suffix}")


UNIQUE_NAMES = click.option(
    "--unique-names", is_flag=True, help="Qualify codes that share a name by their parents: Other (Benefits)."
)


def _warn_shared_names(project, unique_names: bool) -> None:
    """One line naming the codes that share a name, unless --unique-names qualifies them."""
    from store.refi.peer_names import shared_names_line

    line = None if unique_names else shared_names_line(project.state.codes)
    if line:
        click.echo(f"Warning: {safe(line)}", err=True)


def _case_attribute(project, key: str) -> str:
    if key != "case" and key not in project.documents.attribute_keys():
        known = ", ".join(project.documents.attribute_keys()) or "none yet"
        raise UnknownName(f"no document has the attribute {key!r} for --case-attribute (attributes: {known}); see `margin attrs`")
    return key


@click.command("qdpx")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE (default: PROJECT-NAME.qdpx here).")
@UNIQUE_NAMES
@click.option("--case-attribute", "case_attribute", default="case", show_default=True, metavar="KEY",
              help="The attribute whose values are the cases (REFI Cases holding their documents).")
@click.option("--positions", type=click.Choice(["standard", "nvivo"]), default="standard", show_default=True,
              help="standard: code points of LF text; nvivo: UTF-16 units of CRLF text, as NVivo reads them.")
@JSON
@click.pass_context
def export_qdpx_cmd(ctx, output, unique_names, case_attribute, positions, as_json):
    """The whole project as a REFI-QDA .qdpx for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    \b
    It holds every document, code, coding, memo, journal entry and attribute.
    Examples:
      margin export qdpx -o study.qdpx
      margin export qdpx --unique-names -o for-qualcoder.qdpx
      margin export qdpx --positions nvivo --case-attribute participant -o for-nvivo.qdpx
    """
    from store.refi import export_qdpx
    from store.refi.export import ExportOptions

    project = open_project(ctx, readonly=True)
    options = ExportOptions(unique_names, _case_attribute(project, case_attribute), positions)
    _warn_shared_names(project, unique_names)
    summary = export_qdpx(project, output or _default_name(project, ".qdpx"), options=options)
    if as_json:
        emit_json(asdict(summary))
        return
    click.echo(
        f"Wrote {summary.path}: {plural(summary.documents, 'document')}, {plural(summary.codes, 'code')}, "
        f"{plural(summary.codings, 'coding')}, {plural(summary.memos, 'memo')}"
    )


@click.command("qdc")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE, - for standard output (default: PROJECT-NAME.qdc).")
@UNIQUE_NAMES
@click.pass_context
def export_qdc_cmd(ctx, output, unique_names):
    """The codebook as a REFI-QDA .qdc (codes, sub-codes, colours, definitions).

    \b
    Example:
      margin export qdc -o codebook.qdc
    """
    from store.exporters.output import write_export
    from store.refi import export_qdc

    project = open_project(ctx, readonly=True)
    data = export_qdc(project, unique_names)
    _warn_shared_names(project, unique_names)
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
