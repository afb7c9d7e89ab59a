"""Benchmarks of the store and the command line; prints figures for docs/benchmarks.md.

    python tests/bench/bench_store.py                 # full size: 200 documents, 50,000 codings
    python tests/bench/bench_store.py --documents 20 --codings 2000   # quick

Not a timed test: it measures and prints. tests/bench/test_bench_smoke.py runs it small.
"""

from __future__ import annotations

import argparse
import os
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


# A user's Python caches compiled modules; this machine's helpers run with
# PYTHONDONTWRITEBYTECODE set, which made every command compile store/ and tui/ afresh
# (0.2 s of each command under load) while the floor's click came compiled.
COMMAND_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
QUIET_TARGET = 0.15  # seconds, the target on a quiet machine, where the floor is 44 ms
QUIET_FLOOR = 0.044


def compile_modules() -> None:
    """Write the bytecode caches a user's installation has, so commands are timed as they run."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "store"), str(REPO / "tui")],
                   check=True, capture_output=True, env=COMMAND_ENV)  # fmt: skip


def wall(args: list[str], runs: int) -> float:
    """Median wall time of a command, in seconds."""
    return statistics.median(_timed(args) for _ in range(runs))


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


def generate_large(directory: Path, documents: int, codings: int, codes: int, seed: int = 7) -> None:
    """The large shape (200 documents, 200,000 codings, 5,000 codes): codes in one action,
    each document's codings in one, put directly (no duplicate search, which is the API's
    cost, not the store's)."""
    from store.clock import new_id, now
    from store.model import Coding

    rng = random.Random(seed)
    with Project.init(directory, name="bench", coder="bench") as project:
        with project.operation("bench codebook"):
            themes = max(1, codes // 50)
            made = [project.codebook.ensure(f"Theme {t} > Code {c}") for t in range(themes) for c in range(codes // themes)]
        coder = project.coder.id
        for d in range(documents):
            parsed = parse_text(transcript(rng, 80), "txt")
            document = project.documents.import_parsed(parsed, f"P{d + 1:03d}", {"case": f"P{d + 1}"}).document
            text, stamp = project.text(document.id), now()
            with project.operation(f"bench codings for {document.name}"):
                for _ in range(codings // documents):
                    turn = rng.choice(document.turns)
                    start = rng.randint(turn.start, turn.end - 2)
                    end = rng.randint(start + 1, turn.end)
                    code = rng.choice(made).id
                    project.put(Coding(new_id(), document.id, code, start, end, text[start:end], coder, stamp, stamp))


def floor(runs: int) -> float:
    """The floor of a command line: starting Python with click imported."""
    return wall([sys.executable, "-c", "import click"], runs)


def bench_commands(project_dir: Path, runs: int) -> dict:
    """Wall time of each command the issue names, at this project's size (median of runs)."""
    command = [*margin_command(), "-p", str(project_dir)]
    figures = {}
    for n in range(runs):  # apply then undo, in pairs, so the project stays the same size
        figures.setdefault("margin apply", []).append(_timed([*command, "apply", "P001", "Theme 0 > Code 0", "--span", f"{n}:{n + 30}"]))
        figures.setdefault("margin undo", []).append(_timed([*command, "undo"]))
    for name, args in {
        "margin codes": ["codes"],
        "margin docs": ["docs"],
        "margin log": ["log"],
        "margin show": ["show", "P001"],
    }.items():
        figures[name] = [_timed([*command, *args]) for _ in range(runs)]
    for n in range(runs):  # each new code undone, untimed, so a project can be timed again
        figures.setdefault("margin codes add", []).append(_timed([*command, "codes", "add", f"Bench added {os.getpid()} {n}"]))
        subprocess.run([*command, "undo"], check=True, capture_output=True, env=COMMAND_ENV)
    return {name: statistics.median(times) for name, times in figures.items()}


CPU: dict[str, list[float]] = {}  # CPU seconds (user + system) of each timed command, by its words


FLOOR_BESIDE: dict[str, list[float]] = {}  # the floor's wall seconds, run just before each timed command, by its words


def _timed(args: list[str]) -> float:
    """Wall seconds of one run; its CPU seconds go to CPU (less disturbed by load than wall).
    A floor run just before it goes to FLOOR_BESIDE: this machine's speed drifts by a
    third within minutes (the floor 43 to 64 ms in one hour), so each command is read
    against the floor timed beside it."""
    if "-p" in args:
        floor_start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import click"], check=True, capture_output=True)
        FLOOR_BESIDE.setdefault(_command_name(args), []).append(time.perf_counter() - floor_start)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=COMMAND_ENV)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    CPU.setdefault(_command_name(args), []).append(used)
    return took


def _command_name(args: list[str]) -> str:
    """"margin apply" for a margin command line, "floor" for the floor's."""
    if "-p" not in args:
        return "floor"
    words = args[args.index("-p") + 2 :]
    return "margin " + (" ".join(words[:2]) if words[:2] == ["codes", "add"] else words[0])


def bench_store_costs(project_dir: Path) -> dict:
    """In process: open for writing, one apply and its checkpoint, and one operation of
    every coding of a document set (as `init --from` makes), and the memory held."""
    import tracemalloc

    figures = {}
    start = time.perf_counter()
    project = Project.open(project_dir)
    figures["open for writing (in process)"] = time.perf_counter() - start
    document = project.documents.get("P002")
    code = project.codebook.get("Theme 0 > Code 1")
    for left in [c for c in project.codings.for_document(document) if (c.code, c.start, c.end) == (code.id, 3, 40)]:
        project.codings.uncode(left)  # left by a run of this bench from before it undid its apply
    start = time.perf_counter()
    project.codings.apply(document, code, 3, 40)
    figures["apply after open (in process)"] = time.perf_counter() - start
    start = time.perf_counter()
    project.checkpoint()
    figures["checkpoint after one apply (in process)"] = time.perf_counter() - start
    project.undo()  # so that a project can be timed again
    project.close()
    tracemalloc.start()
    with Project.open(project_dir, readonly=True) as project:
        assert project.state.codings
        figures["open with every coding loaded: memory (MB)"] = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    return figures


def growth(sizes: list[int], documents: int, codes: int, runs: int) -> None:
    """How each command's cost grows with the codings, against the floor: a table."""
    rows = []
    compile_modules()
    for size in sizes:
        workdir = Path(tempfile.mkdtemp(prefix="margin-growth-"))
        try:
            started = time.perf_counter()
            generate_large(workdir / "p", documents, size, codes)
            made = time.perf_counter() - started
            figures = bench_commands(workdir / "p", runs)
            rows.append((size, made, figures, floor(runs), os.getloadavg()[0]))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    names = list(rows[0][2])
    print("| codings | " + " | ".join(names) + " | floor | load |")
    print("|---|" + "---|" * (len(names) + 2))
    for size, _made, figures, base, load in rows:
        print(f"| {size:,} | " + " | ".join(f"{figures[n] * 1000:.0f} ms" for n in names) + f" | {base * 1000:.0f} ms | {load:.1f} |")


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
    parser.add_argument("--large", action="store_true", help="The 200,000-coding, 5,000-code shape: each command against its target.")
    parser.add_argument("--growth", action="store_true", help="A table of each command's cost from 10,000 to 200,000 codings.")
    parser.add_argument("--codes", type=int, default=5000)
    parser.add_argument("--project", type=Path, help="With --large: time the commands on this project (made with that shape if missing).")
    args = parser.parse_args(argv)
    if args.growth:
        growth([10_000, 50_000, 200_000], args.documents, args.codes, args.runs)
        return {}
    if args.large:
        return large(args)
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


def large(args) -> dict:
    """Each command at the large shape beside its target (0.15 s) and the floor."""
    workdir = Path(tempfile.mkdtemp(prefix="margin-bench-"))
    project = args.project or workdir / "p"
    try:
        if not project.exists():
            started = time.perf_counter()
            generate_large(project, args.documents, args.codings, args.codes)
            print(f"generated {args.documents} documents, {args.codings:,} codings, {args.codes:,} codes in {time.perf_counter() - started:.1f} s")
        compile_modules()
        load = os.getloadavg()[0]
        base = floor(args.runs)
        figures = bench_commands(project, args.runs)
        base = min(base, floor(args.runs))  # the floor before and after, the lower of the two
        cpu_floor = statistics.median(CPU["floor"])
        target = QUIET_TARGET / QUIET_FLOOR
        print(f"load {load:.1f} -> {os.getloadavg()[0]:.1f}; floor (python -c 'import click') {base * 1000:.0f} ms wall, "
              f"{cpu_floor * 1000:.0f} ms CPU; target {QUIET_TARGET * 1000:.0f} ms each on a quiet machine, "
              f"which is x{target:.1f} the floor")
        for name, value in figures.items():
            cpu, beside = statistics.median(CPU[name]), statistics.median(FLOOR_BESIDE[name])
            verdict = "ok" if value / beside < target else "OVER"
            print(f"{name:<24} {value * 1000:6.0f} ms wall x{value / base:.1f} floor, x{value / beside:.1f} the floor beside it "
                  f"({beside * 1000:.0f} ms)   {cpu * 1000:6.0f} ms CPU x{cpu / cpu_floor:.1f}   {verdict}")
        for name, value in bench_store_costs(project).items():
            print(f"{name:<44} {value:8.1f}" if "MB" in name else f"{name:<44} {value * 1000:6.0f} ms")
        return figures
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
