"""Benchmark of REFI-QDA export and import; prints figures for docs/benchmarks.md.

    python tests/bench/bench_refi.py                      # 200 documents, 50,000 codings
    python tests/bench/bench_refi.py --documents 20 --codings 2000   # quick

Target on the 2-core reference machine: export and import each under 3 s.
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

from store.errors import Refused  # noqa: E402
from store.importers import parse_text  # noqa: E402
from store.project import Project  # noqa: E402
from store.refi import export_qdpx, import_project  # noqa: E402

WORDS = "peer support worker ward team trust patient recovery lived experience café naïve 😀 hope care 👩‍👩‍👧 time".split()


def transcript(rng: random.Random, turns: int) -> str:
    lines = []
    for n in range(turns):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 90)))
        lines.append(f"{'Interviewer' if n % 2 == 0 else 'Participant'}: {words.capitalize()}.")
    return "\n\n".join(lines) + "\n"


def generate(directory: Path, documents: int, codings: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with Project.init(directory, name="bench", coder="bench") as project:
        other = project.add_coder("second coder")
        codes = [project.codebook.ensure(f"Theme {t} > Code {c}") for t in range(10) for c in range(10)]
        for d in range(documents):
            parsed = parse_text(transcript(rng, 80), "txt")
            attributes = {"case": f"P{d + 1}", "round": str(d % 2 + 1), "age": str(20 + d % 50)}
            document = project.documents.import_parsed(parsed, f"P{d + 1:03d}", attributes).document
            with project.operation(f"bench codings for {document.name}"):
                for n in range(codings // documents):
                    coding = _new_coding(project, rng, document, codes, other.id if n % 3 == 0 else None)
                    if n % 50 == 0:
                        project.memos.add("coding", coding.id, f"Memo {n} 😀 on {document.name}")


def _new_coding(project: Project, rng: random.Random, document, codes: list, coder: str | None):
    """A random coding of `document`, drawn again where it repeats one (dense shapes draw repeats)."""
    while True:
        turn = rng.choice(document.turns)
        start = rng.randint(turn.start, turn.end - 2)
        try:
            return project.codings.apply(document, rng.choice(codes), start, rng.randint(start + 1, turn.end), coder=coder)
        except Refused:
            continue


def timed(function, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds (CPU shows the cost when other work shares the machine)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), _cpu()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _cpu() -> float:
    """CPU seconds of this process and of the commands it ran."""
    return sum(os.times()[:4])


def margin(*args: str) -> None:
    script = Path(sys.executable).parent / "margin"
    subprocess.run([str(script), *args], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--codings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        generate(tmp / "source", options.documents, options.codings)
        print(f"generated {options.documents} documents, {options.codings} codings in {time.perf_counter() - start:.1f} s")
        qdpx = tmp / "bench.qdpx"

        def export() -> None:
            with Project.open(tmp / "source", readonly=True) as project:
                export_qdpx(project, qdpx)

        counter = iter(range(10_000))

        def import_() -> None:
            import_project(qdpx, tmp / f"copy{next(counter)}")

        figures = {
            "export (open read-only + export_qdpx)": timed(export, options.runs),
            "import (import_project, new project)": timed(import_, options.runs),
            "margin export qdpx (command, wall)": timed(lambda: margin("-p", str(tmp / "source"), "export", "qdpx", "-o", str(qdpx)), options.runs),
            "margin init --from (command, wall)": timed(lambda: margin("init", str(tmp / f"cli{next(counter)}"), "--from", str(qdpx)), options.runs),
        }
        print(f"qdpx: {qdpx.stat().st_size / 1048576:.1f} MB")
        print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores; others' work slows wall times)")
        for what, (wall, cpu) in figures.items():
            print(f"{what:40s} wall {wall:5.2f} s   cpu {cpu:5.2f} s   (median of {options.runs})")


if __name__ == "__main__":
    main()
