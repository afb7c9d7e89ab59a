"""When agreement compares no document it says why: a coder who coded nothing (on main:
"try --partial", which did not help and was said even with --partial given)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from store.project import Project
from tests.team.test_agreement_cli import coded_study
from tui.cli import cli


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("agree") / "study"
    coded_study(folder, carol=True)
    with Project.open(folder, coder="dave") as p:  # dave keeps a journal, codes nothing
        p.memos.add("journal", None, "dave here")
    return folder


@pytest.mark.parametrize(
    "args, said",
    [
        (["--coders", "alice,dave"], "dave coded nothing yet, so there is nothing to compare; choose other --coders."),
        (["--coders", "alice,dave", "--partial"], "dave coded nothing yet, so there is nothing to compare; choose other --coders."),
        (["--coders", "alice,bob", "--doc", "N2"], "No document was coded by all of alice, bob; try --partial or other --coders."),
        (["--coders", "alice,bob", "--doc", "N2", "--partial"], "No document was coded by two of alice, bob; choose other --coders or documents."),
        (["--coders", "alice,bob"], ""),
        (["--coders", "alice,bob,carol", "--doc", "N2", "--partial"], ""),  # bob is missing there, alice and carol compare
    ],
)  # fmt: skip
def test_why_nothing_was_compared(study, monkeypatch, args, said):
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    result = CliRunner().invoke(cli, ["-p", str(study), "agreement", *args], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr.strip() == said
