"""The command line's aligned tables measured in terminal cells (tui/cells.py):
a table of wide code names (CJK) against the same table in ASCII, its floor, in the same
run. ASCII columns are measured with len (in C); a column holding any wide character is
measured once per cell with rich.cells. Prints figure, target and floor; CPU time,
median of --runs.

    python tests/bench/bench_trial3_tables.py            # 20,000 rows (a 100-code x 200-document matrix)
    python tests/bench/bench_trial3_tables.py --rows 50000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.commands.analysis_options import aligned  # noqa: E402

TARGET = 3.0  # the wide table at most 3 times the ASCII one


def timed(rows: list[list], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        aligned(["code_path", "column", "value"], rows, 100)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    ascii_rows = [[f"Theme {i % 50} > Code {i % 100}", f"P{i % 200:03d}", i % 7] for i in range(args.rows)]
    wide_rows = [[f"信任 {i % 50} > 边界 {i % 100} 🧑\u200d⚕️", f"访谈 {i % 200:03d}", i % 7] for i in range(args.rows)]
    floor, figure = timed(ascii_rows, args.runs), timed(wide_rows, args.runs)
    ratio = figure / floor
    print(f"floor: ASCII table of {args.rows:,} rows  {floor * 1000:.0f} ms CPU")
    print(f"figure: wide table (CJK, emoji)       {figure * 1000:.0f} ms CPU = {ratio:.1f} x floor (target <= {TARGET:.0f} x)")
    print(f"load: {os.getloadavg()[0]:.1f}")
    return ratio


if __name__ == "__main__":
    main()
