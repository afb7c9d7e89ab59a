"""`stats matrix --wide` names one column per value; a value that is literally "(none)"
or "(total)" must not share its name with the documents without a value or with the
total (found in the trial: --json kept one of two "(none)" columns, silently)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from tests.analysis.conftest import build_small
from tui.cli import cli


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wide") / "s"
    small = build_small(folder)
    project = small.project
    project.documents.set_attributes(project.documents.get("A1"), {"band": "(none)"})
    project.documents.set_attributes(project.documents.get("A2"), {"band": "(total)"})  # B1 has no band
    project.close()
    return folder


def _wide(folder, *flags):
    done = CliRunner().invoke(cli, ["-p", str(folder), "stats", "matrix", "--cols", "attr.band", "--wide", *flags])
    assert done.exit_code == 0, done.output
    return done.stdout


def test_every_wide_column_has_its_own_name(study):
    header = next(csv.reader(io.StringIO(_wide(study, "--csv"))))
    assert header == ["code_path", "(none)", "((total))", "((none))", "(total)"]


def test_json_keeps_every_column_and_the_figures_add_up(study):
    rows = json.loads(_wide(study, "--json"))
    trust = next(r for r in rows if r["code_path"] == "Care > Trust")
    assert len(trust) == 5  # code_path, three values, the total
    assert trust["(none)"] + trust["((total))"] + trust["((none))"] == trust["(total)"] == 5  # A1: c1 c4, A2: d4, B1: e1 e4
