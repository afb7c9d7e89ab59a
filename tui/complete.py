"""Shell completion of document names and code paths, read from the project."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported where a completion is made: every command line imports this module
    from click.shell_completion import CompletionItem


def _project(ctx: click.Context):
    from store.project import Project

    root = ctx.find_root()
    directory = root.params.get("project_dir") or "."
    return Project.open(directory, readonly=True)


def complete_documents(ctx: click.Context, param, incomplete: str) -> list[CompletionItem]:
    try:
        project = _project(ctx)
    except Exception:  # completion must never print a traceback into the shell
        return []
    from click.shell_completion import CompletionItem

    names = [d.name for d in project.documents.all()]
    return [CompletionItem(n) for n in names if n.casefold().startswith(incomplete.casefold())]


def complete_codes(ctx: click.Context, param, incomplete: str) -> list[CompletionItem]:
    try:
        project = _project(ctx)
    except Exception:  # completion must never print a traceback into the shell
        return []
    from click.shell_completion import CompletionItem

    paths = [project.codebook.path(c) for c in project.codebook.all()]
    return [CompletionItem(p) for p in paths if p.casefold().startswith(incomplete.casefold())]
