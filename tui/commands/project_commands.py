"""Project commands: init, import, docs, show, attrs, log, undo, redo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.complete import complete_documents
from tui.context import emit_json, open_project, plural, safe, settings


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--name", help="The project's name (default: the folder's name).")
@click.option("--coder", "coder_name", help="The default coder (default: your login name).")
@click.option("--from", "source", type=click.Path(path_type=Path), help="Create it from a REFI-QDA .qdpx or .qde export.")
@click.option("--strict", is_flag=True, help="With --from: refuse the import if any source file is missing.")
@click.pass_context
def init(ctx, directory, name, coder_name, source, strict):
    """Create a project in DIRECTORY (default: the -p folder, or here).

    \b
    Examples:
      margin init peer-support --name "Peer support study" --coder alice
      margin init nvivo-copy --from supervisor.qdpx
    """
    import shlex

    from store.project import Project

    target = directory or settings(ctx).project_dir
    coder = coder_name or settings(ctx).coder
    if source is not None:
        from store.refi import import_project

        report = import_project(source, target, name=name, coder=coder, strict=strict)
        for line in report.lines():
            click.echo(safe(line))
        return
    project = Project.init(target, name=name, coder=coder)
    project.close()
    click.echo(f"Created project “{safe(project.name)}” in {target} (coder {safe(project.coder.name)}).")
    click.echo(f"Next: margin -p {safe(shlex.quote(str(target)))} import INTERVIEW.txt ...")  # quoted: pasted as it is


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--name", help="The document's name (one file only; default: the file name without suffix).")
@click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE", help="Set an attribute on every imported document.")
@click.option("--format", "fmt", type=click.Choice(["txt", "md", "rst", "docx", "vtt", "srt"]),
              help="Read every file as this format, whatever its suffix (for files without one).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def import_(ctx, files, name, attrs, fmt, as_json):
    """Import transcripts (.txt .md .rst .docx .vtt .srt) as documents.

    All files are read first; if any cannot be imported, nothing is. The same text
    imported twice is reported, not duplicated. One `margin undo` takes back the lot.

    \b
    Examples:
      margin import interviews/P1.txt interviews/P2.txt --attr round=1
      margin import focus-group.vtt --name "Focus group 1" --attr case=FG1
      margin import apollo11/TEC --format txt
    """
    from store.documents import parse_assignment
    from store.errors import BadInput
    from store.importers import parse_file

    if name and len(files) > 1:
        raise BadInput("--name names one document; import one file at a time to name it")
    attributes = dict(parse_assignment(a) for a in attrs)
    project = open_project(ctx)
    if len(files) < 3 or not sys.stderr.isatty():  # a progress bar is for a person watching, not a log
        parsed = [(path, parse_file(path, fmt)) for path in files]
    else:
        with click.progressbar(files, label="Reading", file=sys.stderr) as bar:
            parsed = [(path, parse_file(path, fmt)) for path in bar]
    results = []
    with project.operation(f"import {len(files)} file{'s' * (len(files) != 1)}"):
        for path, document in parsed:
            results.append((path, project.documents.import_parsed(document, name or path.stem, attributes, path.name)))
    _report_imports(results, as_json)


def _report_imports(results, as_json: bool) -> None:
    if as_json:
        emit_json(
            [
                {
                    "file": str(path),
                    "document": r.document.name,
                    "id": r.document.id,
                    "turns": len(r.document.turns),
                    "imported": r.imported,
                }
                for path, r in results
            ]
        )
        return
    for path, result in results:
        document = result.document
        if result.imported:
            speakers = len({t.speaker for t in document.turns if t.speaker})  # paragraphs without a label have none
            said = plural(speakers, "speaker") if speakers else "no speaker labels"
            click.echo(safe(f"Imported {path.name} as {document.name}: {plural(len(document.turns), 'turn')}, {said}"))
        else:
            click.echo(safe(f"Skipped {path.name}: the same text is already document {document.name}"))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def docs(ctx, as_json):
    """List documents with their turns, words, codings and attributes.

    \b
    Example:
      margin docs --json | jq '.[].name'
    """
    project = open_project(ctx, readonly=True)
    counts = project.state.coding_counts_by_document()
    rows = []
    for document in project.documents.all():
        rows.append(
            {
                "id": document.id,
                "name": document.name,
                "turns": len(document.turns),
                "words": document.words,
                "codings": counts[document.id],
                "attributes": document.attributes,
            }
        )
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No documents yet: margin import FILE ...")
        return
    from tui.cells import ljust, width as cells

    width = max(len("document"), *(cells(r["name"]) for r in rows))  # terminal cells: a CJK name takes two each
    click.echo(f"{'document':<{width}}  {'turns':>6}  {'words':>7}  {'codings':>7}  attributes")
    for r in rows:
        attrs = " ".join(f"{k}={v}" for k, v in r["attributes"].items())
        click.echo(safe(f"{ljust(r['name'], width)}  {r['turns']:>6}  {r['words']:>7}  {r['codings']:>7}  {attrs}"))


@click.command()
@click.argument("document", shell_complete=complete_documents)
@click.option("--json", "as_json", is_flag=True, help="Print the turns as JSON.")
@click.pass_context
def show(ctx, document, as_json):
    """Print a document's text with turn numbers in the margin (for pipes and grep).

    \b
    Example:
      margin show P3 | grep -n "peer support"
    """
    project = open_project(ctx, readonly=True)
    doc = project.documents.get(document)
    text = project.text(doc.id)
    if as_json:
        emit_json(
            [
                {"turn": t.index + 1, "speaker": t.speaker, "start": t.start, "end": t.end,
                 "time_start": t.time_start, "time_end": t.time_end, "text": text[t.start : t.end]}
                for t in doc.turns
            ]
        )  # fmt: skip
        return
    click.echo(safe(_numbered(doc, text)))


def _numbered(document, text: str) -> str:
    """Each line of the text, with the number of the turn that starts on it."""
    starts = {}
    for turn in document.turns:
        line_start = text.rfind("\n", 0, turn.start) + 1
        starts.setdefault(line_start, turn.index + 1)
    width = len(str(len(document.turns)))
    out, position = [], 0
    for line in text.split("\n"):
        number = starts.get(position)
        out.append(f"{number if number else '':>{width}} | {line}")
        position += len(line) + 1
    return "\n".join(out)


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.pass_context
def attrs(ctx, as_json):
    """List, set and import document attributes (case, round, profession, ...).

    \b
    Examples:
      margin attrs
      margin attrs set P3 case=P3 round=2 profession=nurse
      margin attrs import participants.csv
    """
    if ctx.invoked_subcommand:
        return
    project = open_project(ctx, readonly=True)
    keys = project.documents.attribute_keys()
    rows = [{"document": d.name, **{k: d.attributes.get(k, "") for k in keys}} for d in project.documents.all()]
    if as_json:
        emit_json(rows)
        return
    import csv  # here: init, import, docs and show print no CSV

    writer = csv.writer(sys.stdout)
    writer.writerow(["document", *keys])
    for row in rows:
        writer.writerow([safe(str(v)) for v in row.values()])


@attrs.command("set")
@click.argument("document", shell_complete=complete_documents)
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@click.pass_context
def attrs_set(ctx, document, assignments):
    """Set attributes on one document; an empty value (KEY=) removes the attribute.

    \b
    Example:
      margin attrs set P3 case=P3 round=2
    """
    from store.documents import parse_assignment

    project = open_project(ctx)
    doc = project.documents.get(document)
    values = dict(parse_assignment(a) for a in assignments)
    project.documents.set_attributes(doc, values)
    click.echo(f"{safe(doc.name)}: " + ", ".join(f"{k}={v}" for k, v in values.items()))


@attrs.command("import")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("--keep", is_flag=True, help="Leave values the documents already have; only fill in missing ones.")
@click.pass_context
def attrs_import(ctx, table, keep):
    """Set attributes from a CSV table whose first column names the document.

    \b
    The header is `document,<key>,<key>...`; empty cells are left alone.
    Says how many values were set, changed (old → new) or already so.
    Example:
      margin attrs import participants.csv
    """
    from store.attributes import import_attributes

    result = import_attributes(open_project(ctx), table, keep=keep)
    for line in result.lines():
        click.echo(safe(line))
    if result.unknown:
        click.echo(safe(f"Skipped rows for documents not in the project: {', '.join(result.unknown)}"), err=True)


@click.command()
@click.option("-n", "limit", type=int, default=20, show_default=True, help="How many of the newest entries (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@click.pass_context
def log(ctx, limit, as_json):
    """List the operation log, newest last: who did what, when.

    \b
    Example:
      margin log -n 5
    """
    project = open_project(ctx, readonly=True)
    entries = project.log(limit or None)
    if as_json:
        emit_json(entries)
        return
    for e in entries:
        click.echo(safe(f"{e['seq']:>5}  {e['at'][:19].replace('T', ' ')}  {e['by']:<12}  {e['summary']}"))


@click.command()
@click.pass_context
def undo(ctx):
    """Undo the newest action (the app's `u` uses the same history).

    \b
    Example:
      margin log -n 3 && margin undo
    """
    project = open_project(ctx)
    entry = project.undo()
    click.echo(f"Undid: {safe(entry['summary'])}")


@click.command()
@click.pass_context
def redo(ctx):
    """Redo the newest undone action.

    \b
    Example:
      margin undo && margin redo
    """
    project = open_project(ctx)
    entry = project.redo()
    click.echo(f"Redid: {safe(entry['summary'])}")


def register(cli: click.Group) -> None:
    for command in (init, import_, docs, show, attrs, log, undo, redo):
        cli.add_command(command)
