"""The codebook as a table (CSV) or a document (Markdown) with definitions and counts."""

from __future__ import annotations

from typing import TYPE_CHECKING
from store.text import plural

if TYPE_CHECKING:
    from store.project import Project

# `path` first and no `name` or `tag` column: Taguette's codebook import reads the one
# of tag/name/path a file has (refusing a file with two), so it gets the whole path.
COLUMNS = ["path", "code_id", "code_path", "code_name", "description", "color", "codable", "codings", "codings_with_subcodes"]


def codebook_rows(project: Project) -> tuple[list[str], list[list]]:
    own = project.codebook.counts()
    total = project.codebook.total_counts()
    rows = [
        [
            project.codebook.path(code),
            code.id,
            project.codebook.path(code),
            code.name,
            code.description,
            code.color,
            "yes" if code.codable else "no",
            own.get(code.id, 0),
            total.get(code.id, 0),
        ]
        for code in project.codebook.all()
    ]
    return COLUMNS, rows


def codebook_markdown(project: Project) -> str:
    """Headings by depth, each code's definition and counts: a codebook to share or print."""
    own = project.codebook.counts()
    total = project.codebook.total_counts()
    lines = [f"# Codebook: {project.name}", ""]
    for code in project.codebook.all():
        depth = project.codebook.depth(code)
        category = "" if code.codable else " (category)"
        lines.append(f"{'#' * min(depth + 2, 6)} {code.name}{category}")
        lines.append("")
        counts = plural(own.get(code.id, 0), "coding")
        if project.codebook.children(code.id):
            counts += f", {total.get(code.id, 0)} with sub-codes"
        lines.append(f"Colour {code.color}; {counts}.")
        lines.append("")
        if code.description:
            lines.extend([code.description.strip(), ""])
    return "\n".join(lines)
