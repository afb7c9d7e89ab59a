"""A writer for test_race.py: until the deadline, add a code, code a span with it and
checkpoint, so that a reader's open keeps meeting a checkpoint in the middle."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from store.project import Project  # noqa: E402


def main(directory: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    with Project.open(directory, coder="writer") as project:
        document = project.documents.all()[0]
        number = 0
        print("ready", flush=True)
        while time.monotonic() < deadline:
            number += 1
            code = project.codebook.add(f"Race {number}")
            start = number % (document.length - 5)
            project.codings.apply(document, code, start, start + 4)
            project.checkpoint()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
