"""The codebook and coding commands: codes ..., apply, uncode."""

from __future__ import annotations

import sys

import click

from tui.complete import complete_codes, complete_documents
from tui.context import emit_json, open_project, plural, safe


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the codebook as JSON.")
@click.pass_context
def codes(ctx, as_json):
    """Show the codebook as a tree with counts, or change it.

    \b
    Examples:
      margin codes
      margin codes add "Peer support > Lived experience" -d "Drawing on own recovery"
      margin codes merge "Trust" "Peer support > Trust"
    """
    if ctx.invoked_subcommand:
        return
    project = open_project(ctx, readonly=True)
    own = project.codebook.counts()
    total = project.codebook.total_counts()
    codebook = project.codebook
    if as_json:
        emit_json(
            [
                {"id": c.id, "path": codebook.path(c), "name": c.name, "parent": c.parent, "color": c.color,
                 "description": c.description, "codable": c.codable, "codings": own.get(c.id, 0),
                 "codings_with_subcodes": total.get(c.id, 0)}
                for c in codebook.all()
            ]
        )  # fmt: skip
        return
    if not codebook.all():
        click.echo('The codebook is empty: margin codes add "Parent > Child"')
    for code in codebook.all():
        indent = "  " * codebook.depth(code)
        counts = f"{own.get(code.id, 0)}" + (f" ({total[code.id]})" if total[code.id] != own.get(code.id, 0) else "")
        category = "  [category]" if not code.codable else ""
        click.echo(safe(f"{indent}{code.name}  {counts}{category}"))


@codes.command("add")
@click.argument("path")
@click.option("-d", "--description", default="", help="The code's definition: when to apply it.")
@click.option("--color", help="Colour as #rrggbb (default: the next in the palette).")
@click.option("--category", is_flag=True, help="A pure grouping that cannot be applied itself.")
@click.pass_context
def codes_add(ctx, path, description, color, category):
    """Add a code; `Parent > Child` creates missing parents.

    \b
    Example:
      margin codes add "Barriers > Time pressure" -d "Lack of time named as a barrier"
    """
    project = open_project(ctx)
    code = project.codebook.add(path, description=description, color=color, codable=not category)
    click.echo(f"Added {safe(project.codebook.path(code))}")


@codes.command("rename")
@click.argument("code", shell_complete=complete_codes)
@click.argument("new_name")
@click.pass_context
def codes_rename(ctx, code, new_name):
    """Rename a code (its codings keep it).

    \b
    Example:
      margin codes rename "Barriers > Time" "Time pressure"
    """
    project = open_project(ctx)
    renamed = project.codebook.rename(project.codebook.get(code), new_name)
    click.echo(f"Renamed to {safe(project.codebook.path(renamed))}")


@codes.command("move")
@click.argument("code", shell_complete=complete_codes)
@click.argument("parent", required=False, shell_complete=complete_codes)
@click.pass_context
def codes_move(ctx, code, parent):
    """Move a code under PARENT, or to the top level when PARENT is left out.

    \b
    Example:
      margin codes move "Trust" "Peer support"
    """
    project = open_project(ctx)
    book = project.codebook
    moved = book.move(book.get(code), book.get(parent) if parent else None)
    click.echo(f"Moved to {safe(book.path(moved))}")


@codes.command("merge")
@click.argument("source", shell_complete=complete_codes)
@click.argument("target", shell_complete=complete_codes)
@click.pass_context
def codes_merge(ctx, source, target):
    """Merge SOURCE into TARGET: codings, memos, sub-codes and definition move over.

    \b
    Example:
      margin codes merge "Trust" "Peer support > Trust"
    """
    project = open_project(ctx)
    book = project.codebook
    source_code, target_code = book.get(source), book.get(target)
    project.backup("before-merge")
    moved = book.merge(source_code, target_code)
    click.echo(f"Merged {safe(source)} into {safe(book.path(target_code))}: {plural(moved, 'coding')} moved")


@codes.command("delete")
@click.argument("code", shell_complete=complete_codes)
@click.option("--force", is_flag=True, help="Delete even though codings, sub-codes or memos go with it.")
@click.pass_context
def codes_delete(ctx, code, force):
    """Delete a code; refused, with what would go, unless --force.

    \b
    Example:
      margin codes delete "Misc" --force
    """
    from store.codebook import describe_impact

    project = open_project(ctx)
    book = project.codebook
    target = book.get(code)
    path = book.path(target)
    if force and any(book.impact(target).values()):
        project.backup("before-delete")
    impact = book.delete(target, force=force)
    gone = describe_impact(impact)
    click.echo(f"Deleted {safe(path)}" + (f" with {gone}" if gone else ""))


@codes.command("describe")
@click.argument("code", shell_complete=complete_codes)
@click.argument("description")
@click.pass_context
def codes_describe(ctx, code, description):
    """Set a code's definition (`-` reads it from standard input).

    \b
    Example:
      margin codes describe "Trust" "Participant says they rely on the peer worker"
    """
    project = open_project(ctx)
    if description == "-":
        description = sys.stdin.read().strip()
    described = project.codebook.describe(project.codebook.get(code), description)
    click.echo(f"Described {safe(project.codebook.path(described))}")


@codes.command("color")
@click.argument("code", shell_complete=complete_codes)
@click.argument("color")
@click.pass_context
def codes_color(ctx, code, color):
    """Set a code's colour (#rrggbb).

    \b
    Example:
      margin codes color "Trust" "#3cb44b"
    """
    project = open_project(ctx)
    coloured = project.codebook.color(project.codebook.get(code), color)
    click.echo(f"{safe(project.codebook.path(coloured))} is now {coloured.color}")


@click.command()
@click.argument("document", shell_complete=complete_documents)
@click.argument("code", shell_complete=complete_codes)
@click.option("--turn", type=int, help="Code turn N (as numbered by `margin show`).")
@click.option("--span", help="Code characters START:END of the text (end exclusive).")
@click.option("--match", "match", help="Code the first passage with these words (spacing and line breaks ignored).")
@click.option("--all", "every", is_flag=True, help="With --match: code every passage that matches (auto-coding).")
@click.option("--extend", type=click.Choice(["sentence", "turn"]), help="With --match: code the whole sentence or turn around each match.")
@click.option("--speaker", help="Code every turn of this speaker.")
@click.option("--memo", default="", help="Attach a memo to the new coding.")
@click.option("--create", is_flag=True, help="Add the code to the codebook if it does not exist.")
@click.pass_context
def apply(ctx, document, code, turn, span, match, every, extend, speaker, memo, create):
    """Code a passage of DOCUMENT with CODE (a path such as `Support > Trust`).

    \b
    Examples:
      margin apply P3 "Peer support > Trust" --turn 12
      margin apply P3 "Trust" --span 1040:1187 --memo "Compare P5"
      margin apply P3 "Stigma" --match "they looked at me" --all
      margin apply P3 "Medication" --match clozapine --all --extend sentence
      margin apply P3 "Interviewer" --speaker Dan
    """
    from store.errors import BadInput

    chosen = [x for x in (turn, span, match, speaker) if x is not None]
    if len(chosen) != 1:
        raise BadInput("say what to code with exactly one of --turn, --span, --match or --speaker")
    if (every or extend) and match is None:
        raise BadInput("--all and --extend go with --match")
    project = open_project(ctx)
    doc = project.documents.get(document)
    with project.operation(f"code {doc.name} as {code}"):  # one undo step, even with --create
        _apply(project, doc, code, create, turn, span, match, every, extend, speaker, memo)


def _apply(project, doc, code, create, turn, span, match, every, extend, speaker, memo) -> None:
    from store.errors import NotFound
    from store.matching import (
        extend_spans,
        find_matches,
        parse_span,
        speaker_spans,
        turn_span,
    )

    target = project.codebook.ensure(code) if create else project.codebook.get(code)
    if turn is not None:
        spans = [turn_span(doc, turn)]
    elif span is not None:
        spans = [parse_span(span)]
    elif speaker is not None:
        spans = speaker_spans(doc, speaker)
    else:
        spans = find_matches(project.text(doc.id), match)
        if not spans:
            raise NotFound(f"no passage of {doc.name} matches {match[:60]!r}; check the words with `margin show {doc.name}`")
        spans = spans if every else spans[:1]
        if extend:
            spans = extend_spans(doc, project.text(doc.id), spans, extend)
    path = project.codebook.path(target)
    if len(spans) == 1:
        coding = project.codings.apply(doc, target, *spans[0], memo=memo)
        click.echo(f"Coded {safe(doc.name)} {coding.start}:{coding.end} as {safe(path)}")
    else:
        made = project.codings.apply_many(doc, target, spans)
        already = len(spans) - len(made)
        click.echo(f"Coded {plural(len(made), 'passage')} of {safe(doc.name)} as {safe(path)} ({already} already coded)")


@click.command()
@click.argument("document", shell_complete=complete_documents)
@click.option("--code", "code", shell_complete=complete_codes, help="Only codings of this code.")
@click.option("--span", help="Only the coding of exactly START:END.")
@click.option("--turn", type=int, help="Only codings inside turn N.")
@click.option("--coding", "coding_id", help="The coding with this id (or the start of it).")
@click.option("--all", "every", is_flag=True, help="Remove every coding that matches, not just one.")
@click.pass_context
def uncode(ctx, document, code, span, turn, coding_id, every):
    """Remove codings from DOCUMENT; refused when the choice is ambiguous without --all.

    \b
    Examples:
      margin uncode P3 --code "Trust" --span 1040:1187
      margin uncode P3 --coding 5f2c
      margin uncode P3 --code "Stigma" --all
    """
    from store.errors import BadInput, NotFound, Refused
    from store.matching import parse_span, turn_span

    if not any((code, span, turn, coding_id)):
        raise BadInput("say which coding to remove with --code, --span, --turn or --coding")
    project = open_project(ctx)
    doc = project.documents.get(document)
    found = project.codings.for_document(doc)
    if coding_id:
        found = [c for c in found if c.id.startswith(coding_id)]
    if code:
        target = project.codebook.get(code)
        found = [c for c in found if c.code == target.id]
    if span:
        start, end = parse_span(span)
        found = [c for c in found if (c.start, c.end) == (start, end)]
    if turn is not None:
        start, end = turn_span(doc, turn)
        found = [c for c in found if start <= c.start and c.end <= end]
    if not found:
        raise NotFound(f"no coding of {doc.name} fits; list them with `margin export csv --doc {doc.name}`")
    if len(found) > 1 and not every:
        raise Refused(f"{plural(len(found), 'coding')} fit; narrow it down or pass --all to remove them all")
    with project.operation(f"uncode {len(found)} coding{'s' * (len(found) > 1)} in {doc.name}"):
        for coding in found:
            project.codings.remove(coding)
    click.echo(f"Removed {len(found)} coding{'s' * (len(found) > 1)} from {safe(doc.name)}")


def register(cli: click.Group) -> None:
    for command in (codes, apply, uncode):
        cli.add_command(command)
