"""Reports a person can read without Margin: the codebook with quotes, a participant's
member-checking pack, and the analysis for a supervisor or a PPI group; in HTML, Word or
Markdown (see docs/reports.md).

    report = build(project, "codebook", scope=scope, quotes=3)
    report = pseudonymised(project, report)        # always, for every report
    data = render(report, "html", template_dir)    # bytes of the file

The project's pseudonym table (store/pseudonyms.py) is applied to every string of the
report before it is laid out, so no format can print a real name from the table.
"""

from __future__ import annotations

from dataclasses import replace

from store.analysis.scope import EVERYTHING, Scope
from store.reports.model import Report, all_text, map_strings
from store.reports.render import FORMATS, render

KINDS = ("codebook", "participant", "analysis")

__all__ = ["FORMATS", "KINDS", "build", "name_warnings", "pseudonymised", "render"]


def build(project, kind: str, *, case: str = "", scope: Scope = EVERYTHING, quotes: int = 3, by: str | None = None) -> Report:
    from store.reports import builders

    if kind == "codebook":
        return builders.codebook_report(project, scope, quotes)
    if kind == "participant":
        return builders.participant_report(project, case, scope)
    return builders.analysis_report(project, scope, by)


def pseudonymised(project, report: Report) -> Report:
    """The report with the project's pseudonyms in place of real names, and warnings
    about likely names it still holds."""
    from store import pseudonyms

    table = pseudonyms.load(project.dir)
    done = replace(map_strings(report, table.apply), kind=report.kind)
    return replace(done, warnings=tuple(name_warnings(project, table, all_text(done))))


def name_warnings(project, table, text: str) -> list[str]:
    """A warning for each likely name left in `text` (already pseudonymised)."""
    from store import pseudonyms

    left = pseudonyms.names_left(text, table, project_speakers(project))
    return [_warning(word, count) for word, count in sorted(left.items())]


def project_speakers(project) -> set[str]:
    return {turn.speaker for document in project.documents.all() for turn in document.turns}


def _warning(word: str, count: int) -> str:
    times = "once" if count == 1 else f"{count} times"
    return f"{word!r} looks like a name and appears {times}; add a pseudonym with: margin pseudonyms add {word!r} PSEUDONYM"
