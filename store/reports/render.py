"""Reports laid out as HTML, Markdown or Word.

HTML and Markdown come from Jinja2 templates named `<kind>.<format>.j2` (templates/ beside
this file); `--template DIR` puts a research group's folder in front, so it may override
one file or all. Word is written with python-docx, a heading per code so Word's navigation
pane lists the codes; a `reference.docx` in the template folder gives its styles.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from store.errors import BadInput
from store.patterns import later
from store.reports.model import Report
from store.text import plural

FORMATS = ("html", "docx", "md")
TEMPLATES = Path(__file__).parent / "templates"
REFERENCE_DOCX = "reference.docx"
_MD_SPECIAL = later(r"([\\`*_\[\]<>|#])")
_COLOUR = later(r"#[0-9a-fA-F]{6}")


def render(report: Report, fmt: str, template_dir: Path | None = None) -> bytes:
    """The report as the bytes of a file in `fmt` (html, docx or md)."""
    if fmt == "docx":
        from store.reports.word import word

        return word(report, _reference(template_dir))
    if fmt not in FORMATS:
        raise BadInput(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    import jinja2

    name = f"{report.kind}.{fmt}.j2"
    try:
        template = _environment(fmt, str(template_dir) if template_dir else "").get_template(name)
        text = template.render(report=report)
    except jinja2.TemplateError as exc:
        where = f" ({exc.filename}, line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise BadInput(f"the report template {name} does not work: {exc.message or exc}{where}; fix it or leave out --template") from None
    text = _tidy_markdown(text) if fmt == "md" else text
    check_output(text, fmt, name)
    return text.encode("utf-8")


def check_template_dir(template_dir: Path | None, fmt: str = "") -> None:
    """A --template folder that exists, with a reference.docx python-docx can open when
    the report is a Word file: checked before anything is built or written."""
    if template_dir is not None and not Path(template_dir).is_dir():
        raise BadInput(f"--template {template_dir} is not a folder; give a folder of templates (see docs/reports.md)")
    if fmt == "docx":
        from store.reports.word import open_reference

        open_reference(_reference(template_dir))


def check_output(text: str, fmt: str, name: str) -> None:
    """Refuse a report that would run a script or fetch anything (a template can write any
    markup; project text is escaped before it gets there)."""
    from store.reports.safety import problem

    found = problem(text, fmt)
    if found:
        raise BadInput(f"the report template {name} puts {found} in the report; reports hold no scripts and fetch nothing: remove it from the template")


@cache
def _environment(fmt: str, template_dir: str):
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    folders = [template_dir, str(TEMPLATES)] if template_dir else [str(TEMPLATES)]
    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=fmt == "html",
        finalize=_escape_markdown if fmt == "md" else None,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(plural=_plural, colour=_colour, numeric=_numeric, svg=_svg, hashes=_hashes, lines=_lines, quoted=_quoted)
    return environment


def _hashes(depth: int):
    """A Markdown heading's marks for a code at `depth` (2 for the top level, at most 6)."""
    from markupsafe import Markup

    return Markup("#" * min(depth + 2, 6))


def _plural(count: int, noun: str) -> str:
    return plural(count, noun)


def _colour(value: str) -> str:
    """A code's colour for a style attribute: only #rrggbb, so no CSS can be injected."""
    return value if _COLOUR.fullmatch(value or "") else "#999999"


def _numeric(value: str) -> bool:
    return bool(re.fullmatch(r"-?[\d.,]+%?", value))


def _svg(chart):
    from markupsafe import Markup

    from store.reports.svg import svg

    return Markup(svg(chart))


def _lines(text: str):
    """HTML: a quote's lines (the turns it spans) kept apart by line breaks."""
    from markupsafe import Markup, escape

    return Markup("<br>\n").join(escape(line) for line in text.split("\n"))


def _quoted(text: str):
    """Markdown: a quote as a block quote, a paragraph per line (the turns it spans), curly
    quotes around the whole."""
    from markupsafe import Markup

    lines = _MD_SPECIAL.sub(r"\\\1", f"“{text}”").split("\n")
    return Markup("\n>\n".join("> " + line for line in lines))


def _escape_markdown(value):
    """Text from the project as Markdown shows it: its markup characters escaped."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return _MD_SPECIAL.sub(r"\\\1", value)
    return "" if value is None else value


def _tidy_markdown(text: str) -> str:
    """At most one blank line in a row, and one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _reference(template_dir: Path | None) -> Path | None:
    if template_dir is None:
        return None
    path = Path(template_dir) / REFERENCE_DOCX
    return path if path.is_file() else None
