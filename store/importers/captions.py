"""WebVTT and SRT captions: merge cues into speaker turns and build a readable text from them.

A speaker comes from a `<v Name>` voice tag or an inline `Name:` at the start of a cue. A cue
without one continues the previous speaker's turn, and consecutive cues of one speaker merge.
The stored text is one paragraph per turn, `Speaker: words`, separated by blank lines; cue times
stay out of the text and become the turn's time_start/time_end.
"""

import html
from dataclasses import dataclass, field

import srt
import webvtt

from store.errors import BadInput
from store.importers.document import ParsedDocument, ParsedTurn
from store.importers.labels import clean_speaker, label_at
from store.patterns import later

_VOICE = later(r"\s*<v(?:\.[^\s>]*)*\s+([^>]*)>")
_TAG = later(r"<[^>]*>")
_FORMAT_NAMES = {"vtt": "WebVTT", "srt": "SubRip (SRT)"}


@dataclass(frozen=True, slots=True)
class _Cue:
    start: float
    end: float
    raw: str  # cue text as written, tags and entities included


@dataclass(slots=True)
class _Turn:
    speaker: str
    start: float
    end: float
    words: list[str] = field(default_factory=list)


def parse_captions(text: str, fmt: str, name: str) -> ParsedDocument:
    """Parse normalised caption text; `fmt` is "vtt" or "srt", `name` is used in messages."""
    cues = _read_cues(text, fmt, name)
    turns = _merge(cues)
    if not turns:
        raise BadInput(
            f"{name} has no captions with text; check that it is a {_FORMAT_NAMES[fmt]} file with cues"
        )
    return _render(turns, fmt)


def _read_cues(text: str, fmt: str, name: str) -> list[_Cue]:
    # The libraries raise assorted exception types on malformed input (their own, ValueError,
    # IndexError...); any of them means the same thing to the user, so all become BadInput.
    try:
        if fmt == "vtt":
            return [
                _Cue(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.raw_text)
                for c in webvtt.from_string(text).captions
            ]
        return [
            _Cue(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in srt.parse(text)
        ]
    except Exception as err:  # noqa: BLE001 - see comment above
        detail = (str(err).splitlines() or [type(err).__name__])[0][:120]
        raise BadInput(
            f"{name} is not a valid {_FORMAT_NAMES[fmt]} file ({detail}); "
            "check the file, or export the captions again and import that"
        ) from None


def _merge(cues: list[_Cue]) -> list[_Turn]:
    turns: list[_Turn] = []
    waiting = None  # speaker of a cue that held only a label: it applies to the next cue
    for cue in cues:
        speaker, words = _speaker_and_words(cue.raw)
        if not words:
            waiting = speaker or waiting
            continue
        speaker, waiting = speaker or waiting, None
        if turns and speaker in (None, turns[-1].speaker):
            turns[-1].end = cue.end
        else:
            turns.append(_Turn(speaker or "", cue.start, cue.end))
        turns[-1].words.append(words)
    return turns


def _speaker_and_words(raw: str) -> tuple[str | None, str]:
    """The cue's speaker (None when unmarked) and its words on one line, tags and entities gone."""
    speaker = None
    voice = _VOICE.match(raw)
    if voice:
        speaker = clean_speaker(html.unescape(voice[1])) or None
    words = " ".join(html.unescape(_TAG.sub("", raw)).split())
    label = label_at(words)
    if label is not None and not label.weak:
        speaker, words = label.speaker, words[label.content:]
    return speaker, words


def _render(turns: list[_Turn], fmt: str) -> ParsedDocument:
    paragraphs: list[str] = []
    parsed: list[ParsedTurn] = []
    offset = 0
    for turn in turns:
        prefix = f"{turn.speaker}: " if turn.speaker else ""
        body = " ".join(turn.words)
        start = offset + len(prefix)
        parsed.append(ParsedTurn(turn.speaker, start, start + len(body), turn.start, turn.end))
        paragraphs.append(prefix + body)
        offset += len(prefix) + len(body) + 2
    return ParsedDocument("\n\n".join(paragraphs), tuple(parsed), fmt)
