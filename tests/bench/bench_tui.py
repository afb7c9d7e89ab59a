"""App benchmarks; prints figures. Run: python tests/bench/bench_tui.py

1. command to first usable frame for the demo (a fresh interpreter, headless);
2. key to frame on a 4,000-turn document, above an empty app's floor measured the same way;
3. laying out the 4,000-turn document (wrapping every turn);
4. the code picker's ranking over 5,000 codes, per keystroke.
"""

from __future__ import annotations

import asyncio
import os
import random
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


def main() -> None:
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
