"""A project with what the exchange with QualCoder and Taguette tests: memos of every kind
(two on one coding), two journal entries, attributes with a case, and two codes named
`Other` under different parents."""

from __future__ import annotations

import pytest

from tests.test_refi_support import make_project

STAMP = "2026-01-01T00:00:00Z"


@pytest.fixture
def study(tmp_path):
    project = make_project(tmp_path / "study")
    first = sorted(project.state.codings.values(), key=lambda c: (c.document, c.start))[0]
    document = project.documents.get(first.document)
    project.memos.add("coding", first.id, "A second thought\n\nin two paragraphs")
    project.memos.add("code", project.codebook.get("Support > Family 👪").id, "Kin memo")
    project.memos.add("document", document.id, "Long interview")
    project.memos.add("journal", None, "Day two", title="Progress")
    project.codebook.add("Benefits of PDPilot")
    project.codebook.add("Drawbacks")
    project.codings.apply(document, project.codebook.add("Benefits of PDPilot > Other"), 0, 11)
    project.codings.apply(document, project.codebook.add("Drawbacks > Other"), 13, 16)
    yield project
    project.close()
