"""Build speaker turns from classified lines; shared by the plain-text and .docx importers.

A format module cuts its text into `Line`s (blank, text, label, structural break, timestamp) with
absolute offsets. `build_turns` then
1. decides which label candidates are speakers. A candidate is viable when it is firm (markup,
   or a capitalised label opening a paragraph and followed by words) or its speaker labels at
   least two lines, so one-off prose such as `Note: the...` inside a paragraph, `The reason
   is: ...` or `And:` before a quote stays text. A transcript labels its speakers one way, so
   the speakers are those of the viable candidates in the most common style (bold, bracket or
   plain); a line in another style (`[As read]`, `Recommendation 3: ...` among `**Name**:`
   labels) stays text unless it names one of those speakers;
2. runs each turn from its label over the following unlabelled lines and paragraphs, ending it
   at the next label, heading/stage line or timestamp line. Text after such a break resumes the
   previous speaker in a new turn, so no spoken paragraph is left out of a turn;
3. when no line is labelled at all, makes each paragraph a turn with an empty speaker.
"""

from collections import Counter
from dataclasses import dataclass
from enum import Enum

from store.importers.document import ParsedTurn

NO_LABELS_WARNING = "no speaker labels found; each paragraph became a turn without a speaker"


class Kind(Enum):
    BLANK = "blank"
    TEXT = "text"
    LABEL = "label"
    BREAK = "break"  # heading, stage direction, metadata: in the text, in no turn
    TIME = "time"  # a timestamp alone on its line: the time of the next turn


@dataclass(slots=True)
class Line:
    """One classified line (or .docx paragraph). `start`/`end` bound its non-blank text."""

    kind: Kind
    start: int = 0
    end: int = 0
    para_start: bool = False
    speaker: str = ""
    style: str = ""  # LABEL: "bold", "bracket" or "plain", as in labels.Label
    content: int = 0  # LABEL: where the spoken text begins (== end when the label stands alone)
    time: float | None = None
    firm: bool = False  # LABEL: accepted without needing the speaker to recur


def span_line(kind: Kind, row: str, offset: int) -> Line:
    """A line of `kind` spanning the non-blank text of `row`, which starts at `offset`."""
    stripped = row.lstrip()
    start = offset + len(row) - len(stripped)
    return Line(kind, start, start + len(stripped.rstrip()))


def build_turns(lines: list[Line]) -> tuple[list[ParsedTurn], tuple[str, ...]]:
    """Resolve label candidates, then assemble turns; returns the turns and any warnings."""
    labelled = _resolve(lines)
    builder = _Builder(by_paragraph=not labelled)
    for line in lines:
        builder.feed(line)
    builder.close()
    return builder.turns, () if labelled else (NO_LABELS_WARNING,)


def _resolve(lines: list[Line]) -> bool:
    """Demote doubtful label candidates to text; True when any label remains."""
    candidates = [line for line in lines if line.kind is Kind.LABEL]
    counts = Counter(line.speaker for line in candidates)
    viable = [line for line in candidates if line.firm or counts[line.speaker] >= 2]
    dominant = Counter(line.style for line in viable).most_common(1)
    usual = {line.speaker for line in viable if line.style == dominant[0][0]} if dominant else set()
    for line in candidates:
        if line.speaker not in usual:
            line.kind = Kind.TEXT
    return bool(usual)


class _Builder:
    """Accumulates the open turn; `feed` takes lines in text order."""

    def __init__(self, by_paragraph: bool):
        self.by_paragraph = by_paragraph
        self.turns: list[ParsedTurn] = []
        self.open = False
        self.speaker: str | None = None  # of the open turn, or the last one once closed
        self.start: int | None = None
        self.end = 0
        self.time: float | None = None
        self.pending_time: float | None = None
        self.pending_used = False

    def feed(self, line: Line) -> None:
        kind = line.kind
        if kind is Kind.BLANK:
            if self.pending_used:
                self.pending_time = None
        elif kind is Kind.TIME:
            self.close()
            self.pending_time, self.pending_used = line.time, False
        elif kind is Kind.BREAK:
            self.close()
        elif kind is Kind.LABEL:
            self.begin(line.speaker, line.time)
            if line.content < line.end:
                self.extend(line.content, line.end)
        elif self.by_paragraph and line.para_start:
            self.begin("", None)
            self.extend(line.start, line.end)
        elif self.open:
            self.extend(line.start, line.end)
        elif self.speaker is not None:
            self.begin(self.speaker, None)
            self.extend(line.start, line.end)

    def begin(self, speaker: str, time: float | None) -> None:
        self.close()
        if time is None and self.pending_time is not None:
            time, self.pending_used = self.pending_time, True
        self.open, self.speaker, self.start, self.time = True, speaker, None, time

    def extend(self, start: int, end: int) -> None:
        if self.start is None:
            self.start = start
        self.end = end

    def close(self) -> None:
        if self.open and self.start is not None:
            self.turns.append(ParsedTurn(self.speaker or "", self.start, self.end, self.time))
        self.open = False
