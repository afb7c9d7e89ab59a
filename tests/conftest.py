"""Shared fixtures: small projects built through the store API, and the shared corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from store.importers import parse_text
from store.project import Project

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

INTERVIEW = """Interview with a ward nurse

Interviewer: How did the peer support worker fit into the team?

Nurse: At first nobody knew what she was for. Some of us worried about boundaries.
But she sat with patients when we could not.

Interviewer: And now?

Nurse: Now I trust her judgement. She notices things we miss.
"""


def shared(*parts: str) -> Path:
    """A path in ../shared, or skip the test when the shared material is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared corpus is not here)")
    return path


@pytest.fixture
def project(tmp_path):
    """A new, open project with one coder, alice; closed after the test."""
    p = Project.init(tmp_path / "study", name="Study", coder="alice")
    yield p
    p.close()


@pytest.fixture
def interview(project):
    """The project with one imported interview (document `N1`, case N1, round 1)."""
    result = project.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {"case": "N1", "round": "1"})
    return result.document
