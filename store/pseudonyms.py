"""Pseudonyms: a table of real names and the pseudonyms that replace them in what leaves
the project (every report; `export csv` and `export memos` with --pseudonymise).

The stored texts never change: replacement happens on the way out. The table is kept in
DIR/pseudonyms.json (0600), apart from the project's history, so a project folder can be
shared without it; it is written atomically and fsynced like every project file, and
every backup holds a copy of it.

A name is replaced wherever it stands as a whole word (not inside a longer word), next
to punctuation and in possessives ("Aisha's" -> "P01's"). A name written with capitals
matches only as written or in capitals ("Mark" and "MARK", never the verb "mark"); a
name written in small letters matches in any case. The pseudonym keeps the case of what
it replaces ("AISHA" -> "P01"). Longer names win over shorter ones at the same place
("Anne-Marie" before "Anne"); the spaces inside a name of several words may be any run of
white space (a line break in a transcript), and a title may carry a full stop ("Dr. Hale").

What the table cannot settle is warned about (`doubts`): a word of a real name left in
the text (a surname alone, the name in small letters), a capitalised word that is a
speaker's name, a table name in a longer form (`Aishas`), and a name replaced at the
start of a sentence where the same word is also an ordinary word of the text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from store.errors import BadInput, UnknownName
from store.patterns import later
from store.storage import write_atomic

FILE = "pseudonyms.json"

TITLES = frozenset("dr mr mrs ms miss mx prof professor sir dame rev revd".split())
# Speaker labels that name a role, not a person: never warned about.
ROLES = TITLES | frozenset(
    "interviewer interviewee participant respondent moderator facilitator researcher speaker "
    "chair host guest narrator note transcriber unknown inaudible all group both "
    "nurse doctor the and of".split()
)
_WORD = later(r"(?<![\w'’-])[^\W\d_][\w'’-]*")
_POSSESSIVE = later(r"(?:['’]s?|-)+$", re.IGNORECASE)
# What may stand before the first word of a sentence: the start, a line break, or the
# end of the sentence before (with its closing quotes or brackets).
_SENTENCE_START = later(r"(?:\n|[.!?…][\"'”’)\]]*\s+)[\"'“‘(\[—–-]*\s*$")
_LOOK_BACK = 12  # characters before a name that tell whether a sentence starts there


@dataclass(frozen=True)
class Doubt:
    """A word a reader of the output may take for a real name: `kind` is "name" (a
    capitalised word that is a speaker's name or like a table name), "part" (a word of a
    real name of several words, left alone), "case" (a real name in another case, left as
    an ordinary word) or "start" (a real name replaced at the start of a sentence, where
    the same word is also used in small letters)."""

    word: str
    kind: str
    count: int
    name: str = ""  # the table's real name it comes from ("" for a speaker's name)
    pseudonym: str = ""


@dataclass(frozen=True)
class Pseudonyms:
    """Real name -> pseudonym, in the order they were added."""

    pairs: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.pairs)

    @cached_property
    def _pattern(self) -> re.Pattern | None:
        if not self.pairs:
            return None
        names = sorted({real for real, _ in self.pairs}, key=len, reverse=True)
        return re.compile(rf"(?<!\w)(?:{'|'.join(map(_name_pattern, names))})(?!\w)", re.IGNORECASE)

    @cached_property
    def _lookup(self) -> dict[str, tuple[str, str]]:
        return {_key(real): (real, pseudo) for real, pseudo in self.pairs}

    def _entry(self, found: str) -> tuple[str, str] | None:
        """The (real, pseudonym) that `found` stands for, when its case fits the name's."""
        entry = self._lookup.get(_key(found))
        return entry if entry is not None and case_fits(found, entry[0]) else None

    def apply(self, text: str) -> str:
        """`text` with every real name of the table replaced by its pseudonym."""
        if self._pattern is None or not text:
            return text

        def replace(match: re.Match) -> str:
            entry = self._entry(match.group(0))
            return match.group(0) if entry is None else _same_case(match.group(0), entry[1])

        return self._pattern.sub(replace, text)

    def replaced_at_start(self, text: str) -> Counter:
        """(real, pseudonym) -> how often `text` has the name replaced at the start of a
        sentence while the name's word also stands in small letters in `text` ("Mark my
        words" beside "a high-water mark"): there it may be the ordinary word."""
        found: Counter = Counter()
        if self._pattern is None:
            return found
        ordinary: dict[str, bool] = {}
        for match in self._pattern.finditer(text):
            entry = self._entry(match.group(0))
            if entry is None or not _starts_sentence(text, match.start()):
                continue
            if entry[0] not in ordinary:
                ordinary[entry[0]] = _used_in_small_letters(entry[0], text)
            found[entry] += ordinary[entry[0]]
        return +found

    def add(self, real: str, pseudonym: str, *, replace: bool = False) -> Pseudonyms:
        """The table with REAL -> PSEUDONYM; an entry for REAL already there is refused
        unless `replace`, and so is a pseudonym that is a real name of the table (or the
        other way round), which would print one person's name for another."""
        real, pseudonym = " ".join(real.split()), " ".join(pseudonym.split())
        if not real or not pseudonym:
            raise BadInput("give a real name and a pseudonym, as in: margin pseudonyms add \"Aisha\" \"P01\"")
        if _key(real) == _key(pseudonym):
            raise BadInput(f"the pseudonym for {real!r} is the name itself; choose another")
        others = [(r, p) for r, p in self.pairs if _key(r) != _key(real)]
        old = self._lookup.get(_key(real))
        if old == (real, pseudonym):
            return self
        if old is not None and not replace:
            raise BadInput(f"{old[0]!r} already has the pseudonym {old[1]!r}; to change it: margin pseudonyms add --replace {real!r} {pseudonym!r}")
        clash = next((r for r, _ in others if _key(r) == _key(pseudonym)), None)
        if clash is not None:
            raise BadInput(f"{pseudonym!r} is a real name in the table; choose a pseudonym that is not anyone's name")
        taken = next((r for r, p in others if _key(p) == _key(real)), None)
        if taken is not None:
            raise BadInput(f"{real!r} is already the pseudonym of {taken!r}; a real name cannot also be a pseudonym")
        return Pseudonyms((*others, (real, pseudonym)))

    def remove(self, real: str) -> Pseudonyms:
        kept = tuple(p for p in self.pairs if _key(p[0]) != _key(real))
        if len(kept) == len(self.pairs):
            raise UnknownName(f"{real!r} is not in the pseudonym table; list it with `margin pseudonyms`")
        return Pseudonyms(kept)

    def rows(self, rows: list[list]) -> list[list]:
        """A table's rows with every text cell pseudonymised (numbers left as they are)."""
        if not self.pairs:
            return rows
        return [[self.apply(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]


def _name_pattern(name: str) -> str:
    """A name's words, any white space between them, a title's full stop optional."""
    words = [re.escape(word) + (r"\.?" if word.casefold() in TITLES else "") for word in name.split()]
    return r"\s+".join(words)


def case_fits(found: str, real: str) -> bool:
    """Whether `found` (the name in any case) is the name as the table means it: a name in
    small letters in any case; else as written or in capitals."""
    if real == real.lower():
        return True
    words = [w.rstrip(".") for w in found.split()]
    letters = [ch for ch in found if ch.isalpha()]
    return words == [w.rstrip(".") for w in real.split()] or (len(letters) > 1 and all(ch.isupper() for ch in letters))


def _starts_sentence(text: str, at: int) -> bool:
    before = ("\n" if at <= _LOOK_BACK else "") + text[max(0, at - _LOOK_BACK):at]
    return _SENTENCE_START.search(before) is not None


def _used_in_small_letters(real: str, text: str) -> bool:
    small = real.lower()
    return small != real and re.search(rf"(?<![\w'’-]){_name_pattern(small)}(?!\w)", text) is not None


def _key(name: str) -> str:
    return " ".join(w.rstrip(".") if w.casefold().rstrip(".") in TITLES else w for w in name.split()).casefold()


def _same_case(found: str, pseudonym: str) -> str:
    """The pseudonym in the case of the text it replaces: all capitals, all small, or as given."""
    letters = [ch for ch in found if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return pseudonym.upper()
    if letters and all(ch.islower() for ch in letters):
        return pseudonym.lower()
    return pseudonym


# ---------------------------------------------------------------------- the table on disk


def load(folder: str | Path) -> Pseudonyms:
    """The project's table (empty when it has none)."""
    path = Path(folder) / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pairs = tuple((str(real), str(pseudo)) for real, pseudo in data["pseudonyms"])
    except FileNotFoundError:
        return Pseudonyms()
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"{path} is not a pseudonym table ({exc}); fix it or remove it and add the names again") from None
    return Pseudonyms(pairs)


def save(folder: str | Path, table: Pseudonyms) -> None:
    data = {"pseudonyms": [list(pair) for pair in table.pairs]}
    write_atomic(Path(folder) / FILE, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def from_csv(text: str, label: str) -> list[tuple[str, str]]:
    """The real,pseudonym rows of a CSV table; a first row `real,pseudonym` is a header."""
    from store.exporters.tabular import read_csv

    rows = [row for row in read_csv(text.lstrip("\ufeff"), label) if any(cell.strip() for cell in row)]
    if rows and [cell.strip().casefold() for cell in rows[0][:2]] == ["real", "pseudonym"]:
        rows = rows[1:]
    for number, row in enumerate(rows, 1):
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise BadInput(f"{label} row {number} is not real,pseudonym; give two cells on every row")
    return [(row[0], row[1]) for row in rows]


# ---------------------------------------------------------------------- what is left to doubt


def doubts(done: str, table: Pseudonyms, speakers: set[str], original: str = "") -> list[Doubt]:
    """What a reader may still take for a real name in `done` (text already
    pseudonymised from `original`), in the order of the words."""
    found = _words_left(done, table, speakers)
    found += [Doubt(real, "start", n, real, pseudo) for (real, pseudo), n in table.replaced_at_start(original).items()]
    return found


def _words_left(text: str, table: Pseudonyms, speakers: set[str]) -> list[Doubt]:
    names = {word for s in speakers for word in s.split() if _is_name(word)}
    ours = {_key(word) for _, pseudo in table.pairs for word in pseudo.split()}
    parts = _name_words(table, ours)
    counts: Counter = Counter()
    kinds: dict[str, Doubt] = {}
    for match in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", match.group(0))
        doubt = _doubt(word, names, ours, parts, table) if word else None
        if doubt is not None:
            counts[word] += 1
            kinds.setdefault(word, doubt)
    return [Doubt(word, d.kind, counts[word], d.name, d.pseudonym) for word, d in kinds.items()]


def _name_words(table: Pseudonyms, ours: set[str]) -> dict[str, tuple[str, str]]:
    """Each word of the table's real names (not a title), folded -> its (real, pseudonym)."""
    words: dict[str, tuple[str, str]] = {}
    for real, pseudo in table.pairs:
        for word in real.split():
            folded = _key(word.rstrip("."))
            if folded not in TITLES and folded not in ours:
                words.setdefault(folded, (real, pseudo))
    return words


def _doubt(word: str, names: set[str], ours: set[str], parts: dict, table: Pseudonyms) -> Doubt | None:
    """Why `word`, left in a pseudonymised text, may be a real name (None: it is not)."""
    folded = word.casefold()
    if folded in parts:
        real, pseudo = parts[folded]
        kind = "part" if " " in real and word[0].isupper() else "case"
        return Doubt(word, kind, 0, real, pseudo)
    if folded in ours or not word[0].isupper():
        return None
    if word in names:
        return Doubt(word, "name", 0)
    near = next(((r, p) for r, p in table.pairs if _near(folded, r)), None)
    return Doubt(word, "name", 0, *near) if near else None


def _near(folded: str, real: str) -> bool:
    """`folded` is the one-word name `real` with one or two letters more (`Aishas`); a
    name shorter than four letters would find ordinary words (`Jo`, `Jog`)."""
    return " " not in real and len(real) >= 4 and folded.startswith(_key(real)) and len(folded) - len(real) <= 2


def _is_name(speaker: str) -> bool:
    """A word of a speaker label that may be a person's name: capitalised, no digits, not
    a role or a title ("Dr Hale" gives "Hale")."""
    return bool(re.fullmatch(r"[^\W\d_][\w'’-]*", speaker)) and speaker[0].isupper() and speaker.casefold().rstrip(".") not in ROLES
