"""A new coder's name has a length limit (issue 12, trial 2: a 5,000-character --coder was
recorded, and filled the status line, the agreement table and every commit's author).
Every way a coder comes in (init, a writing command, a reading command) refuses a longer
one in one line, exit 2, nothing written; the limit itself is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from store.core.store import LONGEST_CODER_NAME
from tests.reliability.helpers import file_bytes
from tui.cli import cli

DEMO = Path(__file__).resolve().parents[2] / "tui" / "demo"
COMMANDS = {
    "a writing command": ["codes", "add", "Hope"],
    "a reading command": ["codes"],
    "undo": ["undo"],
}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def study(tmp_path) -> Path:
    folder = tmp_path / "study"
    assert invoke("init", str(folder), "--coder", "alice").exit_code == 0
    assert invoke("-p", str(folder), "import", sorted(map(str, DEMO.glob("*.txt")))[0]).exit_code == 0
    return folder


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_coder_name_past_the_limit_is_refused_and_nothing_changes(study, command):
    before = file_bytes(study)
    result = invoke("-p", str(study), "--coder", "x" * (LONGEST_CODER_NAME + 1), *COMMANDS[command])
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and f"at most {LONGEST_CODER_NAME} characters" in result.output
    assert file_bytes(study) == before


def test_init_refuses_it_before_making_anything(tmp_path):
    result = invoke("init", str(tmp_path / "new"), "--coder", "y" * (LONGEST_CODER_NAME + 1))
    assert result.exit_code == 2 and not (tmp_path / "new").exists(), result.output


def test_a_name_at_the_limit_codes(study):
    result = invoke("-p", str(study), "--coder", "z" * LONGEST_CODER_NAME, "codes", "add", "Hope")
    assert result.exit_code == 0, result.output
