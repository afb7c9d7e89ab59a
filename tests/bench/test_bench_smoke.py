"""The benchmark scripts run (at a small size) and report every figure they promise."""

import bench_store  # noqa: I001 - tests/bench is on sys.path through conftest

def test_store_benchmark_reports_its_figures(capsys):
    figures = bench_store.main(["--documents", "4", "--codings", "40", "--runs", "1", "--applies", "10", "--skip-import"])
    printed = capsys.readouterr().out
    for name in ("margin --help", "margin docs", "open the project (all codings loaded)", "apply, p95", "peak memory of open + export (MB)"):
        assert name in figures and name in printed
    assert figures["apply, p95"] > 0
