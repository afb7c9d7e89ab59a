"""Memos and the reflexive journal: memo add, memo list, memo edit, memo delete."""

from __future__ import annotations

import sys

import click

from tui.complete import complete_codes, complete_documents
from tui.context import emit_json, open_project, safe


@click.group()
def memo():
    """Write and list memos on the project, documents, codes and codings, and journal entries.

    \b
    Examples:
      margin memo add --doc P3 "Very different tone from round 1"
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
@click.option("--title", default="", help="A short title.")
@click.pass_context
def memo_add(ctx, text, document, code, coding, journal, title):
    """Add a memo (TEXT, or - to read Markdown from standard input); without a target it is on the project."""
    from store.errors import BadInput, NotFound

    targets = [x for x in (document, code, coding) if x] + (["journal"] if journal else [])
    if len(targets) > 1:
        raise BadInput("a memo is on one thing: give at most one of --doc, --code, --coding, --journal")
    project = open_project(ctx)
    if document:
        kind, target = "document", project.documents.get(document).id
    elif code:
        kind, target = "code", project.codebook.get(code).id
    elif coding:
        matches = [c for c in project.state.codings if c.startswith(coding)]
        if len(matches) != 1:
            raise NotFound(f"no single coding with an id starting {coding!r}; see `margin export csv`")
        kind, target = "coding", matches[0]
    else:
        kind, target = ("journal" if journal else "project"), None
    added = project.memos.add(kind, target, _read(text), title=title)
    click.echo(f"Added {kind} memo {added.id[:8]}")


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
    for m in memos:
        about = describe_target(project, m)
        click.echo(safe(f"{m.id[:8]}  {m.created[:10]}  {m.kind:<8} {about}"))
        for line in m.text.strip().splitlines() or [""]:
            click.echo(safe(f"          {line}"))


@memo.command("edit")
@click.argument("memo_id")
@click.argument("text")
@click.pass_context
def memo_edit(ctx, memo_id, text):
    """Replace a memo's text (- reads it from standard input)."""
    project = open_project(ctx)
    edited = project.memos.edit(project.memos.get(memo_id), _read(text))
    click.echo(f"Edited memo {edited.id[:8]}")


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
