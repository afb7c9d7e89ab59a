"""`margin find QUERY`: the passages a query over codes retrieves (store/analysis/query.py)."""

from __future__ import annotations

import click

from tui.commands.analysis_options import _records, aligned, emit_table, no_collector, output_options, scope_of, scope_options
from tui.context import deliver, open_project, plural, safe, terminal_columns

TABLE = ["document", "turn", "speaker", "code_path", "text"]
_PATH_WIDTH = 40  # a longer code path is cut with … so the text keeps room


@click.command("find")
@click.argument("query")
@scope_options
@output_options
@click.pass_context
@no_collector
def find_command(ctx, query, output, as_csv, as_json, **scope_args):
    """Retrieve the codings a QUERY over codes matches, in document order.

    \b
    A code is its path or unique name, with its sub-codes; quote names with
    spaces or >. Operators, tightest first: NOT, NEAR/N, AND, OR; parentheses.
      A AND B          codings of A and of B in turns holding both
      A AND/OVERLAP B  codings of A and of B whose spans overlap
      A NEAR/5 B       codings of A and of B at most 5 words apart
      A OR B           codings of either
      A AND NOT B      codings of A in turns without B
      NOT A            every coding in a turn without A
    The filters choose the codings the query sees; --code keeps only the
    results of that code. CSV and JSON have the columns of `export csv`.

    \b
    Examples:
      margin find 'Trust AND Boundaries' --not-speaker Interviewer --attr profession=nurse
      margin find 'Trust AND "Role > Boundaries"' --csv -o passages.csv
      margin find '(Trust OR Hope) NEAR/10 Supervision AND NOT Conflict'
    """
    from store.analysis.query import find, parse
    from store.exporters.segments import segment_rows

    parsed = parse(query)  # a bad query fails before the project is opened
    project = open_project(ctx, readonly=True)
    scope = scope_of(project, scope_args)
    codings = find(project, parsed, scope)
    header, rows = segment_rows(project, codings=codings)
    if as_csv or as_json or (output is not None and output.suffix.lower() in (".csv", ".json")):
        emit_table(header, rows, as_csv, as_json, output)
    else:
        deliver(safe(_table(header, rows, terminal_columns())), output)  # for reading: as emit_table
    click.echo(safe(_summary(codings, scope.describe(project))), err=True)


def _table(header: list[str], rows: list[list], width: int) -> str:
    """document, turn, speaker, code path and the text on one line, cut to `width`; when
    the rest leaves the text no room (COLUMNS=40), a row at a time, each cell on a line."""
    from store.text import one_line
    from tui.cells import cut, fit_path, width as cells

    at = [header.index(c) for c in TABLE]
    picked = [[*(str(row[i]) for i in at[:4]), one_line(row[at[4]])] for row in rows]
    whole = [list(row) for row in picked]
    for row in picked:
        row[3] = fit_path(row[3], min(_PATH_WIDTH, max(16, width // 4)))  # at 80 columns the text keeps room
    fixed = [max([len(TABLE[i]), *(cells(r[i]) for r in picked)]) for i in range(4)]
    room = width - sum(fixed) - 2 * 4
    if room <= len("text"):
        return "\n".join(_records(TABLE, [list(c) for c in zip(*whole)] if whole else [[] for _ in TABLE], width)) + "\n"
    for row in picked:
        row[4] = cut(row[4], room)
    return aligned(TABLE, picked, width)


def _summary(codings, described: str) -> str:
    documents = len({c.document for c in codings})
    line = f"{plural(len(codings), 'coding')} in {plural(documents, 'document')} {'matches' if len(codings) == 1 else 'match'}"
    return f"{line} ({described})" if described else line


def register(cli: click.Group) -> None:
    cli.add_command(find_command)
