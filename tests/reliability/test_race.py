"""A read-only command racing a writer's checkpoints sees one consistent state (issue 9,
finding 9: `export csv` once crashed with KeyError when it read project.json and the log
at one moment and the codings files later, from a newer checkpoint)."""

from __future__ import annotations

import subprocess
import time

from store.exporters.segments import segment_rows
from store.project import Project
from tests.reliability.helpers import PYTHON, REPO, clean_env, margin

SECONDS = 4.0


def test_readers_racing_a_checkpointing_writer_see_consistent_states(study):
    writer = subprocess.Popen(
        [PYTHON, str(REPO / "tests" / "reliability" / "race_writer.py"), str(study), str(SECONDS)],
        stdout=subprocess.PIPE, env=clean_env(),
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == b"ready"
        reads, deadline = 0, time.monotonic() + SECONDS - 0.5
        while time.monotonic() < deadline:
            with Project.open(study, readonly=True) as project:
                time.sleep(0.01)  # as a command parses its options before it needs codings
                header, rows = segment_rows(project)
                codes = {row[header.index("code")] for row in rows}
                assert all(codes), rows
                assert len(rows) == sum(project.state.coding_counts_by_document().values())
            reads += 1
        assert margin("export", "csv", project=study).code == 0
    finally:
        writer.wait(timeout=30)
    assert writer.returncode == 0
    assert reads > 20
    with Project.open(study, readonly=True) as project:
        assert len(project.state.codings) > 2


def test_a_checkpoint_between_a_readers_open_and_its_codings_is_caught_up(study):
    """The window made certain: a writer process checkpoints a new code and a coding
    with it after the reader read project.json and the log, before it read codings."""
    with Project.open(study, readonly=True) as project:
        assert margin("codes", "add", "Late", project=study).code == 0
        assert margin("apply", "N1", "Late", "--match", "She notices", project=study).code == 0
        header, rows = segment_rows(project)
        assert "Late" in {row[header.index("code")] for row in rows}
        assert "Late" in {code.name for code in project.state.codes.values()}
