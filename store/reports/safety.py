"""What a report may not hold, checked on the rendered output whatever template made it:
nothing that runs (script, event handlers, javascript: links, plug-ins, frames) and
nothing fetched (a link, image, style sheet, font or frame from anywhere; a form that
sends). Links inside the report (`#code-trust`) and images written into it (`data:image/`)
are fine.

Project text never trips this: the templates escape it (HTML entities, Markdown
backslashes) before it reaches the output, so only markup a template wrote is checked.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from store.patterns import later

# Elements that run code, embed another document, fetch, or send what a reader types.
REFUSED_TAGS = frozenset(
    "script noscript iframe frame frameset object embed applet portal base link form input button textarea select "
    "audio video source track picture foreignobject animate set".split()
)
URL_ATTRIBUTES = frozenset(
    "href src srcset action formaction xlink:href poster data background cite longdesc ping manifest codebase "
    "archive usemap lowsrc dynsrc".split()
)
_IMAGE = later(r"data:image/(png|jpeg|gif|webp);", re.IGNORECASE)
_CSS_FETCH = later(r"@import|url\s*\(\s*['\"]?\s*(?!data:image/|#)|expression\s*\(|-moz-binding|behavior\s*:", re.IGNORECASE)
# Markdown: raw HTML that is not escaped, and the target of a link or image (or a reference definition).
_MD_TAG = later(r"(?<!\\)<[A-Za-z!/?][^<>]*>?")
_MD_AUTOLINK = later(r"(?<!\\)<[A-Za-z][A-Za-z0-9+.-]*:")
_MD_TARGET = later(r"(?<!\\)\]\(\s*<?\s*([^)\s>]*)|^ {0,3}(?<!\\)\[[^\]\n]+\]:\s*<?(\S*)", re.MULTILINE)


def problem(text: str, fmt: str) -> str:
    """What makes `text` (a rendered report in `fmt`) unsafe, in words with its line; ''
    when nothing does. Word files are built in code, not from templates: nothing to check."""
    if fmt == "html":
        return _html_problem(text)
    if fmt == "md":
        return _markdown_problem(text)
    return ""


def _html_problem(text: str, first_line: int = 1) -> str:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if not checker.found:
        return ""
    what, line = checker.found
    return f"{what} (line {line + first_line - 1})"


def _markdown_problem(text: str) -> str:
    for match in _MD_TARGET.finditer(text):
        target = match.group(1) if match.group(1) is not None else match.group(2)
        if target and not _inside(target):
            return f"a link to {target!r} (line {_line(text, match.start())})"
    match = _MD_AUTOLINK.search(text)
    if match:
        return f"a link {text[match.start():match.start() + 30]!r}… (line {_line(text, match.start())})"
    for match in _MD_TAG.finditer(text):
        found = _html_problem(match.group(0), _line(text, match.start()))
        if found:
            return found
    return ""


def _inside(url: str, image: bool = False) -> bool:
    """A link within the report, or (for an image) a picture written into it."""
    url = url.strip()
    return url.startswith("#") or (image and _IMAGE.match(url) is not None)


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


class _Checker(HTMLParser):
    """Records the first refused element or attribute and the line it is on."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: tuple[str, int] | None = None
        self._in_style = False

    def _refuse(self, what: str) -> None:
        if self.found is None:
            self.found = (what, self.getpos()[0])

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        self._in_style = tag == "style"
        if tag in REFUSED_TAGS:
            self._refuse(f"a <{tag}> element")
        if tag == "meta" and any(k.lower() == "http-equiv" and (v or "").strip().lower() in ("refresh", "set-cookie", "link") for k, v in attrs):
            self._refuse("a <meta http-equiv> that loads or sets something")
        for name, value in attrs:
            self._attribute(tag, name.lower(), value or "")

    handle_startendtag = handle_starttag

    def _attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self._refuse(f"a {name} handler on <{tag}>")
        elif name in URL_ATTRIBUTES and not _inside(value, image=tag in ("img", "image") and name in ("src", "href", "xlink:href")):
            self._refuse(f"a link to {value[:60]!r} in <{tag} {name}>")
        elif name == "style" and _CSS_FETCH.search(value):
            self._refuse(f"a style on <{tag}> that fetches or runs something")

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style and _CSS_FETCH.search(data):
            self._refuse("a style sheet that fetches or runs something (@import, url(), expression())")

    def handle_pi(self, data):
        self._refuse("a processing instruction")
