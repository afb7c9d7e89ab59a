"""Benchmark of exchange and export at scale (issues 4 and 11); prints figures for docs/benchmarks.md.

    python tests/bench/bench_refi.py                                  # 50,000 and 200,000 codings
    python tests/bench/bench_refi.py --sizes 2000 --documents 20      # quick
    python tests/bench/bench_refi.py --keep /tmp/refi-bench           # keep (and reuse) the generated projects
    python tests/bench/bench_refi.py --sizes 200000 --exports --keep /tmp/refi-bench   # the exports only, with a write floor
    python tests/bench/bench_refi.py --sizes 200000 --imports --keep /tmp/refi-bench   # init --from only, with the parse floor
    python tests/bench/bench_refi.py --sizes 200000 --imports --trees main=/tmp/main-tree,branch=. --keep /tmp/refi-bench
        # init --from of each source tree (put first on PYTHONPATH) in turn, in the same rounds

Each figure is the median wall time of a whole `margin` process, beside its target and the
floor, `python -c 'import click'`, timed in the same rounds (each round runs every command
once, in turn, so that a busy machine slows them alike), with the CPU time and the peak
memory (ru_maxrss) of that process. Not a timed test: tests/bench/test_bench_smoke.py runs it small.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
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


FLOOR = "floor: python -c 'import click'"
PARSE_FLOOR = "parse floor: ET.iterparse of project.qde"
# A plain pass of ElementTree's iterparse over the .qdpx's project.qde, read from the zip:
# what any Python reading of the XML costs, the floor `margin init --from` is measured against.
ITERPARSE = (
    "import sys, zipfile, xml.etree.ElementTree as ET\n"
    "with zipfile.ZipFile(sys.argv[1]) as z, z.open('project.qde') as qde:\n"
    "    for _, element in ET.iterparse(qde):\n"
    "        element.clear()\n"
)
# (seconds, MB) per command at 200,000 and at 50,000 codings (issue 11); None: no target
TARGETS = {
    200_000: {"margin init --from": (5.0, 400), "margin export qdpx": (3.0, 400), "margin export csv": (2.0, 400)},
    50_000: {"margin init --from": (3.0, None), "margin export qdpx": (None, None), "margin export csv": (1.0, None)},
}


def run(args: list[str] | tuple[list[str], dict], env: dict | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak memory (MB) of one process; `args` may come
    with the environment to run it in (a tree's `margin init --from`)."""
    if isinstance(args, tuple):
        args, env = args
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{args[0]} failed ({process.returncode}): {error.strip()[-300:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def margin_script() -> str:
    return str(Path(sys.executable).parent / "margin")


def commands(project: Path, qdpx: Path, work: Path) -> dict[str, object]:
    """Each command as a function of its round number, so that every init makes a new folder."""
    margin = margin_script()
    return {
        FLOOR: lambda n: [sys.executable, "-c", "import click"],
        PARSE_FLOOR: lambda n: [sys.executable, "-c", ITERPARSE, str(qdpx)],
        "margin init --from": lambda n: [margin, "init", str(work / f"init{n}"), "--from", str(qdpx)],
        "margin export qdpx": lambda n: [margin, "-p", str(project), "export", "qdpx", "-o", str(work / "again.qdpx")],
        "margin export csv": lambda n: [margin, "-p", str(project), "export", "csv", "-o", str(work / "coded.csv")],
    }


WRITE_FLOOR = "floor: csv.writer rows"
WRITE_FLOOR_SCRIPT = (
    "import csv, sys\n"
    "with open(sys.argv[1], newline='', encoding='utf-8') as f, open(sys.argv[2], 'w', newline='', encoding='utf-8') as g:\n"
    "    csv.writer(g).writerows(csv.reader(f))\n"
)


def export_commands(project: Path, work: Path) -> dict[str, object]:
    """The exports alone (issue 11), with a write floor beside the start-up floor: Python's
    csv module reading the table `margin export csv` wrote in the same round and writing
    its rows again, which is what a plain `csv.writer` of the same rows costs (and more)."""
    steps = {name: args for name, args in commands(project, work / "unused.qdpx", work).items() if "export" in name or name == FLOOR}
    table = work / "coded.csv"
    steps[WRITE_FLOOR] = lambda n: [sys.executable, "-c", WRITE_FLOOR_SCRIPT, str(table), str(work / "again.csv")]
    return steps


def import_commands(project: Path, qdpx: Path, work: Path) -> dict[str, object]:
    """`margin init --from` alone (issue 11), beside the start-up floor and the parse floor."""
    return {name: args for name, args in commands(project, qdpx, work).items() if "export" not in name}


TREE_MARGIN = "import sys; from tui.cli import main; sys.argv[0] = 'margin'; sys.exit(main())"


def tree_commands(trees: dict[str, Path], qdpx: Path, work: Path) -> dict[str, object]:
    """`margin init --from` of each source tree (its folder first on PYTHONPATH, run by
    this Python with -P, so that the working folder, this tree, comes not before it),
    so that two versions are timed in the same rounds on a busy machine."""
    steps = {}
    for name, tree in trees.items():
        env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
        steps[f"margin init --from ({name})"] = lambda n, name=name, env=env: (
            [sys.executable, "-P", "-c", TREE_MARGIN, "init", str(work / f"init-{name}{n}"), "--from", str(qdpx)],
            env,
        )
    return steps


def alternated(steps: dict[str, object], runs: int) -> dict[str, tuple[float, float, float]]:
    """Median wall, CPU and peak memory of each command, the commands taking turns."""
    times: dict[str, list[tuple[float, float, float]]] = {name: [] for name in steps}
    for n in range(runs):
        for name, args in steps.items():
            times[name].append(run(args(n)))
    return {name: tuple(statistics.median(v[i] for v in values) for i in range(3)) for name, values in times.items()}


def bench_size(
    work: Path, documents: int, codings: int, runs: int, exports: bool = False, imports: bool = False, trees: dict | None = None
) -> tuple[dict, float, float]:
    """The figures at one size, the load average before them and the .qdpx's size in MB."""
    project, qdpx = work / f"project-{codings}", work / f"project-{codings}.qdpx"
    if not (project / "project.json").exists():
        shutil.rmtree(project, ignore_errors=True)
        started = time.perf_counter()
        generate(project, documents, codings)
        print(f"generated {documents} documents, {codings:,} codings in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if not qdpx.exists():
        run([margin_script(), "-p", str(project), "export", "qdpx", "-o", str(qdpx)])
    scratch = Path(tempfile.mkdtemp(prefix="rounds-", dir=work))
    try:
        load = os.getloadavg()[0]
        steps = export_commands(project, scratch) if exports else commands(project, qdpx, scratch)
        steps = import_commands(project, qdpx, scratch) if imports else steps
        if trees:
            steps = {name: step for name, step in steps.items() if name != "margin init --from"}
            steps |= tree_commands(trees, qdpx, scratch)
        figures = alternated(steps, runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return figures, load, qdpx.stat().st_size / 1048576


def report(codings: int, figures: dict, load: float, megabytes: float, runs: int) -> list[str]:
    floor = figures[FLOOR][0]
    lines = [
        f"at {codings:,} codings ({megabytes:.0f} MB .qdpx; load {load:.1f} on 2 cores; median of {runs})",
        f"{'':32} {'wall':>8} {'x floor':>8} {'cpu':>8} {'peak':>8}   target",
    ]
    targets = TARGETS.get(codings, {})
    for name, (wall, cpu, peak) in figures.items():
        seconds, megs = targets.get(name.partition(" (")[0], (None, None))
        target = " and ".join(t for t in (f"< {seconds:g} s" if seconds else "", f"< {megs} MB" if megs else "") if t)
        over = [w for w, bad in (("time", seconds and wall >= seconds), ("memory", megs and peak >= megs)) if bad]
        mark = f"  over: {', '.join(over)}" if over else ("  met" if target else "")
        lines.append(f"{name[:32]:32} {wall:7.2f}s {wall / floor:7.1f}x {cpu:7.2f}s {peak:6.0f}MB   {target or '-'}{mark}")
    if WRITE_FLOOR in figures:
        (wall, cpu, _), (floor_wall, floor_cpu, _) = figures["margin export csv"], figures[WRITE_FLOOR]
        lines.append(f"export csv / csv.writer floor: {wall / floor_wall:.2f}x wall, {cpu / floor_cpu:.2f}x CPU")
    return lines + import_against_floors(figures, codings)


# The import's target was set when `python -c 'import click'` took 44 ms: read as a ratio to it.
TARGET_FLOOR = 0.044


def import_against_floors(figures: dict, codings: int) -> list[str]:
    """Each `margin init --from` beside the parse floor and the start-up floor (the target
    read as a ratio to the floor it was set at), wall and CPU; none without an init in the run."""
    if PARSE_FLOOR not in figures:
        return []
    (floor_wall, floor_cpu, floor_peak), (start_wall, start_cpu, _) = figures[PARSE_FLOOR], figures[FLOOR]
    seconds = TARGETS.get(codings, {}).get("margin init --from", (None, None))[0]
    lines = []
    for name in (n for n in figures if n.startswith("margin init --from")):
        wall, cpu, _ = figures[name]
        lines.append(
            f"{name} against the parse floor: wall {wall / floor_wall:.2f}x, CPU {cpu / floor_cpu:.2f}x "
            f"({floor_wall:.2f} s wall, {floor_cpu:.2f} s CPU, {floor_peak:.0f} MB)"
        )
        if seconds:
            lines.append(
                f"{name} against import click: wall {wall / start_wall:.0f}x, CPU {cpu / start_cpu:.0f}x "
                f"(floor {start_wall * 1000:.0f} ms wall, {start_cpu * 1000:.0f} ms CPU; target {seconds / TARGET_FLOOR:.0f}x)"
            )
    return lines


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--sizes", default="50000,200000", help="Codings, comma-separated.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Generate into (and reuse from) this folder.")
    parser.add_argument("--exports", action="store_true", help="Time the exports only, beside a csv.writer floor.")
    parser.add_argument("--imports", action="store_true", help="Time init --from only, beside the parse floor.")
    parser.add_argument("--trees", default="", help="NAME=FOLDER,...: time init --from of each source tree instead.")
    options = parser.parse_args(argv)
    work = options.keep or Path(tempfile.mkdtemp(prefix="margin-bench-refi-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    try:
        for codings in (int(s) for s in options.sizes.split(",")):
            figures, load, megabytes = bench_size(
                work, options.documents, codings, options.runs, options.exports, options.imports, _trees(options.trees)
            )
            results[codings] = figures
            print("\n".join(report(codings, figures, load, megabytes, options.runs)), flush=True)
    finally:
        if options.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return results


def _trees(option: str) -> dict[str, Path]:
    return {name: Path(folder) for name, _, folder in (part.partition("=") for part in option.split(",") if part)}


if __name__ == "__main__":
    main()
