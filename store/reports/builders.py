"""The three reports, built from the project as `Report` values (store/reports/model.py).

- codebook: the tree, each code's definition, counts (codings, participants), memos and
  its exemplar quotes, or where none is marked its first `quotes` passages in document order;
- participant: one participant's passages grouped by code, with definitions, memos and
  room for questions: the member-checking pack for their next interview;
- analysis: frequencies, code by attribute, co-occurrence and rounds (store/analysis) with
  a codebook summary.

A participant is a document's `case` attribute, or for a document without one its name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from store.analysis.scope import EVERYTHING, Scope, code_ids, codings_in
from store.clock import now
from store.errors import UnknownName
from store.model import Code, Coding, Document
from store.reports.model import Chart, Quote, Report, Section, Table
from store.text import plural

TOP_PAIRS = 20  # co-occurring pairs in the analysis report


def participant_of(document: Document) -> str:
    return document.case or document.name


# ---------------------------------------------------------------------- codebook


def codebook_report(project, scope: Scope = EVERYTHING, quotes: int = 3) -> Report:
    """The codebook with quotes; `quotes` passages per code where none is an exemplar."""
    codings = codings_in(project, scope)
    sections = _sections(project, scope, codings, lambda found: _chosen(found, quotes))
    intro = (
        f"{plural(len(sections), 'code')}, {plural(len(codings), 'coding')}. Quotes are the researcher's exemplars "
        f"or, for a code without any, its first {plural(quotes, 'passage')} in document order."
    )
    return _report(project, "codebook", f"Codebook: {project.name}", scope, intro, sections)


def _chosen(found: list[Coding], quotes: int) -> list[Coding]:
    exemplars = [c for c in found if c.exemplar]
    return exemplars or found[:quotes]


# ---------------------------------------------------------------------- participant


def participant_report(project, case: str, scope: Scope = EVERYTHING) -> Report:
    """One participant's passages grouped by code, and nothing from anyone else."""
    documents = participant_documents(project, case)
    wanted = frozenset(d.id for d in documents)
    if scope.documents is not None:
        wanted &= scope.documents
    scope = replace(scope, documents=wanted)
    codings = codings_in(project, scope)
    # flat: a heading per code with its whole path, as parents without passages are left out
    sections = [replace(s, name=s.path, depth=0) for s in _sections(project, scope, codings, list) if s.codings]
    names = ", ".join(d.name for d in documents)
    intro = (
        f"The passages of {case}'s interview{'s' * (len(documents) > 1)} ({names}) coded so far, grouped by code, "
        "with what each code means and the researcher's notes. Do these fit what you meant?"
    )
    title = f"Your interview{'s' * (len(documents) > 1)}: {case}"
    return replace(_report(project, "participant", title, scope, intro, sections), questions=True)


def participant_documents(project, case: str) -> list[Document]:
    found = [d for d in project.documents.all() if participant_of(d) == case]
    if not found:
        known = sorted({participant_of(d) for d in project.documents.all()})
        listed = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "") or "none (import documents first)"
        raise UnknownName(f"no participant {case!r} (a document's case attribute, or its name); participants: {listed}")
    return found


# ---------------------------------------------------------------------- analysis


def analysis_report(project, scope: Scope = EVERYTHING, by: str | None = None) -> Report:
    """Tables and charts of store/analysis with the codebook summary (no quotes)."""
    from store.analysis.frequencies import frequencies

    rows = frequencies(project, scope)
    table = Table(
        "Code frequencies",
        ("Code", "Codings", "Documents", "Participants", "Words", "Share of words"),
        tuple((f.path, str(f.codings.value), str(f.documents), str(f.cases), str(f.words), f"{f.share:.1%}") for f in rows),
    )
    charts = [Chart("Codings per code", "bars", tuple(f.path for f in rows), values=(tuple(f.codings.value for f in rows),))]
    tables = [table]
    by = by or _default_attribute(project)
    if by:
        matrix_table, heat = _matrix(project, scope, by)
        tables.append(matrix_table)
        charts.append(heat)
    tables.append(_pairs(project, scope))
    tables += _rounds(project, scope)
    codings = codings_in(project, scope)
    sections = _sections(project, scope, codings, lambda found: [])
    intro = f"{plural(len(codings), 'coding')} in {plural(len({c.document for c in codings}), 'document')}."
    report = _report(project, "analysis", f"Analysis: {project.name}", scope, intro, sections)
    return replace(report, tables=tuple(tables), charts=tuple(charts))


def _default_attribute(project) -> str:
    """The attribute to break codes down by: round, else the first that is not case."""
    keys = [k for k in project.documents.attribute_keys() if k != "case"]
    return "round" if "round" in keys else (keys[0] if keys else "")


def _matrix(project, scope: Scope, by: str) -> tuple[Table, Chart]:
    from store.analysis.matrix import matrix

    found = matrix(project, scope, cols=f"attr.{by}")
    columns = tuple(c or "(none)" for c in found.columns)
    paths = tuple(project.codebook.path(code) for code in found.codes)
    values = tuple(tuple(found.cell(code.id, column).value for column in found.columns) for code in found.codes)
    rows = tuple((path, *map(str, row)) for path, row in zip(paths, values))
    title = f"Codings by {by}"
    return Table(title, ("Code", *columns), rows), Chart(title, "heat", paths, columns, values)


def _pairs(project, scope: Scope) -> Table:
    from store.analysis.cooccurrence import cooccurrence

    pairs = sorted(cooccurrence(project, scope), key=lambda p: -p.together.value)[:TOP_PAIRS]
    path = project.codebook.path
    rows = tuple(
        (path(p.code_a), path(p.code_b), str(p.together.value), f"{p.c_coefficient:.2f}", f"{p.jaccard:.2f}") for p in pairs
    )
    note = f"The {TOP_PAIRS} pairs of codes that overlap most often." if len(pairs) == TOP_PAIRS else ""
    return Table("Codes that overlap", ("Code", "With code", "Together", "C coefficient", "Jaccard"), rows, note)


def _rounds(project, scope: Scope) -> list[Table]:
    """What changed between a participant's rounds, when documents have case and round."""
    from store.analysis.rounds import rounds

    keys = project.documents.attribute_keys()
    if "case" not in keys or "round" not in keys:
        return []
    found = [r for r in rounds(project, scope) if r.change]
    rows = tuple(
        (r.case, r.path, " · ".join(f"round {k}: {cell.value}" for k, cell in r.present.items()), r.change) for r in found
    )
    return [Table("Codes across rounds", ("Participant", "Code", "Codings", "Change"), rows)]


# ---------------------------------------------------------------------- shared


def _report(project, kind: str, title: str, scope: Scope, intro: str, sections: list[Section]) -> Report:
    return Report(kind, title, project.name, now()[:10], scope.describe(project), intro, tuple(sections))


def _sections(project, scope: Scope, codings: list[Coding], choose) -> list[Section]:
    """A section per code in scope, in tree order; `choose(codings of the code)` picks
    the passages to quote."""
    by_code: dict[str, list[Coding]] = defaultdict(list)
    for coding in codings:
        by_code[coding.code].append(coding)
    wanted = code_ids(project, scope)
    codes = [c for c in project.codebook.all() if wanted is None or c.id in wanted]
    top = min((project.codebook.depth(c) for c in codes), default=0)
    participants = {d.id: participant_of(d) for d in project.documents.all()}
    return [_section(project, code, by_code.get(code.id, []), choose, top, participants) for code in codes]


def _section(project, code: Code, found: list[Coding], choose, top: int, participants: dict[str, str]) -> Section:
    path = project.codebook.path(code)
    chosen = choose(found)
    return Section(
        path=path,
        name=code.name,
        depth=project.codebook.depth(code) - top,
        definition=code.description.strip(),
        category=not code.codable,
        colour=code.color,
        codings=len(found),
        participants=len({participants[d] for d in {c.document for c in found}}),
        memos=tuple(m.text.strip() for m in project.memos.on(code.id, "code") if m.text.strip()),
        quotes=tuple(quote(project, c) for c in chosen),
        left_out=len(found) - len(chosen),
        anchor="code-" + re.sub(r"[^a-z0-9]+", "-", path.casefold()).strip("-"),
    )


def quote_text(text: str) -> str:
    """A passage as quoted: the spaces inside each line made single, its lines (the turns
    it spans) kept, blank lines dropped."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def quote(project, coding: Coding) -> Quote:
    document = project.state.documents[coding.document]
    turn = document.turn_at(coding.start)
    return Quote(
        text=quote_text(coding.text),
        participant=participant_of(document),
        document=document.name,
        turn=f"turn {turn.index + 1}" if turn else "",
        speaker=turn.speaker if turn else "",
        exemplar=coding.exemplar,
        memos=tuple(m.text.strip() for m in project.memos.on(coding.id, "coding") if m.text.strip()),
    )
