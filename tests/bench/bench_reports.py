"""Benchmark of `margin report codebook` (issue 13); prints figures for docs/benchmarks.md.

    python tests/bench/bench_reports.py                      # 200 documents, 50,000 codings
    python tests/bench/bench_reports.py --documents 20 --codings 2000 --runs 3   # quick

Target: the command under 2 s wall for HTML and for Word on the full project. The floor
is `python -c 'import click'` in the same run, so a loaded machine shows in both.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from store.project import Project  # noqa: E402
from tests.bench.bench_refi import generate  # noqa: E402

TARGET = 2.0


# As installed: compiled modules cached (this machine's shells set PYTHONDONTWRITEBYTECODE,
# which makes every command compile its modules again, half a second of it).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `command`, after one run that warms the caches. CPU
    (user + system of the command) shows the cost when others load the machine."""
    subprocess.run(command, check=True, capture_output=True, env=ENV)
    walls, cpus = [], []
    for _ in range(runs):
        before, start = os.times(), time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=ENV)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(after.children_user + after.children_system - before.children_user - before.children_system)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--codings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    margin = str(Path(sys.executable).parent / "margin")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "source"
        generate(folder, options.documents, options.codings)
        with Project.open(folder) as project:  # a few exemplars, as a researcher marks them
            for code in project.codebook.all()[::3]:
                found = project.codings.query(code=code, with_subcodes=False)
                if found:
                    project.codings.mark_exemplar(found[len(found) // 2])
        print(f"{options.documents} documents, {options.codings} codings; load average {os.getloadavg()[0]:.2f} (2 cores)")
        floor, floor_cpu = timed([sys.executable, "-c", "import click"], options.runs)
        print(f"floor: python -c 'import click'    wall {floor:5.2f} s  cpu {floor_cpu:5.2f} s")
        for fmt in ("html", "docx", "md"):
            out = Path(tmp) / f"codebook.{fmt}"
            figure, cpu = timed([margin, "-p", str(folder), "report", "codebook", "-o", str(out)], options.runs)
            verdict = "ok" if figure < TARGET else "OVER"
            print(f"margin report codebook -o .{fmt:5s} wall {figure:5.2f} s  cpu {cpu:5.2f} s  target {TARGET:.1f} s  {verdict}  "
                  f"({figure / floor:.0f}x floor, median of {options.runs}, {out.stat().st_size // 1024} KB)")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
