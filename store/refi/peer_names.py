"""Names other tools need unique: codes (QualCoder merges codes of one name, and the
codings of the lost one vanish) and journal entries (QualCoder's journal names are unique,
and its import stops at a repeated one).

Names are compared ignoring case, as the strictest peer would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from store.model import Code, Memo
from store.refi.naming import UniqueNames
from store.text import one_line, plural

QUALIFIER_SEPARATOR = " › "  # not `>`, which Margin's import reads as a path separator


def shared_names(codes: dict[str, Code]) -> dict[str, list[Code]]:
    """Each code name held by more than one code, with its codes in path order."""
    groups: dict[str, list[Code]] = defaultdict(list)
    for code in codes.values():
        groups[code.name.casefold()].append(code)
    return {
        group[0].name: sorted(group, key=lambda c: _path(codes, c))
        for group in groups.values()
        if len(group) > 1
    }


_NAMES_SHOWN = 3  # a warning is one line to read, not the codebook
_PATHS_SHOWN = 3


def _paths_of(codes: dict[str, Code], group: list[Code]) -> str:
    paths = [" > ".join(_path(codes, c)) for c in group[:_PATHS_SHOWN]]
    return ", ".join(paths) + (f" and {len(group) - _PATHS_SHOWN} more" if len(group) > _PATHS_SHOWN else "")


def shared_names_line(codes: dict[str, Code]) -> str | None:
    """One line naming the codes that share a name, or None when every name is unique."""
    groups = shared_names(codes)
    if not groups:
        return None
    shown = list(groups.items())[:_NAMES_SHOWN]
    named = "; ".join(f"{name!r} ({_paths_of(codes, group)})" for name, group in shown)
    if len(groups) > _NAMES_SHOWN:
        named += f"; and {len(groups) - _NAMES_SHOWN} more shared names"
    example = next(iter(groups.values()))
    return (
        f"{plural(len(groups), 'name')} shared by several codes, which QualCoder merges (losing the codings of all but one): {named}; "
        f"--unique-names writes them as {unique_code_names(codes)[example[-1].id]!r} and so on"
    )


def unique_code_names(codes: dict[str, Code]) -> dict[str, str]:
    """A name for every code, unique ignoring case: a shared name is qualified by its
    parent (`Other (Benefits)`), by more ancestors while that still leaves two alike
    (`Other (Study › Benefits)`), and numbered as a last resort."""
    names = {code.id: code.name for code in codes.values()}
    for group in shared_names(codes).values():
        names.update(_qualified(codes, group))
    taken = UniqueNames()
    unchanged = [c for c in codes.values() if names[c.id] == c.name]
    changed = [c for c in codes.values() if names[c.id] != c.name]
    for code in sorted(unchanged, key=lambda c: _path(codes, c)) + sorted(changed, key=lambda c: _path(codes, c)):
        names[code.id] = taken(names[code.id])
    return names


def _qualified(codes: dict[str, Code], group: list[Code]) -> dict[str, str]:
    ancestors = {code.id: _path(codes, code)[:-1] for code in group}
    deepest = max(len(a) for a in ancestors.values())
    for depth in range(1, deepest + 1):
        names = {
            code.id: f"{code.name} ({QUALIFIER_SEPARATOR.join(ancestors[code.id][-depth:])})" if ancestors[code.id] else code.name
            for code in group
        }
        if len({n.casefold() for n in names.values()}) == len(group):
            break
    return names


def _path(codes: dict[str, Code], code: Code) -> list[str]:
    """The names from the root down to `code` (a loop: no depth exhausts the stack)."""
    names, seen = [code.name], {code.id}
    while code.parent in codes and code.parent not in seen:
        code = codes[code.parent]
        seen.add(code.id)
        names.append(code.name)
    return names[::-1]


def journal_note_names(memos: Iterable[Memo]) -> dict[str, str]:
    """A unique name for each journal entry: its title, else `untitled_journal_name`."""
    taken = UniqueNames()
    return {memo.id: taken(memo.title or untitled_journal_name(memo.text)) for memo in memos}


def untitled_journal_name(text: str) -> str:
    """The name an untitled journal entry is exported with: its first words."""
    first = one_line(text.strip().split("\n", 1)[0]) if text.strip() else ""
    first = first if len(first) <= 60 else first[:59] + "…"
    return f"Journal: {first}" if first else "Journal entry"


class JournalTitles:
    """Margin's own export read back: each journal entry's title from its Note's name, in
    the order written, undoing what `journal_note_names` did (a fallback name becomes no
    title; ` (2)` after a name an earlier entry had is dropped)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, name: str, text: str) -> str:
        self.seen.add(name.casefold())
        base = untitled_journal_name(text)
        if name == base or _numbered(name, base):
            return ""
        stem, _, number = name.rpartition(" (")
        if number.endswith(")") and number[:-1].isdigit() and stem.casefold() in self.seen:
            return stem
        return name


def _numbered(name: str, base: str) -> bool:
    return name.startswith(base + " (") and name.endswith(")") and name[len(base) + 2 : -1].isdigit()
