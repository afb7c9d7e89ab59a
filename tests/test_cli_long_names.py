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


@pytest.mark.parametrize("args", [["codes"], ["open"], ["init"], ["docs"]], ids=lambda a: a[0])
def test_a_path_too_long_for_the_file_system_says_so(tmp_path, monkeypatch, args):
    """The second trial: a folder name over the file system's 255 bytes was "the disk or
    file system failed to write; check it (dmesg)", even for a command that only reads."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / ("d" * 300) / "study"
    argv = [args[0], str(folder)] if args[0] in ("open", "init") else ["-p", str(folder), *args]
    result = CliRunner().invoke(cli, argv)
    lines = result.output.strip().splitlines()
    assert result.exit_code != 0 and len(lines) == 1 and lines[0].startswith("Error:"), result.output
    assert "longer than the file system allows" in lines[0] and "dmesg" not in lines[0], lines[0]
    assert list(tmp_path.iterdir()) == []
