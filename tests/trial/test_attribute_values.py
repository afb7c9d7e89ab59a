"""Attribute filters compare values as speakers are compared: ignoring case and spacing
(`--attr group=G1` is `group=g1`), in every command that takes `--attr` and in the
store's own queries; an unknown key or value is one line, never an empty table."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from store.attribute_values import holds, same
from store.speakers import key
from tests.analysis.conftest import build_small, small  # noqa: F401 - the fixture
from tui.cli import cli

COMMANDS = [  # every command line that filters by --attr, in CSV so outputs compare
    ["stats", "codes", "--csv"],
    ["stats", "cooccur", "--csv"],
    ["stats", "matrix", "--cols", "document", "--csv"],
    ["find", "Care OR Role", "--csv"],
    ["export", "csv", "-o", "-"],
    ["agreement", "--coders", "alice,bob", "--csv"],
]
SPELLINGS = ["group=G1", "group= g1 ", "group=\tG1"]


@pytest.fixture(scope="module")
def margin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attrs") / "small"
    build_small(folder).project.close()
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["-p", str(folder), *args], catch_exceptions=False, env={"COLUMNS": "100", "MARGIN_CODER": None})

    return run


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_attribute_values_ignore_case_and_spacing(margin, command, spelling):
    written = margin(*command, "--attr", "group=g1")
    assert written.exit_code == 0, written.output
    other = margin(*command, "--attr", spelling)
    assert other.exit_code == 0, other.output
    assert other.stdout == written.stdout
    assert len(written.stdout.splitlines()) > 1  # the filter keeps something


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("wrong", ["group=g9", "grop=g1"])
def test_an_unknown_attribute_is_one_line_in_every_command(margin, command, wrong):
    """`export csv --attr grop=g1` wrote an empty table with exit status 0 on main."""
    result = margin(*command, "--attr", wrong)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Error: no document has" in result.stderr


def test_the_stores_query_ignores_case(small):
    p = small.project
    assert p.codings.query(attributes={"group": "G1 "}) == p.codings.query(attributes={"group": "g1"}) != []


@given(st.text(max_size=8), st.text(max_size=8))
def test_same_is_speakers_key_equality(value, wanted):
    assert same(value, wanted) == (key(value) == key(wanted))
    assert same(value, value.upper().center(len(value) + 2)) == (key(value) == key(value.upper()))
    assert holds({"k": value}, {"k": wanted}) == same(value, wanted) and not holds({}, {"k": wanted})
