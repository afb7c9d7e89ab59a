"""Projects for the report tests: the demo (with exemplars and pseudonyms to hand), and the
PDPilot gold project built from the shared corpus (skipped when it is absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from store.project import Project
from tests.conftest import shared

DEMO_TEXTS = Path(__file__).resolve().parents[2] / "tui" / "demo"

# Names in the demo's texts, speakers and memos, and one of each kind the table must catch.
DEMO_NAMES = {"Aisha": "Participant A", "Mark": "Manager M", "Hale": "Consultant", "Dev": "Peer D", "Maria": "Peer E", "Jo": "Peer F"}


@pytest.fixture(autouse=True)
def quiet_app(tmp_path, monkeypatch):
    monkeypatch.setenv("MARGIN_KEYMAP", str(tmp_path / "no-keymap.toml"))
    monkeypatch.setenv("MARGIN_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    from store.demo import build_demo

    return build_demo(tmp_path / "demo", DEMO_TEXTS)


@pytest.fixture
def demo(demo_dir):
    project = Project.open(demo_dir, coder="tester")
    yield project
    project.close()


def build_gold(folder: Path) -> Path:
    """The PDPilot study's own 262 codings of 76 codes, through the store API."""
    from store.matching import find_matches

    corpus = shared("corpus", "pdpilot-interviews")
    with open(corpus / "coded-segments.csv", newline="", encoding="utf-8") as handle:
        gold = list(csv.DictReader(handle))
    with Project.init(folder, name="PDPilot", coder="maxqda") as project:
        with project.operation("gold codings"):
            documents = {f"P{n}": project.documents.import_file(corpus / f"P{n}.txt").document for n in range(1, 8)}
            for path in sorted({row["code"] for row in gold}):
                project.codebook.ensure(path)
            for row in gold:
                document = documents[row["document"]]
                start, end = find_matches(project.text(document.id), row["segment"])[0]
                project.codings.apply(document, project.codebook.get(row["code"]), start, end)
    return folder


@pytest.fixture(scope="module")
def gold_dir(tmp_path_factory) -> Path:
    return build_gold(tmp_path_factory.mktemp("gold") / "pdpilot")


def margin(folder: Path, *args: str, input: str | None = None, code: int = 0):
    """Run the command line on `folder`; checks the exit status and that no traceback showed."""
    from click.testing import CliRunner

    from tui.cli import cli

    result = CliRunner().invoke(cli, ["-p", str(folder), *args], input=input)
    assert result.exit_code == code, (args, result.output, result.exception)
    assert "Traceback" not in result.output
    if code:
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    return result

