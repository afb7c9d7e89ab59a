"""Margin against qc 1.7.8: the same researcher's steps on the seven PDPilot interviews
(issue 11, "Against qc"); prints each step's figure, ratio, target and the floor.

    python tests/bench/bench_qc.py                 # 3 rounds, Margin and qc alternated
    python tests/bench/bench_qc.py --runs 1 --no-qc

The steps, each a whole process or a few, start-up included, on a fresh folder each round:
  import       margin init + margin import P1..P7      qc init + qc corpus import -r -i verbatim
  auto-code    one `margin apply --all-documents` per  one `qc code` per document, its "editor"
               code (every document in one call)       a script that codes each matching line
  code counts  margin stats codes                      qc codes stats
  retrieval    margin find CODE                        qc codes find CODE
  REFI export  margin export qdpx                      qc export FILE.qdpx
A turn of these transcripts is one line, so qc's lines and Margin's turns code the same
passages. qc runs from its own virtual environment (.venv-qc, see docs/benchmarks.md),
never Margin's; without it only Margin's figures are printed. Each round runs Margin's
steps and qc's in turn (which goes first alternates), with the floor `python -c 'import
click'`, so that a busy machine slows them alike; figures are medians of the rounds.
Both run with compiled bytecode, as installed: Margin's is written first (this machine's
helpers set PYTHONDONTWRITEBYTECODE, which made every Margin command compile its modules).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

from bench_store import COMMAND_ENV, compile_modules  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "pdpilot-interviews"
QC = REPO / ".venv-qc" / "bin" / "qc"
FLOOR = "floor: python -c 'import click'"
STEPS = ("import", "auto-code", "code counts", "retrieval", "REFI export")
TARGET = 10.0  # qc's time over Margin's, each step (issue 11)
# (Margin code, qc code name, pattern): each matching turn (line) is coded
RULES = (
    ("Plots > ICE plots", "ICE_plots", r"\bICE\b"),
    ("Plots > PDP", "PDP", r"\bPDPs?\b"),
    ("Feature engineering", "Feature_engineering", r"feature engineering"),
    ("Model development", "Model_development", r"\bmodel development\b"),
)

# qc's "editor" for `qc code`: fills the codes file with the codes of every matching line
EDITOR = """\
import re, sys
rules = [(name, re.compile(pattern, re.I)) for name, pattern in {rules!r}]
corpus, codes = sys.argv[1], sys.argv[2]
lines = open(corpus, encoding="utf-8").read().splitlines()
old = open(codes, encoding="utf-8").read().splitlines()
out = []
for n, line in enumerate(lines):
    have = [c.strip() for c in (old[n] if n < len(old) else "").split(",") if c.strip()]
    have += [name for name, rule in rules if rule.search(line) and name not in have]
    out.append(", ".join(have))
open(codes, "w", encoding="utf-8").write("\\n".join(out) + "\\n")
"""


def timed(args: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process, which must succeed."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=COMMAND_ENV)
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed: {error.decode(errors='replace')[-300:]}")
    return wall, usage.ru_utime + usage.ru_stime


def total(times) -> tuple[float, float]:
    walls, cpus = zip(*times)
    return sum(walls), sum(cpus)


def texts() -> list[Path]:
    return sorted(CORPUS.glob("P*.txt"))


def margin_steps(work: Path) -> dict[str, list[list[str]]]:
    """Each step's commands for a new Margin project in `work`."""
    margin, project = str(Path(sys.executable).parent / "margin"), str(work / "margin")
    return {
        "import": [[margin, "init", project, "--coder", "bench"], [margin, "-p", project, "import", *map(str, texts())]],
        "auto-code": [
            [margin, "-p", project, "apply", "--all-documents", code, "--regex", pattern, "--extend", "turn", "--create"]
            for code, _, pattern in RULES
        ],
        "code counts": [[margin, "-p", project, "stats", "codes"]],
        "retrieval": [[margin, "-p", project, "find", f'"{RULES[0][0]}"']],
        "REFI export": [[margin, "-p", project, "export", "qdpx", "-o", str(work / "margin.qdpx")]],
    }


def qc_steps(work: Path, qc: Path) -> dict[str, list[list[str]]]:
    """Each step's commands for a new qc project in `work` (run there)."""
    return {
        "import": [[str(qc), "init"], [str(qc), "corpus", "import", "-r", "-i", "verbatim", str(work / "texts")]],
        "auto-code": [[str(qc), "code", "bench", "-p", path.name] for path in texts()],
        "code counts": [[str(qc), "codes", "stats"]],
        "retrieval": [[str(qc), "codes", "find", RULES[0][1]]],
        "REFI export": [[str(qc), "export", str(work / "qc.qdpx")]],
    }


def prepare_qc(work: Path) -> None:
    """The texts to import, and the editor `qc code` runs, named in qc's settings."""
    (work / "texts").mkdir(parents=True)
    for path in texts():
        shutil.copyfile(path, work / "texts" / path.name)
    (work / "autocode.py").write_text(EDITOR.format(rules=[(name, pattern) for _, name, pattern in RULES]), encoding="utf-8")


def use_editor(work: Path) -> None:
    """After `qc init`: make the script qc's editor (settings.yaml, as qc documents it)."""
    settings = work / "settings.yaml"
    lines = [line for line in settings.read_text(encoding="utf-8").splitlines() if not line.startswith("editor:")]
    command = f'{sys.executable} -I -S {work / "autocode.py"} "{{corpus_file_path}}" "{{codes_file_path}}"'
    lines += ["editor: auto", "editors:", "  auto:", "    name: auto", f"    code_command: '{command}'", "    memo_command: 'true'"]
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_margin(work: Path) -> dict[str, float]:
    return {step: total(timed(args) for args in commands) for step, commands in margin_steps(work).items()}


def run_qc(work: Path, qc: Path) -> dict[str, float]:
    work.mkdir(parents=True)
    prepare_qc(work)
    figures = {}
    for step, commands in qc_steps(work, qc).items():
        first = timed(commands[0], cwd=work)
        if step == "import":
            use_editor(work)
        figures[step] = total([first, *(timed(args, cwd=work) for args in commands[1:])])
    return figures


def rounds(work: Path, runs: int, qc: Path | None) -> tuple[dict[str, list], dict[str, list], list[tuple], list[float]]:
    """Margin's and qc's (wall, CPU) per step, the floor's and the load before each round."""
    margin: dict[str, list] = {s: [] for s in STEPS}
    theirs: dict[str, list] = {s: [] for s in STEPS}
    floors, loads = [], []
    for n in range(runs):
        loads.append(os.getloadavg()[0])
        sides = [("margin", lambda: run_margin(work / f"m{n}"))]
        if qc is not None:
            sides.append(("qc", lambda: run_qc(work / f"q{n}", qc)))
        for side, go in sides if n % 2 == 0 else sides[::-1]:
            for step, wall in go().items():
                (margin if side == "margin" else theirs)[step].append(wall)
        floors.append(timed([sys.executable, "-c", "import click"]))
    return margin, theirs, floors, loads


def report(margin: dict, theirs: dict, floors: list[tuple], loads: list[float]) -> list[str]:
    """A line per step: Margin's median wall and CPU, qc's, and qc's over Margin's (each
    against the 10x target: wall is what the researcher waits, CPU what a loaded machine
    distorts least)."""
    floor, floor_cpu = (statistics.median(f[i] for f in floors) for i in (0, 1))
    lines = [
        f"Margin against qc on the {len(texts())} PDPilot interviews (median of {len(floors)}; "
        f"load {min(loads):.1f}-{max(loads):.1f} on 2 cores; floor {floor * 1000:.0f} ms wall, {floor_cpu * 1000:.0f} ms CPU)",
        f"{'step':12} {'margin':>8} {'cpu':>7} {'x floor':>8} {'qc':>8} {'cpu':>7} {'wall ratio':>11} {'cpu ratio':>10}   target",
    ]
    for step in STEPS:
        wall, cpu = (statistics.median(v[i] for v in margin[step]) for i in (0, 1))
        line = f"{step:12} {wall:7.2f}s {cpu:6.2f}s {wall / floor:7.1f}x"
        if theirs[step]:
            qc_wall, qc_cpu = (statistics.median(v[i] for v in theirs[step]) for i in (0, 1))
            ratios = (qc_wall / wall, qc_cpu / cpu)
            mark = "met" if min(ratios) >= TARGET else "not met"
            line += f" {qc_wall:7.2f}s {qc_cpu:6.2f}s {ratios[0]:10.1f}x {ratios[1]:9.1f}x   >= {TARGET:g}x {mark}"
        else:
            line += "   (no qc)"
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--qc", type=Path, default=QC, help="qc from its own venv.")
    parser.add_argument("--no-qc", action="store_true")
    options = parser.parse_args(argv)
    if not texts():
        raise SystemExit(f"needs the PDPilot interviews in {CORPUS} (the shared corpus)")
    qc = None if options.no_qc or not options.qc.exists() else options.qc
    if qc is None and not options.no_qc:
        print(f"qc is not at {options.qc}: only Margin's figures (see docs/benchmarks.md to install it)", file=sys.stderr)
    compile_modules()  # the bytecode an installed Margin has, as pip gave qc's
    work = Path(tempfile.mkdtemp(prefix="margin-bench-qc-"))
    try:
        margin, theirs, floors, loads = rounds(work, options.runs, qc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(report(margin, theirs, floors, loads)), flush=True)
    return {"margin": margin, "qc": theirs, "floor": floors}


if __name__ == "__main__":
    main()
