"""The speakers commands: list the speakers of a document or the project; rename or merge them."""

from __future__ import annotations

import click

from tui.complete import complete_documents
from tui.context import emit_json, open_project, plural, safe


class SpeakersGroup(click.Group):
    """`margin speakers DOC` lists DOC's speakers; `margin speakers rename ...` renames."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "list", self.commands["list"], args
        return super().resolve_command(ctx, args)


@click.group(cls=SpeakersGroup, invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the speakers as JSON.")
@click.pass_context
def speakers(ctx, as_json):
    """List the speakers of every document (or of DOC), or rename and merge them.

    \b
    Examples:
      margin speakers
      margin speakers P5
      margin speakers rename Particpant Participant --document P5
      margin speakers rename "Dan" "Interviewer"
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_speakers, document=None, as_json=as_json)


@speakers.command("list")
@click.argument("document", required=False, shell_complete=complete_documents)
@click.option("--json", "as_json", is_flag=True, help="Print the speakers as JSON.")
@click.pass_context
def list_speakers(ctx, document, as_json):
    """List the speakers of DOC (or of every document) with their turns.

    \b
    Example:
      margin speakers list P5
    """
    from store.speakers import speakers as speakers_of

    project = open_project(ctx, readonly=True)
    documents = [project.documents.get(document)] if document else project.documents.all()
    found = speakers_of(documents)
    if as_json:
        emit_json([{"name": s.name, "turns": s.turns, "documents": list(s.documents), "like": s.like} for s in found])
        return
    if not found:
        click.echo("No speakers: import a transcript with `margin import FILE`")
    from tui.cells import ljust, width as cells

    width = min(30, max((cells(s.name) for s in found), default=0))  # terminal cells, as every table
    for s in found:
        line = f"{ljust(s.name, width)}  {plural(s.turns, 'turn')}"
        if not document:
            line += f" in {', '.join(s.documents)}" if len(s.documents) <= 3 else f" in {plural(len(s.documents), 'document')}"
        if s.like:
            line += f"  (a typo of {s.like}? margin speakers rename {_quoted(s.name)} {_quoted(s.like)})"
        click.echo(safe(line))


@speakers.command("rename")
@click.argument("old")
@click.argument("new")
@click.option("--document", "document", shell_complete=complete_documents, help="Only in this document (default: every document).")
@click.pass_context
def rename_speaker(ctx, old, new, document):
    """Rename speaker OLD to NEW; when NEW already speaks, the two are merged. One undo.

    \b
    Examples:
      margin speakers rename Particpant Participant --document P5
      margin speakers rename "Interviewer 1" Interviewer
    """
    from store.speakers import rename

    project = open_project(ctx)
    doc = project.documents.get(document) if document else None
    done = rename(project, old, new, doc)
    verb = "Merged" if done.merged else "Renamed"
    into = "into" if done.merged else "to"
    click.echo(safe(f"{verb} {done.old} {into} {done.new}: {plural(done.turns, 'turn')} in {plural(done.documents, 'document')}"))


def _quoted(name: str) -> str:
    return name if name.replace("_", "").isalnum() else f'"{name}"'


def register(cli: click.Group) -> None:
    cli.add_command(speakers)
