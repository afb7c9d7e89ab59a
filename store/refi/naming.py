"""Names, colours and keys from other tools, made into what Margin accepts."""

from __future__ import annotations

from store.patterns import later
from store.text import one_line

_HEX3 = later(r"#([0-9a-fA-F])([0-9a-fA-F])([0-9a-fA-F])")
_HEX6 = later(r"#[0-9a-fA-F]{6}")


def code_name(name: str) -> str:
    """A code name: `>` separates paths in Margin, so a `>` inside a name becomes `›`."""
    return one_line(name).replace(">", "›") or "(unnamed code)"


def attribute_key(name: str) -> str:
    return one_line(name).replace("=", "-")


def colour(value: str | None) -> str | None:
    """`#RGB` or `#RRGGBB` as Margin's `#rrggbb`; None when it is neither."""
    value = (value or "").strip()
    if _HEX6.fullmatch(value):
        return value.lower()
    short = _HEX3.fullmatch(value)
    return "#" + "".join(2 * part for part in short.groups()).lower() if short else None


class UniqueNames:
    """Hands out names, adding ` (2)`, ` (3)` ... to repeats (compared ignoring case)."""

    def __init__(self, taken: set[str] | None = None):
        self.taken = {n.casefold() for n in taken or ()}

    def __call__(self, name: str) -> str:
        candidate, number = name, 2
        while candidate.casefold() in self.taken:
            candidate, number = f"{name} ({number})", number + 1
        self.taken.add(candidate.casefold())
        return candidate
