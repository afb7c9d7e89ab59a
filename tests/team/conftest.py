"""What the team tests share."""

from __future__ import annotations

from store.project import Project


def fingerprint(folder) -> dict:
    """A project's content as two copies that merged should hold alike: every coding (by
    coder name, document, code and span), the code names, the memos' texts and the merge
    conflict lists."""
    with Project.open(folder, readonly=True) as p:
        coders = {c.id: c.name for c in p.state.coders.values()}
        return {
            "codings": sorted((coders[c.coder], c.document, c.code, c.start, c.end) for c in p.state.codings.values()),
            "codes": sorted(c.name for c in p.state.codes.values()),
            "memos": sorted(m.text for m in p.state.memos.values() if m.kind != "project"),
            "conflict memos": sorted(m.text for m in p.state.memos.values() if m.kind == "project"),
        }
