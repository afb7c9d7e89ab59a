"""A small hand-made project for the query tests: two interviews, every coding named.

    N1 (nurse)   turn 0 Interviewer: "Do you trust the peer worker with boundaries?"
                        i1 Trust "trust the peer worker", i2 Boundaries "boundaries"
                 turn 1 Nurse: "I trust her a lot. Boundaries were hard at first. We hope it lasts."
                        n1 Trust, n2 Boundaries, n3 Hope
                 turn 2 Interviewer: "What about your role?"          i3 Identity "your role"
                 turn 3 Nurse: "My role changed. I trust the team now."
                        n4 Identity "My role changed", n5 Trust "I trust the team now",
                        n6 Hope "the team now" (overlaps n5)
    M1 (manager) turn 0 Interviewer: "Tell me about trust."            m1 Trust "trust"
                 turn 1 Manager: "Trust takes time and clear boundaries. Hope matters."
                        m2 Trust "Trust takes time", m3 Boundaries "clear boundaries",
                        m4 Hope "Hope matters" (coded by bob)
Boundaries and Identity are `Role > Boundaries` and `Role > Identity`.
"""

from __future__ import annotations

from store.importers import parse_text

N1 = """Interviewer: Do you trust the peer worker with boundaries?

Nurse: I trust her a lot. Boundaries were hard at first. We hope it lasts.

Interviewer: What about your role?

Nurse: My role changed. I trust the team now.
"""

M1 = """Interviewer: Tell me about trust.

Manager: Trust takes time and clear boundaries. Hope matters.
"""

CODINGS = {  # label: (document, code path, phrase: its first occurrence is coded)
    "i1": ("N1", "Trust", "trust the peer worker"),
    "i2": ("N1", "Role > Boundaries", "boundaries"),
    "n1": ("N1", "Trust", "I trust her a lot"),
    "n2": ("N1", "Role > Boundaries", "Boundaries were hard at first"),
    "n3": ("N1", "Hope", "We hope it lasts"),
    "i3": ("N1", "Role > Identity", "your role"),
    "n4": ("N1", "Role > Identity", "My role changed"),
    "n5": ("N1", "Trust", "I trust the team now"),
    "n6": ("N1", "Hope", "the team now"),
    "m1": ("M1", "Trust", "trust"),
    "m2": ("M1", "Trust", "Trust takes time"),
    "m3": ("M1", "Role > Boundaries", "clear boundaries"),
    "m4": ("M1", "Hope", "Hope matters"),
}
BY_BOB = {"m4"}


def build(project) -> dict[str, str]:
    """Fill `project` (coder alice) with the fixture; returns {coding id: label}."""
    documents = {}
    for name, text, profession in (("N1", N1, "nurse"), ("M1", M1, "manager")):
        parsed = parse_text(text, "txt")
        documents[name] = project.documents.import_parsed(parsed, name, {"case": name, "profession": profession}).document
    bob = project.add_coder("bob")
    labels = {}
    for label, (name, path, phrase) in CODINGS.items():
        document = documents[name]
        text = project.text(document.id)
        start = text.index(phrase)
        code = project.codebook.ensure(path)
        coder = bob.id if label in BY_BOB else None
        coding = project.codings.apply(document, code, start, start + len(phrase), coder=coder)
        labels[coding.id] = label
    return labels

