"""Pseudonyms: a table of real names and the pseudonyms that replace them in what leaves
the project (every report; `export csv` and `export memos` with --pseudonymise).

The stored texts never change: replacement happens on the way out. The table is kept in
DIR/pseudonyms.json (0600), apart from the project's history, so a project folder can be
shared without it; it is written atomically and fsynced like every project file.

A name is replaced wherever it stands as a whole word (not inside a longer word), in any
case, keeping the case of what it replaces ("AISHA" -> "P01", "aisha" -> "p01"), next to
punctuation and in possessives ("Aisha's" -> "P01's"). Longer names win over shorter
ones at the same place ("Anne-Marie" before "Anne"); the spaces inside a name of several
words may be any run of white space (a line break in a transcript).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from store.errors import BadInput, NotFound
from store.storage import write_atomic

FILE = "pseudonyms.json"

# Speaker labels that name a role, not a person: never warned about.
ROLES = frozenset(
    "interviewer interviewee participant respondent moderator facilitator researcher speaker "
    "chair host guest narrator note transcriber unknown inaudible all group both "
    "dr mr mrs ms miss mx prof professor sir dame nurse doctor the and of".split()
)
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*")


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
        alternatives = "|".join(r"\s+".join(map(re.escape, name.split())) for name in names)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    @cached_property
    def _lookup(self) -> dict[str, str]:
        return {_key(real): pseudo for real, pseudo in self.pairs}

    def apply(self, text: str) -> str:
        """`text` with every real name of the table replaced by its pseudonym."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(lambda m: _same_case(m.group(0), self._lookup[_key(m.group(0))]), text)

    def add(self, real: str, pseudonym: str) -> Pseudonyms:
        real, pseudonym = " ".join(real.split()), " ".join(pseudonym.split())
        if not real or not pseudonym:
            raise BadInput("give a real name and a pseudonym, as in: margin pseudonyms add \"Aisha\" \"P01\"")
        if _key(real) == _key(pseudonym):
            raise BadInput(f"the pseudonym for {real!r} is the name itself; choose another")
        kept = tuple(p for p in self.pairs if _key(p[0]) != _key(real))
        return Pseudonyms((*kept, (real, pseudonym)))

    def remove(self, real: str) -> Pseudonyms:
        kept = tuple(p for p in self.pairs if _key(p[0]) != _key(real))
        if len(kept) == len(self.pairs):
            raise NotFound(f"{real!r} is not in the pseudonym table; list it with `margin pseudonyms`")
        return Pseudonyms(kept)

    def rows(self, rows: list[list]) -> list[list]:
        """A table's rows with every text cell pseudonymised (numbers left as they are)."""
        if not self.pairs:
            return rows
        return [[self.apply(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


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


# ---------------------------------------------------------------------- names left behind


def names_left(text: str, table: Pseudonyms, speakers: set[str]) -> dict[str, int]:
    """Likely names still in `text` (already pseudonymised): capitalised words that are a
    speaker's name somewhere in the project, and words that hold a real name of the table
    in another form (`Aishas`, `AishaB`). Word -> how many times."""
    names = {word for s in speakers for word in s.split() if _is_name(word)}
    names -= {word for _, pseudo in table.pairs for word in pseudo.split()}
    reals = [_key(real) for real, _ in table.pairs if " " not in real.strip()]
    found: dict[str, int] = {}
    for match in _WORD.finditer(text):
        word = match.group(0).rstrip("'’-")
        folded = word.casefold()
        near = word[0].isupper() and any(folded.startswith(r) and len(folded) - len(r) <= 2 for r in reals)
        if (word in names and word[0].isupper()) or near:
            found[word] = found.get(word, 0) + 1
    return found


def _is_name(speaker: str) -> bool:
    """A word of a speaker label that may be a person's name: capitalised, no digits, not
    a role or a title ("Dr Hale" gives "Hale")."""
    return bool(re.fullmatch(r"[^\W\d_][\w'’-]*", speaker)) and speaker[0].isupper() and speaker.casefold() not in ROLES
