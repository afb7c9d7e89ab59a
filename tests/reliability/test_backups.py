"""Backups share what did not change: over a simulated week of heavy coding the backups
folder stays under twice the project's own files, and every kept backup holds exactly
the state it was taken at (tests/reliability/week_of_backups.py is the full-size run)."""

from __future__ import annotations

from store import backup
from store.restore import restore
from tests.reliability.helpers import read_state
from tests.reliability.week_of_backups import kept_state, simulate


def test_a_week_of_backups_shares_unchanged_files_and_keeps_each_state(tmp_path):
    directory = tmp_path / "study"
    figures = simulate(directory, documents=24, codings=2400, days=7, sessions=4)
    assert len(figures["kept"]) > 20  # the newest 20 and one a day
    assert figures["backups"] < 2 * figures["own"], figures
    checked = 0
    for folder in figures["kept"]:
        seq, state = kept_state(directory, folder)
        if seq in figures["states"]:
            assert state == figures["states"][seq], folder.name
            checked += 1
    assert checked >= 20
    final = read_state(directory)
    restore(directory, backup.listing(directory)[len(figures["kept"]) // 2].name)
    assert read_state(directory) == final  # a backup put back, and the log replays the rest
