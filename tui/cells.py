"""Widths in terminal cells, not characters, for every table the command line prints and
every label the analysis screen's widgets (tui/widgets/bars.py, heatmap.py) draw.

A CJK character or an emoji takes two cells, a combining accent or a zero-width joiner
none, and a health-worker emoji is three characters in two cells. Counting characters
(`len`, `str.ljust`) misaligns such columns and runs lines past COLUMNS. Widths are rich's
(`rich.cells`, what Textual draws with), and text is cut between graphemes (store/graphemes.py),
never inside an accented letter or an emoji. Plain ASCII, most of what a table holds, is
measured by `len` without importing anything.
"""

from __future__ import annotations

ELLIPSIS = "…"
ZWJ = "\u200d"  # rich measures the character after a joiner as joined, so one that ends a
# piece of text (joining nothing) would hide what follows it: head, tail, ljust, rjust drop it


def _closed(text: str) -> str:
    return text.rstrip(ZWJ) if text.endswith(ZWJ) else text


def width(text: str) -> int:
    """The cells `text` takes in a terminal."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _graphemes(text: str) -> list[str]:
    import regex

    return regex.findall(r"\X", text)


def head(text: str, cells: int) -> str:
    """The longest start of `text` (whole graphemes) within `cells`."""
    if text.isascii():
        return text[: max(cells, 0)]
    taken, used = [], 0
    for grapheme in _graphemes(text):
        used += width(grapheme)
        if used > cells:
            break
        taken.append(grapheme)
    return _closed("".join(taken))


def tail(text: str, cells: int) -> str:
    """The longest end of `text` (whole graphemes) within `cells`."""
    if text.isascii():
        return text[len(text) - max(cells, 0) :] if cells > 0 else ""
    taken, used = [], 0
    for grapheme in reversed(_graphemes(text)):
        used += width(grapheme)
        if used > cells:
            break
        taken.append(grapheme)
    return _closed("".join(reversed(taken)))


def cut(text: str, cells: int) -> str:
    """`text` in at most `cells` cells, cut with … at the end."""
    if width(text) <= cells:
        return text
    return head(text, cells - 1) + ELLIPSIS if cells >= 1 else ""


def fit_path(path: str, cells: int) -> str:
    """A code path in `cells` cells keeping the code itself, since siblings differ there:
    the middle levels become … ("Role > … > Boundaries"), then the top level ("… >
    Boundaries"), then the start is cut ("…undaries"); a one-level name is cut at its end."""
    if width(path) <= cells:
        return path
    parts = path.split(" > ")
    if len(parts) == 1 or cells < 2:
        return cut(path, cells)
    for short in (f"{parts[0]} > … > {parts[-1]}" if len(parts) > 2 else "", f"… > {parts[-1]}"):
        if short and width(short) <= cells:
            return short
    return ELLIPSIS + tail(path, cells - 1)


def ljust(text: str, cells: int) -> str:
    """`text` padded with spaces on the right to `cells` cells."""
    if text.isascii():
        return text.ljust(cells)
    text = _closed(text)
    return text + " " * (cells - width(text))


def rjust(text: str, cells: int) -> str:
    """`text` padded with spaces on the left to `cells` cells."""
    if text.isascii():
        return text.rjust(cells)
    text = _closed(text)
    return " " * (cells - width(text)) + text


def fit(text: str, cells: int) -> str:
    """`text` cut (with …) or padded to exactly `cells` cells."""
    return ljust(cut(text, cells), cells)


def cut_apart(texts: list[str], widths: list[int]) -> list[str]:
    """Each text cut to its width in cells (with … at the end), except that texts which
    would then look the same are cut in the middle instead, keeping their ends, where names
    such as "P01 nurse, round 1" and "P01 nurse, round 2" differ."""
    cuts = [cut(t, w) for t, w in zip(texts, widths)]
    seen: dict[str, set[str]] = {}
    for text, short in zip(texts, cuts):
        seen.setdefault(short, set()).add(text)
    return [_cut_middle(t, w) if len(seen[short]) > 1 else short for t, w, short in zip(texts, widths, cuts)]


def _cut_middle(text: str, cells: int) -> str:
    if width(text) <= cells or cells < 3:
        return cut(text, cells)
    first = (cells - 1) // 2
    start = head(text, first)
    return start + ELLIPSIS + tail(text, cells - 1 - width(start))
