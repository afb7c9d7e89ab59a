"""The codebook: a tree of codes with definitions, colours and whether they may be applied."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING

from store.clock import new_id, now
from store.errors import BadInput, ProjectCorrupt, Refused, UnknownName
from store.graphemes import grapheme_edge
from store.model import Code
from store.patterns import later
from store.text import LINE_BREAKS, one_line, plural, refuse_unshown

if TYPE_CHECKING:
    from store.workspace import Workspace

SEPARATOR = " > "
PALETTE = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#9b7fd4", "#46f0f0", "#f032e6",
    "#bcf60c", "#f08080", "#008080", "#c97fa8", "#9a6324", "#d4a017", "#5c9ded", "#2ec4a6",
)  # fmt: skip  # no pastels (their tint washes out) nor near-black reds and purples on dark
_COLOUR = later(r"^#[0-9a-fA-F]{6}$")
# The longest code name that may be given, in characters (code points, as len counts), not
# graphemes: it bounds what is stored and what a terminal must draw, which a grapheme does
# not (one letter may carry hundreds of combining marks).
LONGEST_NAME = 256


class Codebook:
    def __init__(self, project: Workspace):
        self.project = project
        self._tree: dict[str | None, list[Code]] = {}
        self._tree_version = -1

    # -------------------------------------------------------------- reading

    @property
    def _codes(self) -> dict[str, Code]:
        return self.project.state.codes

    def all(self) -> list[Code]:
        """Every code in tree order: depth first, siblings by name (a loop, not recursion,
        so no depth of tree exhausts the stack)."""
        ordered: list[Code] = []
        pending = self.children(None)[::-1]
        while pending:
            code = pending.pop()
            ordered.append(code)
            pending += self.children(code.id)[::-1]
        return ordered

    def children(self, parent: str | None) -> list[Code]:
        """Sorted once per change to the codes (not per change to the project: an apply
        or the log entry of an added code sorted all 5,000 codes again)."""
        if self._tree_version != self.project.state.changes["codes"]:
            tree: dict[str | None, list[Code]] = {}
            for code in sorted(self._codes.values(), key=lambda c: c.name.casefold()):
                tree.setdefault(code.parent, []).append(code)
            self._tree, self._tree_version = tree, self.project.state.changes["codes"]
        return list(self._tree.get(parent, ()))

    def descendants(self, code: Code) -> list[Code]:
        found: list[Code] = []
        pending = self.children(code.id)[::-1]
        while pending:
            child = pending.pop()
            found.append(child)
            pending += self.children(child.id)[::-1]
        return found

    def depth(self, code: Code) -> int:
        return len(self.ancestors(code))

    def ancestors(self, code: Code) -> list[Code]:
        chain = []
        while code.parent is not None:
            code = self._codes[code.parent]
            chain.append(code)
            if len(chain) > len(self._codes):
                raise ProjectCorrupt(f"code {code.name!r} is inside itself (its parents form a loop); see `margin restore`")
        return chain[::-1]

    def path(self, code: Code) -> str:
        return SEPARATOR.join(c.name for c in [*self.ancestors(code), code])

    def get(self, ref: str) -> Code:
        """A code by id, by path (`Parent > Child`) or by a name that only one code has."""
        if ref in self._codes:
            return self._codes[ref]
        found = self.find_path(ref)
        if found is not None:
            return found
        wanted = name_key(ref.strip())
        named = [c for c in self._codes.values() if name_key(c.name) == wanted]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            paths = "; ".join(self.path(c) for c in named)
            raise BadInput(f"{ref!r} names several codes ({paths}); give the full path")
        meant = self.meant(ref)
        if meant:
            raise UnknownName(f"no code {ref!r} (did you mean {meant!r}?); see the codebook with `margin codes`")
        raise UnknownName(f"no code {ref!r}; see the codebook with `margin codes` (`margin codes add {_quote(ref)}` adds it)")

    def meant(self, ref: str) -> str | None:
        """The path of the code that `ref` is a slip of (in its path or its name), or None."""
        from store.suggest import closest

        by_shown: dict[str, str] = {}
        for code in self._codes.values():
            path = self.path(code)
            by_shown.setdefault(path, path)
            by_shown.setdefault(code.name, path)
        found = closest(ref, list(by_shown))
        return by_shown[found] if found else None

    def check_new_path(self, path: str) -> None:
        """Refuse a path to a new code as `add` would (each name on one line, without
        control characters, no longer than a name may be where a code is made, the code
        not there already), without adding it: the app's dialogs check before they close,
        so what was typed stays."""
        names = split_path(path)
        for depth, name in enumerate(names):
            if self.find_path(SEPARATOR.join(names[: depth + 1])) is None:
                check_length(name)
        self._refuse_existing(path)

    def check_rename(self, code: Code, new_name: str) -> None:
        """Refuse a new name for `code` as `rename` would, without renaming."""
        self._refuse_sibling(check_length(clean_name(new_name)), code.parent, code)

    def _refuse_existing(self, path: str) -> None:
        if self.find_path(path) is not None:
            raise Refused(
                f"the code {SEPARATOR.join(split_path(path))!r} exists already; "
                "change it with `margin codes rename` or `margin codes describe`"
            )

    def find_path(self, path: str) -> Code | None:
        parent: Code | None = None
        for name in split_path(path):
            wanted = name_key(name)
            match = [c for c in self.children(parent.id if parent else None) if name_key(c.name) == wanted]
            if not match:
                return None
            parent = match[0]
        return parent

    def counts(self) -> dict[str, int]:
        """Codings per code, the code's own only."""
        return dict(self.project.state.coding_counts_by_code())

    def total_counts(self) -> dict[str, int]:
        """Codings per code including its sub-codes (children summed before their parents)."""
        own = self.counts()
        totals: dict[str, int] = {}
        for code in reversed(self.all()):
            totals[code.id] = own.get(code.id, 0) + sum(totals[c.id] for c in self.children(code.id))
        for code_id in self._codes.keys() - totals.keys():  # outside the tree (a damaged file)
            totals[code_id] = own.get(code_id, 0)
        return totals

    # -------------------------------------------------------------- changing

    def add(
        self, path: str, description: str = "", color: str | None = None, codable: bool = True
    ) -> Code:
        """Add `Parent > Child`, creating missing parents; refused if the code exists."""
        self._refuse_existing(path)
        return self.ensure(path, description, color, codable)

    def ensure(self, path: str, description: str = "", color: str | None = None, codable: bool = True) -> Code:
        """The code at `path`, created (with its missing parents) if it does not exist."""
        names = split_path(path)
        with self.project.operation(f"add code {SEPARATOR.join(names)}"):
            parent: Code | None = None
            for depth, name in enumerate(names):
                existing = self.find_path(SEPARATOR.join(names[: depth + 1]))
                if existing is None:
                    leaf = depth == len(names) - 1
                    existing = self._create(
                        name,
                        parent,
                        description if leaf else "",
                        color if leaf and color else None,
                        codable if leaf else True,
                    )
                parent = existing
        return parent

    def _create(self, name: str, parent: Code | None, description: str, color: str | None, codable: bool) -> Code:
        stamp = now()
        code = Code(
            id=new_id(),
            name=check_length(name),
            parent=parent.id if parent else None,
            color=check_colour(color) if color else PALETTE[len(self._codes) % len(PALETTE)],
            description=description,
            codable=codable,
            created=stamp,
            modified=stamp,
        )
        self.project.put(code)
        return code

    def rename(self, code: Code, new_name: str) -> Code:
        self.check_rename(code, new_name)
        new_name = check_length(clean_name(new_name))
        return self._update(code, f"rename code {self.path(code)} to {new_name}", name=new_name)

    def move(self, code: Code, new_parent: Code | None) -> Code:
        """Re-parent a code (None: to the top level)."""
        if new_parent is not None and (new_parent.id == code.id or code in self.ancestors(new_parent)):
            raise Refused(f"cannot move {self.path(code)} under itself")
        self._refuse_sibling(code.name, new_parent.id if new_parent else None, code)
        where = self.path(new_parent) if new_parent else "the top level"
        return self._update(code, f"move code {self.path(code)} to {where}", parent=new_parent.id if new_parent else None)

    def describe(self, code: Code, description: str) -> Code:
        return self._update(code, f"describe code {self.path(code)}", description=description)

    def color(self, code: Code, color: str) -> Code:
        return self._update(code, f"colour code {self.path(code)} {color}", color=check_colour(color))

    def merge(self, source: Code, target: Code) -> int:
        """Move source's codings, memos and sub-codes to target and remove source.

        Codings that would duplicate one of target's (same document, span and coder) are
        dropped; source's definition is appended to target's. Returns codings moved.
        """
        if source.id == target.id or source in self.ancestors(target):
            raise Refused(f"cannot merge {self.path(source)} into {self.path(target)}: it is inside it")
        state = self.project.state
        taken = {(c.document, c.start, c.end, c.coder) for c in state.codings_by_code.get(target.id, {}).values()}
        moved = 0
        with self.project.operation(f"merge code {self.path(source)} into {self.path(target)}"):
            for coding in list(state.codings_by_code.get(source.id, {}).values()):
                key = (coding.document, coding.start, coding.end, coding.coder)
                if key in taken:
                    self.project.delete(coding)
                    continue
                taken.add(key)
                self.project.put(replace(coding, code=target.id, modified=now()))
                moved += 1
            for memo in list(state.memos_by_target.get(source.id, {}).values()):
                self.project.put(replace(memo, target=target.id, modified=now()))
            for child in self.children(source.id):
                self.project.put(replace(child, parent=target.id, modified=now()))
            description = target.description
            if source.description and source.description not in description:
                description = "\n\n".join(x for x in (description, source.description) if x)
            self.project.put(replace(target, description=description, modified=now()))
            self.project.delete(source)
        return moved

    def impact(self, code: Code) -> dict[str, int]:
        """What deleting `code` would remove: codings, sub-codes and memos.

        Counted from the state's codings per code, not from the codings themselves: reading
        every coding for the count took 2-3 s of the first `d` at 200,000 codings. Only
        memos on codings need the codings (which code each is of), so they are read only
        when the project has such memos."""
        state = self.project.state
        doomed = {code.id, *(c.id for c in self.descendants(code))}
        counts = state.coding_counts_by_code()
        memos = sum(len(state.memos_by_target.get(x, {})) for x in doomed)
        on_codings = [m for m in state.memos.values() if m.kind == "coding"]
        if on_codings:
            codings = state.codings
            memos += sum(1 for m in on_codings if m.target in codings and codings[m.target].code in doomed)
        return {"codings": sum(counts[x] for x in doomed), "sub-codes": len(doomed) - 1, "memos": memos}

    def delete(self, code: Code, force: bool = False) -> dict[str, int]:
        impact = self.impact(code)
        if any(impact.values()) and not force:
            said = describe_impact(impact)
            raise Refused(f"deleting {self.path(code)} would remove {said}; pass --force to delete anyway")
        state = self.project.state
        with self.project.operation(f"delete code {self.path(code)}"):
            for doomed in [*reversed(self.descendants(code)), code]:
                for coding in list(state.codings_by_code.get(doomed.id, {}).values()):
                    self.project.codings.remove(coding)
                for memo in list(state.memos_by_target.get(doomed.id, {}).values()):
                    self.project.delete(memo)
                self.project.delete(doomed)
        return impact

    def _update(self, code: Code, summary: str, **changes) -> Code:
        updated = replace(code, **changes, modified=now())
        with self.project.operation(summary):
            self.project.put(updated)
        return updated

    def _refuse_sibling(self, name: str, parent: str | None, code: Code) -> None:
        """Refused if another code under `parent` has `name` (`name_key`: case and the
        encoding of accents aside). The parent's
        children come from the cached tree when it is current; when it is not, a scan of
        the codes: building the tree again sorts every code (1.8 ms at 5,000 codes, the
        scan 0.1 ms), and any change to the codes leaves it out of date."""
        folded = name_key(name)
        if self._tree_version == self.project.state.changes["codes"]:
            siblings = self._tree.get(parent, ())
        else:
            siblings = [c for c in self._codes.values() if c.parent == parent]
        for sibling in siblings:
            if sibling.id != code.id and name_key(sibling.name) == folded:
                raise Refused(f"a code named {sibling.name!r} exists there already; merge them with `margin codes merge`")


def in_vivo_name(words: str, longest: int = 60) -> str:
    """A code named by the participant's own words: one line (line breaks, white space and
    control characters collapsed to single spaces), as `clean_name` makes it (NFC, no
    invisible character at its ends), no path separator, without the punctuation around them, cut with … at a grapheme's edge when longer than `longest`
    (below LONGEST_NAME), so that `clean_name` and `check_length` never refuse it."""
    name = unicodedata.normalize("NFC", one_line(words.replace(">", " "))).strip(" .,;:!?\"'“”‘’—-" + EDGE_INVISIBLE)
    if len(name) <= longest:
        return name
    return name[: grapheme_edge(name, longest - 1, forward=False)].rstrip() + "…"


def pasted_name(text: str) -> str:
    """Pasted text for a code name: the line breaks at its end dropped (a name copied with
    its line's end), any other refused as a code name refuses it (rather than keep its
    first line, as Textual's Input does, or join its lines)."""
    text = text.rstrip(TRAILING_BREAKS)
    if not LINE_BREAKS.isdisjoint(text):
        clean_name(text)  # refuses its first line break or control character
    return text


TRAILING_BREAKS = "".join(LINE_BREAKS) + " \t"


def split_path(path: str) -> list[str]:
    """`A > B > C` as names; also accepts `/`-free names with stray spaces."""
    names = [clean_name(part) for part in path.split(">")]
    if not names:
        raise BadInput("a code path needs at least one name, such as 'Support > Trust'")
    return names


# Invisible characters a name may hold inside (a joiner in 👩‍⚕️, a direction mark between
# Arabic and Latin) but not at its ends, where they only make two names that look one.
EDGE_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u00ad\u061c\ufeff"


def name_key(name: str) -> str:
    """What two code names are compared by: case aside, and an accent typed as one
    character or as a letter and a combining mark (NFC) the same."""
    return unicodedata.normalize("NFC", name).casefold()


def clean_name(name: str) -> str:
    """A code name as given, on one line with its spaces collapsed (a tab is a space).

    A line break or a control character is refused, not replaced: it would break the
    one-line tree, a CSV row and the terminal, and a name quietly changed is not the one
    the researcher gave. Letters, emoji with their joiners and combining marks are kept
    (store.text.shows)."""
    if not name.isprintable():  # the usual name is: no character needs looking at
        refuse_unshown(name, "a code name")
    cleaned = " ".join(unicodedata.normalize("NFC", name).split()).strip(EDGE_INVISIBLE).strip()
    if not cleaned:
        raise BadInput("a code needs a name; for example 'Support > Trust'")
    if ">" in cleaned:
        raise BadInput(f"a code name cannot contain '>' ({cleaned!r}); it separates parent and child")
    return cleaned


def check_length(name: str) -> str:
    """`name`, refused when longer than LONGEST_NAME characters. Only a code being named
    (created or renamed) is checked: a longer name already in a project (imported, or
    from an older Margin) still opens and is found."""
    if len(name) > LONGEST_NAME:
        raise BadInput(
            f"a code name is at most {plural(LONGEST_NAME, 'character')}, not {len(name)} ({_quoted(name)}); "
            "shorten it and put the rest in its definition (`margin codes describe`)"
        )
    return name


def _quoted(name: str, longest: int = 40) -> str:
    """The name as an error message quotes it: its characters that do not show escaped
    (repr), cut when long."""
    return repr(name if len(name) <= longest else name[: longest - 1] + "…")


def check_colour(color: str) -> str:
    if not _COLOUR.match(color or ""):
        raise BadInput(f"colour {color!r} is not #rrggbb, for example #4363d8")
    return color.lower()


def describe_impact(impact: dict[str, int]) -> str:
    """`1 coding, 2 sub-codes` for what a deletion takes with it."""
    return ", ".join(f"{n} {what[:-1] if n == 1 else what}" for what, n in impact.items() if n)


def _quote(text: str) -> str:
    """A name as a shell takes it when pasted: on one line, quoted if need be (`Bob's`)."""
    import shlex

    return shlex.quote(one_line(text))
