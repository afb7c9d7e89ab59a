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
    done = replace(map_strings(report, table.apply), kind=report.kind) if table else report
    return replace(done, warnings=tuple(name_warnings(project, table, all_text(done), all_text(report) if table else "")))


def name_warnings(project, table, text: str, original: str = "") -> list[str]:
    """A warning for each likely name left in `text` (pseudonymised from `original`)."""
    from store import pseudonyms

    return [_warning(doubt) for doubt in pseudonyms.doubts(text, table, project_speakers(project), original)]


def project_speakers(project) -> set[str]:
    return {turn.speaker for document in project.documents.all() for turn in document.turns}


def _warning(doubt) -> str:
    word, real, pseudo = doubt.word, doubt.name, doubt.pseudonym
    times = "once" if doubt.count == 1 else f"{doubt.count} times"
    if doubt.kind == "part":
        return f"{word!r} (a word of {real!r}) appears {times}, left as it is; to replace it too: margin pseudonyms add {word!r} {pseudo!r}"
    if doubt.kind == "case":
        return (
            f"{word!r} ({real!r} in other letters) appears {times}, left as an ordinary word; if it is the name, "
            f"make the entry match any case: margin pseudonyms add --replace {real.lower()!r} {pseudo!r}"
        )
    if doubt.kind == "start":
        return f"{word!r} begins a sentence {times} and was replaced by {pseudo!r}, but {word.lower()!r} is also an ordinary word here: check those sentences"
    return f"{word!r} looks like a name and appears {times}; add a pseudonym with: margin pseudonyms add {word!r} PSEUDONYM"
