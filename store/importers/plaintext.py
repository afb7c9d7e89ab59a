"""Plain text, Markdown and reStructuredText transcripts: classify each line, then build turns.

The stored text is the input with line endings normalised and nothing else changed, so labels,
headings and timestamps stay visible and the turn offsets point straight into it.

Structural lines (in no turn): Markdown `#` headings (also spacelog `#` comments), RST/setext
headings and their `----`/`^^^^` underlines, horizontal rules, paragraphs written wholly in
italics (`*(10.01 am)*`, `*(A short break)*`), and spacelog metadata `_page : 42` with its
indented continuation lines. A timestamp alone on a line (`[00:00:01:02]`) dates the next turn.

A label with no words after it takes the unlabelled text that follows; when a label comes next
instead (the Changelog's `**Break:** \\[19:48\\]`), nothing was said and no turn is made.
"""


from store.importers.document import ParsedDocument
from store.importers.labels import is_timestamp_line, label_at
from store.importers.turns import Kind, Line, build_turns, span_line
from store.patterns import later

_UNDERLINE = later(r"[ \t]*([-=^~*+#_])\1{2,}[ \t]*")
_HEADING = later(r" {0,3}#{1,6}(?:[ \t]|$)")
_META = later(r"_[A-Za-z]\w*[ \t]*:")
_ITALIC_OPEN = later(r"[ \t]*\*[^*\s]")


def parse_plain(text: str, fmt: str) -> ParsedDocument:
    """Parse already-normalised text (LF line endings, no BOM)."""
    turns, warnings = build_turns(classify(text))
    return ParsedDocument(text, tuple(turns), fmt, warnings)


def classify(text: str) -> list[Line]:
    """One `Line` per line of `text`, with absolute offsets."""
    rows = text.split("\n")
    lines: list[Line] = []
    offset = 0
    break_until = -1  # last row of a structural block found by looking ahead
    in_meta = False
    for index, row in enumerate(rows):
        para_start = not lines or lines[-1].kind in (Kind.BLANK, Kind.BREAK, Kind.TIME)
        if not row.strip():
            line, in_meta = Line(Kind.BLANK), False
        elif index <= break_until or (in_meta and row[0] in " \t"):
            line = span_line(Kind.BREAK, row, offset)
        elif _META.match(row):
            line, in_meta = span_line(Kind.BREAK, row, offset), True
        else:
            in_meta = False
            break_until = max(break_until, _structure_end(rows, index, para_start))
            line = classify_row(row, offset, para_start, index <= break_until)
        line.para_start = para_start
        lines.append(line)
        offset += len(row) + 1
    return lines


def _structure_end(rows: list[str], index: int, para_start: bool) -> int:
    """Last row of the heading or italic block starting at `index`, or -1 when there is none."""
    row = rows[index]
    if not para_start:
        return -1
    following = rows[index + 1] if index + 1 < len(rows) else ""
    if (
        _UNDERLINE.fullmatch(following)
        and not _UNDERLINE.fullmatch(row)
        and len(following.strip()) >= len(row.strip())
    ):
        return index + 1
    if _ITALIC_OPEN.match(row):
        end = index
        while end + 1 < len(rows) and rows[end + 1].strip():
            end += 1
        last = rows[end].rstrip()
        if last.endswith("*") and not last.endswith("**"):
            return end
    return -1


def classify_row(row: str, offset: int, para_start: bool, structural: bool = False) -> Line:
    """Classify one non-blank row that is not metadata; also used for .docx paragraphs."""
    if structural or _UNDERLINE.fullmatch(row) or _HEADING.match(row):
        return span_line(Kind.BREAK, row, offset)
    time = is_timestamp_line(row)
    if time is not None:
        line = span_line(Kind.TIME, row, offset)
        line.time = time
        return line
    line = span_line(Kind.TEXT, row, offset)
    if para_start or not row[0].isspace():
        label = label_at(row, line.start - offset)
        if label is not None:
            line.kind, line.speaker, line.style, line.time = Kind.LABEL, label.speaker, label.style, label.time
            line.content = min(offset + label.content, line.end)
            # A plain label standing alone ("And:" before a quote) needs its speaker to recur.
            spoken = line.content < line.end
            line.firm = label.explicit or (para_start and spoken and not label.weak)
    return line

