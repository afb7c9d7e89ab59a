"""Bad requests to the report, exemplar and pseudonyms commands (issue 13 findings 3, 4, 5
and 7, and their classes): every option with a bad value gives one line saying what to
do, the exit status the README gives (2 for a bad request or a name the project lacks,
1 for a refusal), no traceback, nothing written and the project unchanged."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from store.errors import BadInput
from store.reports.safety import problem
from tests.reports.conftest import margin

DOC = "P01 nurse, round 1"
KINDS = [("codebook",), ("participant", "P01"), ("analysis",)]

# (arguments after `margin`, exit status, words the one line must hold); OUT is the -o file
OUT = "OUT"
CASES = [
    *[(["report", *kind, "--code", "Nope", "-o", OUT], 2, "no code 'Nope'") for kind in KINDS],
    *[(["report", *kind, "--coder", "nobody", "-o", OUT], 2, "no coder named 'nobody'") for kind in KINDS],
    *[(["report", *kind, "--attr", "round=9", "-o", OUT], 2, "no document has round=9") for kind in KINDS],
    *[(["report", *kind, "--attr", "colour=red", "-o", OUT], 2, "no document has the attribute 'colour'") for kind in KINDS],
    (["report", "participant", "P99", "-o", OUT], 2, "no participant 'P99'"),
    (["report", "analysis", "--by", "nope", "-o", OUT], 2, "no document has the attribute 'nope'"),
    # finding 5: the format is the suffix's, and a suffix that is no report format is refused
    (["report", "codebook", "-o", "x.pdf"], 2, "give a name with one of those endings"),
    (["report", "codebook", "-o", "x.report"], 2, "give a name with one of those endings"),
    (["report", "codebook", "--format", "md", "-o", "y.docx"], 2, "--format md does not fit -o"),
    (["report", "codebook", "--format", "html", "-o", "y.md"], 2, "--format html does not fit -o"),
    # finding 7: an -o that cannot be written is named, never its temporary file
    (["report", "codebook", "-o", "/proc/margin-report.html"], 1, "could not write /proc/margin-report.html"),
    (["report", "codebook", "-o", "missing-folder/x.html"], 2, "is not a folder"),
    (["report", "codebook", "-o", "."], 2, "it is a folder"),
    (["report", "codebook", "--template", "missing", "-o", OUT], 2, "is not a folder"),
    (["exemplar", "Nope", "--turn", "3"], 2, "no document named 'Nope'"),
    (["exemplar", DOC, "--code", "Nope"], 2, "no code 'Nope'"),
    (["exemplar", DOC, "--turn", "999"], 2, "there is no turn 999"),
    (["exemplar", DOC, "--span", "3"], 2, "is not START:END"),
    (["exemplar", DOC], 2, "say which coding"),
    (["exemplar", DOC, "--coding", "zzzz"], 2, "no coding with an id starting"),
    (["exemplar", DOC, "--turn", "2"], 1, "no coding of"),
    (["exemplar", DOC, "--code", "Role > Role clarity"], 1, "codings fit"),
    (["pseudonyms", "add", " ", "P09"], 2, "needs a name"),  # refused as the command is read (tui/cli.py NAMES)
    (["pseudonyms", "add", "Aisha", "AISHA"], 2, "the name itself"),
    (["pseudonyms", "add", "Aisha", "P09"], 2, "--replace"),
    (["pseudonyms", "add", "Raj", "Aisha"], 2, "is a real name in the table"),
    (["pseudonyms", "remove", "Nobody"], 2, "not in the pseudonym table"),
    (["pseudonyms", "import", "missing.csv"], 2, "cannot read missing.csv"),
    (["pseudonyms", "import", "bad.csv"], 2, "is not real,pseudonym"),
    (["pseudonyms", "import", "latin1.csv"], 2, "not UTF-8"),
]


@pytest.fixture
def here(demo_dir, tmp_path, monkeypatch):
    """The demo with one pseudonym, run from a folder holding the CSV files the cases name."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.csv").write_text("Mark\n", encoding="utf-8")
    (tmp_path / "latin1.csv").write_bytes("Zoë,P05\n".encode("latin-1"))
    margin(demo_dir, "pseudonyms", "add", "Aisha", "P01")
    return demo_dir


def _state(folder: Path) -> tuple:
    return (folder / "log.jsonl").read_bytes(), (folder / "pseudonyms.json").read_bytes()


@pytest.mark.parametrize("args, code, words", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_a_bad_request_is_one_line_and_changes_nothing(here, tmp_path, args, code, words):
    out = tmp_path / "never.html"
    args = [str(out) if a == OUT else a for a in args]
    before, files = _state(here), set(tmp_path.iterdir())
    result = margin(here, *args, code=code)  # checks: the status, one line "Error: ...", no traceback
    assert words in result.output and ".tmp" not in result.output
    assert _state(here) == before and set(tmp_path.iterdir()) == files  # nothing written, nothing logged


def test_no_permission_to_write_is_named_not_the_temporary_file(here, tmp_path, monkeypatch):
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".x.html.abc.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    result = margin(here, "report", "codebook", "-o", str(tmp_path / "x.html"), code=1)
    assert f"no permission to create files in {tmp_path}" in result.output and ".tmp" not in result.output


@pytest.mark.parametrize("suffix, fmt", [(".html", "html"), (".htm", "html"), (".docx", "docx"), (".md", "md"), (".MD", "md")])
def test_the_format_follows_the_suffix(demo_dir, tmp_path, suffix, fmt):
    """Finding 5: -o x.docx is a Word file, -o y.md Markdown, whatever the case of the suffix."""
    out = tmp_path / f"report{suffix}"
    margin(demo_dir, "report", "codebook", "-o", str(out))
    data = out.read_bytes()
    assert {"html": data.startswith(b"<!DOCTYPE html>"), "docx": zipfile.is_zipfile(out), "md": data.startswith(b"# Codebook")}[fmt]


# ---------------------------------------------------------------------- a group's own templates


def _zip_without_word(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a Word file")


BAD_REFERENCES = {
    "text": lambda p: p.write_text("not a Word file"),
    "empty": lambda p: p.write_bytes(b""),
    "a zip that is not Word": _zip_without_word,
    "cut short": lambda p: p.write_bytes(_good_docx()[:2000]),
    "a folder": lambda p: p.mkdir(),
}


def _good_docx() -> bytes:
    import io

    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", BAD_REFERENCES)
def test_a_bad_reference_docx_is_one_line_and_writes_nothing(demo_dir, tmp_path, kind):
    """Finding 3: whatever is wrong with reference.docx, one line naming it, exit 2, no file."""
    ours = tmp_path / "ours"
    ours.mkdir()
    BAD_REFERENCES[kind](ours / "reference.docx")
    out = tmp_path / "c.docx"
    result = margin(demo_dir, "report", "codebook", "--template", str(ours), "-o", str(out), code=0 if kind == "a folder" else 2)
    if kind == "a folder":  # not a file: no reference at all, python-docx's styles
        assert out.exists()
    else:
        assert "reference.docx is not a Word file" in result.output and not out.exists()


# A template line that tries to run something or fetch something, for each way there is.
SMUGGLED = {
    "script": "<script>alert(1)</script>",
    "script in capitals": "<SCRIPT src=x.js></SCRIPT>",
    "iframe": '<iframe src="https://example.org"></iframe>',
    "object": '<object data="x.swf"></object>',
    "embed": '<embed src="x.swf">',
    "external link": '<a href="https://example.org">more</a>',
    "protocol-relative image": '<img src="//example.org/x.png">',
    "image from the web": '<img src="http://example.org/x.png">',
    "style sheet": '<link rel="stylesheet" href="https://example.org/x.css">',
    "css import": "<style>@import url(https://example.org/x.css);</style>",
    "css url": '<div style="background: url(https://example.org/x.png)"></div>',
    "event handler": '<p onmouseover="alert(1)">x</p>',
    "javascript link": '<a href="javascript:alert(1)">x</a>',
    "refresh": '<meta http-equiv="refresh" content="0; url=https://example.org">',
    "base": '<base href="https://example.org/">',
    "form": '<form action="https://example.org"><input name="q"></form>',
    "svg image": '<svg><image href="https://example.org/x.png"/></svg>',
    "svg link": '<svg><a xlink:href="https://example.org">x</a></svg>',
}
SMUGGLED_MD = {
    "script": "<script>alert(1)</script>",
    "link": "[more](https://example.org)",
    "image": "![x](https://example.org/x.png)",
    "reference link": "[more]: https://example.org",
    "autolink": "<https://example.org>",
    "raw iframe": '<iframe src="https://example.org"></iframe>',
    "event handler": '<b onclick="alert(1)">x</b>',
}


@pytest.mark.parametrize("what", SMUGGLED)
def test_a_template_cannot_bring_in_a_script_or_a_fetch_html(demo_dir, tmp_path, what):
    """Finding 4: a group's base template with one smuggled line: the report is refused."""
    _check_refused(demo_dir, tmp_path, "base.html.j2", "{% block body %}{% endblock %}", SMUGGLED[what], "html")


@pytest.mark.parametrize("what", SMUGGLED_MD)
def test_a_template_cannot_bring_in_a_script_or_a_fetch_markdown(demo_dir, tmp_path, what):
    _check_refused(demo_dir, tmp_path, "codebook.md.j2", "# {{ report.title }}", SMUGGLED_MD[what], "md")


def _check_refused(folder, tmp_path, name: str, anchor: str, line: str, fmt: str) -> None:
    ours = tmp_path / "ours"
    ours.mkdir()
    source = (Path(__file__).resolve().parents[2] / "store" / "reports" / "templates" / name).read_text(encoding="utf-8")
    assert anchor in source
    (ours / name).write_text(source.replace(anchor, f"{anchor}\n{line}\n", 1), encoding="utf-8")
    out = tmp_path / f"c.{fmt}"
    result = margin(folder, "report", "codebook", "--template", str(ours), "-o", str(out), code=2)
    assert "reports hold no scripts and fetch nothing" in result.output and not out.exists()


def test_a_template_cannot_reach_past_the_values_it_is_given(demo_dir, tmp_path):
    """The templates run sandboxed: no reaching from a value into Python's internals."""
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "codebook.md.j2").write_text("{{ report.__class__.__init__.__globals__ }}", encoding="utf-8")
    result = margin(demo_dir, "report", "codebook", "--template", str(ours), "--format", "md", code=2)
    assert "does not work" in result.output


@pytest.mark.parametrize(
    "text",
    [
        "A memo citing https://example.org/paper and <script>alert(1)</script> as text",
        "[a link](https://example.org) ![an image](http://x/y.png) <iframe src=x>",
    ],
)
def test_project_text_that_looks_like_markup_is_not_refused(demo_dir, tmp_path, text):
    """Project text is escaped, so a memo quoting a URL or a tag still makes a report."""
    margin(demo_dir, "memo", "add", "--code", "Role > Role clarity", text)
    for fmt in ("html", "md"):
        out = tmp_path / f"c.{fmt}"
        margin(demo_dir, "report", "codebook", "-o", str(out))
        assert problem(out.read_text(encoding="utf-8"), fmt) == ""


def test_the_check_allows_what_a_report_needs():
    page = '<a href="#code-trust">Trust</a><img src="data:image/png;base64,AAAA"><svg role="img"><rect x="1"/></svg>'
    assert problem(page, "html") == "" and problem("[Trust](#code-trust) \\[x\\](https://a)", "md") == ""
    with pytest.raises(BadInput):
        from store.reports.render import check_output

        check_output("<script></script>", "html", "base.html.j2")
