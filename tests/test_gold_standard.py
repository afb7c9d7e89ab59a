"""A real study's own coding (PDPilot, 262 segments, 76 codes) goes in through the command
line and comes back out of `margin export csv` unchanged."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from click.testing import CliRunner

from tests.conftest import shared
from tui.cli import cli


def _normal(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def gold():
    path = shared("corpus", "pdpilot-interviews", "coded-segments.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_gold_standard_round_trip(gold, tmp_path):
    folder = shared("corpus", "pdpilot-interviews")
    runner = CliRunner()

    def margin(*args):
        result = runner.invoke(cli, ["-p", str(tmp_path / "pdpilot"), *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        return result.output

    margin("init", "--coder", "maxqda")
    margin("import", *(str(folder / f"P{n}.txt") for n in range(1, 8)))
    for path in sorted({row["code"] for row in gold}):
        margin("codes", "add", path)
    for row in gold:
        margin("apply", row["document"], row["code"], "--match", row["segment"])

    exported = list(csv.DictReader(io.StringIO(margin("export", "csv", "--raw"))))
    assert len(exported) == 262
    want = Counter((r["document"], r["code"], _normal(r["segment"])) for r in gold)
    got = Counter((r["document"], r["code_path"], _normal(r["text"])) for r in exported)
    assert got == want
    assert len({r["code_path"] for r in exported}) == 76
