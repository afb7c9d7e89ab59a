"""The team benchmark runs (small) and reports every figure it promises."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_team  # noqa: E402


def test_team_benchmark_reports_its_figures(capsys):
    figures = bench_team.main(["--documents", "3", "--codings", "30", "--runs", "1"])
    printed = capsys.readouterr().out
    assert bench_team.FLOOR in figures and "target < 2.0 s" in printed
    assert any(name.startswith("margin agreement") for name in figures)
    assert all(seconds > 0 for seconds in figures.values())
