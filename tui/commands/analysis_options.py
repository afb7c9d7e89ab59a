"""What the analysis commands (stats, find) share: the filter options, and tables printed
aligned to the terminal's width or written as CSV or JSON."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from tui.cells import cut, fit_path, ljust, width as cell_width
from tui.complete import complete_codes, complete_documents
from tui.context import deliver, safe, terminal_columns


def no_collector(command):
    """Run a command with Python's cycle collector paused: an analysis makes many small
    objects and no cycles, and each of the collector's passes walks all of them (a tenth
    to a fifth of a `stats` command at 50,000 codings)."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        from store.state import paused_collector

        with paused_collector():
            return command(*args, **kwargs)

    return run


def scope_options(command):
    """--doc, --code, --coder, --attr, --speaker and --not-speaker, passed on as `scope_args`."""
    options = [
        click.option("--doc", "documents", multiple=True, shell_complete=complete_documents, help="Only this document (repeatable)."),
        click.option("--code", shell_complete=complete_codes, help="Only this code and its sub-codes."),
        click.option("--coder", "coder_name", help="Only this coder's codings."),
        click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE", help="Only documents with this attribute (repeatable)."),
        click.option("--speaker", "speakers", multiple=True, help="Only codings in this speaker's turns (repeatable)."),
        click.option("--not-speaker", "not_speakers", multiple=True, help="Leave out this speaker's turns (repeatable), e.g. the interviewer."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def scope_of(project, scope_args: dict):
    """The filters of `scope_options` as a Scope."""
    from store.analysis.scope import named_scope

    return named_scope(project, **scope_args)


def output_options(command):
    """--csv, --json and -o FILE (a file ending .csv or .json gets that format)."""
    command = click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Write to FILE (default: standard output).")(command)
    command = click.option("--json", "as_json", is_flag=True, help="JSON: a list of objects, one per row.")(command)
    return click.option("--csv", "as_csv", is_flag=True, help="CSV, one row per observation (tidy: R and pandas read it as is).")(command)


def emit_table(
    header: list[str], rows: list[list], as_csv: bool, as_json: bool, output: Path | None, title: str = "", raw: bool = False
) -> None:
    """Print or write a table: aligned text for a terminal, CSV or JSON for programs (CSV
    cells starting = + - @ get a leading ' unless `raw`, as in `export csv`)."""
    suffix = output.suffix.lower() if output is not None else ""
    if as_json or suffix == ".json":
        import json  # here: a table is most often printed

        text = json.dumps([dict(zip(header, row)) for row in rows], ensure_ascii=False, indent=2) + "\n"
    elif as_csv or suffix == ".csv":
        from store.exporters.tabular import to_csv  # here: a printed table needs no csv module

        text = to_csv(header, [[_cell(v) for v in row] for row in rows], safe=not raw)
    else:  # a table for reading: never a raw control character, on a pipe too (`| less -R`)
        text = safe(aligned(header, rows, terminal_columns(), title))
    deliver(text, output)


def _cell(value) -> str:
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return "0" if text in ("", "-0", "0") else text  # never "-0" for a tiny negative
    return "" if value is None else str(value)


FILLED_ONLY = {"group"}  # shown only when a row fills it (`--by`), also in a table of no rows
PATH_COLUMNS = {"code_path", "code_a", "code_b"}  # cut keeping the code's own name: siblings differ there


def aligned(header: list[str], rows: list[list], width: int, title: str = "") -> str:
    """A text table that fits `width` columns: numbers right-aligned, the widest text
    columns (such as code paths) cut with … when the line would be too long, and columns
    empty in every row (`group` without --by) left out; CSV and JSON keep every column.
    Widths are terminal cells (tui/cells.py): a CJK character takes two."""
    cells = [[_cell(v) for v in row] for row in rows]
    columns = [list(c) for c in zip(*cells)] if cells else [[] for _ in header]  # column by column: no per-cell calls
    shown = [i for i in range(len(header)) if any(columns[i]) or (not cells and header[i] not in FILLED_ONLY)]  # an empty column says nothing here
    header, columns = [header[i] for i in shown], [columns[i] for i in shown]
    measured = [_measure([h, *column]) for h, column in zip(header, columns)]  # cells, or None: all ASCII
    widths = [max(m) if m else max(map(len, [h, *c])) for h, c, m in zip(header, columns, measured)]
    numeric = [bool(cells) and all(map(_is_number, column)) for column in columns]
    _narrow(widths, [i for i, n in enumerate(numeric) if not n], header, width)
    lines = [title] if title else []
    if header and sum(widths) + 2 * (len(widths) - 1) > width:
        return "\n".join(lines + _records(header, columns, width)) + "\n"
    if not header:
        return "\n".join(lines + [""] * (1 + len(cells))) + "\n"
    shaped = []
    for h, column, measures, w, number in zip(header, columns, measured, widths, numeric):
        shaped.append(_shaped([h, *column], measures, w, number, fit_path if h in PATH_COLUMNS else cut))
    lines += ["  ".join(parts).rstrip() for parts in zip(*shaped)]
    return "\n".join(lines) + "\n"


def _measure(texts: list[str]) -> list[int] | None:
    """Each text's cells, or None when all are ASCII (then `len` is the measure, in C: a
    table of 50,000 rows)."""
    if all(map(str.isascii, texts)):
        return None
    return list(map(cell_width, texts))


def _shaped(texts: list[str], cells: list[int] | None, width: int, number: bool, fit) -> list[str]:
    """Each text cut to `width` cells by `fit` and padded to them, numbers to the right."""
    if cells is None:
        pad = str.rjust if number else str.ljust
        return [pad(t if len(t) <= width else fit(t, width), width) for t in texts]
    shaped = []
    for text, n in zip(texts, cells):  # each text measured once (and a cut one again)
        if n > width:
            text = fit(text, width)
            n = cell_width(text)
        shaped.append(" " * (width - n) + text if number else text + " " * (width - n))
    return shaped


def _records(header: list[str], columns: list[list[str]], width: int) -> list[str]:
    """Rows too wide for the terminal even cut (COLUMNS=40): one `column  value` line per
    cell, a blank line between rows, each line within `width` (as psql's expanded view)."""
    label = min(max(map(cell_width, header)), max(1, width // 2 - 1))
    room = max(1, width - label - 2)
    lines: list[str] = []
    for n, row in enumerate(zip(*columns)):
        lines += [""] if n else []
        for h, v in zip(header, row):
            fit = fit_path if h in PATH_COLUMNS else cut
            lines.append(f"{ljust(cut(h, label), label)}  {fit(v, room)}".rstrip())
    return lines


def _narrow(widths: list[int], text_columns: list[int], header: list[str], width: int) -> None:
    """Take one cell at a time from the widest text column (never below its header
    or 8) until the line fits."""
    spare = width - (sum(widths) + 2 * (len(widths) - 1))
    while spare < 0:
        cuttable = [i for i in text_columns if widths[i] > max(cell_width(header[i]), 8)]
        if not cuttable:
            return
        widest = max(cuttable, key=lambda i: widths[i])
        widths[widest] -= 1
        spare += 1


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text == ""
    return True
