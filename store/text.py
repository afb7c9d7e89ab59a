"""Names and labels made safe to store and show."""


def one_line(text: str) -> str:
    """Printable characters on one line, spaces collapsed (control characters never reach a terminal)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
