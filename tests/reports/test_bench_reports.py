"""The report benchmark runs (at a small size) and prints every figure it promises."""

from tests.bench import bench_reports


def test_report_benchmark_prints_its_figures(capsys):
    bench_reports.main(["--documents", "3", "--codings", "30", "--runs", "1"])
    printed = capsys.readouterr().out
    assert "floor: python -c 'import click'" in printed
    for fmt in ("html", "docx", "md"):
        assert f"margin report codebook -o .{fmt}" in printed
