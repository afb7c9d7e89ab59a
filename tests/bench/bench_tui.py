"""App benchmarks; prints figures. Run: python tests/bench/bench_tui.py

1. command to first usable frame for the demo (a fresh interpreter, headless);
2. key to frame on a 4,000-turn document, above an empty app's floor measured the same way;
3. laying out the 4,000-turn document (wrapping every turn);
4. the code picker's ranking over 5,000 codes, per keystroke.

At scale (issue 11): `python tests/bench/bench_tui.py --scale [--codings 200000] [--workdir DIR]`
builds (once, kept in DIR) 5,000 codes and 200,000 codings over 200 interviews, then in fresh
interpreters at 80x24 and 200x50 prints, each beside its floor and target: first frame (wall
and CPU; the floor an empty Textual app started the same way), reader keys, the picker's
opening and keystrokes, applying, undoing, a codebook change, 250 actions in a row (the 200th
beside the others, and how many checkpoints ran on a key) and the app's memory.

Memory at scale: `python tests/bench/bench_tui.py --memory --workdir DIR [--runs 3]`: the app's
RSS at its first frame, with every coding read and with the analysis screen's views built,
beside an empty Textual app's, each in a fresh interpreter.

The codes pane's dialogs as typed: `python tests/bench/bench_tui.py --dialogs --workdir DIR
[--tree OLD_TREE] [--presses 15]`: `r`, a letter, Enter (a rename shown), `C` and Enter (a
colour), `d` and `n` (the delete confirmation), CPU ms above an empty app's key, at 80x24 and
200x50, on a copy of DIR's scale-5000-200000 (each tree its own copy).

Old against new, in one run: `python tests/bench/bench_tui.py --compare OLD_TREE [--rounds 3]
[--presses 10] [--workdir DIR]` (OLD_TREE: `git worktree add /work/wt-old 55d90aa --detach`).
Each tree builds its own demo, 4,000-turn and 5,000-code projects (kept in DIR between runs;
the 5,000-code one takes minutes), then every figure runs in fresh interpreters, the trees
alternating round by round: first frame, and per key the CPU and wall time of the press and
its frame for j, w, J, c (the picker opening) and Enter applying a code, beside the floors of
an empty app's key and of opening a dimmed modal. Medians of every press of every round.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["TEXTUAL_ANIMATIONS"] = "none"
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

WORDS = ("the ward team said peer support workers were trusted because they had been there "
         "and patients talked about hope recovery boundaries supervision pay banding contracts").split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def big_project(directory: Path, turns: int = 4000):
    from store.importers.document import ParsedDocument, ParsedTurn
    from store.project import Project

    rng = random.Random(4000)
    parts, spans, offset = [], [], 0
    for i in range(turns):
        speaker = ("Counsel", "Witness", "Chair")[i % 3]
        words = " ".join(sentence(rng, rng.randint(6, 20)) for _ in range(rng.randint(1, 5)))
        label = f"{speaker}: "
        spans.append(ParsedTurn(speaker, offset + len(label), offset + len(label) + len(words)))
        parts.append(label + words + "\n\n")
        offset += len(label) + len(words) + 2
    project = Project.init(directory, name="bench", coder="bench")
    document = project.documents.import_parsed(ParsedDocument("".join(parts), tuple(spans), "txt"), "Hearing day").document
    code = project.codebook.add("Evidence")
    project.codings.apply_many(document, code, [(t.start, min(t.end, t.start + 40)) for t in spans[::7]])
    return project


def first_frame(project_dir: Path, runs: int = 5) -> float:
    """Median seconds from starting a fresh interpreter to the app's first usable frame."""
    script = (
        "import time, asyncio\n"
        "from store.project import Project\n"
        "from tui.app import MarginApp\n"
        "async def main():\n"
        "    p = Project.open({dir!r})\n"
        "    app = MarginApp(p)\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        "        print('ready', flush=True)\n"
        "    p.close()\n"
        "asyncio.run(main())\n"
    )
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", script.format(dir=str(project_dir))],
                                   stdout=subprocess.PIPE, text=True, cwd=REPO)
        process.stdout.readline()
        times.append(time.perf_counter() - start)
        process.wait()
    return statistics.median(times)


def bench_first_frame() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        from store.demo import build_demo

        build_demo(Path(tmp) / "demo", REPO / "tui" / "demo")
        return first_frame(Path(tmp) / "demo")


def bench_first_frame_covid(codings: int = 50_000) -> float | None:
    """The 65 Covid Inquiry hearing days with `codings` codings spread over them."""
    corpus = REPO.parent / "shared" / "corpus" / "uk-covid-inquiry-large"
    if not corpus.exists():
        return None
    from store.importers import parse_file
    from store.project import Project

    rng = random.Random(65)
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.init(Path(tmp) / "covid", coder="bench")
        codes = [project.codebook.ensure(f"Theme {t} > Code {c}") for t in range(8) for c in range(8)]
        with project.operation("import and code"):
            documents = [project.documents.import_parsed(parse_file(f), f.stem).document
                         for f in sorted(corpus.rglob("*.rst"))]
            turns = [(d, t) for d in documents for t in d.turns if t.end - t.start > 2]
            for document, turn in rng.sample(turns, min(codings, len(turns))):
                project.codings.apply(document, rng.choice(codes), turn.start, turn.end)
            for _ in range(codings - len(turns)):
                document, turn = rng.choice(turns)
                project.codings.apply(document, rng.choice(codes), turn.start, turn.start + 1 + rng.randrange(turn.end - turn.start - 1))
        project.close()
        return first_frame(Path(tmp) / "covid", runs=3)


async def press_times(app, keys: list[str], size=(80, 24)) -> tuple[float, float]:
    """CPU ms and wall ms per key press, the press and the frame it causes.

    Wall time under Pilot is quantised by its idle detection (20 ms windows), so the CPU
    time the process spends per key is the figure that shows the app's own cost.
    """
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        cpu, wall = time.process_time(), time.perf_counter()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        return (time.process_time() - cpu) * 1000 / len(keys), (time.perf_counter() - wall) * 1000 / len(keys)


def bench_keys() -> dict[str, float]:
    from textual.app import App
    from textual.widgets import Static

    from tui.app import MarginApp

    class Empty(App):
        def compose(self):
            yield Static("empty", id="x")

    figures = {"floor": asyncio.run(press_times(Empty(), ["j"] * 60))}
    with tempfile.TemporaryDirectory() as tmp:
        from store.demo import build_demo
        from store.project import Project

        with Project.open(build_demo(Path(tmp) / "demo", REPO / "tui" / "demo")) as demo:
            figures["j on the demo (36 turns)"] = asyncio.run(press_times(MarginApp(demo), ["j"] * 60))
    with tempfile.TemporaryDirectory() as tmp:
        project = big_project(Path(tmp) / "big")
        for name, keys in {"4,000 turns: j (line)": ["j"] * 60, "J (turn)": ["J"] * 60, "w (word)": ["w"] * 60,
                           "pagedown": ["pagedown"] * 60, "G then K": ["G"] + ["K"] * 59,
                           "v + motions": ["v"] + ["J"] * 59}.items():
            figures[name] = asyncio.run(press_times(MarginApp(project), keys))
        document = project.documents.all()[0]
        from tui.widgets.layout import Layout

        text = project.text(document.id)
        start = time.perf_counter()
        rows = Layout(document, text, 60)
        figures["layout"] = ((time.perf_counter() - start) * 1000, len(rows))
        project.close()
    return figures


def bench_picker() -> dict[str, float]:
    from store.code_search import CodeIndex
    from store.model import Code

    rng = random.Random(5000)
    codes, paths = [], []
    for i in range(5000):
        name = " ".join(rng.sample(WORDS, 2)) + f" {i}"
        codes.append(Code(str(i), name, None, "#4363d8", " ".join(rng.sample(WORDS, 10))))
        paths.append(f"{rng.choice(WORDS).title()} > {name}")
    index = CodeIndex(codes, paths, {str(i): i % 17 for i in range(5000)})
    figures = {}
    for query in ("t", "tr", "zq", "tru", "trus", "trust", "trust bo", "supervison"):  # zq: two letters, no hit
        samples = []
        for _ in range(20):
            start = time.perf_counter()
            index.rank(query, recent=[str(i) for i in range(9)])
            samples.append((time.perf_counter() - start) * 1000)
        figures[query] = statistics.median(samples)
    return figures


# ---------------------------------------------------------------------------- old against new
# `--compare OLD_TREE` runs every figure below in fresh interpreters, alternating this tree
# and OLD_TREE (a worktree of an older commit), so both meet the same load. A worker imports
# Margin from the tree it is given; it uses only the store API both trees share.

KEYS = {"j": ["j"], "w": ["w"], "J": ["J"]}


def large_codebook(directory: Path, codes: int = 5000, codings: int = 50_000, documents: int = 200):
    """`codes` codes (50 themes of codes/50) and `codings` codings over `documents` interviews
    of 80 turns, built through the store API (bench_store's transcripts)."""
    from bench_store import transcript
    from store.importers import parse_text
    from store.project import Project

    rng = random.Random(5000)
    project = Project.init(directory, name="bench", coder="bench")
    with project.operation("codebook"):
        made = [project.codebook.ensure(f"Theme {t} {rng.choice(WORDS)} > {' '.join(rng.sample(WORDS, 2))} {t * 100 + c}")
                for t in range(50) for c in range(codes // 50)]
    for d in range(documents):
        document = project.documents.import_parsed(parse_text(transcript(rng, 80), "txt"), f"P{d + 1:03d}").document
        with project.operation(f"codings for {document.name}"):
            for _ in range(codings // documents):
                turn = rng.choice(document.turns)
                begin = rng.randint(turn.start, turn.end - 2)
                project.codings.apply(document, rng.choice(made), begin, rng.randint(begin + 1, turn.end))
    project.close()


async def _timed_presses(pilot, keys: list[str], untimed: list[str] = ()) -> list[tuple[float, float]]:
    """(cpu ms, wall ms) of each key in `keys`, each followed by a frame; `untimed` keys are
    pressed before each timed one (to set it up) and not counted."""
    samples = []
    for key in keys:
        for other in untimed:
            await pilot.press(other)
        await pilot.pause()
        cpu, wall = time.process_time(), time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        samples.append(((time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000))
    return samples


async def _worker_keys(project_dir: str, size: tuple[int, int], presses: int, picker: bool) -> dict:
    from textual.app import App
    from textual.screen import ModalScreen
    from textual.widgets import Input, OptionList, Static

    from store.project import Project
    from tui.app import MarginApp

    class Modal(ModalScreen):
        """The floor of opening a picker: a dimmed modal with a field and nine options."""

        DEFAULT_CSS = "Modal { align: center middle; background: $background 60%; } OptionList { height: auto; }"
        BINDINGS = [("escape", "dismiss")]

        def compose(self):
            yield Input()
            yield OptionList(*(f"{n} option" for n in range(1, 10)))

    class Empty(App):
        BINDINGS = [("c", "modal")]

        def compose(self):
            yield Static("empty\n" * 60, id="x")

        def action_modal(self):
            self.push_screen(Modal())

    figures = {}
    async with Empty().run_test(size=size) as pilot:
        await pilot.pause()
        figures["floor"] = await _timed_presses(pilot, ["j"] * presses)
        if picker:
            figures["floor: open a modal"] = await _timed_presses(pilot, ["c"] * presses, untimed=["escape"])
    with Project.open(Path(project_dir)) as project:
        app = MarginApp(project)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for name, keys in KEYS.items():
                figures[name] = await _timed_presses(pilot, keys * presses)
            if picker:
                figures["c (picker open)"] = await _timed_presses(pilot, ["c"] * presses, untimed=["escape"])
                await pilot.press("escape")
                name = project.codebook.all()[-1].name
                typed = [_key_of(ch) for ch in name]
                samples, before = [], len(project.state.codings)
                for _ in range(presses):
                    await pilot.press("J", "c", *typed)
                    samples += await _timed_presses(pilot, ["enter"])
                figures["code applied (enter)"] = samples
                figures["codings made"] = [(float(len(project.state.codings) - before), float(presses))]
    return figures


def _key_of(character: str) -> str:
    from textual.keys import _character_to_key

    return _character_to_key(character)


def _worker(argv: list[str]) -> None:
    """python bench_tui.py --worker TREE KIND ARGS...: prints one JSON line of figures."""
    import json

    tree, kind, *args = argv
    sys.path.insert(0, tree)
    if kind == "keys":
        project_dir, width, height, presses, picker = args
        figures = asyncio.run(_worker_keys(project_dir, (int(width), int(height)), int(presses), picker == "1"))
    elif kind == "scale":
        project_dir, width, height, presses = args
        figures = asyncio.run(_worker_scale(project_dir, (int(width), int(height)), int(presses)))
    elif kind == "memory":
        project_dir, width, height = args
        figures = asyncio.run(_worker_memory(project_dir, (int(width), int(height))))
    elif kind == "dialogs":
        project_dir, width, height, presses = args
        figures = asyncio.run(_worker_dialogs(project_dir, (int(width), int(height)), int(presses)))
    elif kind == "picker":
        project_dir, width, height, presses = args
        figures = asyncio.run(_worker_picker(project_dir, (int(width), int(height)), int(presses)))
    elif kind == "build":
        which, directory = args
        if which == "demo":
            from store.demo import build_demo

            build_demo(Path(directory), Path(tree) / "tui" / "demo")
        elif which == "big":
            big_project(Path(directory)).close()
        elif which.startswith("codes5000:"):
            large_codebook(Path(directory), codings=int(which.split(":")[1]))
        else:
            large_codebook(Path(directory))
        figures = {}
    print(json.dumps(figures), flush=True)


def _run_worker(tree: Path, *args: str) -> dict:
    import json

    state = tempfile.mkdtemp(prefix="margin-bench-state-")  # every run opens at the first turn
    env = {**os.environ, "PYTHONPATH": f"{tree}:{REPO / 'tests' / 'bench'}", "MARGIN_STATE_DIR": state}
    done = subprocess.run([sys.executable, __file__, "--worker", str(tree), *args], env=env, cwd=tree,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"worker {args} on {tree} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _first_frame_of(tree: Path, project_dir: Path, size=(80, 24)) -> float:
    """Wall ms from starting a fresh interpreter to the end of the app's first pilot.pause()."""
    script = (
        "import asyncio\n"
        "from store.project import Project\n"
        "from tui.app import MarginApp\n"
        "async def main():\n"
        f"    p = Project.open({str(project_dir)!r})\n"
        "    app = MarginApp(p)\n"
        f"    async with app.run_test(size={size!r}) as pilot:\n"
        "        await pilot.pause()\n"
        "        print('ready', flush=True)\n"
        "    p.close()\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tree, env=env)
    process.stdout.readline()
    took = (time.perf_counter() - start) * 1000
    process.wait()
    return took


def compare(old: Path, rounds: int, presses: int, workdir: Path) -> dict:
    """Every figure for this tree ("new") and `old`, alternated round by round."""
    trees = {"new": REPO, "old": old}
    projects = {}
    for tag, tree in trees.items():
        for which in ("demo", "big", "codes5000"):
            directory = workdir / f"{tag}-{which}"
            if not directory.exists():
                _run_worker(tree, "build", which, str(directory))
            projects[tag, which] = directory
    results: dict = {}

    def add(tag: str, name: str, samples) -> None:
        results.setdefault((tag, name), []).extend(samples)

    for round_ in range(rounds):
        order = ("new", "old") if round_ % 2 == 0 else ("old", "new")
        for tag in order:
            tree = trees[tag]
            add(tag, "first frame, demo 80x24", [(None, _first_frame_of(tree, projects[tag, "demo"]))])
            add(tag, "first frame, 5,000 codes 80x24", [(None, _first_frame_of(tree, projects[tag, "codes5000"]))])
            for label, which, size, picker in (("demo 80x24", "demo", (80, 24), True),
                                                ("4,000 turns 80x24", "big", (80, 24), False),
                                                ("5,000 codes 80x24", "codes5000", (80, 24), True),
                                                ("5,000 codes 200x50", "codes5000", (200, 50), True)):
                figures = _run_worker(tree, "keys", str(projects[tag, which]), str(size[0]), str(size[1]),
                                      str(presses), "1" if picker else "0")
                for name, samples in figures.items():
                    if name == "codings made":  # a press that coded nothing new would time less
                        print(f"{tag} {label}: {samples[0][0]:.0f} of {samples[0][1]:.0f} Enters made a coding", flush=True)
                    else:
                        add(tag, f"{label}: {name}", samples)
    return results


def print_comparison(results: dict, load: tuple[float, float, float]) -> None:
    def median(tag, name, which):
        values = [s[which] for s in results.get((tag, name), []) if s[which] is not None]
        return statistics.median(values) if values else float("nan")

    names = list(dict.fromkeys(name for _, name in results))
    print(f"load average before/after: {load[0]:.2f} / {os.getloadavg()[0]:.2f}")
    print(f"{'figure (median ms)':44} {'old cpu':>8} {'new cpu':>8} {'old wall':>9} {'new wall':>9}")
    for name in names:
        row = [median(tag, name, i) for i, tag in ((0, "old"), (0, "new"), (1, "old"), (1, "new"))]
        print(f"{name:44} " + " ".join(f"{v:8.1f}" if v == v else "       -" for v in row))


# ---------------------------------------------------------------------------- at scale (issue 11)

def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _empty_app_key(size: tuple[int, int], presses: int, widgets: int = 1) -> list[tuple[float, float]]:
    """The floor of the app's keys: a key in an empty Textual app (one Static, or `widgets`
    of them: Pilot's wait after each key sends a callback to every widget), same size."""
    from textual.app import App
    from textual.widgets import Static

    class Empty(App):
        def compose(self):
            yield Static("empty\n" * 60, id="x")
            for _ in range(widgets - 1):
                yield Static("")

    async with Empty().run_test(size=size) as pilot:
        await pilot.pause()
        return await _timed_presses(pilot, ["j"] * presses)


async def _worker_scale(project_dir: str, size: tuple[int, int], presses: int) -> dict:
    """CPU ms per press (press and frame) of every app figure at scale, with its floors."""
    import store.project
    from store.project import Project
    from tui.app import MarginApp

    figures: dict = {"floor: an empty app's key": await _empty_app_key(size, presses)}
    before = _rss_mb()
    checkpoints = []
    original = Project.checkpoint
    Project.checkpoint = lambda self: (checkpoints.append(1), original(self))[1]
    with Project.open(Path(project_dir)) as project:
        opened = _rss_mb()
        app = MarginApp(project)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            figures["memory MB: before open / open / first frame"] = [(before, opened, _rss_mb())]
            for name, keys in {"j": ["j"], "J": ["J"], "w": ["w"]}.items():
                figures[name] = await _timed_presses(pilot, keys * presses)
            await pilot.press("g", "g")
            figures["pagedown"], figures["pagedowns that scrolled"] = await _scrolling_presses(pilot, app, "pagedown",
                                                                                              presses)
            await pilot.press("G")
            figures["K (after G)"] = await _timed_presses(pilot, ["K"] * presses)
            figures["picker opens (c)"] = await _timed_presses(pilot, ["c"] * presses, untimed=["escape"])
            for query in ("tr", "ho", "ca"):
                figures[f"picker key: {query}"] = await _timed_presses(pilot, [query[1]] * presses,
                                                                       untimed=["escape", "c", query[0]])
            await pilot.press("escape", "g", "g")
            app.last_code = project.codebook.all()[-1].id
            made = len(project.state.codings_of(app.document.id))  # not state.codings: that reads every file
            figures["apply (.)"] = await _timed_presses(pilot, ["."] * presses, untimed=["J"])
            figures["applies that coded"] = [(float(len(project.state.codings_of(app.document.id)) - made), float(presses))]
            figures["undo (u)"] = await _timed_presses(pilot, ["u"] * presses)
            await pilot.press("g", "g", "J")
            code, samples = project.codebook.all()[10], []
            for i in range(presses):
                await pilot.pause()
                cpu = time.process_time()
                project.codebook.color(code, f"#12{i % 10}4{i % 7}6")
                app.project_changed()
                await pilot.pause()
                samples.append(((time.process_time() - cpu) * 1000, 0.0))
            figures["codebook change (a colour)"] = samples
            samples = []
            for i in range(presses):
                await pilot.pause()
                cpu = time.process_time()
                project.codebook.rename(code, f"Renamed {os.getpid()} {i}")
                app.project_changed()
                await pilot.pause()
                samples.append(((time.process_time() - cpu) * 1000, 0.0))
                code = project.state.codes[code.id]
            figures["codebook change (a rename)"] = samples  # the code moves below the codes pane's lines
            figures["codebook change (a rename in view)"] = await _renames_in_view(app, pilot, presses)
            checkpoints.clear()
            figures["250 actions in a row (. then u)"] = await _timed_presses(pilot, [".", "u"] * 125)
            figures["checkpoints written on a key, of 250 actions"] = [(float(len(checkpoints)), 250.0)]
            figures["memory MB: after every figure"] = [(_rss_mb(), 0.0, 0.0)]
            widgets = len(app.screen.query("*")) + 1
            len(project.state.codings)  # what a whole-project view (analysis, retrieval) reads
            figures["memory MB: every coding read too"] = [(_rss_mb(), 0.0, 0.0)]
    figures[f"floor: an empty app of {widgets} widgets' key"] = await _empty_app_key(size, presses, widgets)
    return figures


async def _scrolling_presses(pilot, app, key: str, presses: int) -> tuple[list, list]:
    """Up to `presses` timed presses of `key`, from where the reader is, counting only those
    that scrolled it (at 200x50 nine of fifteen page downs after `j`, `J` and `w` were at the
    document's end, moved nothing and halved the figure), and (scrolled, pressed)."""
    samples, pressed, reader = [], 0, app.reader
    while len(samples) < presses and pressed < 2 * presses:
        top, cursor = reader.scroll_offset.y, reader.cursor
        sample = await _timed_presses(pilot, [key])
        pressed += 1
        if reader.cursor == cursor:
            break  # the document's end: the rest would move nothing
        if reader.scroll_offset.y != top:
            samples += sample
    return samples, [(float(len(samples)), float(pressed))]


async def _renames_in_view(app, pilot, presses: int) -> list[tuple[float, float]]:
    """CPU ms of renaming the codes pane's highlighted code (on screen, where the panes
    show) so that it keeps its place: its line repaints, with the reader's rows naming it."""
    from tui.widgets.codes_pane import CodesPane

    project, samples = app.project, []
    code = app.query_one(CodesPane).code
    name = code.name
    for i in range(presses):
        await pilot.pause()
        cpu = time.process_time()
        project.codebook.rename(code, f"{name} {'ab'[i % 2]}")
        app.project_changed()
        await pilot.pause()
        samples.append(((time.process_time() - cpu) * 1000, 0.0))
        code = project.state.codes[code.id]
    return samples


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _worker_memory(project_dir: str, size: tuple[int, int]) -> dict:
    """The app's RSS in MB at scale, on each path that reads more (issue 11, < 300 MB):
    its first frame, after every coding is read (retrieval over everything), and with the
    analysis screen open and its views built; with None a floor, an empty Textual app at
    its first frame. Also the peak (VmHWM). (tracemalloc is not used: tracing 2.5 million
    allocations adds more RSS than the codings take; tests/test_coding_memory.py counts bytes.)"""
    import gc

    from textual.app import App
    from textual.widgets import Static

    if project_dir == "-":
        class Empty(App):
            def compose(self):
                yield Static("empty")

        async with Empty().run_test(size=size) as pilot:
            await pilot.pause()
            return {"floor: an empty Textual app, first frame": _status_mb("VmRSS")}
    from store.project import Project
    from tui.app import MarginApp
    from store.analysis.live import remade

    figures = {"before open": _status_mb("VmRSS")}
    with Project.open(Path(project_dir)) as project:
        app = MarginApp(project)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            figures["first frame"] = _status_mb("VmRSS")
            len(project.state.codings)  # what retrieval over everything reads
            gc.collect()
            figures["every coding read"] = _status_mb("VmRSS")
            await pilot.press("percent_sign")
            start = time.monotonic()
            while remade(project) < len(project.state.documents) and time.monotonic() - start < 300:
                await pilot.pause(0.2)  # until every document's live columns are made (what the views hold)
            await pilot.pause(1.0)
            gc.collect()
            figures["the analysis screen open, its columns made"] = _status_mb("VmRSS")
            figures["peak (VmHWM)"] = _status_mb("VmHWM")
    return figures


def memory(runs: int, workdir: Path) -> None:
    """`--memory`: the app's RSS at 5,000 codes and 200,000 codings beside an empty app's,
    each in a fresh interpreter, `runs` rounds alternated, medians."""
    directory = workdir / "scale-5000-200000"
    if not directory.exists():
        print(f"building {directory} (5,000 codes, 200,000 codings; minutes)...", flush=True)
        _run_worker(REPO, "build", "codes5000:200000", str(directory))
    for size in ((80, 24), (200, 50)):
        samples: dict = {}
        loads = []
        for _ in range(runs):
            loads.append(os.getloadavg()[0])
            for which in ("-", str(directory)):
                for name, value in _run_worker(REPO, "memory", which, str(size[0]), str(size[1])).items():
                    samples.setdefault(name, []).append(value)
        floor = statistics.median(samples.pop("floor: an empty Textual app, first frame"))
        print(f"memory at {size[0]}x{size[1]}, MB, medians of {runs}; floor (an empty Textual app's RSS) {floor:.0f} MB; "
              f"load {min(loads):.1f}-{max(loads):.1f}")
        for name, values in samples.items():
            median = statistics.median(values)
            said = "" if name == "before open" else f"  (+{median - floor:.0f} above the floor; target < 300)"
            print(f"  {name:50} {median:6.0f}{said}")


PICKER_QUERIES = ("tr", "ho", "ca", "trus", "wrd", "theme 1 >")  # the last letter is timed; wrd is fuzzy only


async def _worker_picker(project_dir: str, size: tuple[int, int], presses: int) -> dict:
    """The picker's figures alone (CPU ms per press and frame): its opening, the last letter
    of each of PICKER_QUERIES, backspace; beside an empty app's key in the same worker."""
    from store.project import Project
    from tui.app import MarginApp

    figures: dict = {"floor: an empty app's key": await _empty_app_key(size, presses)}
    with Project.open(Path(project_dir)) as project:
        app = MarginApp(project)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("J", "c", "escape")  # the first opening builds the index
            figures["picker opens (c)"] = await _timed_presses(pilot, ["c"] * presses, untimed=["escape"])
            for query in PICKER_QUERIES:
                typed = [_key_of(ch) for ch in query]
                figures[f"picker key: {query}"] = await _timed_presses(pilot, typed[-1:] * presses,
                                                                       untimed=["escape", "c", *typed[:-1]])
            figures["picker key: backspace"] = await _timed_presses(pilot, ["backspace", "s"] * presses)
    return figures


def picker(trees: list[Path], presses: int, workdir: Path) -> None:
    """`--picker`: the picker's figures at 80x24 and 200x50 for each tree, alternated."""
    directory = workdir / "scale-5000-200000"
    if not directory.exists():
        print(f"building {directory} (5,000 codes, 200,000 codings; minutes)...", flush=True)
        _run_worker(REPO, "build", "codes5000:200000", str(directory))
    for size in ((80, 24), (200, 50)):
        for tree in trees:
            load = os.getloadavg()[0]
            figures = _run_worker(tree, "picker", str(directory), str(size[0]), str(size[1]), str(presses))
            floor = statistics.median(s[0] for s in figures.pop("floor: an empty app's key"))
            print(f"{tree} at {size[0]}x{size[1]}: floor {floor:.1f} ms CPU, load {load:.1f}, medians of {presses}")
            for name, samples in figures.items():
                cpu = sorted(s[0] for s in samples)
                median = statistics.median(cpu)
                target = 20 if name.endswith("(c)") else 10
                print(f"  {name:26} median {median:6.1f}  p90 {cpu[int(len(cpu) * 0.9)]:6.1f}  "
                      f"+{median - floor:5.1f} above the floor (target < {target})")


async def _empty_app_dialog(size: tuple[int, int], presses: int) -> dict:
    """What Textual's own pushed, dimmed modal costs in an empty app (a title, an Input and a
    help line, like `Prompt`): opening (`c`) and closing (escape), CPU ms per key and frame."""
    from textual.app import App
    from textual.containers import Vertical
    from textual.screen import ModalScreen
    from textual.widgets import Input, Label, Static

    class Modal(ModalScreen):
        DEFAULT_CSS = "Modal { align: center middle; background: $background 60%; } Vertical { width: 70; height: auto; }"
        BINDINGS = [("escape", "dismiss")]

        def compose(self):
            with Vertical():
                yield Label("Rename a code")
                yield Input("Code 1")
                yield Label("enter ok · esc cancel")

    class Empty(App):
        BINDINGS = [("c", "modal")]

        def compose(self):
            yield Static("empty\n" * 60, id="x")

        def action_modal(self):
            self.push_screen(Modal())

    async with Empty().run_test(size=size) as pilot:
        await pilot.pause()
        return {"floor: an empty app's modal opens": await _timed_presses(pilot, ["c"] * presses, untimed=["escape"]),
                "floor: an empty app's modal closes": await _timed_presses(pilot, ["escape"] * presses, untimed=["c"])}


async def _worker_dialogs(project_dir: str, size: tuple[int, int], presses: int) -> dict:
    """The codes pane's dialogs typed as a researcher types them (CPU ms per key and frame):
    `r` (the rename prompt opens), a letter typed, Enter (the rename shown); the same for a
    colour (`C`, Enter); `d` (the delete confirmation opens) and `n` (it closes); beside an
    empty app's key and of an empty app's dimmed modal opening and closing, in the same worker.
    Each rename alternates two names, so each changes."""
    from store.project import Project
    from tui.app import MarginApp
    from tui.widgets.codes_pane import CodesPane

    figures: dict = {"floor: an empty app's key": await _empty_app_key(size, presses),
                     **await _empty_app_dialog(size, presses)}
    with Project.open(Path(project_dir)) as project:
        app = MarginApp(project)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            app.query_one(CodesPane).focus()
            for name, key in (("r (prompt opens)", "r"), ("a letter typed", "x"), ("enter (rename shown)", "enter"),
                              ("C (colour prompt opens)", "C"), ("enter (colour shown)", "enter"),
                              ("d (confirm opens)", "d"), ("n (confirm closes)", "n")):
                figures[f"dialog: {name}"] = []
            for i in range(presses):
                for name, key, untimed in (("r (prompt opens)", "r", ()), ("a letter typed", "x", ()),
                                           ("enter (rename shown)", "enter", ("y" if i % 2 else "z",)),
                                           ("C (colour prompt opens)", "C", ()),
                                           ("enter (colour shown)", "enter", tuple(f"#12{i % 10}4{i % 7}6")),
                                           ("d (confirm opens)", "d", ()), ("n (confirm closes)", "n", ())):
                    figures[f"dialog: {name}"] += await _timed_presses(pilot, [_key_of(key) if len(key) == 1 else key],
                                                                        untimed=[_key_of(k) for k in untimed])
    return figures


def dialogs(trees: list[Path], presses: int, workdir: Path) -> None:
    """`--dialogs`: the codes pane's dialogs at 80x24 and 200x50 for each tree, alternated,
    on a copy of the 5,000-code, 200,000-coding project (renamed and recoloured as it runs)."""
    source = workdir / "scale-5000-200000"
    if not source.exists():
        print(f"building {source} (5,000 codes, 200,000 codings; minutes)...", flush=True)
        _run_worker(REPO, "build", "codes5000:200000", str(source))
    for size in ((80, 24), (200, 50)):
        for tree in trees:
            with tempfile.TemporaryDirectory(dir=workdir) as tmp:
                directory = Path(tmp) / "project"
                shutil.copytree(source, directory)
                load = os.getloadavg()[0]
                figures = _run_worker(tree, "dialogs", str(directory), str(size[0]), str(size[1]), str(presses))
            floor = statistics.median(s[0] for s in figures.pop("floor: an empty app's key"))
            print(f"{tree} at {size[0]}x{size[1]}: floor {floor:.1f} ms CPU, load {load:.1f}, medians of {presses}")
            for name, samples in figures.items():
                cpu = sorted(s[0] for s in samples)
                median = statistics.median(cpu)
                said = "" if name.startswith("floor") else f"  +{median - floor:5.1f} above the floor (target < 30)"
                print(f"  {name:34} median {median:6.1f}  p90 {cpu[int(len(cpu) * 0.9)]:6.1f}{said}")


def _first_frame_cpu(tree: Path, project_dir: Path | None, size=(80, 24)) -> tuple[float, float]:
    """(wall ms, CPU ms) from starting a fresh interpreter to the first frame: Margin on
    `project_dir`, or with None an empty Textual app (the floor). Bytecode is cached (in a
    temporary folder) as an installed Margin's would be; the first run of each warms it."""
    if project_dir is None:
        body = ("    from textual.app import App\n    from textual.widgets import Static\n"
                "    class Empty(App):\n        def compose(self):\n            yield Static('empty')\n"
                "    app, p = Empty(), None\n")
    else:
        body = (f"    from store.project import Project\n    from tui.app import MarginApp\n"
                f"    p = Project.open({str(project_dir)!r})\n    app = MarginApp(p)\n")
    script = ("import asyncio, resource\nasync def main():\n" + body +
              f"    async with app.run_test(size={size!r}) as pilot:\n        await pilot.pause()\n"
              "        r = resource.getrusage(resource.RUSAGE_SELF)\n"
              "        print('ready', (r.ru_utime + r.ru_stime) * 1000, flush=True)\n"
              "    p and p.close()\nasyncio.run(main())\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"PYTHONPATH": str(tree), "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "margin-bench-pyc"),
            "MARGIN_STATE_DIR": tempfile.mkdtemp(prefix="margin-bench-state-")}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tree, env=env)
    line = process.stdout.readline().split()
    took = (time.perf_counter() - start) * 1000
    process.wait()
    return took, float(line[1])


SCALE_TARGETS = {  # figure: (target, what it is above)
    "j": (20, "floor"), "J": (20, "floor"), "w": (20, "floor"), "pagedown": (20, "floor"), "K (after G)": (20, "floor"),
    "picker opens (c)": (20, "floor"), "picker key: tr": (10, "floor"), "picker key: ho": (10, "floor"),
    "picker key: ca": (10, "floor"), "apply (.)": (30, "floor"), "undo (u)": (30, "floor"),
    "codebook change (a colour)": (30, "floor"), "codebook change (a rename)": (30, "floor"),
    "codebook change (a rename in view)": (30, "floor"),
}


def scale(codings: int, runs: int, presses: int, workdir: Path, trees: list[Path] = ()) -> None:
    """The first frames (this tree), then every key figure at 80x24 and 200x50 for this tree
    and each of `trees`, one after the other at each size (the worker imports the tree's
    app with this file's figures)."""
    directory = workdir / f"scale-5000-{codings}"
    if not directory.exists():
        print(f"building {directory} (5,000 codes, {codings:,} codings; minutes)...", flush=True)
        _run_worker(REPO, "build", f"codes5000:{codings}", str(directory))
    demo = workdir / "scale-demo"
    if not demo.exists():
        _run_worker(REPO, "build", "demo", str(demo))
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    frames: dict = {}
    for _ in range(runs + 1):  # the first round warms the bytecode cache and is not counted
        for label, where in (("floor: an empty Textual app", None), ("demo", demo), (f"{codings:,} codings", directory)):
            frames.setdefault(label, []).append(_first_frame_cpu(REPO, where))
    print("first frame, fresh interpreter, 80x24, median wall / CPU ms (target < 1000 at scale, < 500 demo):")
    for label, samples in frames.items():
        wall = statistics.median(s[0] for s in samples[1:])
        cpu = statistics.median(s[1] for s in samples[1:])
        print(f"  {label:30} wall {wall:7.0f}   cpu {cpu:7.0f}")
    for size, tree in ((size, tree) for size in ((80, 24), (200, 50)) for tree in (REPO, *trees)):
        figures = _run_worker(tree, "scale", str(directory), str(size[0]), str(size[1]), str(presses))
        floor = statistics.median(s[0] for s in figures.pop("floor: an empty app's key"))
        print(f"{tree}" if trees else "", end=" " if trees else "")
        print(f"at {size[0]}x{size[1]}, CPU ms per press and frame, medians of {presses}; floor (empty app's key) "
              f"{floor:.1f} ms; load {os.getloadavg()[0]:.2f}")
        for name, samples in figures.items():
            if name.startswith("floor: an empty app of"):  # what of a key's figure is Pilot's wait on the widgets
                print(f"  {name}: {statistics.median(s[0] for s in samples):.1f} ms")
                continue
            if name.startswith(("memory", "checkpoints", "applies", "pagedowns")):
                values = ([v for v in samples[0] if v] if name.startswith("memory")
                          else samples[0] if name.startswith("pagedowns") else samples[0][:1])
                print(f"  {name}: " + " / ".join(f"{v:.0f}" for v in values))
                continue
            cpu = sorted(s[0] for s in samples)
            median = statistics.median(cpu)
            target = SCALE_TARGETS.get(name)
            said = f"+{median - floor:5.1f} above the floor (target < {target[0]})" if target else ""
            print(f"  {name:30} median {median:6.1f}  p90 {cpu[int(len(cpu) * 0.9)]:6.1f}  max {cpu[-1]:6.1f}  {said}")
            if name.startswith("250 actions"):
                print(f"    the 200th: {samples[199][0]:.1f} ms; the 199th and 201st: {samples[198][0]:.1f}, {samples[200][0]:.1f}")


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        _worker(sys.argv[2:])
        return
    if sys.argv[1:2] == ["--scale"]:
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--scale", action="store_true")
        parser.add_argument("--codings", type=int, default=200_000)
        parser.add_argument("--runs", type=int, default=3, help="first frames of each kind")
        parser.add_argument("--presses", type=int, default=15)
        parser.add_argument("--workdir", type=Path, help="keep the generated projects here between runs")
        parser.add_argument("--tree", type=Path, action="append", default=[], help="also measure this tree (say main)")
        options = parser.parse_args()
        with tempfile.TemporaryDirectory() as tmp:
            workdir = options.workdir or Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            scale(options.codings, options.runs, options.presses, workdir, [t.resolve() for t in options.tree])
        return
    if sys.argv[1:2] == ["--memory"]:
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--memory", action="store_true")
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--workdir", type=Path, required=True, help="holds (or gets) scale-5000-200000")
        options = parser.parse_args()
        memory(options.runs, options.workdir)
        return
    for flag, measure in (("--picker", picker), ("--dialogs", dialogs)):  # trees side by side at scale
        if sys.argv[1:2] == [flag]:
            import argparse

            parser = argparse.ArgumentParser()
            parser.add_argument(flag, action="store_true")
            parser.add_argument("--tree", type=Path, action="append", default=[], help="also measure this tree (say main)")
            parser.add_argument("--presses", type=int, default=15)
            parser.add_argument("--workdir", type=Path, required=True, help="holds (or gets) scale-5000-200000")
            options = parser.parse_args()
            measure([REPO, *(t.resolve() for t in options.tree)], options.presses, options.workdir)
            return
    if sys.argv[1:2] == ["--compare"]:
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--compare", type=Path, required=True, help="a worktree of the older commit")
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--presses", type=int, default=15)
        parser.add_argument("--workdir", type=Path, help="keep the generated projects here between runs")
        options = parser.parse_args()
        load = os.getloadavg()
        with tempfile.TemporaryDirectory() as tmp:
            workdir = options.workdir or Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            print_comparison(compare(options.compare.resolve(), options.rounds, options.presses, workdir), load)
        return
    print(f"command to first usable frame (demo, 80x24, headless): {bench_first_frame() * 1000:.0f} ms  (target < 500)")

    covid = bench_first_frame_covid()
    if covid is not None:
        print(f"first usable frame, 65 Covid Inquiry days + 50,000 codings: {covid * 1000:.0f} ms  (target < 1500)")
    keys = bench_keys()
    layout_ms, rows = keys.pop("layout")
    floor_cpu, floor_wall = keys.pop("floor")
    print(f"key to frame, per press (Pilot press + pause); empty app floor: cpu {floor_cpu:.1f} ms, wall {floor_wall:.1f} ms")
    for name, (cpu, wall) in keys.items():
        print(f"  {name:26} cpu {cpu:5.1f} ms (+{cpu - floor_cpu:4.1f} above floor; target < 20)   wall {wall:6.1f} ms")
    print(f"laying out the 4,000-turn document ({rows} rows, on open and on resize): {layout_ms:.0f} ms")
    print("code picker ranking over 5,000 codes, median ms per keystroke (target < 10):")
    for query, value in bench_picker().items():
        print(f"  {query!r:14} {value:6.2f}")


if __name__ == "__main__":
    main()
