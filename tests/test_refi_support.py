"""Shared helpers for the REFI-QDA tests: a sample project, schema validation, snapshots."""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path

import pytest

from store.project import Project

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REFI = SHARED / "refi"
SAMPLES = REFI / "samples"
needs_shared = pytest.mark.skipif(not REFI.is_dir(), reason="needs ../shared/refi (schemas and samples)")

TEXT_A = (
    "Interviewer: How did you find the job? 😀\n"
    "P1: My sister found me the job, and Zoë helped 👩‍👩‍👧 a lot.\n"
    "Interviewer: And the pay?\n"
    "P1: The pay was low — e\u0301tait bas.\n"
)
TEXT_B = "Interviewer: Tell me about support.\nP2: Colleagues 🙂 were kind.\n"


@functools.cache
def _schema(name: str):
    import xmlschema

    return xmlschema.XMLSchema(str(REFI / name))


def schema_errors(xml: bytes | str, which: str = "Project-mrt2019.xsd") -> list[str]:
    """Every schema error of an XML document (empty when valid)."""
    return [str(error.reason) + " at " + str(error.path) for error in _schema(which).iter_errors(xml)]


def qde_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde")


def write_text(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def make_project(directory: Path) -> Project:
    """Two documents with emoji and combining marks, a code tree, codings by two coders,
    memos of every kind and typed attributes."""
    project = Project.init(directory, name="Peer support 😀", coder="alice")
    a = project.documents.import_file(write_text(directory.parent, "a.txt", TEXT_A), name="P01").document
    b = project.documents.import_file(write_text(directory.parent, "b.txt", TEXT_B), name="P02 — Zoë").document
    project.documents.set_attributes(a, {"case": "P1", "age": "34", "round": "1.5", "consent": "true", "date": "2024-05-01"})
    project.documents.set_attributes(b, {"case": "P2", "age": "41", "note": "moved 👩‍👩‍👧"})
    support = project.codebook.add("Support", description="Help from others", codable=False)
    family = project.codebook.add("Support > Family 👪", description="Kin", color="#123abc")
    work = project.codebook.add("Work conditions")
    bob = project.add_coder("bob")
    text_a = project.text(a.id)
    start = text_a.index("My sister")
    coding = project.codings.apply(a, family, start, start + len("My sister found me the job"), memo="first\r\nmemo")
    emoji = text_a.index("👩")
    project.codings.apply(a, family, emoji, emoji + 3)
    low = text_a.index("The pay")
    project.codings.apply(a, work, low, len(text_a) - 1, coder=bob.id)
    project.codings.apply(b, work, 0, project.documents.get(b.id).length)
    project.memos.add("project", None, "About the study", title="Plan")
    project.memos.add("journal", None, "Day one: <started> & coded")
    project.memos.add("code", support.id, "Support means…")
    project.memos.add("document", b.id, "Short interview")
    assert coding
    return project


def snapshot(project: Project) -> dict:
    """What a round trip must keep, keyed by id."""
    state = project.state
    return {
        "documents": {d.id: (d.name, d.attributes, d.created, d.modified, project.text(d.id)) for d in state.documents.values()},
        "codes": {c.id: (c.name, c.parent, c.color, c.description, c.codable) for c in state.codes.values()},
        "codings": {
            c.id: (c.document, c.code, c.start, c.end, c.text, state.coders[c.coder].name, c.created, c.modified)
            for c in state.codings.values()
        },
        "memos": {
            m.id: (m.kind, m.target, m.text, m.title, state.coders[m.author].name, m.created, m.modified)
            for m in state.memos.values()
        },
        "coders": sorted(c.name for c in state.coders.values()),
        "name": project.name,
    }
