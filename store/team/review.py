"""Reviewing disagreements: the passages where two coders differ, and the team's decision
on each, kept in the project.

A decision is one undoable action: the chosen coder's codings of the code at the passage
(one coder's, both, or neither: then what both coded there) are copied to the consensus coder (a coder named
`consensus`, or the reviewer), and a document memo records it. The memo's title names
the passage (`review:<code id>:<start>-<end>`, on the passage's document), so progress is
read back from the project: a passage is reviewed when its memo exists. The memo also holds the discussion.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.errors import BadInput
from store.model import Coding, Memo
from store.team.agreement import compare

CHOICES = ("first", "second", "both", "neither")
CONSENSUS = "consensus"


@dataclass(frozen=True)
class Passage:
    code: str
    document: str
    start: int
    end: int
    coded_by: tuple[str, ...]  # names of the coders who coded it

    @property
    def title(self) -> str:
        """The review memo's title (the memo is on the passage's document)."""
        return f"review:{self.code}:{self.start}-{self.end}"

    @property
    def key(self) -> str:
        """The passage among every document's: two documents can hold a disagreement on
        one code at the same offsets (transcripts that open alike), each decided apart."""
        return f"{self.document}/{self.title}"


def passages(project, coders: list[str], by: str = "code", unit: str = "character") -> list[Passage]:
    """Every passage where the two coders differ, code by code (codebook order, then the
    documents' order) or document by document (then codebook order)."""
    if len(coders) != 2:
        raise BadInput("a review compares two coders; name them with --coders A,B")
    result = compare(project, coders, unit, passages=True)
    found = [Passage(d.code, d.document, d.start, d.end, d.coders) for d in result.disagreements]
    codes = {c: i for i, c in enumerate(result.codes)}
    docs = {d.id: i for i, d in enumerate(result.documents)}
    if by == "code":
        return sorted(found, key=lambda p: (codes[p.code], docs[p.document], p.start))
    return sorted(found, key=lambda p: (docs[p.document], p.start, codes[p.code]))


def decisions(project) -> dict[str, Memo]:
    """The review memos by passage key."""
    return {
        f"{m.target}/{m.title}": m for m in project.state.memos.values() if m.kind == "document" and m.title.startswith("review:")
    }


def changed(before: dict[str, Memo], after: dict[str, Memo]) -> set[str]:
    """The passage keys whose review memo differs between two readings of `decisions`
    (what an undo or redo took back or put back)."""
    return {k for k in before.keys() | after.keys() if (before.get(k) and before[k].text) != (after.get(k) and after[k].text)}


def codings_at(project, passage: Passage, coder_id: str) -> list[Coding]:
    """The coder's codings of the passage's code that touch it."""
    found = project.state.codings_by_document.get(passage.document, {}).values()
    return sorted(
        (c for c in found if c.coder == coder_id and c.code == passage.code and c.start < passage.end and c.end > passage.start),
        key=lambda c: (c.start, c.end),
    )


def region(project, passage: Passage, coders: list) -> tuple[int, int]:
    """The stretch a decision is about: the passage widened to every coding of its code,
    by either coder, that touches it (so a coding cut in two by the other's still counts whole)."""
    start, end = passage.start, passage.end
    for coder in coders:
        for c in codings_at(project, passage, coder.id):
            start, end = min(start, c.start), max(end, c.end)
    return start, end


def chosen_spans(project, passage: Passage, choice: str, coders: list) -> list[tuple[int, int]]:
    """What the consensus gets: the chosen coders' codings touching the region; for
    `neither`, only what both coded there (the part they agreed on)."""
    start, end = region(project, passage, coders)
    wide = Passage(passage.code, passage.document, start, end, passage.coded_by)
    per_coder = [[(c.start, c.end) for c in codings_at(project, wide, k.id)] for k in coders]
    if choice == "neither":
        return sorted({(max(a, c), min(b, d)) for a, b in per_coder[0] for c, d in per_coder[1] if max(a, c) < min(b, d)})
    picked = {"first": per_coder[:1], "second": per_coder[1:], "both": per_coder}[choice]
    return sorted({span for spans in picked for span in spans})


def consensus_coder(project, into: str = CONSENSUS):
    """The coder the consensus goes to: `consensus` (made if new) or the reviewer."""
    return project.coder if into == "reviewer" else project.add_coder(CONSENSUS)


def decide(project, passage: Passage, choice: str, coders: list, into, note: str = "") -> Memo:
    """Record the decision on a passage as one action: the chosen codings copied to the
    coder `into`, the review memo written (or rewritten when decided again)."""
    if choice not in CHOICES:
        raise BadInput(f"a decision is one of {', '.join(CHOICES)}")
    spans = chosen_spans(project, passage, choice, coders)
    code = project.state.codes[passage.code]
    document = project.state.documents[passage.document]
    path = project.codebook.path(code)
    start, end = region(project, passage, coders)
    held = {(c.start, c.end) for c in codings_at(project, Passage(passage.code, passage.document, start, end, ()), into.id)}
    label = {"first": f"{coders[0].name}'s", "second": f"{coders[1].name}'s", "both": "both", "neither": "neither"}[choice]
    earlier = decisions(project).get(passage.key)
    text = f"Decision: {label} ({path}, {document.name} {passage.start}-{passage.end})"
    if note or earlier is not None:
        kept = note or discussion(earlier)
        text += f"\n\n{kept}" if kept else ""
    with project.operation(f"review {path} in {document.name} {passage.start}-{passage.end}: {label}"):
        for start, end in spans:
            if (start, end) not in held:
                project.codings.apply(document, code, start, end, coder=into.id)
        if earlier is None:
            memo = project.memos.add("document", document.id, text, title=passage.title)
        else:
            memo = project.memos.edit(earlier, text)
    return memo


def discuss(project, passage: Passage, note: str) -> Memo:
    """The discussion of a passage, kept under its decision line (a memo is never lost:
    without a decision yet, the memo says so)."""
    earlier = decisions(project).get(passage.key)
    head = earlier.text.split("\n\n", 1)[0] if earlier is not None else "Decision: not yet"
    text = f"{head}\n\n{note}" if note else head
    if earlier is None:
        return project.memos.add("document", passage.document, text, title=passage.title)
    return project.memos.edit(earlier, text)


def decided(memo: Memo | None) -> str:
    """The decision line of a review memo ('' when none)."""
    if memo is None:
        return ""
    head = memo.text.split("\n\n", 1)[0]
    return "" if head == "Decision: not yet" else head.removeprefix("Decision: ")


def discussion(memo: Memo | None) -> str:
    """The discussion kept in a review memo ('' when none)."""
    return memo.text.split("\n\n", 1)[1] if memo is not None and "\n\n" in memo.text else ""
