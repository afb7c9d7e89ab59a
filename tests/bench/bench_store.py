"""Benchmarks of the store and the command line; prints figures for docs/benchmarks.md.

    python tests/bench/bench_store.py                 # full size: 200 documents, 50,000 codings
    python tests/bench/bench_store.py --documents 20 --codings 2000   # quick

Not a timed test: it measures and prints. tests/bench/test_bench_smoke.py runs it small.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from store.importers import parse_text  # noqa: E402
from store.project import Project  # noqa: E402

COVID = REPO.parent / "shared" / "corpus" / "uk-covid-inquiry-large"
WORDS = (
    "peer support worker ward team trust patient recovery lived experience boundaries nurse "
    "manager supervision role shift group listen change care plan worry hope time staff"
).split()


def margin_command() -> list[str]:
    script = Path(sys.executable).parent / "margin"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


def wall(args: list[str], runs: int) -> float:
    """Median wall time of a command, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def transcript(rng: random.Random, turns: int) -> str:
    paragraphs = []
    for n in range(turns):
        speaker = "Interviewer" if n % 2 == 0 else "Participant"
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 90)))
        paragraphs.append(f"{speaker}: {words.capitalize()}.")
    return "\n\n".join(paragraphs) + "\n"


def generate(directory: Path, documents: int, codings: int, seed: int = 7) -> Project:
    """A project of `documents` interviews and `codings` codings over 100 codes, built in
    one operation per document as an import and auto-coding would."""
    rng = random.Random(seed)
    project = Project.init(directory, name="bench", coder="bench")
    codes = [project.codebook.ensure(f"Theme {t} > Code {c}") for t in range(10) for c in range(10)]
    per_document = codings // documents
    for d in range(documents):
        parsed = parse_text(transcript(rng, 80), "txt")
        document = project.documents.import_parsed(parsed, f"P{d + 1:03d}", {"case": f"P{d + 1}", "round": str(d % 2 + 1)}).document
        spans = []
        for _ in range(per_document):
            turn = rng.choice(document.turns)
            start = rng.randint(turn.start, turn.end - 2)
            spans.append((start, rng.randint(start + 1, turn.end)))
        with project.operation(f"bench codings for {document.name}"):
            for start, end in spans:
                project.codings.apply(document, rng.choice(codes), start, end)
    project.close()
    return project


def bench_cli_start(project_dir: Path, runs: int) -> dict:
    command = margin_command()
    return {
        "margin --help": wall([*command, "--help"], runs),
        "margin docs": wall([*command, "-p", str(project_dir), "docs"], runs),
    }


def bench_import(workdir: Path) -> dict:
    if not COVID.exists():
        return {}
    files = sorted(str(p) for p in COVID.rglob("*.rst"))
    target = workdir / "covid"
    subprocess.run([*margin_command(), "init", str(target), "--coder", "bench"], check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run([*margin_command(), "-p", str(target), "import", *files], check=True, capture_output=True)
    return {f"import {len(files)} Covid Inquiry days (2.55 M words)": time.perf_counter() - start}


def bench_open(project_dir: Path, runs: int) -> dict:
    """Open with every coding loaded and indexed, as the app needs them."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with Project.open(project_dir, readonly=True) as project:
            assert project.state.codings
        times.append(time.perf_counter() - start)
    return {"open the project (all codings loaded)": statistics.median(times)}


def bench_apply(project_dir: Path, count: int) -> dict:
    """Durable applies (fsynced log append) inside one process, as the app makes them."""
    rng = random.Random(11)
    times = []
    with Project.open(project_dir) as project:
        documents = project.documents.all()
        code = project.codebook.get("Theme 0 > Code 0")
        for _ in range(count):
            document = rng.choice(documents)
            start = rng.randint(0, document.length - 50)
            began = time.perf_counter()
            project.codings.apply(document, code, start, start + rng.randint(5, 49))
            times.append(time.perf_counter() - began)
    times.sort()
    return {
        "apply, median": statistics.median(times),
        "apply, p95": times[int(len(times) * 0.95) - 1],
        "apply, max (includes a checkpoint)": times[-1],
    }


def bench_export(project_dir: Path, workdir: Path) -> dict:
    output = workdir / "coded.csv"
    code = (
        "import resource, sys, time\n"
        f"sys.argv = ['margin', '-p', {str(project_dir)!r}, 'export', 'csv', '-o', {str(output)!r}]\n"
        "start = time.perf_counter()\n"
        "from tui.cli import cli\n"
        "try:\n    cli(prog_name='margin')\nexcept SystemExit:\n    pass\n"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO)
    seconds, peak_kb = out.stdout.split()[-2:]
    rows = sum(1 for _ in open(output, encoding="utf-8")) - 1
    return {
        f"export csv ({rows} rows, in process)": float(seconds),
        "peak memory of open + export (MB)": int(peak_kb) / 1024,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--codings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--applies", type=int, default=300)
    parser.add_argument("--skip-import", action="store_true", help="Skip the Covid Inquiry import.")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="margin-bench-"))
    figures: dict[str, float] = {}
    try:
        started = time.perf_counter()
        generate(workdir / "gen", args.documents, args.codings)
        figures[f"generate {args.documents} documents, {args.codings} codings"] = time.perf_counter() - started
        figures.update(bench_cli_start(workdir / "gen", args.runs))
        figures.update(bench_open(workdir / "gen", args.runs))
        figures.update(bench_apply(workdir / "gen", args.applies))
        figures.update(bench_export(workdir / "gen", workdir))
        if not args.skip_import:
            figures.update(bench_import(workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for name, value in figures.items():
        unit = "" if "MB" in name else " s"
        shown = f"{value * 1000:.1f} ms" if unit and value < 1 else f"{value:.2f}{unit}"
        print(f"{name:<55} {shown}")
    print(f"{'peak memory of this benchmark process (MB)':<55} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    return figures


if __name__ == "__main__":
    main()
