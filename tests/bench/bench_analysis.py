"""The analysis benchmark: `margin stats` and `margin find` against the floor, and qc
(qualitative-coding 1.7.8) side by side on the same corpus; prints figures for
docs/benchmarks.md.

    python tests/bench/bench_analysis.py              # 200 documents, 50,000 codings, qc, scaling to 200,000
    python tests/bench/bench_analysis.py --quick      # 20 documents, 2,000 codings, 1 run, no scaling
    python tests/bench/bench_analysis.py --scaling 10000,50000 --runs 5

Every figure is the median wall time of a whole process (start-up included) and its
ratio to the floor, `python -c 'import click'`, timed in the same rounds: each round runs
every command once, in turn, so that a busy machine slows them alike. Commands run with
the bytecode an installation has (compiled first, PYTHONDONTWRITEBYTECODE unset for them).
The analysis screen's views are timed in process (`bench_screen`). qc runs from its own
virtual environment (default .venv-qc/bin/qc in the repository; --qc PATH), never
Margin's; without it the qc figures are skipped. Not a timed test: it measures and prints,
and tests/bench/test_bench_smoke.py runs it small.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from bench_store import COMMAND_ENV, compile_modules, generate, margin_command  # noqa: E402

from store.project import Project  # noqa: E402

FLOOR = "floor: python -c 'import click'"
READ = "read: read-only open, every coding (python -c)"
QUERY = '"Theme 0 > Code 1" AND ("Theme 1 > Code 2" OR "Theme 2 > Code 3")'
READ_SCRIPT = (
    "import sys\nfrom store.project import Project\n"
    "p = Project.open(sys.argv[1], readonly=True)\nn = sum(1 for c in p.state.codings.values())\n"
)
TARGET = 0.3  # seconds, each stats command and find at 50,000 codings (issue 10)
TARGET_RATIO = TARGET / 0.044  # the same against the floor: it takes 44 ms on a quiet machine of this class


def make_project(directory: Path, documents: int, codings: int) -> Path:
    """The store benchmark's project, with each case interviewed in two rounds (documents
    P001 and P002 are case P1, rounds 1 and 2) so that `stats rounds` has work to do."""
    generate(directory, documents, codings)
    with Project.open(directory, coder="bench") as project, project.operation("bench: cases of two rounds"):
        for n, document in enumerate(project.documents.all()):
            project.documents.set_attributes(document, {"case": f"P{n // 2 + 1}", "round": str(n % 2 + 1)})
    return directory


def margin_commands(project: Path) -> dict[str, list[str]]:
    margin = [*margin_command(), "-p", str(project)]
    return {
        "margin stats codes": [*margin, "stats", "codes"],
        "margin stats cooccur --within turn": [*margin, "stats", "cooccur", "--within", "turn"],
        "margin stats matrix --cols case": [*margin, "stats", "matrix", "--cols", "case"],
        "margin stats rounds": [*margin, "stats", "rounds", "--case", "case", "--by", "round"],
        "margin find (three terms)": [*margin, "find", QUERY],
    }


def read_commands(project: Path) -> dict[str, list[str]]:
    return {
        "margin --help": [*margin_command(), "--help"],
        "margin docs": [*margin_command(), "-p", str(project), "docs"],
        READ: [sys.executable, "-c", READ_SCRIPT, str(project)],
    }


# ---------------------------------------------------------------------- qc


def qc_name(path: str) -> str:
    """A Margin code path as a qc code name (qc names are flat and unique, one word)."""
    return re.sub(r"\W+", "_", path).strip("_")


def paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """qc's paragraph index of a text (helpers.iter_paragraph_lines): line ranges, end exclusive."""
    found, start, blank = [], 0, False
    for number, line in enumerate(lines):
        if line.strip() == "":
            blank = True
        elif blank:
            found.append((start, number))
            start, blank = number, False
    found.append((start, len(lines)))
    return found


def to_qc(project_dir: Path, target: Path, qc: Path) -> int:
    """Write the Margin project as a qc project in `target`: the same texts in corpus/,
    each coding as qc's coded lines (every line from its start to its end), the code tree
    in codebook.yaml. qc's own `init` makes the settings and the database; the rows are
    written as its `update_coded_lines` would, in one transaction. Returns the coded lines."""
    target.mkdir(parents=True)
    subprocess.run([str(qc), "init"], cwd=target, check=True, capture_output=True)
    db = sqlite3.connect(target / "qualitative_coding.sqlite3")
    coded: set[tuple] = set()
    locations: dict[str, dict[int, int]] = {}
    with Project.open(project_dir, readonly=True) as project:
        names = {code.id: qc_name(project.codebook.path(code)) for code in project.codebook.all()}
        coders = {coder.id: coder.name for coder in project.state.coders.values()}
        for document in project.documents.all():
            text = project.text(document.id)
            file_path = f"{document.name}.txt"
            (target / "corpus" / file_path).write_text(text, encoding="utf-8")
            locations[file_path] = _add_document(db, file_path, text)
            newlines = [i for i, ch in enumerate(text) if ch == "\n"]
            for coding in project.codings.for_document(document):
                first, last = _line_of(newlines, coding.start), _line_of(newlines, coding.end - 1)
                for line in range(first, last + 1):
                    coded.add((file_path, line, names[coding.code], coders[coding.coder]))
        db.executemany("INSERT OR IGNORE INTO code (name) VALUES (?)", [(n,) for n in names.values()])
        db.executemany("INSERT OR IGNORE INTO coder (name) VALUES (?)", [(n,) for n in coders.values()])
        _add_coded_lines(db, sorted(coded), locations)
        (target / "codebook.yaml").write_text(_codebook_yaml(project), encoding="utf-8")
    db.commit()
    db.close()
    return len(coded)


def _line_of(newlines: list[int], offset: int) -> int:
    """The 0-based line of a character offset, given the offsets of the text's newlines."""
    return bisect.bisect_left(newlines, offset)


def _add_document(db: sqlite3.Connection, file_path: str, text: str) -> dict:
    """The document, its paragraph index and locations, as qc's register_document makes them;
    returns {line: location id}."""
    data = text.encode("utf-8")
    db.execute("INSERT INTO document (file_path, file_hash) VALUES (?, ?)", (file_path, hashlib.sha1(data).hexdigest()))
    index = db.execute(
        "INSERT INTO document_index (name, time_series, document_id) VALUES ('paragraphs', 0, ?)", (file_path,)
    ).lastrowid
    lines = data.decode("utf-8").splitlines(keepends=True)
    where = {}
    for start, end in paragraphs(lines):
        location = db.execute(
            "INSERT INTO location (start_line, end_line, document_index_id) VALUES (?, ?, ?)", (start, end, index)
        ).lastrowid
        where.update({line: location for line in range(start, end)})
    return where


def _add_coded_lines(db: sqlite3.Connection, coded: list[tuple], locations: dict[str, dict[int, int]]) -> None:
    for file_path, line, code, coder in coded:
        row = db.execute("INSERT INTO coded_line (line, coder_id, code_id) VALUES (?, ?, ?)", (line, coder, code))
        db.execute(
            "INSERT INTO coded_line_location_association (coded_line_id, location_id) VALUES (?, ?)",
            (row.lastrowid, locations[file_path][line]),
        )


def _codebook_yaml(project: Project) -> str:
    """The code tree in qc's codebook.yaml form: a leaf is its name, a parent {name: [children]}."""

    def node(code, depth: int) -> list[str]:
        children = project.codebook.children(code.id)
        pad = "  " * depth
        if not children:
            return [f"{pad}- {qc_name(project.codebook.path(code))}"]
        lines = [f"{pad}- {qc_name(project.codebook.path(code))}:"]
        for child in children:
            lines += node(child, depth + 1)
        return lines

    lines = [line for code in project.codebook.children(None) for line in node(code, 0)]
    return "\n".join(lines) + "\n"


def qc_commands(qc_dir: Path, qc: Path) -> dict[str, tuple[list[str], Path]]:
    return {
        "qc codes stats": ([str(qc), "codes", "stats"], qc_dir),
        "qc codes crosstab": ([str(qc), "codes", "crosstab"], qc_dir),
    }


# ---------------------------------------------------------------------- timing


def available(commands: dict[str, tuple[list[str], Path | None]]) -> tuple[dict, dict[str, str]]:
    """The commands that run (once, untimed, which also warms the file cache), and why the
    others do not; qc's crosstab, minutes long, is only asked for its help."""
    ok, missing = {}, {}
    for name, (args, cwd) in commands.items():
        probe = [*args, "--help"] if name == "qc codes crosstab" else args
        done = subprocess.run(probe, cwd=cwd, capture_output=True, text=True, env=COMMAND_ENV)
        if done.returncode == 0:
            ok[name] = (args, cwd)
        else:
            missing[name] = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:100]
    return ok, missing


def child_cpu() -> float:
    """User + system seconds of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def alternated(
    commands: dict[str, tuple[list[str], Path | None]],
    runs: int,
    limits: dict[str, int] | None = None,
    cpu: dict[str, float] | None = None,
) -> dict[str, float]:
    """Median wall time of each command, the commands taking turns within each round;
    a command in `limits` runs only in that many of the first rounds (qc's crosstab takes
    minutes). `cpu`, when given, receives each command's median CPU time (what a loaded
    machine distorts least)."""
    limits = limits or {}
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(runs):
        for name, (args, cwd) in commands.items():
            if round_number >= limits.get(name, runs):
                continue
            start, used = time.perf_counter(), child_cpu()
            subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=COMMAND_ENV)
            times[name].append(time.perf_counter() - start)
            cpus[name].append(child_cpu() - used)
    if cpu is not None:
        cpu.update({name: statistics.median(values) for name, values in cpus.items()})
    return {name: statistics.median(values) for name, values in times.items()}


def floor_command() -> dict[str, tuple[list[str], None]]:
    return {FLOOR: ([sys.executable, "-c", "import click"], None)}


def with_cwd(commands: dict[str, list[str]]) -> dict[str, tuple[list[str], None]]:
    return {name: (args, None) for name, args in commands.items()}


# ---------------------------------------------------------------------- the runs


def bench_main_size(workdir: Path, documents: int, codings: int, runs: int, qc: Path | None, qc_runs: int) -> dict:
    """Margin's commands, the read path and qc's at one size, all in the same rounds."""
    project = make_project(workdir / f"margin-{codings}", documents, codings)
    commands = {**floor_command(), **with_cwd(read_commands(project)), **with_cwd(margin_commands(project))}
    coded_lines = None
    if qc is not None:
        started = time.perf_counter()
        coded_lines = to_qc(project, workdir / f"qc-{codings}", qc)
        print(f"qc project written: {coded_lines} coded lines in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        commands.update(qc_commands(workdir / f"qc-{codings}", qc))
    commands, missing = available(commands)
    limits = {name: qc_runs for name in commands if name.startswith("qc ")}
    cpu: dict[str, float] = {}
    figures = alternated(commands, runs, limits, cpu)
    screen = bench_screen(project, runs)
    return {
        "figures": figures,
        "cpu": cpu,
        "screen": screen,
        "missing": missing,
        "coded_lines": coded_lines,
        "qc_runs": min(qc_runs, runs),
        "load": os.getloadavg(),
    }


def bench_scaling(workdir: Path, documents: int, sizes: list[int], runs: int) -> dict[int, dict[str, float]]:
    """The Margin commands at each size, each size with its own floor."""
    table = {}
    for size in sizes:
        project = make_project(workdir / f"scale-{size}", documents, size)
        commands = floor_command()
        commands.update(with_cwd({READ: read_commands(project)[READ]}))
        commands.update(with_cwd(margin_commands(project)))
        commands, _missing = available(commands)
        table[size] = alternated(commands, runs)
        shutil.rmtree(project, ignore_errors=True)
        print(f"scaling {size:,}: " + ", ".join(f"{n} {t * 1000:.0f} ms" for n, t in table[size].items()), file=sys.stderr)
    return table


SCREEN_VIEWS = ("frequencies", "cooccurrence", "matrix", "rounds")


def bench_screen(project_dir: Path, runs: int) -> dict[str, float]:
    """The analysis screen's work in process, CPU seconds, on the project open as the app
    holds it (a writer, every coding read, the heap frozen as the app freezes it): the
    live columns made for every document and each view built from them (what the app
    does at idle, in its builder thread, before the screen is opened), the same after an
    apply (one document's columns remade, then each view), then the keys themselves in
    the app (`screen_keys`). Medians of `runs`, each on fresh settings."""
    import gc

    from store.analysis import live
    from tui.screens.analysis import Settings, view_of

    found: dict[str, list[float]] = {}

    def timed(name: str, work) -> None:
        start = time.process_time()
        work()
        found.setdefault(name, []).append(time.process_time() - start)

    with Project.open(project_dir, coder="bench") as project:
        len(project.state.codings)  # the app's open reads every coding
        gc.collect()
        gc.freeze()
        document = project.documents.all()[0]
        code = project.codebook.all()[-1]
        for _ in range(runs):
            live._LIVE.pop(project, None)
            live.keep_live(project)
            timed("screen at idle: live columns, every document", lambda: live.live_columns(project))
            settings = Settings()
            for view in SCREEN_VIEWS:
                timed(f"screen at idle: {view}, built ahead", lambda view=view: view_of(project, settings, view))
            coding = project.codings.apply(document, code, document.turns[3].start, document.turns[3].start + 20)
            timed("screen at idle: after an apply, live columns", lambda: live.live_columns(project))
            for view in SCREEN_VIEWS:
                timed(f"screen at idle: after an apply, {view}", lambda view=view: view_of(project, settings, view))
            project.codings.uncode(coding)
        figures = {name: statistics.median(values) for name, values in found.items()}
        figures.update(screen_keys(project, runs))
    return figures


SCREEN_KEYS = ("percent_sign", "2", "3", "4", "1", "tab", "w", "n", "3", "n", "1", "s")


def screen_keys(project, runs: int, sizes=((80, 24), (200, 50))) -> dict[str, float]:
    """Key to frame in the app (Pilot): after the idle builds are in, the analysis key,
    then each view's key and some option keys, in CPU seconds of the UI thread (the
    builder's thread works after the frame, for the keys after) and wall seconds, beside
    the floor of an empty Textual app's key at the same size. Medians over `runs`."""
    import asyncio

    sys.path.insert(0, str(REPO / "tests" / "bench"))
    from bench_tui import _empty_app_key

    found: dict[str, list[float]] = {}
    for size in sizes:
        at = f"{size[0]}x{size[1]}"
        for _ in range(runs):
            for name, (cpu, wall) in asyncio.run(_screen_keys(project, size)).items():
                measure = "process CPU" if "until drawn" in name or "idle" in name else "UI thread CPU"
                found.setdefault(f"screen key {at}: {name} ({measure})", []).append(cpu)
                found.setdefault(f"screen key {at}: {name} (wall)", []).append(wall)
            floor = asyncio.run(_empty_app_key(size, 5))
            found.setdefault(f"screen key {at}: floor, an empty app's key (CPU)", []).append(
                statistics.median(c for c, _ in floor) / 1000)
            found.setdefault(f"screen key {at}: floor, an empty app's key (wall)", []).append(
                statistics.median(w for _, w in floor) / 1000)  # Pilot's own waiting: the keys' wall is read above it
    return {name: statistics.median(values) for name, values in found.items()}


async def _screen_keys(project, size) -> dict[str, tuple[float, float]]:
    import asyncio
    import os

    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    from tui.app import MarginApp
    from tui.screens import analysis_build
    from tui.screens.analysis import Analysis, ahead, view_key

    build_ahead = Analysis._build_ahead

    app = MarginApp(project)
    found = {}
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        analysis_build.warm_views(app)  # what the app's first idle moment does (for any size of project here)
        builder, settings = analysis_build.builder_of(app, project), app.analysis_settings
        while builder.busy or not all(view_key(project, s, s.view) in s.cache for s in ahead(project, settings)):
            await asyncio.sleep(0.1)
        for n, key in enumerate(SCREEN_KEYS):
            await pilot.pause()
            if isinstance(app.screen, Analysis):
                app.screen._build_ahead()  # what the screen starts after the last key's frame
            while builder.busy:
                await asyncio.sleep(0.05)
            Analysis._build_ahead = lambda self: None  # not within the timed key: pause would wait for it
            try:
                cpu, wall = time.thread_time(), time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                found[f"{n + 1:>2} {key}"] = (time.thread_time() - cpu, time.perf_counter() - wall)
            finally:
                Analysis._build_ahead = build_ahead
            assert app.screen._view is not None, key  # drawn, not "Counting…"
        await pilot.press("escape")
        await pilot.pause()
        found.update(await _keys_after_an_apply(app, pilot, project))
    app.analysis_settings = None
    return found


AFTER_APPLY_KEYS = ("percent_sign", "2", "3", "4", "1")


async def _keys_after_an_apply(app, pilot, project) -> dict[str, tuple[float, float]]:
    """An apply in the reader, then: `%` at once (before any idle moment: its view is
    built when asked, in the builder's thread; wall until drawn), the rebuild of every
    view at the next idle moment (process CPU, both threads), and each view's key."""
    import asyncio

    from tui.screens import analysis_build
    from tui.screens.analysis import Analysis

    found = {}
    document, code = project.documents.all()[1], project.codebook.all()[-1]
    turn = document.turns[5]
    coding = project.codings.apply(document, code, turn.start, turn.start + 20)  # what `.` in the reader does
    try:
        await pilot.pause()
        builder = analysis_build.builder_of(app, project)
        drawn: list[tuple[float, float]] = []
        draw = Analysis._draw

        def timed_draw(self, view):  # the first frame with the view: the builds ahead start after it
            draw(self, view)
            if not drawn:
                self.call_after_refresh(lambda: drawn or drawn.append((time.process_time(), time.perf_counter())))

        Analysis._draw = timed_draw
        try:
            cpu, wall = time.process_time(), time.perf_counter()
            await pilot.press("percent_sign")  # returns when the app is quiet: after the builds ahead too
            while not drawn:
                await asyncio.sleep(0.005)
        finally:
            Analysis._draw = draw
        found["after an apply: % before the idle rebuild, until drawn"] = (drawn[0][0] - cpu, drawn[0][1] - wall)
        while builder.busy:  # the views built ahead after that frame
            await asyncio.sleep(0.05)
        await pilot.press("escape")
        await pilot.pause()
        project.codings.uncode(coding)
        coding = project.codings.apply(document, code, turn.start, turn.start + 20)
        await pilot.pause()
        cpu, wall = time.process_time(), time.perf_counter()
        analysis_build.warm_views(app)  # the next idle moment
        while builder.busy:
            await asyncio.sleep(0.005)
        found["after an apply: every view rebuilt at idle"] = (time.process_time() - cpu, time.perf_counter() - wall)
        for key in AFTER_APPLY_KEYS:
            await pilot.pause()
            if isinstance(app.screen, Analysis):
                app.screen._build_ahead()
            while builder.busy:
                await asyncio.sleep(0.05)
            build_ahead, Analysis._build_ahead = Analysis._build_ahead, lambda self: None
            try:
                cpu, wall = time.thread_time(), time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                found[f"after an apply: {key}"] = (time.thread_time() - cpu, time.perf_counter() - wall)
            finally:
                Analysis._build_ahead = build_ahead
            assert app.screen._view is not None, key  # drawn, not "Counting…"
        await pilot.press("escape")
        await pilot.pause()
    finally:
        project.codings.uncode(coding)
    return found


def report(main: dict, scaling: dict[int, dict[str, float]], codings: int) -> list[str]:
    figures = main["figures"]
    floor = figures[FLOOR]
    lines = [f"{'at ' + format(codings, ',') + ' codings':<48} {'median':>9} {'x floor':>8} {'target':>8}"]
    for name, seconds in figures.items():
        target = f"< {TARGET_RATIO:.1f}x" if name.startswith("margin stats") or name.startswith("margin find") else ""
        mark = " over" if target and seconds / floor >= TARGET_RATIO else ""
        lines.append(f"{name:<48} {seconds * 1000:7.0f} ms {seconds / floor:7.1f}x {target:>8}{mark}")
    screen = main.get("screen", {})
    for name, seconds in screen.items():
        target = "< 0.1 s" if name.startswith("screen key") and "floor" not in name and "idle" not in name else ""
        floor_wall = screen.get(name.split(":")[0] + ": floor, an empty app's key (wall)")
        above, note = seconds, ""
        if target and name.endswith("(wall)") and "until drawn" not in name and floor_wall is not None:
            above = seconds - floor_wall  # a key's wall through Pilot, less the empty app's key through Pilot
            note = f"  ({above * 1000:.1f} ms above the floor's wall)"
        over = " over" if target and above >= 0.1 else ""
        lines.append(f"{name:<60} {seconds * 1000:7.1f} ms {'':>8} {target:>8}{over}{note}")
    for name, why in main["missing"].items():
        lines.append(f"{name:<48} not run: {why}")
    pairs = (("margin stats codes", "qc codes stats"), ("margin stats cooccur --within turn", "qc codes crosstab"))
    cpu = main.get("cpu", {})
    for ours, theirs in pairs:
        if ours in figures and theirs in figures:
            by_cpu = f", CPU {cpu[theirs]:.2f} s / {cpu[ours]:.2f} s = {cpu[theirs] / cpu[ours]:.1f}x" if cpu else ""
            lines.append(f"{theirs} / {ours}: wall {figures[theirs] / figures[ours]:.1f}x faster{by_cpu}")
    if "load" in main:
        lines.append("(load average at the end of these rounds: " + ", ".join(f"{n:.1f}" for n in main["load"]) + ")")
    if main["coded_lines"] is not None:
        lines.append(f"(the qc project holds {main['coded_lines']:,} coded lines; qc timed in {main['qc_runs']} of the rounds)")
    if scaling:
        names = [n for n in next(iter(scaling.values())) if n != FLOOR]
        short = {n: n.replace("margin ", "").split(":")[0].split(" (")[0].split(" --")[0] for n in names}
        lines.append("")
        lines.append("scaling (ms; the floor of each size's rounds in brackets; read = read-only open, every coding)")
        lines.append(f"{'codings':>9}  " + "  ".join(f"{short[n]:>13}" for n in names))
        for size, row in scaling.items():
            cells = "  ".join(f"{row[n] * 1000:>13.0f}" if n in row else f"{'-':>13}" for n in names)
            lines.append(f"{size:>9,}  {cells}  [{row[FLOOR] * 1000:.0f}]")
    return lines


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--codings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scaling", default="10000,50000,100000,200000", help="Sizes, comma-separated; 'none' to skip.")
    parser.add_argument("--scaling-runs", type=int, default=3)
    parser.add_argument("--qc", type=Path, default=REPO / ".venv-qc" / "bin" / "qc", help="qc from its own venv.")
    parser.add_argument("--no-qc", action="store_true")
    parser.add_argument("--qc-runs", type=int, default=1, help="Rounds that run qc (its crosstab takes minutes).")
    parser.add_argument("--quick", action="store_true", help="20 documents, 2,000 codings, 1 run, no scaling.")
    args = parser.parse_args(argv)
    if args.quick:
        args.documents, args.codings, args.runs, args.scaling = 20, 2000, 1, "none"
    qc = None if args.no_qc or not args.qc.exists() else args.qc
    if qc is None and not args.no_qc:
        print(f"qc not found at {args.qc}: its figures are skipped", file=sys.stderr)
    sizes = [] if args.scaling == "none" else [int(s) for s in args.scaling.split(",")]
    compile_modules()  # the bytecode an installed Margin has (this machine's helpers set PYTHONDONTWRITEBYTECODE)
    workdir = Path(tempfile.mkdtemp(prefix="margin-bench-analysis-"))
    try:
        main_figures = bench_main_size(workdir, args.documents, args.codings, args.runs, qc, args.qc_runs)
        print("\n".join(report(main_figures, {}, args.codings)), file=sys.stderr)  # progress, as scaling takes minutes
        scaling = bench_scaling(workdir, args.documents, sizes, args.scaling_runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(report(main_figures, scaling, args.codings)))
    return {**main_figures, "scaling": scaling}


if __name__ == "__main__":
    main()
