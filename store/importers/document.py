"""The parse result every importer returns: the stored text and the speaker turns inside it."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParsedTurn:
    """One speaker turn. `[start, end)` are code-point offsets of the spoken content in the text."""

    speaker: str
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A whole imported transcript: normalised text, its turns in order, and the source format."""

    text: str
    turns: tuple[ParsedTurn, ...]
    format: str
    warnings: tuple[str, ...] = ()
