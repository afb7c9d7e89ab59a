"""The kept columns of a writer (the app), in memory and kept current as coding changes.

A read-only command reads each codings file's columns from cache/columns (columns.py); a
writer's codings change under it, so its files are not its codings. A project that keeps
live columns (`keep_live`, which the analysis screen asks for) gets them from its state
instead: per document, the columns of each coder's codings, remade only for a document
whose codings or definition (text, turns, attributes) differ from those they were made
from. So after an apply, the next figures remake one document's columns, not 50,000
codings'. The comparison is of the codings themselves (frozen values: an unchanged one is
the same object, so the check costs a pointer per coding), never of a counter that could
miss a change.

Views are built in a worker thread while the app may change the project: a change made
during `live_columns` can raise RuntimeError (a dict changed size while read) or give a
mix; the caller checks `project.state.version` before and after and throws such a result
away (tui/screens/analysis.py, `view_of`).
"""

from __future__ import annotations

import threading
import weakref

from store.analysis.columns import Columns, columns_from

_LIVE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # project -> _Live
_LOCK = threading.Lock()


class _Live:
    """Per document id: (the document, its codings as a tuple, its columns by coder)."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple] = {}
        self.lock = threading.Lock()  # one remake at a time (two views can build at once)
        self.remade = 0  # documents whose columns were made, for the tests that count work


def keep_live(project) -> None:
    """From now on, `columns_of(project)` gives live columns where the kept files do not apply."""
    with _LOCK:
        if project not in _LIVE:
            _LIVE[project] = _Live()


def remade(project) -> int:
    """How many documents' columns were made so far (0 when not kept live)."""
    live = _LIVE.get(project)
    return live.remade if live is not None else 0


def live_columns(project) -> list[Columns] | None:
    """Every coder's columns of every document, current, or None when not kept live."""
    live = _LIVE.get(project)
    if live is None:
        return None
    state = project.state
    found: list[Columns] = []
    with live.lock:
        kept = live.documents
        for document_id, document in list(state.documents.items()):
            codings = tuple(state.codings_of(document_id).values())
            entry = kept.get(document_id)
            if entry is None or not (entry[0] is document or entry[0] == document) or entry[1] != codings:
                entry = kept[document_id] = (document, codings, _of_document(project, document, codings))
                live.remade += 1
            found += entry[2]
        for gone in kept.keys() - state.documents.keys():
            del kept[gone]
    return found


def _of_document(project, document, codings: tuple) -> list[Columns]:
    """One document's columns, a Columns per coder (in coder id order, as the files are)."""
    by_coder: dict[str, list] = {}
    for coding in sorted(codings, key=lambda c: (c.start, c.end, c.id)):
        by_coder.setdefault(coding.coder, []).append(coding)
    return [columns_from(project, document, coder, by_coder[coder]) for coder in sorted(by_coder)]
