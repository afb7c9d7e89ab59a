"""A small streaming XML writer with exact escaping.

ElementTree leaves a carriage return in element text unescaped, so a parser reads it back
as a line feed; and it writes characters that XML 1.0 forbids, making the file unreadable.
Here CR, LF and TAB are escaped as character references where a parser would change
them, and forbidden characters become U+FFFD.
"""

from __future__ import annotations

from collections.abc import Callable

from store.patterns import later

# Characters XML 1.0 does not allow at all (§2.2), and surrogates that UTF-8 cannot encode.
_FORBIDDEN = later("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR = {**_TEXT, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
_TEXT_RE = later("[&<>\r]")
_ATTR_RE = later('[&<>\r\n\t"]')
# Anything escape_text or escape_attr would change: most values (ids, times) have none.
_SPECIAL = later('[&<>\r\n\t"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def has_special(text: str) -> bool:
    """Whether escaping would change `text` (a space never is special, so values joined
    by spaces are checked at once)."""
    return _SPECIAL.search(text) is not None


def xml_safe(text: str) -> str:
    """`text` with the characters XML cannot carry replaced by U+FFFD."""
    return _FORBIDDEN.sub("\ufffd", text)


def escape_text(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    return _TEXT_RE.sub(lambda m: _TEXT[m[0]], xml_safe(text))


def escape_attr(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    return _ATTR_RE.sub(lambda m: _ATTR[m[0]], xml_safe(text))


_SEPARATOR = "\ue000"  # a private-use character: kept by escaping, and rare in a text
_ATTR_REPLACEMENTS = [("&", "&amp;")] + [(c, r) for c, r in _ATTR.items() if c != "&"]


def escape_attrs(values: list[str]) -> list[str]:
    """`escape_attr` of each value, at once: the values are joined by a character that
    escaping keeps, scanned once, escaped by a C-level `str.replace` per special character
    (ampersands first, so no replacement is replaced again) and split again. Values
    holding that character are escaped one by one."""
    joined = _SEPARATOR.join(values)
    if _SPECIAL.search(joined) is None:
        return values
    if joined.count(_SEPARATOR) != len(values) - 1:
        return [escape_attr(v) for v in values]
    escaped = xml_safe(joined) if _FORBIDDEN.search(joined) else joined
    for char, replacement in _ATTR_REPLACEMENTS:
        if char in escaped:
            escaped = escaped.replace(char, replacement)
    return escaped.split(_SEPARATOR)


class XmlWriter:
    """Writes indented XML into a list of strings; attributes with value None are left out.

    With a `sink`, what is written goes to it as UTF-8 every few thousand pieces (an
    export of 200,000 codings is 120 MB of XML, never held whole; a document's codings,
    made at once by the export, go as one piece); `bytes()` then gives what is left."""

    FLUSH = 4096  # pieces held before they go to the sink

    def __init__(self, sink: Callable[[bytes], object] | None = None) -> None:
        self.parts: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']
        self._done: list[bytes] = []  # encoded already, without a sink
        self._depth = 0
        self._sink = sink

    @property
    def pad(self) -> str:
        """The indentation of an element written now."""
        return "  " * self._depth

    def _tag(self, name: str, attrs: dict[str, str | None]) -> str:
        written = "".join(f' {k}="{escape_attr(v)}"' for k, v in attrs.items() if v is not None)
        return f"{'  ' * self._depth}<{name}{written}"

    def open(self, name: str, /, **attrs: str | None) -> None:
        self.raw(self._tag(name, attrs) + ">\n")
        self._depth += 1

    def close(self, name: str) -> None:
        self._depth -= 1
        self.raw(f"{'  ' * self._depth}</{name}>\n")

    def empty(self, name: str, /, **attrs: str | None) -> None:
        self.raw(self._tag(name, attrs) + "/>\n")

    def text(self, name: str, content: str, /, **attrs: str | None) -> None:
        self.raw(f"{self._tag(name, attrs)}>{escape_text(content)}</{name}>\n")

    def raw(self, xml: str) -> None:
        """Markup made by the caller, escaped and indented already (the hot paths of an export)."""
        self.parts.append(xml)
        if self._sink is not None and len(self.parts) >= self.FLUSH:
            self._sink(self.bytes())

    def encoded(self, xml: bytes) -> None:
        """`raw` for markup encoded as UTF-8 already (an export's codings, a document at a time)."""
        if self._sink is not None:
            self._sink(self.bytes())
            self._sink(xml)
        else:
            self._done.append("".join(self.parts).encode("utf-8"))
            self._done.append(xml)
            self.parts = []

    def bytes(self) -> bytes:
        """What was written and not yet given to the sink."""
        data = "".join(self.parts).encode("utf-8")
        self.parts = []
        if self._done:
            data, self._done = b"".join([*self._done, data]), []
        return data
