"""The team benchmark: `margin agreement` at character units over 200 documents and two
coders of 25,000 codings each (issue 12: under 2 s), against the floor.

    python tests/bench/bench_team.py                 # 200 documents, 25,000 codings a coder
    python tests/bench/bench_team.py --documents 4 --codings 40 --runs 1

Figures are medians of wall times; `in process` times a read-only open and compare(),
the command adds start-up and writing the CSV. The floor is
`python -c 'import click'`, timed in the same rounds. Not a timed test:
tests/bench/test_bench_smoke.py runs it small.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from bench_store import generate, margin_command  # noqa: E402

from store.project import Project  # noqa: E402
from store.team.agreement import compare  # noqa: E402

TARGET = 2.0  # seconds, the command at character units (issue 12)
FLOOR = "floor: python -c 'import click'"


def second_coder(directory: Path, seed: int = 11) -> None:
    """bob double-codes: most of bench's codings with moved ends, some left out, as many new."""
    rng = random.Random(seed)
    with Project.open(directory, coder="bob") as project:
        codes = [c for c in project.codebook.all() if c.parent is not None]
        for document in project.documents.all():
            spans = []
            for c in project.codings.for_document(document):
                if rng.random() < 0.8:
                    spans.append((c.code, max(0, c.start + rng.randint(-5, 5)), c.end + rng.randint(-5, 5)))
                else:
                    turn = rng.choice(document.turns)
                    start = rng.randint(turn.start, turn.end - 2)
                    spans.append((rng.choice(codes).id, start, rng.randint(start + 1, turn.end)))
            with project.operation(f"bench: bob codes {document.name}"):
                for code, start, end in spans:
                    end = min(max(end, start + 1), document.length)
                    if start < end:
                        project.codings.apply(document, project.state.codes[code], start, end)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--codings", type=int, default=25_000, help="codings per coder")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "team"
        generate(folder, args.documents, args.codings)
        second_coder(folder)
        command = [*margin_command(), "-p", str(folder), "agreement", "--coders", "bench,bob", "--csv", "-o", os.devnull]
        name = f"margin agreement --csv, characters, {args.documents} documents, 2x{args.codings} codings"
        with Project.open(folder, readonly=True) as project:
            counts = sorted(sum(1 for c in project.state.codings.values() if c.coder == k.id) for k in project.state.coders.values())

        def opened_and_compared(unit: str) -> None:  # a fresh read-only open reads the named coders' files (spans.py)
            with Project.open(folder, readonly=True) as project:
                compare(project, ["bench", "bob"], unit)

        for _ in range(args.runs):
            for label, run in (
                (FLOOR, lambda: subprocess.run([sys.executable, "-c", "import click"], check=True)),
                (name, lambda: subprocess.run(command, check=True, capture_output=True)),
                ("open and compare() in process, characters", lambda: opened_and_compared("character")),
                ("open and compare() in process, words", lambda: opened_and_compared("word")),
            ):
                start = time.perf_counter()
                run()
                figures.setdefault(label, []).append(time.perf_counter() - start)
    medians = {k: statistics.median(v) for k, v in figures.items()}
    load = os.getloadavg()[0]
    print(f"codings per coder: {counts}; load {load:.1f}; medians of {args.runs}")
    for label, seconds in medians.items():
        ratio = seconds / medians[FLOOR]
        target = f"target < {TARGET:.1f} s" if label == name else ""
        print(f"{label:70} {seconds:7.3f} s  {ratio:5.1f}x floor  {target}")
    return medians


if __name__ == "__main__":
    main()
