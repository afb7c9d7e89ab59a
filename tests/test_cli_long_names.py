"""A very long name on the command line (a paste gone wrong) gets an error of a line a
terminal can show: the trial's 5,000-character code name was echoed whole, twice, in
"no code '…'; … (`margin codes add …` adds it)", burying the advice. Every parameter
of every command that names something is tried (the walk of test_cli_empty_names)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.test_cli_empty_names import CASES, invocation
from tui.cli import cli
from tui.context import shorten_quoted

LONG = "Zq" * 2500
LONGEST_LINE = 400


@pytest.mark.parametrize("path, name", CASES, ids=[" ".join([*p, n]) for p, n in CASES])
def test_an_error_about_a_long_name_fits_a_line(demo_folder, path, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `margin demo` makes ./margin-demo unless refused first
    result = CliRunner().invoke(cli, ["-p", str(demo_folder), *invocation(path, name, LONG)])
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert all(len(line) <= LONGEST_LINE for line in errors), [line[:200] for line in errors]
    if result.exit_code:
        assert list(tmp_path.iterdir()) == []  # refused: nothing made where it ran


@pytest.mark.parametrize("quote", ["'", '"', "“”", "`"])
def test_a_long_quoted_text_keeps_both_ends(quote):
    opening, closing = quote[0], quote[-1]
    text = "start" + "m" * 500 + "the end"
    shown = shorten_quoted(f"no code {opening}{text}{closing}; add it")
    assert shown.startswith(f"no code {opening}start") and shown.endswith(f"the end{closing}; add it")
    assert len(shown) < 100 and "…" in shown
    assert shorten_quoted(f"no code {opening}short name{closing}") == f"no code {opening}short name{closing}"
