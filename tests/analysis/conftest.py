"""The small study every hand-counted analysis test reads: three documents of two cases
(A in rounds 1 and 2, B in round 1), turns of an interviewer and a participant, two
coders (alice, bob) and six codes, one a parent with two sub-codes, with overlaps.

Words are distinct within a document, so each coding is named by its words. The texts:

    A1  Interviewer: one two three four.                       (4 words)
        Participant: alpha beta gamma delta epsilon zeta eta theta.   (8)
        Interviewer: five six.                                  (2)
        Participant: iota kappa lambda mu.                      (4)   -> 18 words
    A2  Interviewer: red green.                                 (2)
        Participant: north south east west up down.             (6)   -> 8 words
    B1  Interviewer: hello there.                               (2)
        Participant: cat dog bird fish cow pig.                 (6)
        Interviewer: ok.                                        (1)
        Participant: sun moon star.                             (3)   -> 12 words
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from store.importers import parse_text
from store.project import Project

TEXTS = {
    "A1": "Interviewer: one two three four.\n\nParticipant: alpha beta gamma delta epsilon zeta eta theta.\n\n"
    "Interviewer: five six.\n\nParticipant: iota kappa lambda mu.\n",
    "A2": "Interviewer: red green.\n\nParticipant: north south east west up down.\n",
    "B1": "Interviewer: hello there.\n\nParticipant: cat dog bird fish cow pig.\n\nInterviewer: ok.\n\n"
    "Participant: sun moon star.\n",
}
ATTRIBUTES = {
    "A1": {"case": "A", "round": "1", "group": "g1"},
    "A2": {"case": "A", "round": "2", "group": "g1"},
    "B1": {"case": "B", "round": "1", "group": "g2"},
}
# name: (document, code path, words, coder)
CODINGS = {
    "c1": ("A1", "Care > Trust", "alpha beta gamma", "alice"),
    "c2": ("A1", "Care > Fear", "gamma delta", "alice"),
    "c3": ("A1", "Role", "epsilon zeta", "alice"),
    "c4": ("A1", "Care > Trust", "eta theta", "bob"),
    "c5": ("A1", "Time", "iota kappa", "alice"),
    "c6": ("A1", "Role", "one two", "alice"),  # in the interviewer's turn
    "c7": ("A1", "Care", "lambda mu", "alice"),  # the parent itself
    "d1": ("A2", "Role", "north south east", "alice"),
    "d2": ("A2", "Time", "east west", "alice"),
    "d3": ("A2", "Money", "up down", "bob"),
    "d4": ("A2", "Care > Trust", "west up", "bob"),
    "e1": ("B1", "Care > Trust", "cat dog bird fish", "alice"),
    "e2": ("B1", "Care > Fear", "dog", "alice"),
    "e3": ("B1", "Care > Fear", "fish cow", "alice"),
    "e4": ("B1", "Care > Trust", "sun moon", "alice"),
    "e5": ("B1", "Care > Fear", "moon star", "bob"),
    "e6": ("B1", "Role", "pig", "alice"),
}
CODE_PATHS = ["Care", "Care > Fear", "Care > Trust", "Money", "Role", "Time"]  # codebook order


@dataclass
class Small:
    project: Project
    docs: dict  # name -> Document id
    codes: dict  # path -> Code id
    codings: dict  # c1.. -> Coding id
    coders: dict  # name -> Coder id

    def ids(self, *names: str) -> set[str]:
        return {self.codings[n] for n in names}


def build_small(directory) -> Small:
    project = Project.init(directory, name="Small", coder="alice")
    docs = {}
    for name, text in TEXTS.items():
        docs[name] = project.documents.import_parsed(parse_text(text, "txt"), name, ATTRIBUTES[name]).document.id
    coders = {"alice": project.coder_named("alice").id, "bob": project.add_coder("bob").id}
    codes = {path: project.codebook.ensure(path).id for path in CODE_PATHS}
    codings = {}
    for name, (doc, path, words, coder) in CODINGS.items():
        document = project.state.documents[docs[doc]]
        start = TEXTS[doc].index(words)
        coding = project.codings.apply(document, project.state.codes[codes[path]], start, start + len(words), coder=coders[coder])
        codings[name] = coding.id
    return Small(project, docs, codes, codings, coders)


@pytest.fixture
def small(tmp_path):
    study = build_small(tmp_path / "small")
    yield study
    study.project.close()
