"""Memos as `Description` elements as well as Notes: QualCoder reads a selection's,
source's, code's and the project's memo only from its Description.

Margin writes the memos joined, after a code's definition; reading its own export back,
the part that repeats the Notes the element refers to is dropped, so no memo is doubled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.refi.reader import RefiProject

SEPARATOR = "\n\n"


def joined(texts: Iterable[str]) -> str:
    """The Description of memos (and a code's definition first): the non-empty texts,
    a blank line between."""
    return SEPARATOR.join(t for t in texts if t)


def noted_texts(refi: RefiProject) -> dict[str, str]:
    """For each element that refers to notes with inline text (by its guid; the project
    as "Project"), the Description Margin writes for them."""
    note_texts = {n.guid: joined([n.description, n.content]) for n in refi.notes if n.content is not None}
    texts: dict[str, list[str]] = defaultdict(list)
    for tag, owner, note in refi.note_refs:
        if note in note_texts:
            texts[owner if owner is not None else tag].append(note_texts[note])
    return {owner: joined(found) for owner, found in texts.items()}


def own_part(description: str, noted: str) -> str:
    """`description` without the memos its element's Notes already carry (`noted`):
    "" when it is only them, the definition when it is a definition and them."""
    if not noted:
        return description
    if description == noted:
        return ""
    return description.removesuffix(SEPARATOR + noted) if description.endswith(SEPARATOR + noted) else description
