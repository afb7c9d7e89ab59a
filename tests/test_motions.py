"""Motions are total: every motion from every position lands inside a turn, moves its way
or stays put at the end, and never recurses. Boundary moves (`<`/`>` then a motion) grow
or shrink by whole words, as their key says.

Checked on hypothesis-made documents (empty turns, one-word turns, emoji, CRLF-born text,
turns one space apart) and on every document of the shared corpus, imported
through the store's importers (positions sampled there, every document covered).
"""

from __future__ import annotations

import random
from bisect import bisect_right
import sys
import time
from functools import cache
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import motions
from store.importers import SUPPORTED_SUFFIXES, decode_bytes, parse_file, parse_text
from store.model import Document, Turn
from store.text import WORD, tidy_span
from tests.conftest import SHARED, shared

NOT_TRANSCRIPTS = {"NOTICE.md", "README.md", "SOURCES.md", "COPYING.txt", "Spacelog-README.md"}


def as_document(text: str, spans: list[tuple[str, int, int]]) -> Document:
    """A Document as `Documents.import_parsed` builds it, without a project on disk."""
    turns = tuple(Turn(i, speaker, start, end) for i, (speaker, start, end) in enumerate(spans))
    return Document("d", "d", "", len(text), "txt", turns)


def parsed_document(parsed) -> Document:
    return as_document(parsed.text, [(t.speaker, t.start, t.end) for t in parsed.turns])


def valid(document: Document, position: int) -> bool:
    """A cursor position: inside a turn, not in a speaker label or the gap between turns."""
    return motions.turn_of(document, position) is not None


@cache
def grapheme_starts(text: str) -> frozenset[int]:
    """Where graphemes start, by the `regex` library's \\X (extended grapheme clusters)."""
    return frozenset(sorted_starts(text))


@cache
def sorted_starts(text: str) -> list[int]:
    return [m.start() for m in regex.finditer(r"\X", text)] + [len(text)]


def grapheme_at(text: str, position: int) -> int:
    """The start of the grapheme that holds `position`."""
    starts = sorted_starts(text)
    return starts[max(0, bisect_right(starts, position) - 1)]


@cache
def targets(kind: str, text: str, turn: Turn) -> list[int]:
    """Where motions of `kind` may land in `turn`: starts or last letters of words, starts of sentences."""
    if kind == "word_starts":
        return [m.start() for m in WORD.finditer(text, turn.start, turn.end)]
    if kind == "word_lasts":
        return [grapheme_at(text, m.end() - 1) for m in WORD.finditer(text, turn.start, turn.end)]
    if kind == "sentences":
        return motions.sentence_starts(text, turn.start, turn.end)
    return [turn.start]


KINDS = {"word_forward": "word_starts", "word_back": "word_starts", "word_end": "word_lasts",
         "sentence_forward": "sentences", "sentence_back": "sentences"}  # fmt: skip


def nearest(name: str, document: Document, text: str, position: int, forward: bool) -> int | None:
    """The nearest target of `name` strictly after (before) `position`, found the slow way."""
    if name.startswith("char"):
        step, ends = (1, len(text) + 1) if forward else (-1, -1)
        starts = grapheme_starts(text)
        return next((p for p in range(position + step, ends, step) if valid(document, p) and p in starts), None)
    kind = KINDS.get(name, "turns")
    here = max(0, bisect_right(document.turns, position, key=lambda t: t.start) - 1)
    turns = document.turns[here:] if forward else reversed(document.turns[: here + 1])
    for turn in turns:
        found = [t for t in targets(kind, text, turn) if (t > position if forward else t < position)]
        if found:
            return min(found) if forward else max(found)
    return None


def check_motion(name: str, document: Document, text: str, position: int) -> None:
    landed = motions.MOTIONS[name](document, text, position)
    where = f"{name} from {position} landed on {landed}"
    assert isinstance(landed, int) and 0 <= landed <= len(text), where
    assert valid(document, landed), where + " (in a label or a gap)"
    if name == "top":
        assert landed == document.turns[0].start
    elif name == "bottom":
        assert landed == document.turns[-1].start
    elif name in motions.FORWARD or name in motions.BACKWARD:
        forward = name in motions.FORWARD
        expected = nearest(name, document, text, position, forward)
        if expected is not None:
            assert landed == expected, f"{where}, expected {expected}"
        elif valid(document, position):
            here = grapheme_at(text, position) if name.startswith("char") else position
            assert landed == here, where + " (at the end it stays put, on a whole grapheme)"
        else:
            expected = motions.inside(document, position, forward=not forward)
            if name.startswith("char"):
                expected = grapheme_at(text, expected)
            assert landed == expected, where


def check_boundary(name: str, side: str, document: Document, text: str, span: tuple[int, int]) -> None:
    """`<`/`>` then `name` on `span`: whole words, within the turn, and the right way."""
    motion = lambda p: motions.MOTIONS[name](document, text, p)  # noqa: E731
    start, end = motions.moved_span(document, text, span, side, name, motion)
    where = f"{side} {name} on {span} gave {(start, end)}"
    assert 0 <= start < end <= len(text), where
    assert valid(document, start) and valid(document, end - 1), where
    assert not text[start].isspace() and not text[end - 1].isspace(), where
    first, final = motions.turn_of(document, start), motions.turn_of(document, end - 1)
    assert tidy_span(text, start, end, first.start, final.end) == (start, end), where + " (cuts a word)"
    if motions.unit_of(name) != "turn":
        assert first == final, where + " (crossed a turn)"
    before = span[1] - 1 if side == ">" else span[0]
    moved = motion(before)
    boundary, old = (end, span[1]) if side == ">" else (start, span[0])
    if (start, end) != span:
        outward = moved > before if side == ">" else moved < before
        grew = boundary > old if side == ">" else boundary < old
        assert grew == outward, where + (" shrank" if outward else " grew")


def one_turn_span(document: Document, text: str, rng: random.Random) -> tuple[int, int] | None:
    """A random span of whole words inside one turn, as a coder would select it."""
    turn = rng.choice(document.turns)
    words = [m.span() for m in WORD.finditer(text, turn.start, turn.end)]
    if not words:
        return None
    first = rng.randrange(len(words))
    final = rng.randrange(first, min(len(words), first + 12))
    start = motions.settle_start(document, text, words[first][0])
    end = motions.settle_end(document, text, words[final][1])
    return (start, end) if end > start else None


# ---------------------------------------------------------------------- hypothesis-made texts

WORDS = st.sampled_from(
    ["I", "a", "don't", "peer-support", "we're", "Okay.", "so.", "(laughs)", "“quote”", "—", "...", "Yes?",
     "😀", "👩‍⚕️", "café", "e\u0301", "x_y", "3.5", "Mr.", "it’s", ",", "!", ":", "'tis", "\t"]
)  # fmt: skip
CONTENT = st.lists(WORDS, min_size=0, max_size=8).map(" ".join)
SPEAKERS = st.sampled_from(["Dan", "Participant", "Interviewer", "P3", "Dr Smith"])


@st.composite
def built_documents(draw) -> tuple[Document, str]:
    """Turns laid out by hand: empty turns, one-word turns, turns one space apart."""
    text, spans = "", []
    for _ in range(draw(st.integers(1, 6))):
        speaker = draw(SPEAKERS)
        label = draw(st.sampled_from([f"{speaker}: ", " ", f"\n\n{speaker}:\n"]))
        content = draw(CONTENT).strip()
        text += label
        spans.append((speaker, len(text), len(text) + len(content)))
        text += content
    text += draw(st.sampled_from(["", "\n", "\n\nEnd of interview\n"]))
    return as_document(text, spans), text


@st.composite
def imported_documents(draw) -> tuple[Document, str]:
    """Transcripts as people type them, CRLF or LF, through the importer."""
    lines = [f"{draw(SPEAKERS)}: {draw(CONTENT)}" for _ in range(draw(st.integers(1, 6)))]
    newline = draw(st.sampled_from(["\n", "\r\n", "\r\n\r\n", "\n\n"]))
    raw = draw(st.sampled_from(["", "Interview transcript" + newline])) + newline.join(lines) + newline
    try:
        parsed = parse_text(raw, "txt")
    except Exception:  # an empty text is refused, as it should be
        parsed = parse_text("Dan: hello", "txt")
    return parsed_document(parsed), parsed.text


DOCUMENTS = st.one_of(built_documents(), imported_documents())
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(DOCUMENTS)
def test_every_motion_from_every_position_of_made_texts(made):
    document, text = made
    for position in range(-1, len(text) + 2):
        for name in motions.MOTIONS:
            check_motion(name, document, text, position)


@FAST
@given(DOCUMENTS, st.randoms(use_true_random=False))
def test_boundary_moves_grow_and_shrink_by_whole_words_in_made_texts(made, rng):
    document, text = made
    for _ in range(6):
        span = one_turn_span(document, text, rng)
        if span is None:
            continue
        for name in motions.MOTIONS:
            for side in "<>":
                check_boundary(name, side, document, text, span)


@FAST
@given(DOCUMENTS, st.integers(-2, 400), st.integers(-2, 400))
def test_tidy_span_gives_whole_words_inside_its_bounds(made, a, b):
    document, text = made
    start, end = sorted((a, b))
    tidy = tidy_span(text, start, end)
    if tidy is not None:
        s, e = tidy
        assert 0 <= s < e <= len(text) and not text[s].isspace() and not text[e - 1].isspace()
        assert tidy_span(text, s, e) == tidy  # whole words already
        assert s <= max(0, start) or text[max(0, start) : s].isspace()
        assert e >= min(end, len(text)) or text[e : min(end, len(text))].isspace()


def test_motions_are_loops_not_recursion():
    """The class of finding 1: no motion calls itself (checked on the code objects)."""
    for name, function in vars(motions).items():
        code = getattr(function, "__code__", None)
        if code is not None and getattr(function, "__module__", "") == "store.motions":
            assert name not in code.co_names, f"{name} calls itself"


def test_word_back_from_the_start_of_a_turn_reaches_the_previous_turn():
    """Finding 1: `b` at the start of any turn but the first recursed until RecursionError."""
    text = "A: one two\n\nB: three\n\nA: four"
    document = as_document(text, [("A", 3, 10), ("B", 15, 20), ("A", 25, 29)])
    assert motions.word_back(document, text, 15) == text.index("two")
    assert motions.word_back(document, text, 25) == text.index("three")
    assert motions.word_back(document, text, 3) == 3
    long = "\n\n".join(f"S{i}: word." for i in range(3 * sys.getrecursionlimit()))
    parsed = parse_text(long)
    document = parsed_document(parsed)
    assert motions.word_back(document, parsed.text, document.turns[-1].start) < document.turns[-1].start


def test_tidy_span_takes_whole_words():
    text = "Last autumn. We got two, so I said I will."
    assert text[slice(*tidy_span(text, 0, 17))] == "Last autumn. We got"  # a cut word is taken whole
    assert text[slice(*tidy_span(text, 2, 15))] == "Last autumn. We"
    said_i = text.index("said I") + 6
    assert text[slice(*tidy_span(text, 25, said_i))] == "so I said I"  # a one-letter word is a word
    assert tidy_span(text, 15, 16) is None
    assert text[slice(*tidy_span(text, 0, 4, ceiling=3))] == "Las"  # never past its bounds


def test_boundary_moves_on_own_window():
    """Finding 6: `>` then `b` on a coding ending "own window." left "own w"."""
    text = "P: It opens in its own window. Then I look."
    document = as_document(text, [("P", 3, len(text))])
    span = (3, text.index("window.") + 7)

    def moved(side, name):
        found = motions.moved_span(document, text, span, side, name, lambda p: motions.MOTIONS[name](document, text, p))
        return text[slice(*found)]

    assert moved(">", "word_back") == "It opens in its own"
    assert moved(">", "char_left") == "It opens in its own window"
    assert moved(">", "word_forward") == "It opens in its own window. Then"
    assert moved(">", "word_end") == "It opens in its own window. Then"
    assert moved(">", "char_right") == "It opens in its own window. Then"
    assert moved(">", "sentence_forward") == text[3:]
    assert moved("<", "word_forward") == "opens in its own window."
    assert moved("<", "char_right") == "opens in its own window."
    assert moved("<", "word_back") == "It opens in its own window."  # at the turn's start: stays


# ---------------------------------------------------------------------- the shared corpus


def corpus_files() -> list[Path]:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        return []
    found = []
    for path in sorted(corpus.rglob("*")):
        parts = path.relative_to(corpus).parts
        if not path.is_file() or path.name in NOT_TRANSCRIPTS or parts[0] == "_tools" or "original" in parts:
            continue
        if path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith("transcript-file-format"):
            found.append(path)
        elif parts[0] == "nasa-spacelog" and not path.suffix:
            found.append(path)
    return found


@cache
def corpus_document(path: Path) -> tuple[Document, str]:
    parsed = parse_file(path) if path.suffix else parse_text(decode_bytes(path.read_bytes(), path.name))
    return parsed_document(parsed), parsed.text


def sample_positions(document: Document, text: str, rng: random.Random, turns: int = 6) -> list[int]:
    """Both sides of every edge of some turns (the first, the last and random ones), the
    middle of each, and random offsets anywhere, labels and gaps included."""
    chosen = {0, len(document.turns) - 1, *(rng.randrange(len(document.turns)) for _ in range(turns))}
    positions = {-1, 0, len(text), len(text) + 1}
    for index in chosen:
        turn = document.turns[index]
        positions.update((turn.start - 2, turn.start - 1, turn.start, turn.start + 1, (turn.start + turn.end) // 2))
        positions.update((turn.end - 2, turn.end - 1, turn.end, turn.end + 1))
    positions.update(rng.randrange(len(text) + 1) for _ in range(6))
    return sorted(positions)


def test_every_motion_on_every_corpus_document(capsys):
    shared("corpus")
    began, checked, files = time.perf_counter(), 0, corpus_files()
    assert len(files) >= 90, "the corpus has lost documents"
    rng = random.Random(8)
    for path in files:
        document, text = corpus_document(path)
        assert document.turns, path
        for position in sample_positions(document, text, rng):
            for name in motions.MOTIONS:
                check_motion(name, document, text, position)
                checked += 1
        for _ in range(2):
            span = one_turn_span(document, text, rng)
            for name in motions.MOTIONS:
                for side in "<>":
                    span and check_boundary(name, side, document, text, span)
    with capsys.disabled():
        print(f"\n{checked} motions on {len(files)} corpus documents in {time.perf_counter() - began:.1f} s")


def test_every_third_position_of_one_interview():
    """Every third position of the PDPilot P3 interview (the one the issue's steps use),
    with the word and character motions, which have the most ways to go wrong."""
    document, text = corpus_document(shared("corpus", "pdpilot-interviews", "P3.txt"))
    for position in range(0, len(text), 3):
        for name in ("word_back", "word_forward", "word_end", "char_left", "char_right"):
            check_motion(name, document, text, position)
