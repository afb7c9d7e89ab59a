"""Memos and the reflexive journal: memo add, memo list, memo edit, memo delete."""

from __future__ import annotations

import sys

import click

from tui.complete import complete_codes, complete_documents
from tui.context import emit_json, open_project, plural, safe


@click.group()
def memo():
    """Write and list memos on the project, documents, codes, codings and cases, annotations and journal entries.

    \b
    Examples:
      margin memo add --doc P3 "Very different tone from round 1"
      margin memo add --doc P3 --span 120:184 "She means the night shift"
      margin memo add --journal "My own ward experience colours how I read P3"
      margin memo list
    """


def _read(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    return text


@memo.command("add")
@click.argument("text")
@click.option("--doc", "document", shell_complete=complete_documents, help="A memo on this document.")
@click.option("--code", "code", shell_complete=complete_codes, help="A memo on this code.")
@click.option("--coding", "coding", help="A memo on the coding with this id (or its start).")
@click.option("--journal", is_flag=True, help="A dated entry in the reflexive journal.")
@click.option("--span", metavar="START:END", help="With --doc: an annotation on these characters of the document.")
@click.option("--case", "case", help="A memo on this case (the `case` attribute's value).")
@click.option("--title", default="", help="A short title.")
@click.pass_context
def memo_add(ctx, text, document, code, coding, journal, span, case, title):
    """Add a memo (TEXT, or - to read Markdown from standard input); without a target it is on the project."""
    from store.errors import BadInput, UnknownName

    targets = [x for x in (document, code, coding, case) if x] + (["journal"] if journal else [])
    if len(targets) > 1:
        raise BadInput("a memo is on one thing: give at most one of --doc, --code, --coding, --case, --journal")
    if span and not document:
        raise BadInput("--span marks characters of a document: give --doc too")
    project = open_project(ctx)
    if span:
        added = _annotate(project, project.documents.get(document), span, _read(text), title)
        click.echo(f"Added annotation {added.id[:8]}")
        return
    if document:
        kind, target = "document", project.documents.get(document).id
    elif code:
        kind, target = "code", project.codebook.get(code).id
    elif coding:
        matches = [c for c in project.state.codings if c.startswith(coding)]
        if len(matches) > 1:
            raise BadInput(f"{plural(len(matches), 'coding')} have an id starting {coding!r}; give more of it (see `margin export csv`)")
        if not matches:
            raise UnknownName(f"no coding with an id starting {coding!r}; see `margin export csv`")
        kind, target = "coding", matches[0]
    elif case:
        kind, target = "case", project.documents.case_named(case)
    else:
        kind, target = ("journal" if journal else "project"), None
    added = project.memos.add(kind, target, _read(text), title=title)
    click.echo(f"Added {kind} memo {added.id[:8]}")


def _annotate(project, document, span: str, text: str, title: str):
    from store import annotations
    from store.errors import BadInput

    start, _, end = span.partition(":")
    if not (start.strip().isdigit() and end.strip().isdigit()):
        raise BadInput(f"--span is START:END in characters, such as 120:184; not {span!r}")
    return annotations.annotate(project, document, int(start), int(end), text, title)


@memo.command("list")
@click.option("--journal", is_flag=True, help="Only journal entries.")
@click.option("--json", "as_json", is_flag=True, help="Print the memos as JSON.")
@click.pass_context
def memo_list(ctx, journal, as_json):
    """List memos (or only the journal), oldest first."""
    from store.exporters.memos import author_name, describe_target

    project = open_project(ctx, readonly=True)
    memos = project.memos.journal() if journal else project.memos.all()
    if as_json:
        emit_json([{**m.to_record(), "author": author_name(project, m), "about": describe_target(project, m)} for m in memos])
        return
    refs = project.memos.refs()
    width = max((len(refs[m.id]) for m in memos), default=8)
    for m in memos:
        about = " ".join(filter(None, [describe_target(project, m), f"“{m.title}”" if m.title else ""]))
        click.echo(safe(f"{refs[m.id]:<{width}}  {m.created[:10]}  {m.kind:<8} {about}"))
        for line in m.text.strip().splitlines() or [""]:
            click.echo(safe(f"{'':<{width + 2}}{line}"))


@memo.command("edit")
@click.argument("memo_id")
@click.argument("text")
@click.pass_context
def memo_edit(ctx, memo_id, text):
    """Replace a memo's text (- reads it from standard input)."""
    project = open_project(ctx)
    edited = project.memos.edit(project.memos.get(memo_id), _read(text))
    click.echo(f"Edited memo {project.memos.refs()[edited.id]}")


@memo.command("delete")
@click.argument("memo_id")
@click.pass_context
def memo_delete(ctx, memo_id):
    """Delete a memo (undo brings it back)."""
    project = open_project(ctx)
    project.memos.delete(project.memos.get(memo_id))
    click.echo(f"Deleted memo {memo_id}")


def register(cli: click.Group) -> None:
    cli.add_command(memo)
