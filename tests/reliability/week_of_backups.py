"""A simulated week of heavy coding, to measure what backups cost and check what they keep.

    python tests/reliability/week_of_backups.py                    # 200 documents, 20,000 codings
    python tests/reliability/week_of_backups.py --documents 20 --codings 2000 --sessions 4

Each day has several sessions; each opens the project (a backup at open, as the app and
every write command take one), codes a few documents heavily, and closes (a checkpoint).
The clock of store/backup.py is moved a few hours per session, so the rotation (newest
20, one a day for 30 days) runs as it would over a week. Printed: the size of the
backups folder (each file once, as hard links share it) against the project's own
files, and whether every kept backup opens to exactly the state it was taken at.
tests/reliability/test_backups.py runs it small.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from store import backup, layout  # noqa: E402
from store.importers import parse_text  # noqa: E402
from store.journal import LOG_NAME  # noqa: E402
from store.project import Project  # noqa: E402
from tests.reliability.helpers import state_of  # noqa: E402

WORDS = "peer support ward team trust patient recovery nurse role shift group listen care hope staff".split()


class _Clock(datetime):
    """Stands in for backup.datetime: `now()` is the simulated time."""

    at = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)

    @classmethod
    def now(cls, tz=None):
        return cls.at


def _text(rng: random.Random) -> str:
    turns = [f"{'Interviewer' if n % 2 == 0 else 'Participant'}: " + " ".join(rng.choices(WORDS, k=40)) + "." for n in range(40)]
    return "\n\n".join(turns) + "\n"


def _code_some(project: Project, rng: random.Random, documents: list, codes: list, count: int) -> None:
    for document in rng.sample(documents, min(3, len(documents))):
        with project.operation(f"code {document.name}"):
            for _ in range(count // 3):
                turn = rng.choice(document.turns)
                start = rng.randint(turn.start, turn.end - 2)
                project.codings.apply(document, rng.choice(codes), start, rng.randint(start + 1, turn.end))


def unique_bytes(folder: Path, skip: tuple[str, ...] = ()) -> int:
    """Bytes of the files under `folder`, each inode once."""
    seen, total = set(), 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not (Path(root) == folder and d in skip)]
        for name in files:
            info = os.lstat(os.path.join(root, name))
            if info.st_ino not in seen:
                seen.add(info.st_ino)
                total += info.st_size
    return total


def simulate(directory: Path, documents: int, codings: int, days: int = 7, sessions: int = 6, seed: int = 5) -> dict:
    """Run the week; returns the figures and the states the kept backups must hold."""
    rng = random.Random(seed)
    real_clock, backup.datetime = backup.datetime, _Clock
    states: dict[int, dict] = {}
    try:
        with Project.init(directory, name="week", coder="alice") as project:
            codes = [project.codebook.ensure(f"Theme {t} > Code {c}") for t in range(5) for c in range(10)]
            docs = [project.documents.import_parsed(parse_text(_text(rng), "txt"), f"P{d:03d}", {}).document for d in range(documents)]
            for document in docs:
                with project.operation(f"code {document.name}"):
                    for _ in range(codings // documents):
                        turn = rng.choice(document.turns)
                        start = rng.randint(turn.start, turn.end - 2)
                        project.codings.apply(document, rng.choice(codes), start, rng.randint(start + 1, turn.end))
        for _day in range(days):
            for _session in range(sessions):
                _Clock.at += timedelta(hours=24 / sessions)
                with Project.open(directory, coder=rng.choice(["alice", "bob"])) as project:
                    states[project.seq] = state_of(project)
                    docs, codes = project.documents.all(), project.codebook.all()
                    _code_some(project, rng, docs, codes, max(30, codings // 100))
    finally:
        backup.datetime = real_clock
    own = unique_bytes(directory, skip=(backup.BACKUP_DIR, "cache", "damaged"))
    kept = backup.listing(directory)
    return {"backups": unique_bytes(directory / backup.BACKUP_DIR), "own": own, "kept": kept, "states": states}


def kept_state(directory: Path, folder: Path) -> tuple[int, dict]:
    """The state a backup holds: its files with the log cut at its checkpoint, opened."""
    trial = Path(tempfile.mkdtemp(prefix="week-"))
    try:
        for path in layout.checkpoint_paths(folder):
            target = trial / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        shutil.copytree(directory / layout.SOURCES_DIR, trial / layout.SOURCES_DIR)
        offset = layout.read_local(folder).get("offset", 0)
        (trial / LOG_NAME).write_bytes((directory / LOG_NAME).read_bytes()[:offset])
        with Project.open(trial, readonly=True) as project:
            return project.seq, state_of(project)
    finally:
        shutil.rmtree(trial)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--sessions", type=int, default=6)
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="margin-week-")) / "study"
    try:
        figures = simulate(directory, args.documents, args.codings, sessions=args.sessions)
        exact = sum(kept_state(directory, f)[1] == figures["states"].get(kept_state(directory, f)[0]) for f in figures["kept"])
        print(f"backups kept: {len(figures['kept'])}; held exactly: {exact}")
        print(f"backups folder {figures['backups'] / 1e6:.1f} MB, project's own files {figures['own'] / 1e6:.1f} MB, "
              f"ratio {figures['backups'] / figures['own']:.2f} (target under 2)")  # fmt: skip
    finally:
        shutil.rmtree(directory.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
