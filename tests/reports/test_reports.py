"""Every report in every format, on the demo and on the PDPilot gold project: every code
and definition present, exemplar quotes are the coded text, a participant pack holds only
that participant's passages, the Word file has a heading per code and the quotes as text."""

from __future__ import annotations

import itertools
import re

import pytest

from store.project import Project
from store.reports import build
from store.reports.builders import participant_of
from tests.reports.conftest import margin
from tests.reports.readback import headings, normal, text_of

FORMATS = ("html", "docx", "md")
_COUNT = itertools.count()


def _write(folder, tmp_path, *args, suffix: str) -> str:
    out = tmp_path / f"report-{next(_COUNT)}.{suffix}"
    margin(folder, "report", *args, "-o", str(out))
    return out


def _mark_exemplars(folder):
    """Mark the second coding of every other code as an exemplar; returns them."""
    with Project.open(folder) as project:
        marked = []
        for n, code in enumerate(project.codebook.all()):
            found = project.codings.query(code=code, with_subcodes=False)
            if n % 2 == 0 and len(found) > 1:
                marked.append(project.codings.mark_exemplar(found[1]))
        return marked


def _check_codebook(folder, tmp_path):
    marked = _mark_exemplars(folder)
    with Project.open(folder, readonly=True) as project:
        codes = project.codebook.all()
        by_code = {c.id: project.codings.query(code=c, with_subcodes=False) for c in codes}
    for fmt in FORMATS:
        text = text_of(_write(folder, tmp_path, "codebook", "--quotes", "2", suffix=fmt))
        for code in codes:
            assert normal(code.name) in text and normal(code.description) in text
            chosen = [c for c in by_code[code.id] if c.exemplar] or by_code[code.id][:2]
            for coding in chosen:  # the quotes are exactly the coded text
                assert f"“{normal(coding.text)}”" in text, (fmt, code.name)
        if fmt == "docx":
            _check_headings(tmp_path, folder, codes)
    with Project.open(folder, readonly=True) as project:  # a code with exemplars quotes only them
        sections = {s.path: s for s in build(project, "codebook", quotes=2).sections}
        for coding in marked:
            path = project.codebook.path(project.state.codes[coding.code])
            assert [normal(q.text) for q in sections[path].quotes] == [normal(coding.text)]
            assert all(q.exemplar for q in sections[path].quotes)


def _check_headings(tmp_path, folder, codes):
    path = _write(folder, tmp_path, "codebook", "--quotes", "1", suffix="docx")
    found = headings(path)
    assert found[0][0] == 0
    with Project.open(folder, readonly=True) as project:
        want = [(project.codebook.depth(c) + 1, c.name + ("" if c.codable else " (category)")) for c in codes]
    assert found[1:] == want  # one heading per code, at the code's depth, in tree order


def _check_participant(folder, tmp_path, case):
    with Project.open(folder, readonly=True) as project:
        mine = {d.id for d in project.documents.all() if participant_of(d) == case}
        codings = list(project.state.codings.values())
        own = [c for c in codings if c.document in mine]
        others = {normal(c.text) for c in codings if c.document not in mine}
        others = {t for t in others if not any(t in normal(c.text) for c in own)}
        definitions = {project.state.codes[c.code].description for c in own}
    assert own and others
    for fmt in FORMATS:
        text = text_of(_write(folder, tmp_path, "participant", case, suffix=fmt))
        assert all(f"“{normal(c.text)}”" in text for c in own), fmt  # every passage of theirs
        assert not [t for t in others if f"“{t}”" in text], fmt  # nothing from anyone else
        assert all(normal(d) in text for d in definitions)


def _check_analysis(folder, tmp_path):
    with Project.open(folder, readonly=True) as project:
        codes = project.codebook.all()
    for fmt in FORMATS:
        text = text_of(_write(folder, tmp_path, "analysis", suffix=fmt))
        for heading in ("Code frequencies", "Codes that overlap", "Codebook"):
            assert heading in text
        assert all(normal(c.name) in text and normal(c.description) in text for c in codes)


def test_codebook_report_on_the_demo(demo_dir, tmp_path):
    _check_codebook(demo_dir, tmp_path)


def test_participant_pack_on_the_demo(demo_dir, tmp_path):
    _check_participant(demo_dir, tmp_path, "P01")


def test_analysis_report_on_the_demo(demo_dir, tmp_path):
    _check_analysis(demo_dir, tmp_path)
    text = text_of(_write(demo_dir, tmp_path, "analysis", "--by", "profession", suffix="md"))
    assert "Codings by profession" in text and "Psychiatrist" in text
    assert "Codes across rounds" in text  # the demo has case and round


@pytest.mark.corpus
def test_every_report_on_the_gold_project(gold_dir, tmp_path):
    _check_participant(gold_dir, tmp_path, "P3")
    _check_analysis(gold_dir, tmp_path)
    _check_codebook(gold_dir, tmp_path)
    margin(gold_dir, "pseudonyms", "add", "Dan", "Interviewer D")  # the interviewer's name, a speaker label
    for args in (("codebook", "--quotes", "9"), ("participant", "P3"), ("analysis",)):
        for fmt in FORMATS:
            text = text_of(_write(gold_dir, tmp_path, *args, suffix=fmt))
            assert "Interviewer D" in text or args[0] == "analysis"
            assert not re.search(r"(?<!\w)dan(?!\w)", text, re.IGNORECASE), (args, fmt)


def test_filters_narrow_the_report(demo_dir, tmp_path):
    text = text_of(_write(demo_dir, tmp_path, "codebook", "--code", "Role", suffix="md"))
    assert "Role drift" in text and "Employment terms" not in text
    text = text_of(_write(demo_dir, tmp_path, "codebook", "--attr", "case=P03", "--quotes", "9", suffix="md"))
    assert "eighteen-month contracts" in text and "hand out biscuits" not in text
    text = text_of(_write(demo_dir, tmp_path, "codebook", "--coder", "demo", suffix="md"))
    assert "hand out biscuits" in text
    margin(demo_dir, "report", "codebook", "--coder", "nobody", code=2)


def test_bad_input_is_one_line_and_writes_nothing(demo_dir, tmp_path):
    out = tmp_path / "never.html"
    margin(demo_dir, "report", "participant", "P99", "-o", str(out), code=2)
    margin(demo_dir, "report", "analysis", "--by", "nope", "-o", str(out), code=2)
    margin(demo_dir, "report", "codebook", "--template", str(tmp_path / "missing"), "-o", str(out), code=2)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "codebook.html.j2").write_text("{% for x in %}")
    margin(demo_dir, "report", "codebook", "--template", str(broken), "-o", str(out), code=2)
    assert not out.exists()


def test_a_template_folder_restyles_one_report(demo_dir, tmp_path):
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "codebook.md.j2").write_text("# Our lab's codebook\n{% for s in report.sections %}- {{ s.path }}\n{% endfor %}")
    out = _write(demo_dir, tmp_path, "codebook", "--template", str(ours), suffix="md")
    assert out.read_text().startswith("# Our lab's codebook\n- Challenging practice\n")
    out = _write(demo_dir, tmp_path, "analysis", "--template", str(ours), suffix="md")  # the rest stay Margin's
    assert "Code frequencies" in out.read_text()
    from docx import Document

    reference = Document()
    reference.styles["Quote"].font.name = "Our Lab Serif"
    reference.save(ours / "reference.docx")
    out = _write(demo_dir, tmp_path, "codebook", "--template", str(ours), suffix="docx")
    written = Document(str(out))
    assert written.styles["Quote"].font.name == "Our Lab Serif"
    assert any(p.style.name == "Quote" for p in written.paragraphs)


def test_html_is_self_contained(demo_dir, tmp_path):
    for kind in (("codebook",), ("participant", "P01"), ("analysis",)):
        page = _write(demo_dir, tmp_path, *kind, suffix="html").read_text()
        assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
        assert "default-src 'none'" in page
        assert "http" not in page and "//" not in page.replace("://", "")  # finding 11: a plain grep finds no URL
    assert page.count("<svg ") == 2  # the analysis: frequencies and codes by round


def test_files_are_private_and_word_needs_a_file(demo_dir, tmp_path):
    out = _write(demo_dir, tmp_path, "codebook", suffix="docx")
    assert out.stat().st_mode & 0o777 == 0o600
    assert margin(demo_dir, "report", "codebook", "--format", "md").stdout.startswith("# Codebook")


def _two_turns_with_a_memo(folder) -> tuple[list[str], str]:
    """A coding over turns 3 and 4 of P02 (psychiatrist, then interviewer) with a memo."""
    from store.matching import turn_span

    with Project.open(folder) as project:
        document = project.documents.get("P02 psychiatrist")
        start, end = turn_span(document, 3)[0], turn_span(document, 4)[1]
        code = project.codebook.add("Spans turns", description="A passage over two turns.")
        coding = project.codings.apply(document, code, start, end, memo="Where the talk turns.")
        return [line.strip() for line in coding.text.splitlines() if line.strip()], coding.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_quote_keeps_its_turns_apart_and_its_memo_outside(demo_dir, tmp_path, fmt):
    """Finding 9: a passage over two turns keeps its line break in every format, and a
    coding memo is not part of the quote (in Markdown it was read into the block quote)."""
    lines, _ = _two_turns_with_a_memo(demo_dir)
    assert len(lines) == 2
    out = _write(demo_dir, tmp_path, "codebook", "--code", "Spans turns", suffix=fmt)
    if fmt == "md":
        text = out.read_text(encoding="utf-8")
        block = text[text.index("> “"):]
        quoted, after = block.split("\n\n", 1)
        assert [x for x in quoted.splitlines() if x != ">"][:2] == [f"> “{_md(lines[0])}", f"> {_md(lines[1])}”"]
        assert after.lstrip().startswith("*Memo:* Where the talk turns.")  # a paragraph of its own
    elif fmt == "html":
        page = out.read_text(encoding="utf-8")
        quote = page[page.index("<blockquote>"):page.index("</blockquote>")]
        assert "<br>" in quote and "Where the talk turns." not in quote
        assert page.index("Where the talk turns.") > page.index("</blockquote>")
    else:
        from docx import Document

        paragraphs = [p.text for p in Document(str(out)).paragraphs]
        assert f"“{lines[0]}\n{lines[1]}”" in paragraphs


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", " ".join(text.split()))
