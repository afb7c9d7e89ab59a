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

Every view's figures are sums over documents (co-occurrences never cross a document; a
case or a group is counted from the documents' own counts), so each view keeps, with the
live columns, each document's contribution (`summed`): a flat dict of integer counts,
made again only for a document whose columns were remade, and the totals over the
documents in scope, adjusted by subtracting a document's old contribution and adding its
new one. After an apply a view's figures cost one document's contribution and a few
dict updates; a filter by documents or attributes is a sum of contributions already made.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable

from store.analysis.columns import Columns, columns_from

_LIVE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # project -> _Live
_LOCK = threading.Lock()
KINDS = 32  # kinds of contribution kept (a view with its options and filters), the least recently used dropped
TOTALS = 32  # totals kept (a kind over a set of documents)


class _Live:
    """Per document id: (the document, its codings as a tuple, its columns by coder)."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple] = {}
        self.lock = threading.Lock()  # one remake at a time (two views can build at once)
        self.remade = 0  # documents whose columns were made, for the tests that count work
        self.parts: OrderedDict = OrderedDict()  # kind -> {document id: (entry, contribution)}
        self.totals: OrderedDict = OrderedDict()  # (kind, document ids) -> _Total
        self.contributed = 0  # contributions made, for the tests that count work


def keep_live(project) -> None:
    """From now on, `columns_of(project)` gives live columns where the kept files do not apply."""
    with _LOCK:
        if project not in _LIVE:
            _LIVE[project] = _Live()


def remade(project) -> int:
    """How many documents' columns were made so far (0 when not kept live)."""
    live = _LIVE.get(project)
    return live.remade if live is not None else 0


def contributed(project) -> int:
    """How many documents' contributions were made so far (0 when not kept live)."""
    live = _LIVE.get(project)
    return live.contributed if live is not None else 0


def live_columns(project) -> list[Columns] | None:
    """Every coder's columns of every document, current, or None when not kept live."""
    live = _LIVE.get(project)
    if live is None:
        return None
    found: list[Columns] = []
    with live.lock:
        for entry in _current(project, live).values():
            found += entry[2]
    return found


def _current(project, live: _Live) -> dict[str, tuple]:
    """Per document id, its entry (document, codings, columns), remade where it changed."""
    state = project.state
    kept = live.documents
    for document_id, document in list(state.documents.items()):
        codings = tuple(state.codings_of(document_id).values())
        entry = kept.get(document_id)
        if entry is None or not (entry[0] is document or entry[0] == document) or entry[1] != codings:
            entry = kept[document_id] = (document, codings, _of_document(project, document, codings))
            live.remade += 1
    for gone in kept.keys() - state.documents.keys():
        del kept[gone]
    return kept


def summed(project, kind: tuple, documents: Iterable, contribute: Callable) -> dict | None:
    """The sum over `documents` of `contribute(document, its columns by coder)`, each a
    mapping of keys to integers (anything with `items()`), or None when not kept live.
    `kind` names everything a contribution depends on besides its document's columns and
    definition (the view, its options, the filters that act within a document). A
    contribution is made once per document and kind, again only when the document's
    entry is remade; the totals are adjusted from the last ones over the same documents."""
    live = _LIVE.get(project)
    if live is None:
        return None
    with live.lock:
        entries = _current(project, live)
        parts = live.parts.pop(kind, None) or {}
        live.parts[kind] = parts
        while len(live.parts) > KINDS:
            live.parts.popitem(last=False)
        wanted = {}
        for document in documents:
            entry = entries.get(document.id)
            if entry is None:
                continue
            kept = parts.get(document.id)
            if kept is None or kept[0] is not entry:
                kept = parts[document.id] = (entry, contribute(entry[0], entry[2]))
                live.contributed += 1
            wanted[document.id] = kept[1]
        for gone in parts.keys() - entries.keys():
            del parts[gone]
        key = (kind, frozenset(wanted))
        total = live.totals.pop(key, None) or _Total()
        live.totals[key] = total
        while len(live.totals) > TOTALS:
            live.totals.popitem(last=False)
        total.update(wanted)
        return dict(total.sums)


class _Total:
    """A kind's sums over some documents, and the contribution each document added."""

    __slots__ = ("sums", "included")

    def __init__(self) -> None:
        self.sums: dict = {}
        self.included: dict = {}

    def update(self, wanted: dict) -> None:
        """Subtract what is no longer wanted or has changed, add what is new."""
        sums, included = self.sums, self.included
        for document_id in [d for d in included if d not in wanted]:
            _add(sums, included.pop(document_id), -1)
        for document_id, part in wanted.items():
            old = included.get(document_id)
            if old is part:
                continue
            if old is not None:
                _add(sums, old, -1)
            _add(sums, part, 1)
            included[document_id] = part


def _add(sums: dict, part, sign: int) -> None:
    for key, value in part.items():
        value = sums.get(key, 0) + sign * value
        if value:
            sums[key] = value
        else:
            sums.pop(key, None)


def _of_document(project, document, codings: tuple) -> list[Columns]:
    """One document's columns, a Columns per coder (in coder id order, as the files are)."""
    by_coder: dict[str, list] = {}
    for coding in sorted(codings, key=lambda c: (c.start, c.end, c.id)):
        by_coder.setdefault(coding.coder, []).append(coding)
    return [columns_from(project, document, coder, by_coder[coder]) for coder in sorted(by_coder)]
