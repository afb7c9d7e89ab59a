"""Attributes as REFI-QDA Variables: a key is typed when every value reads as that type.

The value is written exactly as Margin holds it, so the patterns below accept only the
lexical forms the schema allows (FloatValue is an xsd:decimal: no exponent, no NaN).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime

from store.patterns import later

_INTEGER = later(r"[+-]?[0-9]+")
_DECIMAL = later(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = later(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = later(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?")


def _parses(parse: Callable[[str], object], value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


_CHECKS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("Integer", lambda v: _INTEGER.fullmatch(v) is not None),
    ("Float", lambda v: _DECIMAL.fullmatch(v) is not None),
    ("Boolean", lambda v: v in ("true", "false")),
    ("Date", lambda v: _DATE.fullmatch(v) is not None and _parses(date.fromisoformat, v)),
    ("DateTime", lambda v: is_datetime(v)),
)
VALUE_ELEMENTS = {
    "Text": "TextValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Boolean": "BooleanValue",
    "Date": "DateValue",
    "DateTime": "DateTimeValue",
}


@functools.lru_cache(maxsize=4096)
def is_datetime(value: str) -> bool:
    """Whether `value` is an xsd:dateTime as Margin writes them (so an export stays valid)."""
    return _DATETIME.fullmatch(value) is not None and _parses(datetime.fromisoformat, value)


def variable_type(values: Iterable[str]) -> str:
    """The narrowest REFI type that every value is written in, else Text."""
    values = list(values)
    for name, check in _CHECKS:
        if values and all(check(v) for v in values):
            return name
    return "Text"
