"""The kill -9 test: start a writer (crash_child.py), kill it at a random moment, and check
that the project opens with every acknowledged operation and a working undo log.

    python tests/reliability/crash_run.py --kills 200 [--seed N] [--dir DIR]

The same project is reopened and continued after every kill, so checkpoints (written
every 3 to 200 operations, at random), replay, torn-tail cutting and stale temp files
are all exercised. The checker follows storage.md §6 (TRYDEL): the one operation in
flight at the kill may have landed or not, but nothing else may differ, by one byte of
any entity record. After each check the parent itself undoes and redoes the newest
action and demands the same state back, then checks the invariants.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `tests` and `store` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import orjson

from store.importers import parse_text
from store.project import Project
from tests.reliability.helpers import INTERVIEW, PYTHON, REPO, check_invariants, clean_env, state_of

TORN_LINE = b'{"seq": 999999, "at": "2026-11-26T10:00:00.000Z", "summary": "half wri'


@dataclass
class Stats:
    kills: int = 0
    acknowledged: int = 0  # operations acknowledged by a child, each checked after its kill
    in_flight_landed: int = 0
    in_flight_lost: int = 0  # in flight at the kill and not on disk: allowed, never acknowledged
    torn_tails: int = 0  # torn lines appended by the parent, which the next open must cut
    stale_temp_files: int = 0  # temporary files found after a kill (removed on open, in sources/ kept)
    undo_checks: int = 0
    checkpoint_ops: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"kills survived          {self.kills}",
            f"operations acknowledged {self.acknowledged} (all present after reopening)",
            f"in flight at the kill   {self.in_flight_landed} landed, {self.in_flight_lost} not (either is allowed)",
            f"torn log tails cut      {self.torn_tails}",
            f"stale temp files seen   {self.stale_temp_files}",
            f"undo/redo checks        {self.undo_checks}",
            "lost, unreadable        none (the run stops at the first)",
            f"time                    {self.seconds:.1f} s",
        ]


def prepare(directory: Path) -> None:
    with Project.init(directory, name="crash", coder="alice") as project:
        project.documents.import_parsed(parse_text(INTERVIEW), "N1")
        for name in ("Trust", "Stigma", "Support > Peer"):
            project.codebook.add(name)


def run_kills(directory: Path, kills: int, seed: int, window: tuple[float, float] = (0.05, 1.0)) -> Stats:
    """Kill a child `kills` times; raises AssertionError on the first lost or unreadable change."""
    rng = random.Random(seed)
    stats = Stats()
    started = time.monotonic()
    if not (directory / "project.json").exists():
        prepare(directory)
    for cycle in range(kills):
        _one_kill(directory, rng, seed * 100_000 + cycle, window, stats)
    stats.seconds = time.monotonic() - started
    return stats


def _one_kill(directory: Path, rng: random.Random, child_seed: int, window: tuple[float, float], stats: Stats) -> None:
    with Project.open(directory, readonly=True) as project:
        expected, seq, log_start = state_of(project), project.seq, project.journal.size()
    checkpoint_ops = rng.choice((3, 10, 50, 200))
    stats.checkpoint_ops.append(checkpoint_ops)
    output = directory.parent / "child.out"
    with open(output, "wb") as out:
        child = subprocess.Popen(
            [PYTHON, "-m", "tests.reliability.crash_child", str(directory), str(child_seed), str(checkpoint_ops)],
            stdout=out, cwd=REPO, env=clean_env(),
        )  # fmt: skip
        if rng.random() < 0.8:  # most kills fall while it works; the rest while it opens
            _wait_until_ready(output, child)
        time.sleep(rng.uniform(*window))
        child.kill()
        child.wait()
    stats.kills += 1
    acked, pending = parse_output(output.read_bytes())
    for last_seq, changes in acked:
        _apply(expected, changes)
        seq = last_seq
    stats.acknowledged += len(acked)
    stats.stale_temp_files += len(list(directory.rglob(".*.tmp")))
    if rng.random() < 0.25:
        with open(directory / "log.jsonl", "ab") as log:
            log.write(TORN_LINE[: rng.randrange(1, len(TORN_LINE))])
        stats.torn_tails += 1
    _verify(directory, expected, seq, log_start, pending, stats)


def _wait_until_ready(output: Path, child: subprocess.Popen, limit: float = 60.0) -> None:
    """Wait for the child to open the project (a loaded machine may take seconds to start
    Python), so that the kill window measures work, not start-up."""
    deadline = time.monotonic() + limit
    while b"READY" not in output.read_bytes() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)


def parse_output(data: bytes) -> tuple[list[tuple[int, dict]], str | None]:
    """Acknowledged (seq, diff) pairs in order, and the operation in flight (or None)."""
    acked, pending = [], None
    for line in data.split(b"\n")[:-1]:  # a line cut by the kill was never printed whole
        kind, _, rest = line.decode().partition(" ")
        if kind == "TRY":
            pending = rest
        elif kind == "ACK":
            _n, seq, changes = rest.split(" ", 2)
            acked.append((int(seq), orjson.loads(changes)))
            pending = None
    return acked, pending


def _apply(state: dict, changes: dict) -> None:
    for key, record in changes.items():
        table, entity_id = key.split("/", 1)
        if record is None:
            state[table].pop(entity_id, None)
        else:
            state[table][entity_id] = record


def _verify(directory: Path, expected: dict, seq: int, log_start: int, pending: str | None, stats: Stats) -> None:
    project = Project.open(directory)  # raises ProjectCorrupt if unreadable
    try:
        actual = state_of(project)
        extra = [e for _, e in project.journal.read_from(log_start) if e["seq"] > seq]
        if pending is None or not extra:
            assert not extra, f"{len(extra)} log entries that no one acknowledged or had in flight"
            stats.in_flight_lost += pending is not None
        else:
            assert len(extra) == 1, f"{len(extra)} entries landed after the last acknowledged one"
            for table, entity_id, _before, after in extra[0]["changes"]:
                _apply(expected, {f"{table}/{entity_id}": after})
            stats.in_flight_landed += 1
        _assert_same(expected, actual, pending)
        _check_undo_redo(project, stats)
        check_invariants(project)
    finally:
        project.close()


def _assert_same(expected: dict, actual: dict, pending: str | None) -> None:
    for table in expected:
        missing = expected[table].keys() - actual[table].keys()
        unexpected = actual[table].keys() - expected[table].keys()
        changed = [k for k in expected[table].keys() & actual[table].keys() if expected[table][k] != actual[table][k]]
        assert not (missing or unexpected or changed), (
            f"{table}: lost {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]}, "
            f"changed {changed[:3]} (in flight: {pending})"
        )


def _check_undo_redo(project: Project, stats: Stats) -> None:
    if not project.can_undo:
        return
    before = state_of(project)
    project.undo()
    project.redo()
    assert state_of(project) == before, "undo then redo did not return to the same state"
    stats.undo_checks += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--dir", type=Path, help="Where to make the project (default: a temporary folder).")
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="margin-crash-"))
    print(f"seed {args.seed}, project {base / 'project'}", flush=True)
    stats = run_kills(base / "project", args.kills, args.seed)
    print("\n".join(stats.lines()))
    print(f"checkpoint every {sorted(set(stats.checkpoint_ops))} operations (chosen per kill)")
    os.remove(base / "child.out")


if __name__ == "__main__":
    main()
