"""kill -9 at random moments: nothing acknowledged is lost, nothing is unreadable, and the
undo log still works (the long run is `python tests/reliability/crash_run.py --kills 200`)."""

from __future__ import annotations

import os

from tests.reliability.crash_run import parse_output, run_kills

KILLS = 20


def test_twenty_kills_lose_nothing_acknowledged(tmp_path):
    seed = int(os.environ.get("MARGIN_CRASH_SEED", "20261126"))
    stats = run_kills(tmp_path / "project", KILLS, seed, window=(0.05, 0.8))
    assert stats.kills == KILLS
    assert stats.acknowledged > 20 * KILLS, "the child did too little work for the kills to mean much"
    assert stats.undo_checks == KILLS


def test_the_checker_allows_only_the_operation_in_flight():
    printed = b'READY 3\nTRY 1 apply\nACK 1 4 {"codes/x": null}\nTRY 2 uncode\nACK 2 5 {}\nTRY 3 add_co'
    acked, pending = parse_output(printed)
    assert acked == [(4, {"codes/x": None}), (5, {})]
    assert pending is None  # "TRY 3" was cut by the kill, so it was never printed whole
    acked, pending = parse_output(printed + b"de\n")
    assert pending == "3 add_code"
