"""Exports: export csv, export codebook, export memos."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.complete import complete_codes, complete_documents
from tui.context import deliver, open_project, plural, safe

OUTPUT = click.option(
    "-o", "--output", type=click.Path(path_type=Path), default=None, help="Write to FILE (default: standard output)."
)
RAW = click.option(
    "--raw",
    is_flag=True,
    help="Keep cells starting with = + - @ as they are (by default they get a leading ' so "
    "Excel and LibreOffice do not run them as formulas; R and pandas users may want --raw).",
)
PSEUDONYMISE = click.option(
    "--pseudonymise", is_flag=True, help="Replace real names with the pseudonym table's (`margin pseudonyms`)."
)
BOM = click.option("--bom", is_flag=True, help="Start the file with a UTF-8 byte order mark (for old Excel).")


@click.group()
def export():
    """Export coded segments, the codebook or memos.

    \b
    Examples:
      margin export csv -o coded.csv
      margin export csv --code "Peer support" --attr round=2 -o round2.csv
      margin export codebook --format md -o codebook.md
    """


@export.command("csv")
@OUTPUT
@click.option("--code", shell_complete=complete_codes, help="Only this code and its sub-codes.")
@click.option("--doc", "documents", multiple=True, shell_complete=complete_documents, help="Only this document (repeatable).")
@click.option("--coder", "coder_name", help="Only this coder's codings.")
@click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE", help="Only documents with this attribute (repeatable).")
@click.option("--speaker", "speakers", multiple=True, help="Only codings in this speaker's turns (repeatable).")
@click.option("--not-speaker", "not_speakers", multiple=True, help="Leave out codings in this speaker's turns, such as the interviewer's (repeatable).")
@click.option("--annotations", is_flag=True, help="Add a row per annotation (code and code_path empty), in document order.")
@RAW
@BOM
@PSEUDONYMISE
@click.pass_context
def export_csv(ctx, output, code, documents, coder_name, attrs, speakers, not_speakers, annotations, raw, bom, pseudonymise):
    """One row per coding, in document order.

    \b
    Columns: coding_id, document, case, speaker, turn, start, end, line_start,
    line_end, code, code_path, coder, created, modified, text, memo, exemplar
    (yes or no), then one
    attr.<key> column per document attribute. Offsets are characters (code
    points) of the stored text, end exclusive; turn and lines count from 1.
    With --annotations, each annotation is a row too: its id, no code, its
    author as coder, its passage as text and its note as memo. A coding's
    speaker is the speaker of the turn it starts in (as in `margin stats`).
    """
    from store.analysis.scope import codings_in, known_attributes, speaker_allowed
    from tui.commands.analysis_options import scope_of
    from store.documents import parse_assignment
    from store.exporters.bulk import without_gc
    from store.exporters.segments import SegmentsCsv, segment_rows
    from store.exporters.tabular import to_csv

    with without_gc():
        project = open_project(ctx, readonly=True)
        filters = dict(
            code=project.codebook.get(code) if code else None,
            documents=[project.documents.get(d) for d in documents] or None,
            coder=project.coder_named(coder_name).id if coder_name else None,
            attributes=dict(known_attributes(list(project.state.documents.values()), dict(parse_assignment(a) for a in attrs))),
        )
        scope = None
        if speakers or not_speakers:  # the filters as `margin stats` takes them
            scope = scope_of(project, dict(documents=documents, code=code, coder_name=coder_name, attrs=attrs,
                                           speakers=speakers, not_speakers=not_speakers))  # fmt: skip
        if pseudonymise or annotations or scope:
            header, rows = segment_rows(project, **filters, codings=codings_in(project, scope) if scope else None)
            if annotations:
                rows = _with_annotations(project, rows, filters["documents"])
                if scope:  # an annotation's speaker is its passage's, as a coding's is
                    rows = [row for row in rows if speaker_allowed(scope, row[3])]
            rows = _pseudonymised(project, rows, pseudonymise)
            deliver(to_csv(header, rows, safe=not raw, bom=bom), output)
            count = len(rows)
        else:  # written a document at a time, never held whole
            table = SegmentsCsv(project, **filters, safe=not raw, bom=bom)
            _deliver_pieces(table, output)
            count = table.rows
    _report(output, count, "coded segment")
    if not count:
        click.echo("No coding matches: the table has only its header. Check the filters or `margin codes`.", err=True)


@export.command("codebook")
@OUTPUT
@click.option("--format", "fmt", type=click.Choice(["csv", "md"]), default="csv", show_default=True)
@RAW
@click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 byte order mark (for Taguette and old Excel).")
@click.pass_context
def export_codebook(ctx, output, fmt, raw, bom):
    """The codebook with paths, ids, definitions, colours and counts.

    \b
    The CSV's first column, `path`, is the code's whole path (`Parent > Child`),
    which Taguette's codebook import reads; --bom lets it tell the file is UTF-8.
    Example:
      margin export codebook --bom -o codebook.csv
    """
    from store.exporters.codebook import codebook_markdown, codebook_rows
    from store.exporters.tabular import to_csv

    project = open_project(ctx, readonly=True)
    if fmt == "md":
        deliver(codebook_markdown(project), output)
    else:
        deliver(to_csv(*codebook_rows(project), safe=not raw, bom=bom), output)
    _report(output, len(project.codebook.all()), "code")


@export.command("memos")
@OUTPUT
@RAW
@PSEUDONYMISE
@click.pass_context
def export_memos(ctx, output, raw, pseudonymise):
    """Every memo and journal entry, with what it is about."""
    from store.exporters.memos import memo_rows
    from store.exporters.tabular import to_csv

    project = open_project(ctx, readonly=True)
    header, rows = memo_rows(project)
    rows = _pseudonymised(project, rows, pseudonymise)
    deliver(to_csv(header, rows, safe=not raw), output)
    _report(output, len(rows), "memo")


def _deliver_pieces(pieces, output) -> None:
    """`deliver` for text made a piece at a time (UTF-8): a file or a pipe gets each piece
    as it is made; a terminal gets the whole text made safe, as `deliver` gives it."""
    from store.exporters.tabular import write_pieces

    if output is not None and str(output) != "-":
        write_pieces(pieces, output)
    elif sys.stdout.isatty():
        deliver(b"".join(pieces).decode("utf-8"), output)
    else:
        sys.stdout.flush()
        for piece in pieces:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()


def _with_annotations(project, rows: list[list], documents) -> list[list]:
    """The coded rows and the annotation rows, in document order (by start within one)."""
    from store.exporters.segments import annotation_rows

    order = {d.name: i for i, d in enumerate(project.documents.all())}
    return sorted(rows + annotation_rows(project, documents), key=lambda row: (order.get(row[1], -1), row[5], row[6]))


def _pseudonymised(project, rows: list[list], wanted: bool) -> list[list]:
    """The rows with the pseudonym table applied when asked, warning about names left."""
    if not wanted:
        return rows
    from store import pseudonyms
    from store.reports import name_warnings

    table = pseudonyms.load(project.dir)
    if not table:
        click.echo('Warning: the pseudonym table is empty; add names with margin pseudonyms add "Real" "Pseudonym"', err=True)
    done = table.rows(rows)
    text = "\n".join(cell for row in done for cell in row if isinstance(cell, str))
    original = "\n".join(cell for row in rows for cell in row if isinstance(cell, str))
    for warning in name_warnings(project, table, text, original):
        click.echo(f"Warning: {safe(warning)}", err=True)
    return done


def _report(output: Path | None, count: int, noun: str) -> None:
    """Say what went into a file (on standard error, so pipes stay clean)."""
    if output is not None and str(output) != "-":
        click.echo(safe(f"Wrote {plural(count, noun)} to {output}"), err=True)


def register(cli: click.Group) -> None:
    cli.add_command(export)
