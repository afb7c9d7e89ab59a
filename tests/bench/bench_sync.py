"""The sync benchmark (issue 12): `margin sync` of two copies with 50,000 codings each,
under 3 s above git's own time for the same round.

    python tests/bench/bench_sync.py                      # 200 documents, 50,000 codings a coder
    python tests/bench/bench_sync.py --codings 2000 --runs 1

alice and bob clone one project (200 documents, 100 codes) from a bare repository in a
temporary folder; alice codes 50,000 passages and syncs; bob codes 50,000 of his own.
Timed, on fresh copies of that moment (remote and bob's clone): bob's `margin sync`
(commit his work, fetch hers, merge, commit, push), and git's own round on an identical
copy (`git add -A; git commit; git pull --no-rebase -X ours; git push`): the floor; and
bob's `margin merge DIR` of alice's folder (the same merge without git, also < 3 s). Also
`python -c 'import click'`. Medians of wall and of CPU times (user and system, git's
processes included).
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
sys.path.insert(0, str(Path(__file__).parent))

from bench_store import generate, margin_command  # noqa: E402

from store.clock import new_id, now  # noqa: E402
from store.model import Coding  # noqa: E402
from store.project import Project  # noqa: E402

TARGET = 3.0  # seconds above git's own time (issue 12)
GIT_ENV = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x"}


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def code_as(folder: Path, coder: str, codings: int, seed: int) -> None:
    """`codings` codings by `coder`, spread over the documents, one action per document."""
    rng = random.Random(seed)
    with Project.open(folder, coder=coder) as project:
        codes = [c for c in project.state.codes.values() if c.parent is not None]
        documents = sorted(project.state.documents.values(), key=lambda d: d.name)
        for document in documents:
            text, stamp = project.text(document.id), now()
            with project.operation(f"bench: {coder} codes {document.name}"):
                for _ in range(codings // len(documents)):
                    turn = rng.choice(document.turns)
                    start = rng.randint(turn.start, turn.end - 2)
                    end = rng.randint(start + 1, turn.end)
                    project.put(Coding(new_id(), document.id, rng.choice(codes).id, start, end, text[start:end],
                                       project.coder.id, stamp, stamp))  # fmt: skip


def setup(root: Path, documents: int, codings: int) -> Path:
    """The moment before bob's sync: root/remote.git and root/bob."""
    command = margin_command()
    git(root, "init", "-q", "--bare", "-b", "main", "remote.git")
    git(root, "clone", "-q", "remote.git", "alice")
    generate(root / "alice", documents, 0)
    subprocess.run([*command, "-p", str(root / "alice"), "--coder", "alice", "sync"], check=True, capture_output=True)
    git(root, "clone", "-q", "remote.git", "bob")
    code_as(root / "alice", "alice", codings, 1)
    subprocess.run([*command, "-p", str(root / "alice"), "--coder", "alice", "sync"], check=True, capture_output=True)
    code_as(root / "bob", "bob", codings, 2)
    return root


def fresh_copy(moment: Path, where: Path) -> Path:
    """A copy of the moment whose clones push to the copy's own remote: a clone records its
    remote's absolute path, so a copy left as it is pushed into the moment's remote, and
    every later run merged what an earlier run had pushed."""
    shutil.copytree(moment, where, symlinks=True)
    for clone in ("alice", "bob"):
        git(where / clone, "remote", "set-url", "origin", str(where / "remote.git"))
    return where


def children_cpu() -> float:
    """CPU seconds (user and system) of every finished child process so far, their own
    children (a sync's git processes) included: what a loaded machine inflates least."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of one command."""
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})
    return time.perf_counter() - start, children_cpu() - cpu


def git_round(bob: Path) -> tuple[float, float]:
    start, cpu = time.perf_counter(), children_cpu()
    git(bob, "add", "-A")
    git(bob, "commit", "-q", "-m", "bob")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "-X", "ours", "origin", "main")
    git(bob, "push", "-q", "origin", "main")
    return time.perf_counter() - start, children_cpu() - cpu


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def never_met(documents: int, codings: int, runs: int) -> dict:
    """The first merge of two copies of one project made by `cp -r` and coded apart (no
    meeting: the base is what both logs hold, store/team/ancestry.py), then the same
    merge again (a snapshot base now, file by file)."""
    figures: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="margin-bench-never-met-") as tmp:
        root = Path(tmp)
        generate(root / "alice", documents, 0)
        shutil.copytree(root / "alice", root / "bob")
        code_as(root / "alice", "alice", codings, 1)
        code_as(root / "bob", "bob", codings, 2)
        for n in range(runs):
            copy = root / f"run{n}"
            for coder in ("alice", "bob"):
                shutil.copytree(root / coder, copy / coder)
            merge = [*margin_command(), "-p", str(copy / "bob"), "--coder", "bob", "merge", str(copy / "alice")]
            figures.setdefault("first merge DIR of cp -r copies", []).append(timed(merge))
            figures.setdefault("the same merge again", []).append(timed(merge))
            figures.setdefault("floor: python -c 'import click'", []).append(timed([sys.executable, "-c", "import click"]))
    medians = {name: statistics.median(wall for wall, _ in values) for name, values in figures.items()}
    for name, value in medians.items():
        print(f"{name:34} {value:6.2f} s wall   (2 x {codings} codings; target < {TARGET:.1f} s; load {load()})")
    return medians


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--codings", type=int, default=50_000, help="codings each coder makes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--moment", type=Path, help="keep the moment before the sync here, or reuse it if it is there")
    parser.add_argument("--merge-only", action="store_true", help="time `margin merge DIR` (and its floor) only, not the git rounds")
    parser.add_argument("--never-met", action="store_true", help="time the first `margin merge DIR` of two `cp -r` copies (base: what both logs hold)")
    args = parser.parse_args(argv)
    if args.never_met:
        return never_met(args.documents, args.codings, args.runs)
    figures: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="margin-bench-sync-") as tmp:
        moment = args.moment or Path(tmp) / "moment"
        if not (moment / "bob").is_dir():
            moment.mkdir(parents=True, exist_ok=True)
            setup(moment, args.documents, args.codings)
        print(f"set up: {args.documents} documents, 2 x {args.codings} codings in {moment} (load {load()})")
        for n in range(args.runs):
            if not args.merge_only:
                copy = fresh_copy(moment, Path(tmp) / f"sync{n}")
                figures.setdefault("margin sync", []).append(timed([*margin_command(), "-p", str(copy / "bob"), "--coder", "bob", "sync"]))
                copy = fresh_copy(moment, Path(tmp) / f"git{n}")
                figures.setdefault("floor: git's own round", []).append(git_round(copy / "bob"))
            copy = fresh_copy(moment, Path(tmp) / f"merge{n}")
            figures.setdefault("margin merge DIR (no git)", []).append(
                timed([*margin_command(), "-p", str(copy / "bob"), "--coder", "bob", "merge", str(copy / "alice")])
            )
            figures.setdefault("floor: python -c 'import click'", []).append(timed([sys.executable, "-c", "import click"]))
    medians = {name: statistics.median(wall for wall, _ in values) for name, values in figures.items()}
    cpus = {name: statistics.median(cpu for _, cpu in values) for name, values in figures.items()}
    print(f"{'':34} {'wall':>8} {'CPU':>8}")
    for name, value in medians.items():
        print(f"{name:34} {value:6.2f} s {cpus[name]:6.2f} s")
    above = cpu_above = float("nan")
    if not args.merge_only:
        above = medians["margin sync"] - medians["floor: git's own round"]
        cpu_above = cpus["margin sync"] - cpus["floor: git's own round"]
        print(f"{'margin sync above git':34} {above:6.2f} s {cpu_above:6.2f} s   target < {TARGET:.1f} s   (load {load()})")
    print(f"{'margin merge DIR':34} {medians['margin merge DIR (no git)']:6.2f} s   target < {TARGET:.1f} s   (load {load()})")
    return medians | {"above git": above, "CPU above git": cpu_above}


if __name__ == "__main__":
    main()
