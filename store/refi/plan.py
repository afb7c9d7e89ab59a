"""Turn a read REFI-QDA project into Margin entities, deciding what can be kept.

Planning writes nothing: it builds every coder, code, document, coding and memo in
memory and fills the report, raising `BadInput` for exports that are damaged (codings of
unknown codes, selections outside their text). The caller stores the result in one
operation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from store.clock import now
from store.codebook import PALETTE
from store.errors import BadInput
from store.model import Code, Coder, Document, Memo, Turn
from store.patterns import later
from store.refi import guids
from store.refi.codebook_csv import taguette_paths
from store.refi.descriptions import noted_texts, own_part
from store.refi.memo_plan import plan_memos
from store.refi.nvivo import NVIVO_ORIGIN
from store.refi.naming import UniqueNames, attribute_key, code_name, colour
from store.refi.package import Package
from store.refi.positions import NVIVO, Choice, Selection, SourceText, choose
from store.refi.reader import (
    RefiCase,
    RefiCoding,
    RefiProject,
    RefiSelection,
    RefiSet,
    RefiSource,
)
from store.refi.report import ImportReport, SourcePositions
from store.refi.texts import Undecodable, decode
from store.refi.tree import check_tree
from store.text import one_line, plural, words_said

CASE_KEY = "case"
_SET_ATTRIBUTE = later(r"\s*([^:]+?)\s*:\s*(.+?)\s*")


@dataclass
class Plan:
    coders: list[Coder] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    documents: list[tuple[Document, str]] = field(default_factory=list)
    codings: list[dict] = field(default_factory=list)  # as records: 200,000 `Coding` values were most of a second
    memos: list[Memo] = field(default_factory=list)
    replaces: Coder | None = None  # the coder `Project.init` made, when a user of the file is the same person


def plan_import(refi: RefiProject, package: Package, current: Coder, strict: bool, report: ImportReport) -> Plan:
    """The plan; `refi` is used up: each source keeps only its commented selections once planned."""
    return _Planner(refi, package, current, strict, report).run()


class _Planner:
    def __init__(self, refi: RefiProject, package: Package, current: Coder, strict: bool, report: ImportReport):
        self.refi, self.package, self.strict, self.report = refi, package, strict, report
        self.plan = Plan()
        self.stamp = now()
        self.current = current
        self.coder_of: dict[str, str] = {}  # user guid -> coder id
        self.code_ids: dict[str, str] = {}  # code guid -> code id
        self.documents: dict[str, Document] = {}  # source guid -> document
        self.texts: dict[str, str] = {}  # source guid -> its text
        self.document_names = UniqueNames()
        self.codings_seen: set[tuple] = set()
        self.targets: dict[str, tuple[str, str]] = {}  # guid -> (memo kind, Margin id or name)
        self.spans: dict[str, tuple[str, int, int]] = {}  # selection or note guid -> (document id, start, end)
        self.used_ids: set[str] = set()
        self.noted = noted_texts(refi)  # what each element's Notes say, which its Description may repeat
        self.from_margin = refi.origin.startswith("Margin")  # Margin's own export: its conventions can be undone
        self.declared_positions = NVIVO if self.from_margin and refi.origin.endswith(NVIVO_ORIGIN) else None
        self.noted_selections = _noted(refi)
        self.noted_sources = {(owner, note) for tag, owner, note in refi.note_refs if tag == "TextSource"}
        self.passage_notes = [note for note in refi.notes if note.span]  # QualCoder's annotations; usually none
        self.referred = _referred(refi)  # what a Note may be attached to: only their codings are memo targets

    def run(self) -> Plan:
        self.report.dropped += self.refi.unsupported
        self.report.adjusted += self.refi.repeated
        self.coders()
        self.codes()
        check_tree({c.id: c.parent for c in self.plan.codes}, {c.id: c.name for c in self.plan.codes}, self.report.source)
        for source in self.refi.sources:
            self.source(source)
            # only selections with a comment are read again (memo_plan): the others go now,
            # so the file's records and the plan's codings never all exist at once
            source.selections = [s for s in source.selections if s.description]
        self.attributes()
        self.plan.memos = plan_memos(self)
        self.links()
        return self.plan

    def links(self) -> None:
        """Links between codes, sources or selections (a Note's links make it a memo on what it links)."""
        notes = {note.guid for note in self.refi.notes}
        others = sum(1 for origin, target in self.refi.links if origin not in notes and target not in notes)
        if others:
            self.report.dropped.append(f"{plural(others, 'link')} between codes, sources or selections, as Margin has no links")

    def new_id(self, wanted: str, *context: str) -> str:
        """`wanted` unless an earlier entity took it (a coding may share its selection's GUID)."""
        entity_id, tries = wanted, 0
        while entity_id in self.used_ids:
            entity_id, tries = guids.derived(wanted, *context, *([str(tries)] if tries else [])), tries + 1
        self.used_ids.add(entity_id)
        return entity_id

    def coder(self, user: str | None) -> str:
        return self.coder_of.get(user or "", self.current.id)

    # ---------------------------------------------------------------- coders and codes

    def coders(self) -> None:
        unique = UniqueNames()
        for guid, raw in self.refi.users.items():
            coder = Coder(self.new_id(guid), unique(one_line(raw) or f"user {guid[:8]}"), self.stamp)
            if coder.name != one_line(raw):
                self.report.adjusted.append(f"user {one_line(raw)!r} is named {coder.name!r}")
            if coder.name == self.current.name:
                self.plan.replaces, self.current = self.current, coder
            self.coder_of[guid] = coder.id
            self.plan.coders.append(coder)

    def codes(self) -> None:
        siblings: dict[str | None, UniqueNames] = {}
        for index, spec in enumerate(taguette_paths(self.refi.codes, self.refi.origin)):
            parent = self.code_ids.get(spec.parent or "")
            name = siblings.setdefault(parent, UniqueNames())(code_name(spec.name))
            if name != spec.name:
                self.report.adjusted.append(f"code {spec.name!r} is named {name!r}")
            code_id = self.code_ids[spec.guid] = self.new_id(spec.guid, "code")
            self.targets[spec.guid] = ("code", code_id)
            self.plan.codes.append(
                Code(
                    id=code_id,
                    name=name,
                    parent=parent,
                    color=self.colour(spec, index),
                    description=own_part(spec.description, self.noted.get(spec.guid, "")),
                    codable=spec.codable,
                    created=self.stamp,
                    modified=self.stamp,
                )
            )

    def colour(self, spec, index: int) -> str:
        found = colour(spec.color)
        if found is None and (spec.color or "").strip():
            self.report.adjusted.append(f"code {spec.name!r}: its colour {spec.color!r} is not #RRGGBB; it was given another")
        return found or PALETTE[index % len(PALETTE)]

    # ---------------------------------------------------------------- documents and codings

    def source(self, source: RefiSource) -> None:
        raw = self.source_text(source)
        if raw is None:
            return
        text = SourceText(raw)
        document = self.document(source, text.text)
        choice = choose(text, source.selections, self.declared_positions)
        self.report.positions.append(
            SourcePositions(
                document.name,
                choice.convention.describe(),
                choice.landed,
                len(source.selections),
                "their quoted text" if choice.by_quotes else "word edges",
            )
        )
        self.selections(source, document, text.text, choice)
        self.note_spans(source, document, text, choice)
        for index, coding in enumerate(source.whole):
            if text.text:
                self.coding(document, text.text, coding, 0, len(text.text), self.new_id(coding.guid, str(index)))

    def source_text(self, source: RefiSource) -> str | None:
        """The source's text (its file, else its inline content), or None when it cannot be
        had: listed, and fatal with --strict."""
        found = self.package.read(source.path) if source.path else None
        problem = f"its text file {source.path!r} is not in the export" if source.path else "it has no text"
        text = source.content
        if found is not None:
            try:
                text = decode(found[1])
            except Undecodable as exc:
                problem = f"its text file {found[0]} cannot be read: {exc}"
        if text is not None and not text.removeprefix("\ufeff"):
            text, problem = None, "its text is empty"
        if text is not None:
            return text
        label = source.name or source.guid
        if self.strict:
            raise BadInput(f"text source {label!r}: {problem} (imported with --strict)")
        codings = sum(len(s.codings) for s in source.selections) + len(source.whole)
        self.report.dropped.append(f"text source {label!r}: {problem}" + (f"; {codings} coding(s) lost" if codings else ""))
        return None

    def document(self, source: RefiSource, text: str) -> Document:
        fallback = source.path.rpartition("/")[2] or f"document {len(self.documents) + 1}"
        name = self.document_names(one_line(source.name) or fallback)
        if name != (one_line(source.name) or fallback):
            self.report.adjusted.append(f"text source {one_line(source.name)!r} is named {name!r}")
        turns = _turns(text)
        document = Document(
            id=self.new_id(source.guid, "document"),
            name=name,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            length=len(text),
            format="txt",
            turns=turns,
            attributes={},
            words=words_said(text, turns),  # counted as `margin import` counts them
            imported_from=self.report.source,
            created=source.stamp.created or self.stamp,
            modified=source.stamp.modified or source.stamp.created or self.stamp,
        )
        self.documents[source.guid] = document
        self.texts[source.guid] = text
        self.targets[source.guid] = ("document", document.id)
        return document

    def selections(self, source: RefiSource, document: Document, text: str, choice: Choice) -> None:
        used, referred, length = self.used_ids, self.referred, len(text)
        for selection, (start, end, lands) in zip(source.selections, choice.placed):
            if start == end:
                self.report.dropped.append(f"{document.name}: an empty selection at {selection.start}")
                continue
            if not 0 <= start < end <= length:
                raise BadInput(
                    f"{document.name}: selection {selection.guid} ({selection.start}-{selection.end}) lies outside "
                    f"its text of {plural(length, 'character')}; the export is damaged"
                )
            if not lands:
                self.report.misaligned.append(_miss(document, text, selection, start, end))
            codings = selection.codings
            if not codings:
                self.uncoded(document, selection, start, end)
                continue
            single = len(codings) == 1
            for index, coding in enumerate(codings):
                coding_id = selection.guid if single else coding.guid
                if coding_id in used:  # else `new_id` gives it back as it is
                    coding_id = self.new_id(coding_id, str(index))
                else:
                    used.add(coding_id)
                made = self.coding(document, text, coding, start, end, coding_id, selection)
                if made is not None and (selection.description or selection.guid in referred or coding.guid in referred):
                    self.coding_target(selection, coding, coding_id)

    def coding_target(self, selection: RefiSelection, coding: RefiCoding, made_id: str) -> None:
        """Record the coding as what memos on its selection or coding are about, only where
        one may be (a NoteRef or Link names it, the selection has a comment): not two
        entries for each of 200,000 codings that no memo is on."""
        if selection.description or selection.guid in self.referred:
            self.targets.setdefault(selection.guid, ("coding", made_id))
        if coding.guid in self.referred:
            self.targets[coding.guid] = ("coding", made_id)

    def uncoded(self, document: Document, selection: RefiSelection, start: int, end: int) -> None:
        """A selection with no code: an annotation when a note or comment is on it, else listed."""
        if selection.description or selection.guid in self.noted_selections:
            self.targets[selection.guid] = ("annotation", selection.guid)
            self.spans[selection.guid] = (document.id, start, end)
        else:
            self.report.dropped.append(f"{document.name} {start}-{end}: a selection with neither a code nor a note")

    def note_spans(self, source: RefiSource, document: Document, text: SourceText, choice: Choice) -> None:
        """Notes on this source that name a passage (QualCoder's annotations), placed as its selections are."""
        noted = [n for n in self.passage_notes if (source.guid, n.guid) in self.noted_sources]
        reader = text.reader(choice.convention) if noted else None
        for note in noted:
            placed = reader.place(Selection(*note.span, ""), False)
            if 0 <= placed.start < placed.end <= len(text.text):
                self.spans[note.guid] = (document.id, placed.start, placed.end)
            else:
                self.report.adjusted.append(
                    f"memo {note.name or note.guid!r} marks {note.span[0]}-{note.span[1]}, outside {document.name!r}; kept as a document memo"
                )

    def coding(
        self, document: Document, text: str, refi: RefiCoding, start: int, end: int, coding_id: str, selection: RefiSelection | None = None
    ) -> dict | None:
        """The coding's record (`Coding.to_record()`, its fields in that order), kept in the
        plan unless an equal one is; no `Coding` is built (store/core/changes.py `put_new_codings`)."""
        code = self.code_ids.get(refi.code)
        if code is None:
            raise BadInput(
                f"{document.name}: a coding points at code {refi.code or '(none)'}, which is not in the codebook; "
                "the export is damaged"
            )
        stamp = refi.stamp
        if selection is not None:
            sel = selection.stamp
            created = stamp.created or sel.created or self.stamp
            user, modified = stamp.user or sel.user, sel.modified or created
        else:
            created = stamp.created or self.stamp
            user, modified = stamp.user, created
        coder = self.coder_of.get(user or "", self.current.id)
        document_id = document.id
        key = (document_id, code, start, end, coder)
        if key in self.codings_seen:
            self.report.adjusted.append(f"{document.name}: a repeated coding at {start}-{end} is kept once")
            return None
        self.codings_seen.add(key)
        record = {
            "id": coding_id,
            "document": document_id,
            "code": code,
            "start": start,
            "end": end,
            "text": text[start:end],
            "coder": coder,
            "created": created,
            "modified": modified,
            "exemplar": False,
        }
        self.plan.codings.append(record)
        return record

    # ---------------------------------------------------------------- attributes

    def attributes(self) -> None:
        for name in self.refi.variables.values():
            if attribute_key(name) != name and attribute_key(name):
                self.report.adjusted.append(f"variable {name!r} is the attribute {attribute_key(name)!r}")
        values: dict[str, dict[str, str]] = {g: {} for g in self.documents}
        for source in self.refi.sources:
            if source.guid in values:
                values[source.guid].update(self.variable_values(source.values, source.name))
        for case in self.refi.cases:
            self.case(case, values)
        unmodelled = [s for s in self.refi.sets if not self.set_as_attribute(s, values)]
        if unmodelled:
            names = ", ".join(f"{s.name!r} ({len(s.sources) + s.others})" for s in unmodelled)
            self.report.dropped.append(f"{len(unmodelled)} set(s), as Margin has no sets (members in brackets): {names}")
        for guid, document in self.documents.items():
            self.plan.documents.append((replace(document, attributes=values[guid]), self.texts[guid]))

    def variable_values(self, values: dict[str, str], owner: str) -> dict[str, str]:
        named = {}
        for guid, value in values.items():
            key = attribute_key(self.refi.variables.get(guid, ""))
            if key:
                named[key] = value
            else:
                self.report.dropped.append(f"a value of an undeclared variable on {owner!r}")
        return named

    def case(self, case: RefiCase, values: dict[str, dict[str, str]]) -> None:
        name = one_line(case.name)
        if case.guid:
            self.targets[case.guid] = ("case", name)
        if not any(source in values for source in case.sources):
            lost = f" and its {plural(len(case.values), 'value')} are lost" if case.values else ""
            self.report.dropped.append(f"case {name!r} holds no document here, so Margin has no such case{lost}")
        shared = self.variable_values(case.values, case.name)
        for source in case.sources:
            if source not in values:
                continue
            own = values[source]
            if own.get(CASE_KEY, name) != name:
                self.report.adjusted.append(f"{self.documents[source].name} is in cases {own[CASE_KEY]!r} and {name!r}; kept {own[CASE_KEY]!r}")
            own.setdefault(CASE_KEY, name)
            for key, value in shared.items():
                if own.setdefault(key, value) != value:
                    self.report.adjusted.append(
                        f"{self.documents[source].name} has {key}={own[key]!r} and its case {name!r} {key}={value!r}; kept {own[key]!r}"
                    )
        if case.other_members:
            self.report.dropped.append(f"case {name!r}: {case.other_members} coded selection(s) or code(s) (Margin cases hold whole documents)")

    def set_as_attribute(self, refi_set: RefiSet, values: dict[str, dict[str, str]]) -> bool:
        """A set of documents named `key: value` (as ATLAS.ti makes them) becomes that attribute."""
        match = _SET_ATTRIBUTE.fullmatch(refi_set.name)
        members = [g for g in refi_set.sources if g in values]
        if match and members and not refi_set.others:
            key = attribute_key(match[1])
            for guid in members:
                values[guid].setdefault(key, match[2])
            self.report.adjusted.append(f"set {refi_set.name!r} became the attribute {key}={match[2]}")
            if refi_set.description.strip():
                self.report.dropped.append(f"the description of set {refi_set.name!r} (it became an attribute value)")
            return True
        return False


def _referred(refi: RefiProject) -> set[str | None]:
    """Every GUID a NoteRef is inside or a Link names: the elements memos may be on."""
    return {owner for _tag, owner, _note in refi.note_refs} | {end for link in refi.links for end in link}


def _noted(refi: RefiProject) -> set:
    """The GUIDs of the selections a Note is on (by NoteRef or Link), and (source, note)
    pairs of Notes a source refers to."""
    notes = {note.guid for note in refi.notes}
    noted: set = {owner for tag, owner, note in refi.note_refs if tag == "PlainTextSelection" and note in notes}
    for origin, target in refi.links:
        noted |= {target} if origin in notes else {origin} if target in notes else set()
    return noted


def _turns(text: str) -> tuple[Turn, ...]:
    """Speaker turns found the way Margin finds them in an imported .txt (the text is
    already normalised, so their offsets hold); none for a text without speech."""
    from store.importers import parse_text

    try:
        turns = parse_text(text, "txt").turns
    except BadInput:
        return ()
    return tuple(Turn(i, t.speaker, t.start, t.end, t.time_start, t.time_end) for i, t in enumerate(turns))


def _miss(document: Document, text: str, selection: RefiSelection, start: int, end: int) -> str:
    found = one_line(text[start:end])
    found = found if len(found) <= 40 else found[:39] + "…"
    quote = f" (quoted as {one_line(selection.name)[:40]!r})" if selection.name else ""
    return f"{document.name} {start}-{end}: {found!r}{quote}"
