"""After `margin init --from` a .qdpx, documents count their words as `margin import` does
(issue 8, finding 10: every document showed 0 words)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from store.importers import parse_text
from store.text import words_said
from store.refi import import_project
from tests.conftest import shared
from tests.test_refi_badinput import TEXT, qde, qdpx
from tui.cli import cli


def docs(folder) -> list[dict]:
    result = CliRunner().invoke(cli, ["-p", str(folder), "docs", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_an_imported_document_counts_its_words(tmp_path):
    import_project(qdpx(tmp_path, qde()), tmp_path / "p")
    [document] = docs(tmp_path / "p")
    parsed = parse_text(TEXT, "txt")
    assert document["words"] == words_said(parsed.text, parsed.turns) == 8


def test_every_document_of_a_shared_sample_has_its_words(tmp_path):
    import_project(shared("refi", "samples", "qc1.3.2_demo.qdpx"), tmp_path / "p")
    listed = docs(tmp_path / "p")
    assert listed and all(d["words"] > 0 for d in listed)
