"""The benchmark scripts run (at a small size) and report every figure they promise."""

import subprocess
from pathlib import Path

import bench_analysis  # noqa: I001 - tests/bench is on sys.path through conftest
import bench_qc
import bench_refi
import bench_store
import pytest


def test_store_benchmark_reports_its_figures(capsys):
    figures = bench_store.main(["--documents", "4", "--codings", "40", "--runs", "1", "--applies", "10", "--skip-import"])
    printed = capsys.readouterr().out
    for name in ("margin --help", "margin docs", "open the project (all codings loaded)", "apply, p95", "peak memory of open + export (MB)"):
        assert name in figures and name in printed
    assert figures["apply, p95"] > 0


def test_analysis_benchmark_reports_every_command(capsys):
    result = bench_analysis.main(["--documents", "4", "--codings", "40", "--runs", "1", "--scaling", "none", "--no-qc"])
    printed = capsys.readouterr().out
    commands = [*bench_analysis.margin_commands(Path("p")), bench_analysis.READ, bench_analysis.FLOOR]
    assert not result["missing"], result["missing"]
    for name in commands:
        assert name in result["figures"] and name in printed
    assert all(seconds > 0 for seconds in result["figures"].values())
    screen = result["screen"]
    assert all(f"screen at idle: {view}, built ahead" in screen for view in bench_analysis.SCREEN_VIEWS)
    keys = len(bench_analysis.SCREEN_KEYS) + len(bench_analysis.AFTER_APPLY_KEYS) + 2  # + `%` before, the rebuild at idle
    assert sum(name.startswith("screen key 80x24") for name in screen) == 2 * keys + 2  # + the floor's CPU and wall
    assert all(n in printed for n in screen)


def test_exchange_benchmark_reports_every_command(capsys):
    result = bench_refi.main(["--documents", "3", "--sizes", "60", "--runs", "1"])
    printed = capsys.readouterr().out
    for name in (bench_refi.FLOOR, bench_refi.PARSE_FLOOR, "margin init --from", "margin export qdpx", "margin export csv"):
        wall, cpu, peak = result[60][name]
        assert wall > 0 and peak > 0 and name[:22] in printed
    assert "margin init --from against the parse floor" in printed


def test_exports_benchmark_reports_the_exports_beside_their_floors(capsys):
    """`--exports` times no import, so its report must not ask for the import's figures."""
    result = bench_refi.main(["--documents", "3", "--sizes", "60", "--runs", "1", "--exports"])
    printed = capsys.readouterr().out
    assert set(result[60]) == {bench_refi.FLOOR, "margin export qdpx", "margin export csv", bench_refi.WRITE_FLOOR}
    assert "export csv / csv.writer floor" in printed and "parse floor" not in printed


def test_qc_comparison_reports_every_step(capsys):
    """Margin's side of the qc comparison, once (qc's needs .venv-qc and minutes)."""
    if not bench_qc.texts():
        pytest.skip(f"needs {bench_qc.CORPUS} (the shared corpus is not here)")
    result = bench_qc.main(["--runs", "1", "--no-qc"])
    printed = capsys.readouterr().out
    for step in bench_qc.STEPS:
        [(wall, cpu)] = result["margin"][step]
        assert wall > 0 and cpu > 0 and step in printed


def test_qc_paragraphs_and_lines_follow_qc():
    """The converter's paragraph index is qc's (helpers.iter_paragraph_lines): a paragraph
    starts at a non-blank line after blank ones and runs to the next; lines count from 0."""
    text = "A: one\n\nB: two\nmore\n\n\nA: three\n"
    lines = text.splitlines(keepends=True)
    assert bench_analysis.paragraphs(lines) == [(0, 2), (2, 6), (6, 7)]
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    assert [bench_analysis._line_of(newlines, text.index(w)) for w in ("one", "two", "more", "three")] == [0, 2, 3, 6]
    assert bench_analysis.qc_name("Role > Peer worker") == "Role_Peer_worker"


def test_a_converted_project_counts_in_qc_as_in_margin(tmp_path):
    """Skipped without qc (.venv-qc, see docs/benchmarks.md)."""
    qc = bench_analysis.REPO / ".venv-qc" / "bin" / "qc"
    if not qc.exists():
        pytest.skip("qc is not installed in .venv-qc")
    project = bench_analysis.make_project(tmp_path / "m", 2, 30)
    lines = bench_analysis.to_qc(project, tmp_path / "qc", qc)
    out = subprocess.run([str(qc), "codes", "stats"], cwd=tmp_path / "qc", check=True, capture_output=True, text=True).stdout
    counted = sum(int(row.split()[-1]) for row in out.splitlines()[2:] if row.split() and row.split()[-1].isdigit())
    assert counted == lines > 0
