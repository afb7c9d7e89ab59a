"""What the domain collections need of an open project, as a Protocol.

`Documents`, `Codebook`, `Codings` and `Memos` (and the modules beside them, attributes.py
and annotations.py) are given the open project and reach each other through it. They name
its type as `Workspace`, never `store.project.Project`, so the dependency runs one way:
the persistence core (store/core/), then the collections, then the facade that ties them
(store/project.py), as tests/test_layers.py checks. `Project` is the one implementation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from store.codebook import Codebook
    from store.codings import Codings
    from store.core.changes import Operation
    from store.documents import Documents
    from store.memos import Memos
    from store.model import Coder
    from store.state import State


class Workspace(Protocol):
    """The open project as the collections use it: its state, its coder, changes made
    inside an operation, its texts, and the other collections."""

    state: State
    coder: Coder | None
    documents: Documents
    codebook: Codebook
    codings: Codings
    memos: Memos

    def operation(
        self, summary: str, *, undoable: bool = True, amends: int | None = None
    ) -> AbstractContextManager[Operation]: ...

    def put(self, entity) -> None: ...

    def delete(self, entity) -> None: ...

    def text(self, document_id: str) -> str: ...

    def store_text(self, document_id: str, text: str) -> str: ...
