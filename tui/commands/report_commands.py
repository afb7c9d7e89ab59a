"""Reports (report codebook, report participant, report analysis), exemplar quotes
(exemplar) and the pseudonym table (pseudonyms ...)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.complete import complete_codes, complete_documents
from tui.context import open_project, plural, safe

SUFFIXES = {".html": "html", ".htm": "html", ".docx": "docx", ".md": "md", ".markdown": "md"}


def _report_options(function):
    options = [
        click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE (default: standard output; Word needs a file)."),
        click.option("--format", "fmt", type=click.Choice(["html", "docx", "md"]), help="html, docx (Word) or md (default: from -o's suffix, else html)."),
        click.option("--code", shell_complete=complete_codes, help="Only this code and its sub-codes."),
        click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE", help="Only documents with this attribute (repeatable)."),
        click.option("--coder", "coder_name", help="Only this coder's codings."),
        click.option("--template", "template_dir", type=click.Path(path_type=Path), help="A folder of templates to use instead of Margin's (see docs/reports.md)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group()
def report():
    """Reports to share: the codebook with quotes, a participant's pack, the analysis.

    Every report uses the pseudonym table (`margin pseudonyms`) and warns about likely
    names still in it before it is written.

    \b
    Examples:
      margin report codebook -o codebook.html
      margin report codebook --quotes 2 --attr round=1 -o codebook.docx
      margin report participant P01 -o P01-pack.docx
      margin report analysis --by profession -o analysis.html
    """


@report.command("codebook")
@_report_options
@click.option("--quotes", default=3, show_default=True, type=click.IntRange(0, 1000), help="Passages quoted for a code without exemplars (first in document order).")
@click.pass_context
def report_codebook(ctx, output, fmt, code, attrs, coder_name, template_dir, quotes):
    """The codebook as a document: the tree, definitions, counts, memos and quotes."""
    _make(ctx, "codebook", output, fmt, template_dir, dict(code=code, attrs=attrs, coder_name=coder_name), quotes=quotes)


@report.command("participant")
@click.argument("case")
@_report_options
@click.pass_context
def report_participant(ctx, case, output, fmt, code, attrs, coder_name, template_dir):
    """CASE's passages grouped by code, with definitions, memos and room for questions:
    the member-checking pack for their next interview. CASE is a document's `case`
    attribute (or, for a document without one, its name)."""
    _make(ctx, "participant", output, fmt, template_dir, dict(code=code, attrs=attrs, coder_name=coder_name), case=case)


@report.command("analysis")
@_report_options
@click.option("--by", metavar="KEY", help="The attribute to break codes down by (default: round, else the first one).")
@click.pass_context
def report_analysis(ctx, output, fmt, code, attrs, coder_name, template_dir, by):
    """Frequencies, codes by attribute, co-occurrence and rounds, with the codebook."""
    _make(ctx, "analysis", output, fmt, template_dir, dict(code=code, attrs=attrs, coder_name=coder_name), by=by)


def _make(ctx, kind: str, output: Path | None, fmt: str | None, template_dir: Path | None, filters: dict, **options) -> None:
    """Check the request, build, pseudonymise, warn, then write the report."""
    from store.reports import build, pseudonymised, render
    from store.reports.render import check_template_dir

    from store.exporters.bulk import without_gc

    fmt = _format(fmt, output)
    check_template_dir(template_dir, fmt)
    project = open_project(ctx, readonly=True)
    with without_gc():  # reading every coding and laying out thousands of paragraphs makes no cycles
        made = pseudonymised(project, build(project, kind, scope=_scope(project, filters, options.get("by")), **options))
        data = render(made, fmt, template_dir)
    _write(data, output, made.warnings)
    if _to_file(output):
        click.echo(safe(f"Wrote the {kind} report ({plural(len(made.sections), 'code')}) to {output}"), err=True)


def _scope(project, filters: dict, by: str | None):
    from store.analysis.frequencies import check_attribute
    from store.analysis.scope import named_scope

    if by:
        check_attribute(project, by)
    return named_scope(project, **filters)


def _to_file(output: Path | None) -> bool:
    return output is not None and str(output) != "-"


def _format(fmt: str | None, output: Path | None) -> str:
    """The format --format names, else the one -o's suffix names, else HTML; an -o suffix
    that names no report format, or another format than --format, is refused."""
    from store.errors import BadInput

    suffix = output.suffix.lower() if _to_file(output) else ""
    named = SUFFIXES.get(suffix)
    if suffix and named is None:
        raise BadInput(f"-o {output}: reports are .html, .docx (Word) or .md (Markdown) files; give a name with one of those endings")
    if fmt and named and fmt != named:
        raise BadInput(f"--format {fmt} does not fit -o {output}, a {suffix} name; leave out --format or change the name")
    fmt = fmt or named or "html"
    if fmt == "docx" and not _to_file(output) and sys.stdout.isatty():
        raise BadInput("a Word file cannot go to the terminal; give -o FILE.docx")
    return fmt


def _write(data: bytes, output: Path | None, warnings: tuple[str, ...]) -> None:
    """Warn about names left, then write; an -o that cannot be written is the one line
    said, without the warnings (`open_export` checks the path and makes its temporary file first)."""
    from store.exporters.output import open_export

    if _to_file(output):
        with open_export(output) as handle:
            _warn(warnings)
            handle.write(data)
        return
    _warn(warnings)
    if sys.stdout.isatty():  # a transcript may hold escape sequences: shown, not obeyed
        click.echo(safe(data.decode("utf-8")), nl=False)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        click.echo(f"Warning: {safe(warning)}", err=True)


# ---------------------------------------------------------------------- exemplars


@click.command()
@click.argument("document", shell_complete=complete_documents)
@click.option("--code", shell_complete=complete_codes, help="The coding of this code.")
@click.option("--span", help="The coding of exactly START:END.")
@click.option("--turn", type=int, help="The coding inside turn N.")
@click.option("--coding", "coding_id", help="The coding with this id (or the start of it).")
@click.option("--off", is_flag=True, help="Unmark it instead.")
@click.pass_context
def exemplar(ctx, document, code, span, turn, coding_id, off):
    """Mark a coding of DOCUMENT as an exemplar of its code: reports quote it (one
    undoable action; `--off` unmarks). In the app the key is *.

    \b
    Examples:
      margin exemplar "P01 nurse, round 1" --code "Role > Role clarity" --turn 12
      margin exemplar "P01 nurse, round 1" --turn 12 --off
    """
    from store.errors import BadInput, Refused
    from tui.commands.coding_commands import codings_named

    if not any((code, span, turn, coding_id)):
        raise BadInput("say which coding with --code, --span, --turn or --coding")
    project = open_project(ctx)
    doc = project.documents.get(document)
    found = codings_named(project, doc, code, span, turn, coding_id)
    if len(found) > 1:
        raise Refused(f"{plural(len(found), 'coding')} fit; narrow it down with --code, --span or --coding")
    coding = found[0]
    path = project.codebook.path(project.state.codes[coding.code])
    where = f"{doc.name} {coding.start}:{coding.end}"
    if coding.exemplar != off:  # already as asked: nothing is logged, so undo has nothing to take back
        state = "not an exemplar" if off else "already an exemplar"
        click.echo(safe(f"{where} is {state} of {path}; nothing changed"))
        return
    project.codings.mark_exemplar(coding, not off)
    click.echo(safe(f"{'Unmarked' if off else 'Marked'} {where} as an exemplar of {path}"))


# ---------------------------------------------------------------------- pseudonyms


@click.group(invoke_without_command=True)
@click.pass_context
def pseudonyms(ctx):
    """The pseudonym table: real names and what replaces them in reports (always) and in
    `export csv` and `export memos` (with --pseudonymise). The stored texts never change.

    \b
    Examples:
      margin pseudonyms add "Aisha" "P01"
      margin pseudonyms import names.csv      (rows of real,pseudonym)
      margin pseudonyms                       (list the table)
    """
    if ctx.invoked_subcommand:
        return
    from store import pseudonyms as table_file

    project = open_project(ctx, readonly=True)
    table = table_file.load(project.dir)
    if not table:
        click.echo('No pseudonyms yet: margin pseudonyms add "Real name" "Pseudonym"')
    for real, pseudo in table.pairs:
        click.echo(safe(f"{real} -> {pseudo}"))


@pseudonyms.command("add")
@click.argument("real")
@click.argument("pseudonym")
@click.option("--replace", is_flag=True, help="Change the pseudonym of a REAL already in the table.")
@click.pass_context
def pseudonyms_add(ctx, real, pseudonym, replace):
    """Replace REAL (whole words; as written or in capitals, or in any case when REAL is
    in small letters) with PSEUDONYM. A REAL already in the table needs --replace."""
    from store import pseudonyms as table_file

    project = open_project(ctx)  # the writer's lock, so two commands cannot lose an entry
    table = table_file.load(project.dir)
    changed = table.add(real, pseudonym, replace=replace)
    _save_table(project, table, changed)
    click.echo(safe(f"{' '.join(real.split())} -> {' '.join(pseudonym.split())}"))


def _save_table(project, old, new) -> None:
    """Write the table; a change that drops or alters an entry is backed up first (the
    table is not in the log, so undo cannot bring the old entry back)."""
    from store import pseudonyms as table_file

    if not set(old.pairs) <= set(new.pairs):
        project.backup("pseudonyms")
    table_file.save(project.dir, new)


@pseudonyms.command("remove")
@click.argument("real")
@click.pass_context
def pseudonyms_remove(ctx, real):
    """Take REAL out of the table."""
    from store import pseudonyms as table_file

    project = open_project(ctx)
    table = table_file.load(project.dir)
    _save_table(project, table, table.remove(real))
    click.echo(safe(f"Removed {real}"))


@pseudonyms.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replace", is_flag=True, help="Change the pseudonyms of names already in the table.")
@click.pass_context
def pseudonyms_import(ctx, csv_file, replace):
    """Add every row of CSV_FILE (real,pseudonym; a header row `real,pseudonym` is skipped).
    Nothing is added when a row is refused."""
    from store import pseudonyms as table_file
    from store.errors import BadInput

    try:
        text = csv_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{csv_file} is not UTF-8 text; save it as CSV UTF-8") from None
    except OSError as error:
        raise BadInput(f"cannot read {csv_file}: {error.strerror or error}; give the path of a CSV file of real,pseudonym rows") from None
    rows = table_file.from_csv(text, str(csv_file))
    project = open_project(ctx)
    old = table = table_file.load(project.dir)
    for number, (real, pseudo) in enumerate(rows, 1):
        try:
            table = table.add(real, pseudo, replace=replace)
        except BadInput as error:
            raise BadInput(f"{csv_file} row {number}: {error.message}; nothing was added") from None
    _save_table(project, old, table)
    click.echo(safe(f"Added {plural(len(rows), 'pseudonym')} from {csv_file}; the table holds {len(table.pairs)}"))


def register(cli: click.Group) -> None:
    for command in (report, exemplar, pseudonyms):
        cli.add_command(command)
