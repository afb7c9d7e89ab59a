"""The stats commands: code frequencies, co-occurrence, the code matrix and rounds.

Each prints an aligned table that fits the terminal, or with --csv/--json/-o a table
with fixed columns (README.md lists them; docs/analysis.md defines every figure)."""

from __future__ import annotations

import click

from tui.commands.analysis_options import emit_table, no_collector, output_options, scope_of, scope_options
from tui.context import open_project

FREQUENCY_COLUMNS = ["code_path", "group", "codings", "documents", "cases", "words", "share"]
PAIR_COLUMNS = ["code_a", "code_b", "together", "count_a", "count_b", "c_coefficient", "jaccard"]
MATRIX_COLUMNS = ["code_path", "column", "value"]


@click.group()
def stats():
    """Figures of the coding: frequencies, co-occurrence, matrix, rounds.

    \b
    Examples:
      margin stats codes --by attr.round --rollup
      margin stats cooccur --within turn --not-speaker Interviewer
      margin stats matrix --cols attr.profession --count cases --wide
      margin stats rounds --case case --by round --csv -o rounds.csv
    """


def _title(project, scope, what: str) -> str:
    described = scope.describe(project)
    return f"{what} · {described}" if described else what


@stats.command("codes")
@click.option("--by", default=None, metavar="document|case|coder|speaker|attr.KEY", help="One row per code and group.")
@click.option("--rollup", is_flag=True, help="Count sub-codes' codings in their parent codes too.")
@scope_options
@output_options
@click.pass_context
@no_collector
def stats_codes(ctx, by, rollup, as_csv, as_json, output, **scope_args):
    """Per code: codings, documents, cases, words coded and their share of the text.

    \b
    Columns: code_path, group, codings, documents, cases, words, share
    (group is empty without --by; share is of the words of the group's text).
    Examples:
      margin stats codes
      margin stats codes --by attr.profession --rollup --csv -o codes.csv
    """
    from store.analysis.frequencies import frequencies

    project = open_project(ctx, readonly=True)
    scope = scope_of(project, scope_args)
    rows = [
        [f.path, f.group, f.codings.value, f.documents, f.cases, f.words, f.share]
        for f in frequencies(project, scope, by=by, rollup=rollup)
    ]
    title = _title(project, scope, "Codes" + (f" by {by}" if by else "") + (", rolled up" if rollup else ""))
    emit_table(FREQUENCY_COLUMNS, rows, as_csv, as_json, output, title=title)
    _say_when_empty(project, rows)


@stats.command("cooccur")
@click.option("--within", default="overlap", show_default=True, metavar="overlap|turn|document|words:N", help="What counts as together.")
@scope_options
@output_options
@click.pass_context
@no_collector
def stats_cooccur(ctx, within, as_csv, as_json, output, **scope_args):
    """Pairs of codes that occur together, each pair once, with the c-coefficient.

    \b
    Columns: code_a, code_b, together, count_a, count_b, c_coefficient, jaccard
    (code_a before code_b in codebook order; pairs never together are left out).
    Examples:
      margin stats cooccur
      margin stats cooccur --within words:20 --attr profession=nurse --csv
    """
    from store.analysis.cooccurrence import cooccurrence

    project = open_project(ctx, readonly=True)
    scope = scope_of(project, scope_args)
    pairs = cooccurrence(project, scope, within=within)
    path = {code.id: project.codebook.path(code) for code in {c.id: c for p in pairs for c in (p.code_a, p.code_b)}.values()}
    rows = [
        [path[p.code_a.id], path[p.code_b.id], p.together.value, p.count_a, p.count_b, p.c_coefficient, p.jaccard]
        for p in pairs
    ]
    emit_table(PAIR_COLUMNS, rows, as_csv, as_json, output, title=_title(project, scope, f"Codes together ({within})"))
    if not rows:
        wider = "document" if within != "document" else ""
        hint = f"; try --within {wider}" if wider else ""
        click.echo(f"No two codes occur together ({within}) in this scope{hint}.", err=True)


@stats.command("matrix")
@click.option("--cols", default="document", show_default=True, metavar="document|case|coder|attr.KEY", help="The columns.")
@click.option("--count", default="codings", show_default=True, metavar="codings|documents|cases|words", help="What a cell counts.")
@click.option("--wide", is_flag=True, help="One row per code, one column per column value (a spreadsheet).")
@scope_options
@output_options
@click.pass_context
@no_collector
def stats_matrix(ctx, cols, count, wide, as_csv, as_json, output, **scope_args):
    """Codes (rows) by documents, cases, coders or an attribute's values (columns).

    \b
    Columns: code_path, column, value (one row per code and column, zeros too);
    with --wide: code_path, then one column per value (an empty value is "(none)"),
    then "(total)": the count over every column, a passage shared by two columns once.
    Examples:
      margin stats matrix --cols case
      margin stats matrix --cols attr.round --count documents --wide --csv
    """
    from store.analysis.matrix import matrix

    project = open_project(ctx, readonly=True)
    scope = scope_of(project, scope_args)
    table = matrix(project, scope, cols=cols, count=count)
    paths = [project.codebook.path(c) for c in table.codes]
    if wide:
        header = ["code_path", *_wide_names(table.columns), "(total)"]
        rows = [
            [path, *(table.cell(c.id, col).value for col in table.columns), table.total(c.id).value]
            for c, path in zip(table.codes, paths)
        ]
    else:
        header = MATRIX_COLUMNS
        rows = [[path, col, table.cell(c.id, col).value] for c, path in zip(table.codes, paths) for col in table.columns]
    emit_table(header, rows, as_csv, as_json, output, title=_title(project, scope, f"{count.capitalize()} by {cols}"))
    _say_when_empty(project, rows)


@stats.command("rounds")
@click.option("--case", "case_key", default="case", show_default=True, metavar="KEY", help="The attribute naming the case (participant).")
@click.option("--by", "by_key", default="round", show_default=True, metavar="KEY", help="The attribute naming the round, in order.")
@scope_options
@output_options
@click.pass_context
@no_collector
def stats_rounds(ctx, case_key, by_key, as_csv, as_json, output, **scope_args):
    """Per case and code: codings in each round, and what changed from first to last.

    \b
    Columns: case, code_path, one column per value of --by (codings there; empty
    when the case has no document in that round), change: appeared, disappeared,
    kept, or empty when the case has one round or the code is in neither its first
    nor its last round.
    Examples:
      margin stats rounds
      margin stats rounds --case participant --by wave --code Trust --csv
    """
    from store.analysis.frequencies import natural_order
    from store.analysis.rounds import rounds

    project = open_project(ctx, readonly=True)
    scope = scope_of(project, scope_args)
    found = rounds(project, scope, case=case_key, by=by_key)
    values = natural_order({v for row in found for v in row.present})
    rows = [
        [row.case, row.path, *(row.present[v].value if v in row.present else "" for v in values), row.change]
        for row in found
    ]
    title = _title(project, scope, f"Rounds: {case_key} by {by_key}")
    emit_table(["case", "code_path", *values, "change"], rows, as_csv, as_json, output, title=title)
    _say_when_empty(project, rows, f"No codings in documents with both {case_key} and {by_key} in this scope.")


def _wide_names(columns: list[str]) -> list[str]:
    """The --wide header's name of each column: its value, "(none)" for the documents
    without one; a name already taken (a value that is literally "(none)", "(total)" or
    "code_path") gets parentheses until it is unique, since in --json a second column of
    one name would overwrite the first."""
    taken = {"code_path", "(total)"}
    names = []
    for column in sorted(columns, key=lambda c: c == ""):  # real values keep their names first
        name = column if column != "" else "(none)"
        while name in taken:
            name = f"({name})"
        taken.add(name)
        names.append((column, name))
    named = dict(names)
    return [named[c] for c in columns]


def _say_when_empty(project, rows: list, otherwise: str = "") -> None:
    """An empty table says why on standard error (the table itself stays as it is, for
    programs): a new project has no codes yet."""
    if rows:
        return
    if not project.state.codes:
        click.echo("No codes yet: add them with `margin codes add PATH`, or code in the app (`margin open`).", err=True)
    elif otherwise:
        click.echo(otherwise, err=True)


def register(cli: click.Group) -> None:
    cli.add_command(stats)
