"""Blind double coding: the project as one coder sees it while blind.

`BlindView(project)` stands in for the project wherever the app reads it: its `state`
holds only the coder's own codings (by id, by document, by code) while `blind` is on, and
its `codings` and `codebook` read through that state, so the reader, the margins, the
counts, retrieval, search and the analysis screen all see the same filtered project
without each knowing about blinding. Changes go to the real project (the view forwards
`operation`, `put` and everything else). Setting `blind` off shows everyone's codings;
`state.version` carries the flag, so every view redraws when it flips.
"""

from __future__ import annotations

from collections import defaultdict

from store.codebook import Codebook
from store.codings import Codings


class BlindState:
    """The project's state with only one coder's codings; everything else as it is."""

    def __init__(self, view: BlindView):
        self._view = view
        self._key = None
        self._codings: dict = {}
        self._by_document: dict = {}
        self._by_code: dict = {}

    def __getattr__(self, name):
        return getattr(self._view.project.state, name)

    @property
    def version(self):
        return (self._view.project.state.version, self._view.blind)

    def _own(self):
        """Rebuilt when the project changes (one pass over the codings), kept otherwise."""
        state = self._view.project.state
        key = (state.version, self._view.coder_id)
        if key != self._key:
            mine = self._view.coder_id
            self._codings = {i: c for i, c in state.codings.items() if c.coder == mine}
            self._by_document, self._by_code = defaultdict(dict), defaultdict(dict)
            for i, c in self._codings.items():
                self._by_document[c.document][i] = c
                self._by_code[c.code][i] = c
            self._key = key
        return self

    @property
    def codings(self) -> dict:
        return self._own()._codings if self._view.blind else self._view.project.state.codings

    @property
    def codings_by_document(self) -> dict:
        return self._own()._by_document if self._view.blind else self._view.project.state.codings_by_document

    @property
    def codings_by_code(self) -> dict:
        return self._own()._by_code if self._view.blind else self._view.project.state.codings_by_code

    def codings_of(self, document_id: str) -> dict:
        """One document's codings (the store reads that document's files on first use)."""
        state = self._view.project.state
        found = state.codings_of(document_id)
        if not self._view.blind:
            return found
        mine = self._view.coder_id
        return {i: c for i, c in found.items() if c.coder == mine}

    def loaded_coding(self, coding_id: str):
        found = self._view.project.state.loaded_coding(coding_id)
        return found if found is None or not self._view.blind or found.coder == self._view.coder_id else None

    def coding_counts_by_document(self):
        from collections import Counter

        if not self._view.blind:
            return self._view.project.state.coding_counts_by_document()
        return Counter({d: len(c) for d, c in self.codings_by_document.items()})

    def coding_counts_by_code(self):
        from collections import Counter

        if not self._view.blind:
            return self._view.project.state.coding_counts_by_code()
        return Counter({c: len(found) for c, found in self.codings_by_code.items()})


class BlindCodebook(Codebook):
    """Reads the filtered state (counts are the coder's own); every change goes to the
    real codebook, which sees every coder's codings (deleting or merging a code must
    carry the others' codings along, blind or not)."""

    CHANGES = ("add", "ensure", "rename", "move", "describe", "color", "merge", "impact", "delete")

    def __getattribute__(self, name):
        if name in Codebook.__dict__ and name in BlindCodebook.CHANGES:
            return getattr(object.__getattribute__(self, "project").project.codebook, name)
        return object.__getattribute__(self, name)


class BlindMemos:
    """The project's memos with other coders' annotations hidden while blind: like a
    coding, an annotation marks a passage and says what a colleague made of it."""

    def __init__(self, view: BlindView):
        self._view = view

    def __getattr__(self, name):
        return getattr(self._view.project.memos, name)

    def on(self, target: str | None, kind: str | None = None) -> list:
        found = self._view.project.memos.on(target, kind)
        if not self._view.blind:
            return found
        return [m for m in found if m.kind != "annotation" or m.author == self._view.coder_id]


class BlindView:
    """The project, seen by its current coder; `blind` False shows everyone's codings."""

    def __init__(self, project, blind: bool = True):
        object.__setattr__(self, "project", project)
        object.__setattr__(self, "blind", blind)
        object.__setattr__(self, "state", BlindState(self))
        object.__setattr__(self, "codings", Codings(self))
        object.__setattr__(self, "codebook", BlindCodebook(self))
        object.__setattr__(self, "memos", BlindMemos(self))

    @property
    def coder_id(self) -> str | None:
        return self.project.coder.id if self.project.coder else None

    def __getattr__(self, name):
        return getattr(self.project, name)

    def __setattr__(self, name, value):
        if name == "blind":
            object.__setattr__(self, name, value)
        else:
            setattr(self.project, name, value)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.project.close()
