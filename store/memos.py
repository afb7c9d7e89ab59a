"""Memos on the project, a document, a code or a coding, and the reflexive journal."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from store.clock import new_id, now
from store.errors import BadInput, NotFound, UnknownName
from store.model import MEMO_KINDS, MEMO_TARGET_TABLES, NAMED_TARGET_KINDS, Memo
from store.text import plural

if TYPE_CHECKING:
    from store.workspace import Workspace


class Memos:
    def __init__(self, project: Workspace):
        self.project = project

    def add(self, kind: str, target: str | None, text: str, title: str = "") -> Memo:
        """A new memo; `target` is the id of the document, code or coding, the name of the
        case or attribute (None for project memos and journal entries). Annotations are
        made by `store.annotations.annotate`, as they need a span."""
        if kind not in MEMO_KINDS or kind == "annotation":
            raise BadInput(f"a memo is on one of: {', '.join(k for k in MEMO_KINDS if k != 'annotation')}; not {kind!r}")
        self.check_target(kind, target)
        stamp = now()
        memo = Memo(
            id=new_id(),
            kind=kind,
            target=target if kind in MEMO_TARGET_TABLES or kind in NAMED_TARGET_KINDS else None,
            text=text,
            author=self.project.coder.id,
            title=title.strip(),
            created=stamp,
            modified=stamp,
        )
        self.put_new(memo)
        return memo

    def check_target(self, kind: str, target: str | None) -> None:
        if kind in MEMO_TARGET_TABLES and target not in self.project.state.table(MEMO_TARGET_TABLES[kind]):
            raise NotFound(f"no {MEMO_TARGET_TABLES[kind][:-1]} with id {target}")
        if kind in NAMED_TARGET_KINDS and not (target or "").strip():
            raise BadInput(f"a {kind} memo needs the {kind}'s name")

    def put_new(self, memo: Memo) -> None:
        with self.project.operation(f"add {'journal entry' if memo.kind == 'journal' else memo.kind + ' memo'}"):
            self.project.put(memo)

    def edit(self, memo: Memo, text: str, amends: int | None = None) -> Memo:
        """Replace a memo's text (no-op when unchanged, so typing pauses log nothing).

        `amends`: the action that last saved this memo in the same editing spell; if it is
        still the coder's newest, this save joins it, so one undo takes back the spell."""
        current = self.project.state.memos.get(memo.id, memo)
        if current.text == text:
            return current
        edited = replace(current, text=text, modified=now())
        with self.project.operation(f"edit {current.kind} memo", amends=amends):
            self.project.put(edited)
        return edited

    def delete(self, memo: Memo) -> None:
        with self.project.operation(f"delete {memo.kind} memo"):
            self.project.delete(memo)

    def on(self, target: str | None, kind: str | None = None) -> list[Memo]:
        """Memos attached to an entity (or project memos with target None), oldest first."""
        found = self.project.state.memos_by_target.get(target, {}).values()
        return sorted((m for m in found if kind is None or m.kind == kind), key=lambda m: m.created)

    def journal(self) -> list[Memo]:
        return self.on(None, "journal")

    def all(self) -> list[Memo]:
        return sorted(self.project.state.memos.values(), key=lambda m: (m.kind, m.created))

    def refs(self) -> dict[str, str]:
        """Each memo's id as `margin memo list` shows it: its first eight characters, or as
        many more as tell it from every other memo's (a merge's conflicting copy of a memo
        has the memo's id and more), `get` taking each back to its memo."""
        ids = sorted(self.project.state.memos)
        refs = {}
        for n, key in enumerate(ids):
            length = SHORT_ID
            for neighbour in ids[max(n - 1, 0) : n + 2]:  # in sorted order, the longest shared start is a neighbour's
                if neighbour != key:
                    length = max(length, _shared_start(key, neighbour) + 1)
            refs[key] = key[:length]
        return refs

    def get(self, ref: str) -> Memo:
        """A memo by its id or the start of it, as `margin memo list` shows it."""
        memos = self.project.state.memos
        if ref in memos:
            return memos[ref]
        found = [m for m in memos.values() if m.id.startswith(ref)]
        if len(found) == 1:
            return found[0]
        if found:
            raise BadInput(f"{plural(len(found), 'memo')} have an id starting {ref!r}; give more of it (see `margin memo list`)")
        raise UnknownName(f"no memo with id {ref!r}; see `margin memo list`")


SHORT_ID = 8


def _shared_start(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
