"""Memos from an export: Notes (with NoteRefs or Links), and comments kept elsewhere.

A Note referenced by the project is a project memo; by a code, document, selection or
coding, a memo on that; by a case, a case memo; by nothing, a journal entry. A Note attached
to something Margin could not bring in stays as a project memo, so no writing is lost.
Selection comments (`PlainTextSelection/Description`, as MAXQDA and ATLAS.ti write them)
become coding memos. A selection with no code that has a note or comment is an annotation,
and so is a Note that names a passage of the source referring to it (as QualCoder writes
annotations). Case and variable Descriptions become case and attribute memos. A
Description that repeats a Note on the same thing (both written by one export, as Margin
and QualCoder do) is kept once. A memo's author is the user the file names, or none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.model import Memo
from store.refi import guids
from store.refi.descriptions import own_part
from store.refi.naming import attribute_key
from store.refi.peer_names import JournalTitles
from store.refi.reader import RefiNote
from store.refi.texts import Undecodable, decode, normalised
from store.text import one_line

if TYPE_CHECKING:
    from store.refi.plan import _Planner

PROJECT = ("project", None)


def plan_memos(planner: _Planner) -> list[Memo]:
    refi = planner.refi
    attached, stranded = _attachments(planner)
    memos: list[Memo] = []
    journal_titles = JournalTitles() if planner.from_margin else None
    for note in refi.notes:
        targets = attached.get(note.guid, [])
        if not targets and note.guid in stranded:
            planner.report.adjusted.append(
                f"memo {note.name or note.guid!r} was attached to {stranded[note.guid]} Margin does not hold; kept as a project memo"
            )
            targets = [PROJECT]
        text = _note_text(planner, note)
        if note.span and not targets:
            planner.report.adjusted.append(
                f"memo {note.name or one_line(text)[:40]!r} names the passage {note.span[0]}-{note.span[1]} of no source "
                "(nothing refers to it); kept as a journal entry"
            )
        for index, (kind, target) in enumerate(targets or [("journal", None)]):
            if note.guid in planner.spans and kind == "document" and target == planner.spans[note.guid][0]:
                kind, target = "annotation", note.guid
            memo_id = planner.new_id(note.guid if index == 0 else guids.derived(note.guid, str(target)), "memo")
            title = journal_titles(note.name, text) if kind == "journal" and journal_titles else note.name
            memos.append(_memo(planner, memo_id, kind, target, text, title, note.stamp))
    said = _said(memos)
    memos += [m for m in _comments(planner) if m.text.strip() not in said.get(_about(m), ())]
    return memos


def _about(memo: Memo) -> tuple:
    return memo.kind, memo.target, memo.start, memo.end


def _said(memos: list[Memo]) -> dict[tuple, set[str]]:
    """Per (kind, target): each Note's text and all of them joined, as an export's Description repeats them."""
    texts: dict[tuple, list[str]] = {}
    for memo in memos:
        texts.setdefault(_about(memo), []).append(memo.text.strip())
    return {key: {*found, "\n\n".join(found)} for key, found in texts.items()}


def _attachments(planner: _Planner) -> tuple[dict[str, list], dict[str, str]]:
    """Each note's Margin targets, and for unattached notes what they pointed at."""
    refi, targets = planner.refi, planner.targets
    notes = {note.guid for note in refi.notes}
    attached: dict[str, list] = {}
    stranded: dict[str, str] = {}

    def attach(note: str, owner_tag: str, owner: str | None) -> None:
        target = PROJECT if owner_tag == "Project" else targets.get(owner or "")
        if target is None:
            stranded.setdefault(note, f"a {owner_tag}")
        elif target not in attached.setdefault(note, []):
            attached[note].append(target)

    for tag, owner, note in refi.note_refs:
        if note in notes and tag not in ("Note", "Link"):
            attach(note, tag, owner)
    for origin, target in refi.links:
        if origin in notes and target not in notes:
            attach(origin, refi.kinds.get(target, "linked item"), target)
        elif target in notes and origin not in notes:
            attach(target, refi.kinds.get(origin, "linked item"), origin)
    return attached, stranded


def _note_text(planner: _Planner, note: RefiNote) -> str:
    text = note.content
    if text is None and note.path:
        found = planner.package.read(note.path)
        try:
            # Margin's own journal files hold the memo exactly; other tools' are normalised
            text = (decode(found[1]) if planner.from_margin else normalised(found[1])) if found else None
        except Undecodable as exc:
            planner.report.dropped.append(f"the text of memo {note.name!r}: {exc}")
        if found is None:
            planner.report.dropped.append(f"the text of memo {note.name!r}: {note.path!r} is not in the export")
    parts = [p for p in (note.description, text) if p]
    return "\n\n".join(parts)


def _comments(planner: _Planner) -> list[Memo]:
    """Selection comments as coding memos (document memos when nothing was coded)."""
    memos = []
    for source in planner.refi.sources:
        document = planner.documents.get(source.guid)
        description = own_part(source.description, planner.noted.get(source.guid, ""))
        if description and document is not None:
            memos.append(_memo(planner, planner.new_id(guids.derived(source.guid, "description")), "document", document.id, description, "Description", source.stamp))
        for selection in source.selections:
            comment = own_part(selection.description, planner.noted.get(selection.guid, ""))
            if not comment:
                continue
            quote = one_line(selection.name)[:60]
            kind, target = planner.targets.get(selection.guid) or (("document", document.id) if document else PROJECT)
            title = "" if kind in ("coding", "annotation") else f"Comment on “{quote}” in {source.name}"
            memo_id = planner.new_id(guids.derived(selection.guid, "description"))
            memos.append(_memo(planner, memo_id, kind, target, comment, title, selection.stamp))
    description = own_part(planner.refi.description, planner.noted.get("Project", ""))
    if description:
        creator = planner.refi.creator if planner.refi.creator in planner.refi.users else None
        memos.append(_memo(planner, planner.new_id(guids.derived("project description")), "project", None, description, "Description", None, creator))
    return memos + _case_and_variable_memos(planner)


def _case_and_variable_memos(planner: _Planner) -> list[Memo]:
    """Case Descriptions as memos on the case; variable Descriptions as memos on the attribute."""
    memos = []
    for case in planner.refi.cases:
        if case.description.strip():
            name = one_line(case.name)
            memo_id = planner.new_id(guids.derived(case.guid or name, "description"))
            memos.append(_memo(planner, memo_id, "case", name, case.description, "Description", None))
    for guid, text in planner.refi.variable_descriptions.items():
        key = attribute_key(planner.refi.variables.get(guid, ""))
        if key and text.strip():
            memos.append(_memo(planner, planner.new_id(guids.derived(guid, "description")), "attribute", key, text, "Description", None))
    return memos


def _memo(planner: _Planner, memo_id: str, kind: str, target: str | None, text: str, title: str, stamp, user: str | None = None) -> Memo:
    """The memo; an annotation's `target` is the guid of its selection or note, whose span was planned."""
    created = (stamp.created if stamp else "") or planner.stamp
    start = end = None
    if kind == "annotation":
        target, start, end = planner.spans[target]
    return Memo(
        id=memo_id,
        kind=kind,
        target=target,
        text=text,
        author=planner.coder_of.get((stamp.user if stamp else user) or "", ""),
        title=title.strip() if title.isprintable() else one_line(title),
        created=created,
        modified=(stamp.modified if stamp else "") or created,
        start=start,
        end=end,
    )
