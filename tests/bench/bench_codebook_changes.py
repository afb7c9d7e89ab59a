"""Key-to-frame CPU of applying, undoing and each codebook change at scale, beside the floor.

    python tests/bench/bench_codebook_changes.py --project DIR [--tree OTHER_TREE] [--runs 5] [--presses 9]

DIR is a 5,000-code project (bench_tui.large_codebook; /work/benchdata/scale-5000-200000 has
200,000 codings); each run works on a fresh copy of it, in a fresh interpreter, at 80x24 and
200x50, this tree and OTHER_TREE (say main) alternating, so both meet the same load. Each
figure is the CPU ms of the change and the frame after it (`pilot.pause()`), the median of
`presses`, less an empty Textual app's key in the same worker (bench_tui's floor); printed
as the median of the runs. The codebook changes are the store call and `project_changed`,
as a dialog's Enter makes them: a colour, a rename of the codes pane's highlighted code (on
screen, named in the reader's rows), a sub-code added under its parent, the code moved.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIGURES = ("apply (.)", "undo (u)", "colour", "rename in view", "add a sub-code", "move")


async def _timed(pilot, presses: int, action, before=None) -> list[float]:
    samples = []
    for i in range(presses):
        if before is not None:
            await before()
        await pilot.pause()
        cpu = time.process_time()
        await action(i)
        await pilot.pause()
        samples.append((time.process_time() - cpu) * 1000)
    return samples


async def _worker(project_dir: str, size: tuple[int, int], presses: int) -> dict:
    import store
    from store.project import Project
    from tui.app import MarginApp
    from tui.widgets.codes_pane import CodesPane

    from bench_tui import _empty_app_key  # after Margin's modules: it puts this tree first on sys.path

    figures = {"floor": [s[0] for s in await _empty_app_key(size, presses)]}
    with Project.open(Path(project_dir)) as project:
        app = MarginApp(project)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("g", "g")
            app.last_code = project.codebook.all()[-1].id

            def press(key):
                return lambda *_: pilot.press(key)

            figures["apply (.)"] = await _timed(pilot, presses, press("."), before=press("J"))
            figures["undo (u)"] = await _timed(pilot, presses, press("u"))
            await pilot.press("g", "g", "J")
            book, code_id = project.codebook, app.query_one(CodesPane).code.id
            name = project.state.codes[code_id].name
            others = book.children(None)[1:3]

            def change(call):
                async def act(i):
                    call(i)
                    app.project_changed()
                return act

            figures["colour"] = await _timed(pilot, presses, change(
                lambda i: book.color(project.state.codes[code_id], f"#12{i % 10}4{i % 7}6")))
            figures["rename in view"] = await _timed(pilot, presses, change(
                lambda i: book.rename(project.state.codes[code_id], f"{name} {'ab'[i % 2]}")))
            parent = book.path(project.state.codes[code_id])
            figures["add a sub-code"] = await _timed(pilot, presses, change(
                lambda i: book.add(f"{parent} > Added {os.getpid()} {i}")))
            figures["move"] = await _timed(pilot, presses, change(
                lambda i: book.move(project.state.codes[code_id], others[i % 2])))
    return {"store": store.__file__, **{name: statistics.median(samples) for name, samples in figures.items()}}


def _run(tree: Path, source: Path, size: tuple[int, int], presses: int, workdir: Path) -> dict:
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        directory = Path(tmp) / "project"
        shutil.copytree(source, directory)
        env = {**os.environ, "PYTHONPATH": f"{tree}:{HERE}", "MARGIN_STATE_DIR": str(Path(tmp) / "state")}
        done = subprocess.run([sys.executable, __file__, "--worker", str(directory), *map(str, size), str(presses)],
                              env=env, cwd=tree, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"worker on {tree} failed:\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if not figures.pop("store").startswith(str(tree)):
        raise SystemExit(f"the worker for {tree} imported another tree's Margin")
    return figures


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        project_dir, width, height, presses = sys.argv[2:]
        print(json.dumps(asyncio.run(_worker(project_dir, (int(width), int(height)), int(presses)))))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path, required=True, help="a 5,000-code project (copied, never written)")
    parser.add_argument("--tree", type=Path, action="append", default=[], help="also measure this tree (say main)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--presses", type=int, default=9)
    options = parser.parse_args()
    trees = [REPO, *(t.resolve() for t in options.tree)]
    results: dict = {}
    loads = []
    with tempfile.TemporaryDirectory() as workdir:
        for _ in range(options.runs):
            for size in ((80, 24), (200, 50)):
                for tree in trees:
                    loads.append(os.getloadavg()[0])
                    figures = _run(tree, options.project, size, options.presses, Path(workdir))
                    for name, value in figures.items():
                        results.setdefault((tree, size, name), []).append(value)
    print(f"load average {min(loads):.2f}-{max(loads):.2f}; CPU ms per change and frame, median of {options.runs} "
          f"runs (each the median of {options.presses}), above the floor (an empty app's key)")
    for size in ((80, 24), (200, 50)):
        for tree in trees:
            floor = statistics.median(results[(tree, size, "floor")])
            said = "  ".join(f"{name} +{statistics.median(results[(tree, size, name)]) - floor:.1f}" for name in FIGURES)
            print(f"  {size[0]}x{size[1]} {tree}: floor {floor:.1f}  {said}")


if __name__ == "__main__":
    main()
