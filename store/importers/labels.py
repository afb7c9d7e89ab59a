"""Recognise a speaker label and an inline timestamp at the start of a line of transcript text.

Forms: `Name:`, `**Name**:`, `**Name:**`, `[Name]`, spacelog codes (`BELL 7:`, `CV-39:`), each
optionally preceded or followed by a timestamp `[00:04:06]`, `\\[04:06\\]` or `[-00:00:00:10]`.
Matching is per line; whether a match really is a speaker is decided by `plausible` here and by
the document-wide rules in `turns.build_turns`.
"""

from dataclasses import dataclass

from store.patterns import later

_CLOCK = r"-?\d{1,3}(?::\d{1,2}){1,3}(?:[.,]\d{1,3})?"
_TIMESTAMP = later(rf"\\?\[(?P<clock>{_CLOCK})\\?\]")
_BOLD_COLON_INSIDE = later(r"\*\*(?P<name>[^*\n]{1,80}?)\s*:\s*\*\*(?=\s|$)")
_BOLD_COLON_OUTSIDE = later(r"\*\*(?P<name>[^*\n]{1,80}?)\*\*\s*:(?=\s|$)")
_BRACKETED = later(r"\[(?P<name>[^\[\]:\n]{1,80})\]:?(?=\s|$)")
_PLAIN = later(r"(?P<name>[^:\n]{1,80}?)\s*:(?=\s|$)")
_SPACE = later(r"[ \t]*")
_ANSI = later(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
# C0 (except white space), DEL, C1, and the bidi embedding/override/isolate controls that can
# reorder a terminal line.
_CONTROL = later("[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SENTENCE_BREAK = later(r"\w{4,}[.!?]\s|[!?]\s")
_PARTICLES = frozenset("al bin da de del della der di du el la le of van von y".split())
# Bracketed non-speech notes that share the `[Name]` form.
_ANNOTATIONS = frozenset(
    "applause break crosstalk inaudible laughing laughs laughter music noise overlapping overspeaking "
    "pause silence unintelligible".split()
)
_UNITS = (1, 60, 3600, 86400)
MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 5


@dataclass(frozen=True, slots=True)
class Label:
    """A label found at the start of a line. `content` is where the spoken text begins."""

    speaker: str
    content: int
    time: float | None
    style: str  # "bold", "bracket" or "plain"
    weak: bool  # plain label with a lowercase word: could be prose ("The reason is: ...")

    @property
    def explicit(self) -> bool:
        """Written with markup, so a lowercase word in it is no doubt."""
        return self.style != "plain"


def clock_seconds(clock: str) -> float:
    """`[-]D:H:M:S`, `H:M:S` or `M:S` (seconds may carry a fraction) as signed seconds."""
    parts = clock.lstrip("-").replace(",", ".").split(":")
    total = sum(float(part) * unit for part, unit in zip(reversed(parts), _UNITS))
    return -total if clock.startswith("-") else total


def timestamp_at(line: str, pos: int) -> tuple[float, int] | None:
    """An inline timestamp starting at `pos`: (seconds, offset just after it)."""
    match = _TIMESTAMP.match(line, pos)
    if match is None:
        return None
    return clock_seconds(match["clock"]), match.end()


def is_timestamp_line(line: str) -> float | None:
    """Seconds when the whole (stripped) line is one timestamp, as spacelog writes them."""
    match = _TIMESTAMP.fullmatch(line.strip())
    return clock_seconds(match["clock"]) if match else None


def clean_speaker(raw: str) -> str:
    """Drop terminal escapes, control characters and surrounding markup; collapse white space."""
    text = _CONTROL.sub("", _ANSI.sub("", raw))
    return " ".join(text.strip(" \t*").split())


def plausible(speaker: str) -> bool:
    """Short, starts like a name or code, and does not read as a sentence."""
    if not speaker or len(speaker) > MAX_LABEL_CHARS or not speaker[0].isalnum():
        return False
    if len(speaker.split()) > MAX_LABEL_WORDS or speaker[-1] in ".,;!":
        return False
    return not speaker.isdigit() and _SENTENCE_BREAK.search(speaker) is None


def _has_lowercase_word(speaker: str) -> bool:
    return any(word[0].islower() and word not in _PARTICLES for word in speaker.split())


def label_at(line: str, pos: int = 0) -> Label | None:
    """The speaker label that starts `line` at `pos`, with any timestamp before or after it."""
    time = None
    stamp = timestamp_at(line, pos)
    if stamp is not None:
        time, pos = stamp[0], _SPACE.match(line, stamp[1]).end()
    found = _match_label(line, pos)
    if found is None:
        return None
    speaker, end, style = found
    content = _SPACE.match(line, end).end()
    if time is None and (stamp := timestamp_at(line, content)) is not None:
        time, content = stamp[0], _SPACE.match(line, stamp[1]).end()
    weak = style == "plain" and _has_lowercase_word(speaker)
    return Label(speaker, content, time, style, weak)


def _match_label(line: str, pos: int) -> tuple[str, int, str] | None:
    """(speaker, end of the label, style) for a plausible label at `pos`."""
    if line.startswith("**", pos):
        style, match = "bold", _BOLD_COLON_INSIDE.match(line, pos) or _BOLD_COLON_OUTSIDE.match(line, pos)
    elif line.startswith("[", pos):
        style, match = "bracket", _BRACKETED.match(line, pos)
    else:
        style, match = "plain", _PLAIN.match(line, pos)
    if match is None:
        return None
    speaker = clean_speaker(match["name"])
    if not plausible(speaker):
        return None
    if style == "bracket" and (not speaker[0].isupper() or speaker.lower() in _ANNOTATIONS):
        return None
    return speaker, match.end(), style
