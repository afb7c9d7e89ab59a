"""The researcher's filters, shared by every analysis: which documents, codes, coder and
speakers a figure is about.

A coding's speaker is the speaker of the turn its start falls in (a coding that runs over
several turns, made with V then J, counts for its first turn's speaker)."""

from __future__ import annotations

from dataclasses import dataclass

from store.attribute_values import holds, same, spellings
from store.errors import UnknownName
from store.model import Coding, Document
from store.speakers import spoken
from store.text import word_count


@dataclass(frozen=True)
class Scope:
    documents: frozenset[str] | None = None  # document ids; None: every document
    attributes: tuple[tuple[str, str], ...] = ()  # each KEY=VALUE must hold
    coder: str | None = None  # coder id
    speakers: frozenset[str] | None = None  # only codings in these speakers' turns
    not_speakers: frozenset[str] = frozenset()  # never codings in these speakers' turns
    code: str | None = None  # a code id: only it and its sub-codes

    def describe(self, project) -> str:
        """The filters in one line, for a table's or a screen's header ('' when none)."""
        parts = []
        if self.documents is not None:
            names = sorted(project.state.documents[d].name for d in self.documents if d in project.state.documents)
            parts.append("documents " + ", ".join(names))
        parts += [f"{k}={v}" for k, v in self.attributes]
        if self.code is not None and self.code in project.state.codes:
            parts.append("code " + project.codebook.path(project.state.codes[self.code]))
        if self.coder is not None:
            coder = project.state.coders.get(self.coder)
            parts.append("coder " + (coder.name if coder else self.coder))
        if self.speakers is not None:
            parts.append("speakers " + ", ".join(sorted(self.speakers)))
        if self.not_speakers:
            parts.append("not speakers " + ", ".join(sorted(self.not_speakers)))
        return " · ".join(parts)


EVERYTHING = Scope()


def named_scope(project, documents=(), code=None, coder_name=None, attrs=(), speakers=(), not_speakers=()) -> Scope:
    """The Scope that names name (documents, a code path, a coder, KEY=VALUE attributes,
    speakers, compared as `margin speakers` does, ignoring case and spacing); a name that
    is not in the project raises UnknownName, a bad KEY=VALUE BadInput."""
    from store.documents import parse_assignment

    every = list(project.state.documents.values())
    return Scope(
        documents=frozenset(project.documents.get(d).id for d in documents) if documents else None,
        attributes=known_attributes(every, dict(parse_assignment(a) for a in attrs)),
        coder=project.coder_named(coder_name).id if coder_name else None,
        speakers=spoken(every, speakers, "any document") if speakers else None,
        not_speakers=spoken(every, not_speakers, "any document") if not_speakers else frozenset(),
        code=project.codebook.get(code).id if code else None,
    )


def known_attributes(documents: list[Document], wanted: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """KEY=VALUE filters that some document has (values compared ignoring case and
    spacing, as speakers are): a typo would give empty figures, so an unknown key or value
    is UnknownName, saying what there is."""
    for key, value in wanted.items():
        values = {str(d.attributes[key]) for d in documents if key in d.attributes}
        if not values:
            keys = sorted({k for d in documents for k in d.attributes})
            raise UnknownName(f"no document has the attribute {key!r}; attributes: {', '.join(keys) or 'none yet (see `margin attrs`)'}")
        if not any(same(v, value) for v in values):
            from store.documents import _natural  # the project's document order, as figures choose a value's spelling

            ordered = sorted(documents, key=lambda d: _natural(d.name))
            shown = sorted(set(spellings(ordered, key).values()) - {""}, key=str.casefold)  # each value once, as figures name it
            typed = value if value.isprintable() else repr(value)  # a control character escaped: one line
            raise UnknownName(f"no document has {key}={typed}; values of {key}: {', '.join(shown[:12])}")
    return tuple(wanted.items())


def documents_in(project, scope: Scope) -> list[Document]:
    """The documents in scope, in the project's document order."""
    wanted = dict(scope.attributes)
    return [
        d
        for d in project.documents.all()
        if (scope.documents is None or d.id in scope.documents)
        and holds(d.attributes, wanted)
    ]


def speaker_of(document: Document, coding: Coding) -> str:
    turn = document.turn_at(coding.start)
    return turn.speaker if turn is not None else ""


def speaker_allowed(scope: Scope, speaker: str) -> bool:
    return (scope.speakers is None or speaker in scope.speakers) and speaker not in scope.not_speakers


def code_ids(project, scope: Scope) -> set[str] | None:
    """The code ids in scope (the code and its sub-codes), or None for every code."""
    if scope.code is None:
        return None
    code = project.state.codes[scope.code]
    return {code.id, *(c.id for c in project.codebook.descendants(code))}


def codings_in(project, scope: Scope) -> list[Coding]:
    """Every coding in scope, in document order then position. Costs what the documents
    in scope hold, read through the per-document index."""
    codes = code_ids(project, scope)
    found = []
    for document in documents_in(project, scope):
        for coding in project.codings.for_document(document):
            if codes is not None and coding.code not in codes:
                continue
            if scope.coder is not None and coding.coder != scope.coder:
                continue
            if (scope.speakers is not None or scope.not_speakers) and not speaker_allowed(
                scope, speaker_of(document, coding)
            ):
                continue
            found.append(coding)
    return found


def corpus_words(project, scope: Scope) -> int:
    """Words of the text in scope: the documents' turns (only the speakers' in scope), or
    the whole text of a document without turns."""
    total = 0
    for document in documents_in(project, scope):
        text = project.text(document.id)
        if not document.turns:
            total += word_count(text) if scope.speakers is None else 0
            continue
        for turn in document.turns:
            if speaker_allowed(scope, turn.speaker):
                total += word_count(text[turn.start : turn.end])
    return total
