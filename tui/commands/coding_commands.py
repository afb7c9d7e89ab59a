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
    ordered = codebook.all()
    if not ordered:
        click.echo('The codebook is empty: margin codes add "Parent > Child"')
    lines = []
    for code in ordered:
        indent = "  " * codebook.depth(code)
        counts = f"{own.get(code.id, 0)}" + (f" ({total[code.id]})" if total[code.id] != own.get(code.id, 0) else "")
        category = "  [category]" if not code.codable else ""
        lines.append(safe(f"{indent}{code.name}  {counts}{category}"))
    if lines:
        click.echo("\n".join(lines))  # one write: 5,000 codes were 5,000 flushed writes


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
    from store.code_search import near_duplicate_warning

    project = open_project(ctx)
    near = near_duplicate_warning(project.codebook.all(), path)
    code = project.codebook.add(path, description=description, color=color, codable=not category)
    click.echo(f"Added {safe(project.codebook.path(code))}")
    if near:
        click.echo(f"Warning: {safe(near)} (`margin undo` removes it)", err=True)


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
@click.argument("document", required=False, shell_complete=complete_documents)
@click.argument("code", required=False, shell_complete=complete_codes)
@click.option("--all-documents", "everywhere", is_flag=True, help="Auto-code every document: give CODE only, then --match, --regex or --speaker.")
@click.option("--turn", type=int, help="Code turn N (as numbered by `margin show`).")
@click.option("--span", help="Code characters START:END of the text (end exclusive).")
@click.option("--match", "match", help="Code the first passage with these words (spacing and line breaks ignored).")
@click.option("--regex", help="Code the first passage matching this regular expression (ignores case).")
@click.option("--all", "every", is_flag=True, help="With --match or --regex: code every passage that matches (auto-coding).")
@click.option("--extend", type=click.Choice(["word", "sentence", "turn"]), help="Code the whole word, sentence or turn around each match.")
@click.option("--speaker", "speakers", multiple=True, help="Only in turns of this speaker (repeatable); alone, code every turn of theirs.")
@click.option("--not-speaker", "not_speakers", multiple=True, help="Leave out turns of this speaker, such as the interviewer (repeatable).")
@click.option("--memo", default="", help="Attach a memo to the new coding (one passage only).")
@click.option("--create", is_flag=True, help="Add the code to the codebook if it does not exist.")
@click.pass_context
def apply(ctx, document, code, everywhere, turn, span, match, regex, every, extend, speakers, not_speakers, memo, create):
    """Code a passage of DOCUMENT with CODE (a path such as `Support > Trust`), or
    auto-code: every match, widened to its word, sentence or turn, in chosen speakers'
    turns, in one document or all of them. Each call is one undoable action.

    \b
    Examples:
      margin apply P3 "Peer support > Trust" --turn 12
      margin apply P3 "Trust" --span 1040:1187 --memo "Compare P5"
      margin apply P3 "Stigma" --match "they looked at me" --all
      margin apply P3 "Medication" --match clozapine --all --extend sentence
      margin apply P3 "Interviewer" --speaker Dan
      margin apply --all-documents "Scatter plots" --regex "scatter ?plots?" --extend sentence --not-speaker Interviewer
      margin apply --all-documents "Own words" --speaker Participant --speaker Particpant --create
    """
    from store.code_search import near_duplicate_warning
    from store.errors import BadInput
    from store.search import Rule

    document, code = _document_and_code(everywhere, document, code)
    if match is not None and regex is not None:
        raise BadInput("give --match (words) or --regex (a pattern), not both")
    pattern = match if match is not None else regex
    picks = [x for x in (turn, span, pattern) if x is not None]
    if len(picks) > 1 or not (picks or speakers or not_speakers):
        raise BadInput("say what to code with exactly one of --turn, --span, --match, --regex, or --speaker / --not-speaker")
    if (turn is not None or span is not None) and (everywhere or every or extend or speakers or not_speakers):
        raise BadInput("--turn and --span code one passage of one document; --all-documents, --all, --extend and --speaker go with --match or --regex")
    if every and pattern is None:
        raise BadInput("--all goes with --match or --regex")
    project = open_project(ctx)
    rule = Rule(pattern or "", regex is not None, extend or "", speakers, not_speakers)
    one = turn is not None or span is not None
    near = create and near_duplicate_warning(project.codebook.all(), code)
    summary = f"code {document} as {code}" if one else f"auto-code {rule.describe()} in {document or 'every document'} as {code}"
    with project.operation(summary):  # one undo step, even with --create
        target = project.codebook.ensure(code) if create else project.codebook.get(code)
        if one:
            doc = project.documents.get(document)
            done = _apply_one(project, doc, target, _one_span(doc, turn, span), memo)
        else:
            docs = project.documents.all() if everywhere else [project.documents.get(document)]
            done = _apply_rule(project, docs, target, rule, every or everywhere or pattern is None, memo)
    click.echo(done)  # only now is the change in the log and fsynced
    if near:
        click.echo(f"Warning: new code {safe(near)} (`margin undo` removes it)", err=True)


def _document_and_code(everywhere: bool, document: str | None, code: str | None) -> tuple[str | None, str]:
    """The positional arguments: DOCUMENT CODE, or CODE alone with --all-documents."""
    from store.errors import BadInput

    if everywhere:
        if code is not None:
            raise BadInput("with --all-documents give only CODE, not a document")
        if document is None:
            raise BadInput('give the CODE to apply, as in: margin apply --all-documents "Trust" --match trust')
        return None, document
    if code is None:
        raise BadInput("give DOCUMENT and CODE (or --all-documents CODE to code every document)")
    return document, code


def _one_span(doc, turn, span) -> tuple[int, int]:
    from store.matching import parse_span, turn_span

    return turn_span(doc, turn) if turn is not None else parse_span(span)


def _apply_one(project, doc, target, span: tuple[int, int], memo: str) -> str:
    """Code one passage; returns the line that acknowledges it once it is saved."""
    coding = project.codings.apply(doc, target, *span, memo=memo)
    return f"Coded {safe(doc.name)} {coding.start}:{coding.end} as {safe(project.codebook.path(target))}"


def _apply_rule(project, docs, target, rule, every: bool, memo: str) -> str:
    """Code every passage the rule finds; returns the acknowledging line."""
    from store.errors import BadInput, NotFound
    from store.search import auto_code_spans

    found = auto_code_spans(project, docs, rule)
    where = docs[0].name if len(docs) == 1 else "any document"
    if not found:
        hint = f"`margin show {docs[0].name}`" if len(docs) == 1 else "`margin` then F (search every document)"
        raise NotFound(f"no passage of {where} matches {rule.describe()[:80]}; check the words with {hint}")
    if not every:
        first = next(iter(found))
        found = {first: found[first][:1]}
    total = sum(len(spans) for spans in found.values())
    if total == 1:
        doc_id, [span] = next(iter(found.items()))
        return _apply_one(project, project.state.documents[doc_id], target, span, memo)
    if memo:
        raise BadInput(f"--memo goes on one passage, and {total} match; add memos afterwards with `margin memo add`")
    _, made = project.codings.apply_across(target, found, rule.describe())
    already = total - made
    place = safe(docs[0].name) if len(docs) == 1 else plural(len(found), "document")
    return (
        f"Coded {plural(made, 'passage')} {'of' if len(docs) == 1 else 'in'} {place} as "
        f"{safe(project.codebook.path(target))} ({already} already coded)"
    )


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
    from store.errors import BadInput, Refused

    if not any((code, span, turn, coding_id)):
        raise BadInput("say which coding to remove with --code, --span, --turn or --coding")
    project = open_project(ctx)
    doc = project.documents.get(document)
    found = codings_named(project, doc, code, span, turn, coding_id)
    if len(found) > 1 and not every:
        raise Refused(f"{plural(len(found), 'coding')} fit; narrow it down or pass --all to remove them all")
    with project.operation(f"uncode {len(found)} coding{'s' * (len(found) > 1)} in {doc.name}"):
        for coding in found:
            project.codings.remove(coding)
    click.echo(f"Removed {len(found)} coding{'s' * (len(found) > 1)} from {safe(doc.name)}")


def codings_named(project, doc, code: str | None, span: str | None, turn: int | None, coding_id: str | None) -> list:
    """The codings of `doc` that the options name (a code, an exact span, a turn, an id
    prefix); UnknownName for an id no coding has, NotFound, saying where to look, when
    none fits."""
    from store.errors import NotFound, UnknownName
    from store.matching import parse_span, turn_span

    found = project.codings.for_document(doc)
    if coding_id:
        if not any(c.startswith(coding_id) for c in project.state.codings):
            raise UnknownName(f"no coding with an id starting {coding_id!r}; list them with `margin export csv --doc {doc.name}`")
        found = [c for c in found if c.id.startswith(coding_id)]
    if code:
        target = project.codebook.get(code)
        found = [c for c in found if c.code == target.id]
    if span:
        found = [c for c in found if (c.start, c.end) == parse_span(span)]
    if turn is not None:
        start, end = turn_span(doc, turn)
        found = [c for c in found if start <= c.start and c.end <= end]
    if not found:
        raise NotFound(f"no coding of {doc.name} fits; list them with `margin export csv --doc {doc.name}`")
    return found


def register(cli: click.Group) -> None:
    for command in (codes, apply, uncode):
        cli.add_command(command)
