"""Read runs of plainly written selections without a parser callback per element.

At 200,000 codings a project.qde is 128 MB, nearly all of it `PlainTextSelection`,
`Coding` and `CodeRef` elements; expat calling Python for each of their starts and ends
costs more than the whole import may. Where those elements are written the way Margin
writes them (fixed attributes in a fixed order, nothing inside but the one Coding and
its CodeRef, no comments, CDATA or processing instructions anywhere before), a compiled
regular expression reads a run of them from the bytes at once; everything else, and any
run that does not match exactly, goes to expat as before.

A run replaces nothing the parser checks: where it was, expat is given an empty element
the reader ignores, spanning the same lines, so the run's place must still be element
content (a run inside an attribute or a tag makes the file fail as it would have), and
errors after it keep their line numbers. The run is handed to the reader only when the
elements open at that point are what the run's own events would have found (a
`TextSource` being read, no selection or media source open, no text being collected),
so the records are the ones the reader builds from the parser's events: proven equal
over generated files and every shared sample by tests/test_refi_import_speed.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from store.patterns import later

_WS = rb"[ \t\r\n]"
# Every repeat is possessive (`*+`, `++`): what follows each can never start with what it
# repeats (whitespace before a name or `<`, a value's characters before `&` or `"`), so
# giving some back never makes a match, and not keeping the places to try is a quarter
# of the matching (tests/test_refi_import_fastpaths.py holds them equal to plain repeats).
# an attribute value with no character that XML would change (tab, line ends) or forbid
# (other controls), no markup, and only the predefined or numeric character references
_VALUE = rb'"([^"<&\x00-\x1f]*+(?:&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});[^"<&\x00-\x1f]*+)*+)"'
_GUID = rb'"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"'
_STAMP = rb"(?:" + _WS + rb"++creatingUser=" + _VALUE + rb")?(?:" + _WS + rb"++creationDateTime=" + _VALUE + rb")?"

_OPEN = (
    rb"<PlainTextSelection" + _WS + rb"++guid=" + _GUID + _WS + rb"++name=" + _VALUE
    + _WS + rb'++startPosition="([0-9]{1,18})"' + _WS + rb'++endPosition="([0-9]{1,18})"'
    + _STAMP + rb"(?:" + _WS + rb"++modifiedDateTime=" + _VALUE + rb")?" + _WS + rb"*+>" + _WS + rb"*+"
)  # fmt: skip
_CODING = (
    rb"<Coding" + _WS + rb"++guid=" + _GUID + _STAMP + _WS + rb"*+>" + _WS
    + rb"*+<CodeRef" + _WS + rb"++targetGUID=" + _VALUE + _WS + rb"*+/>" + _WS + rb"*+</Coding" + _WS + rb"*+>" + _WS + rb"*+"
)  # fmt: skip
_CLOSE = rb"</PlainTextSelection" + _WS + rb"*+>" + _WS + rb"*+"
SELECTION = later(_OPEN)
CODING = later(_CODING)
CLOSE = later(_CLOSE)
# the usual selection, with its one coding, in one match: (selection's 7 groups, coding's 4)
SINGLE = later(_OPEN + _CODING + _CLOSE)
START = b"<PlainTextSelection"
# characters XML forbids that UTF-8 can encode (U+FFFE, U+FFFF, written EF BF BE and EF BF BF):
# a run holding one is left to expat
_OTHER_MARKUP = later(rb"<[!?]")
_REFERENCE = later("&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

# (guid, name, start, end, user, created, modified, [(guid, user, created, code target)]), or
# for the usual selection with one coding its 11 values flat: (guid, ..., modified, guid, user, created, code target)
Item = tuple


class NotPlain(Exception):
    """A run the parser must read after all: its bytes are not valid UTF-8."""


def text(value: bytes | None) -> str | None:
    """An attribute value of a run `well_formed` checked, as the parser gives it (None
    for an attribute not written); NotPlain when it is not valid UTF-8."""
    if value is None:
        return None
    try:
        found = value.decode("utf-8")
    except UnicodeDecodeError:
        raise NotPlain from None
    return _REFERENCE.sub(_referenced, found) if "&" in found else found


def _referenced(match: re.Match) -> str:
    name = match[1]
    return _NAMED[name] if name in _NAMED else chr(int(name[2:], 16) if name[1] == "x" else int(name[1:]))


def well_formed(run: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether a matched run (`run[start:end]`, read in place) holds neither U+FFFE nor
    U+FFFF and refers only to characters XML allows (its markup is the patterns'; its
    UTF-8 is checked as its values are decoded, `text`). Otherwise the parser reads it,
    and says what is wrong."""
    end = len(run) if end is None else end
    at = run.find(b"\xef\xbf", start, end)  # both start so: one search for the two (a run seldom holds either start)
    while at >= 0:
        if at + 2 < end and run[at + 2] in (0xBE, 0xBF):
            return False
        at = run.find(b"\xef\xbf", at + 1, end)
    return run.find(b"&#", start, end) < 0 or all(_allowed(m[1]) for m in _CHARACTER_REFERENCE.finditer(run, start, end))


_CHARACTER_REFERENCE = later(rb"&#(x[0-9a-fA-F]+|[0-9]+);")


def _allowed(reference: bytes) -> bool:
    code = int(reference[1:], 16) if reference[:1] == b"x" else int(reference)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def read_run(data: bytes, at: int) -> tuple[list[Item], int]:
    """The plainly written selections from `at` on, and where they end (`at` when none is)."""
    items, end, single = [], at, SINGLE.match
    while True:
        found = single(data, end)
        if found is not None:
            items.append(found.groups())  # as an Item, with its one coding's 4 values in place of the list
            end = found.end()
            continue
        opened = SELECTION.match(data, end)
        if opened is None:
            return items, end
        codings, position = [], opened.end()
        while (coding := CODING.match(data, position)) is not None:
            codings.append(coding.groups())
            position = coding.end()
        closed = CLOSE.match(data, position) if codings else None
        if closed is None:
            return items, end
        items.append((*opened.groups(), codings))
        end = closed.end()


class Feeder:
    """Gives a parser the document a piece at a time, handing plainly written runs of
    selections to `take_run(items)` instead, when `ready()` says the reader is at a point
    where their events would find what the run assumes."""

    def __init__(self, parse: Callable[[bytes, bool], object], ready: Callable[[], bool], take_run: Callable[[list], None]):
        self.parse, self.ready, self.take_run = parse, ready, take_run
        self.plain = True  # no comment, CDATA section, DOCTYPE or processing instruction seen yet
        self.first = True
        self.last = b""

    def feed(self, piece: bytes) -> None:
        if self.plain:
            self.plain = self._still_plain(piece)
        if not self.plain:
            self.parse(piece, False)
            return
        cursor, at = 0, piece.find(START)
        while at >= 0:
            self.parse(piece[cursor:at], False)
            cursor = at
            if self.ready():
                cursor = self._run(piece, at)
            at = piece.find(START, max(cursor, at + 1))
        self.parse(piece[cursor:], False)

    def _run(self, piece: bytes, at: int) -> int:
        """Hand over the run at `at` and give the parser an empty element in its place;
        where the run ends (`at` when there is none, or it must be parsed after all).
        The run is read in place in `piece`, never copied (it is most of a 128 MB file)."""
        items, end = read_run(piece, at)
        while end > at and piece[end - 1] in b" \t\r\n":  # the whitespace after it is the parser's
            end -= 1
        lines = piece.count(b"\n", at, end)
        tail = end - piece.rfind(b"\n", at, end) - 1 if lines else end - at  # the width of its last line
        if not items or tail < 2 or not well_formed(piece, at, end):
            return at
        try:
            self.take_run(items)
        except NotPlain:
            return at
        self.parse(b"<margin.run" + b"\n" * lines + b" " * (tail - (2 if lines else 13)) + b"/>", False)
        return end

    def _still_plain(self, piece: bytes) -> bool:
        """False from the piece where markup other than elements may start (`<!`, `<?`
        after the document's declaration), even split between two pieces."""
        start = 5 if self.first and piece.startswith(b"<?xml") else 0
        split = self.last == b"<" and piece[:1] in (b"!", b"?")
        self.first, self.last = False, piece[-1:]
        return not split and _OTHER_MARKUP.search(piece, start) is None
