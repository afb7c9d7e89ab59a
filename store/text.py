"""Names and labels made safe to store and show."""


def one_line(text: str) -> str:
    """Printable characters on one line, spaces collapsed (control characters never reach a terminal)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


IRREGULAR = {"match": "matches", "entry": "entries", "sub-code": "sub-codes", "child": "children"}


def plural(count: int, noun: str) -> str:
    """`1 coding`, `2 codings`, `0 matches`: the count with its noun in the right number."""
    return f"{count} {noun if count == 1 else IRREGULAR.get(noun, noun + 's')}"
