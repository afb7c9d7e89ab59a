"""A name given for a code, a coder or a speaker holds only characters that show: a line
break or a control character is refused (exit 2, one line, nothing changed), never
quietly replaced (a trial: `--coder $'e\\x1b[31mvil'` was stored as 'e [31mvil', and the
name typed again was "no coder named ..."). One rule, store.text.refuse_unshown."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from store.errors import BadInput
from store.text import one_line, refuse_unshown, shows
from tests.conftest import folder_digest
from tui.cli import cli

HOSTILE = {"line feed": "a\nb", "carriage return": "a\rb", "escape": "e\x1b[31mvil", "bell": "ring\x07",
           "line separator": "a\u2028b", "next line": "a\x85b", "bidi override": "a\u202eb", "C1": "a\x9bb"}  # fmt: skip
GIVING = {
    "code": lambda name: ["codes", "add", name],
    "code renamed": lambda name: ["codes", "rename", "Relationships > Trust", name],
    "coder": lambda name: ["--coder", name, "codes", "add", "Fresh"],
    "coder of init": lambda name: ["init", "elsewhere", "--coder", name],
    "speaker renamed": lambda name: ["speakers", "rename", "Mark", name],
}


@pytest.mark.parametrize("kind", GIVING)
@pytest.mark.parametrize("char", HOSTILE)
def test_a_name_that_does_not_show_is_refused(demo_folder, tmp_path, monkeypatch, kind, char):
    monkeypatch.chdir(tmp_path)
    before = folder_digest(demo_folder)
    result = CliRunner().invoke(cli, ["-p", str(demo_folder), *GIVING[kind](HOSTILE[char])])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("Error:") and "cannot hold" in lines[0], result.output
    assert all(shows(c) for c in lines[0])
    assert folder_digest(demo_folder) == before and not (tmp_path / "elsewhere").exists()


@given(st.text())
def test_a_name_is_refused_or_kept_whole(name):
    """Either refused, or made one line by collapsing white space alone: no character of
    the name is lost or changed."""
    try:
        refuse_unshown(name, "a name")
    except BadInput as error:
        assert error.message.isprintable()
        return
    assert one_line(name) == " ".join(name.split())
