"""Power loss, simulated: every state a power cut could leave during a command opens and
holds what the command acknowledged (tests/reliability/alice.py explains the model).

Each workload starts from a copy of the study project (all of it on disk), runs through
the command line in process (or the store API) while alice.Recorder records Margin's
file-system calls, and then every crash state of those calls is built and checked: all of
them (343, some 15 s). MARGIN_POWER_BUDGET=N checks at most N states per workload
(cuts in a random order seeded by MARGIN_POWER_SEED), for a quicker run.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from store.project import Project
from tests.reliability.alice import Recorder, check_workload
from tests.reliability.helpers import INTERVIEW
from tui.cli import cli

BUDGET = int(os.environ.get("MARGIN_POWER_BUDGET", "0")) or None
SEED = int(os.environ.get("MARGIN_POWER_SEED", "0"))


def _checkpoint_workload(project: Path, ack) -> None:
    """The store API: three changes acknowledged one by one, then a checkpoint."""
    with Project.open(project) as p:
        for n in range(3):
            p.codebook.add(f"Checkpointed {n}")
            ack()
        p.checkpoint()
        ack()


def _lose_alice_codings(project: Path) -> None:
    with Project.open(project, readonly=True) as p:
        (project / "codings" / p.coder_named("alice").id / f"{p.documents.get('N1').id}.json").unlink()


# name: (steps before, unrecorded; recorded steps). A step is CLI arguments or a function.
WORKLOADS = {
    "apply": ([], [["apply", "N1", "Trust", "--span", "0:11"]]),
    "auto-code": ([], [["apply", "N1", "Trust", "--match", "we", "--all"]]),
    "code rename": ([], [["codes", "rename", "Trust", "Faith"]]),
    "merge": ([["codes", "add", "Other"]], [["codes", "merge", "Trust", "Other"]]),
    "delete": ([], [["codes", "delete", "Trust", "--force"]]),
    "import": ([], [["import", "{text}", "--name", "N2"]]),
    "import several": ([], [["import", "{text}", "{text2}", "{text3}"]]),  # their names fsynced at once
    "memo": ([], [["memo", "add", "--doc", "N1", "a thought about N1"]]),
    "undo": ([], [["undo"]]),
    "new coder": ([], [["--coder", "bob", "apply", "N1", "Trust", "--span", "12:20"]]),
    "checkpoint": ([], [_checkpoint_workload]),
    "restore": ([_lose_alice_codings], [["restore"]]),
}


class Workload:
    def __init__(self, root: Path, project: Path):
        self.root, self.project = root, project
        self.step = 0
        self.acks: dict[int, int] = {}

    def seq(self) -> int:
        try:
            lines = (self.project / "log.jsonl").read_bytes().splitlines()
        except FileNotFoundError:
            return 0
        return orjson.loads(lines[-1])["seq"] if lines else 0

    def ack_now(self) -> None:
        """An API workload's acknowledgement: what the log holds at this moment."""
        mark = 1000 + len(self.acks)
        self.acks[mark] = self.seq()
        self.recorder.ack(mark)

    def run(self, step, values: dict[str, str]) -> None:
        if callable(step):
            step(self.project, self.ack_now)
        else:
            args = [a.format(**values) for a in step]
            result = CliRunner().invoke(cli, ["-p", str(self.project), *args], prog_name="margin")
            assert result.exit_code == 0, (args, result.output, result.exception)
        self.acks[self.step] = self.seq()
        self.step += 1

    def record(self, steps: list, values: dict[str, str]) -> None:
        self.recorder = Recorder(self.root)
        with self.recorder.recording(lambda: self.step):
            for step in steps:
                self.run(step, values)
        self.recorder.verify()


def _values(tmp_path: Path) -> dict[str, str]:
    values = {}
    for key, speaker in (("text", "Doctor"), ("text2", "Porter"), ("text3", "Chaplain")):
        text = tmp_path / f"{speaker.lower()}.txt"
        text.write_text(INTERVIEW.replace("Nurse", speaker))
        values[key] = str(text)
    return values


def _report(name: str, outcome) -> None:
    print(f"power loss {name}: {outcome.states} states, {outcome.opened} opened, {outcome.restored} restored")
    assert not outcome.failures, f"{len(outcome.failures)} of {outcome.states} states fail:\n" + "\n".join(
        outcome.failures[:10]
    )


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_power_loss_keeps_what_was_acknowledged(study, tmp_path, name):
    before, steps = WORKLOADS[name]
    values = _values(tmp_path)
    workload = Workload(study, study)
    for step in before:
        if callable(step):
            step(study)
        else:
            workload.run(step, values)
    base = workload.seq()
    os.sync()
    workload.record(steps, values)
    outcome = check_workload(
        workload.recorder, workload.acks, base, (study / "log.jsonl").read_bytes(), budget=BUDGET, seed=SEED
    )
    _report(name, outcome)
    if name.startswith("import"):  # its texts' names are durable before the log holds them
        assert outcome.restored == 0, f"{outcome.restored} states need `margin restore` for a text the log names"


def test_power_loss_during_init_and_first_change(tmp_path):
    root = tmp_path / "w"
    root.mkdir()
    project = root / "p"
    workload = Workload(root, project)
    workload.record([["init", str(project), "--coder", "alice"], ["codes", "add", "First"]], {})
    outcome = check_workload(
        workload.recorder, workload.acks, 0, (project / "log.jsonl").read_bytes(), project="p",
        budget=BUDGET, seed=SEED, exists=False,
    )  # fmt: skip
    _report("init", outcome)


def test_the_checker_finds_an_acknowledgement_before_the_fsync(study, monkeypatch):
    """The checker itself: a log append that skips its fsync must be caught."""
    import store.journal

    class NoFsync:
        def __getattr__(self, name):
            return getattr(os, name)

        def fsync(self, fd):
            return None

    workload = Workload(study, study)
    base = workload.seq()
    monkeypatch.setattr(store.journal, "os", NoFsync())
    workload.record([["codes", "add", "Unsynced"]], {})
    outcome = check_workload(workload.recorder, workload.acks, base, (study / "log.jsonl").read_bytes())
    assert any("lost" in f for f in outcome.failures), outcome


def test_the_recorder_notices_a_write_it_did_not_see(study):
    recorder = Recorder(study)
    with recorder.recording(lambda: 0):
        (study / "sneaky.txt").write_bytes(b"written around the wrappers")  # io, not os.write
    with pytest.raises(AssertionError, match="missed"):
        recorder.verify()
    (study / "sneaky.txt").unlink()


@pytest.mark.skipif(not os.environ.get("MARGIN_POWER_LONG"), reason="the long run: MARGIN_POWER_LONG=1")
def test_power_loss_over_every_workload_in_one_session(study, tmp_path):
    """Every workload's steps one after another on one project (a few minutes)."""
    values = _values(tmp_path)
    workload = Workload(study, study)
    base = workload.seq()
    os.sync()
    skip = ("code rename", "delete", "merge", "restore")
    steps = [s for name, (_, recorded) in WORKLOADS.items() if name not in skip for s in recorded]
    steps += [["codes", "add", "Other"], ["codes", "merge", "Trust", "Other"], ["undo"], ["redo"],
              ["codes", "rename", "Other", "Faith"], ["codes", "delete", "Faith", "--force"]]  # fmt: skip
    workload.record(steps, values)
    outcome = check_workload(workload.recorder, workload.acks, base, (study / "log.jsonl").read_bytes())
    _report("every workload in one session", outcome)
