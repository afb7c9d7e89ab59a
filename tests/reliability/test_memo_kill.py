"""Memo text typed in the app survives kill -9 but for about the last second (issue 9,
finding 2).

`margin open` runs on a real pseudo-terminal; the test opens the memo pane, types digits
at a steady rate (each key's time noted), kills the app with SIGKILL, and reads the memo
back from the project. The loss is the time from the first key missing on disk to the
kill: the pane saves after a pause and at the latest a second after the first unsaved key,
so it must stay near a second however steady the typing. (Before, every key restarted the
half-second timer, and steady typing was never saved.)
"""

from __future__ import annotations

import signal
import time

import pytest

from tests.reliability.helpers import read_state
from tests.reliability.test_signals import Terminal, _lock_holder, _needs_app, _wait_for

WORST_LOSS = 1.5  # seconds: the one-second bound, and room for a loaded 2-core machine


def _type_and_kill(study, rate: float, seconds: float, pause: float = 0.0) -> tuple[str, str, float]:
    """Type for `seconds` at `rate` keys a second, wait `pause`, kill -9. Returns what was
    typed, what the project holds, and the seconds of typing lost."""
    before = read_state(study)["memos"]
    terminal = Terminal(study)
    try:
        _wait_for(lambda: f"pid {terminal.child.pid}@" in _lock_holder(study), what="the app to take the lock")
        _wait_for(lambda: b"N1" in terminal.screen, what="the app to draw the document")
        drawn = len(terminal.screen)
        terminal.type("m")
        _wait_for(lambda: b"Memo" in terminal.screen[drawn:], what="the memo pane")
        time.sleep(0.3)
        typed, sent = "", []
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            key = str(len(typed) % 10)
            terminal.type(key)
            typed += key
            sent.append(time.monotonic())
            time.sleep(max(0.0, start + len(typed) / rate - time.monotonic()))
        time.sleep(pause)
        killed = time.monotonic()
        terminal.child.send_signal(signal.SIGKILL)
        terminal.child.wait(timeout=10)
    finally:
        if terminal.child.poll() is None:
            terminal.child.kill()
    saved = _typed_part(before, read_state(study)["memos"])
    assert typed.startswith(saved), (typed, saved)
    lost = 0.0 if len(saved) == len(typed) else killed - sent[len(saved)]
    return typed, saved, lost


def _typed_part(before: dict, after: dict) -> str:
    """The digits the memo gained (the pane may have opened on a memo that had text)."""
    changed = [m for i, m in after.items() if before.get(i) != m]
    if not changed:
        return ""
    (memo,) = changed
    old = before.get(memo["id"], {}).get("text", "")
    assert memo["text"].startswith(old), memo
    return memo["text"][len(old) :]


@pytest.mark.parametrize(
    "rate,seconds,pause",
    [(40, 4.0, 0.0), (8, 5.0, 0.0), (20, 2.0, 1.2)],
    ids=["fast-steady", "slow-steady", "after-a-pause"],
)
def test_kill_while_typing_a_memo_loses_at_most_a_second(study, rate, seconds, pause):
    _needs_app()
    typed, saved, lost = _type_and_kill(study, rate, seconds, pause)
    print(f"memo kill at {rate} keys/s: {len(typed) - len(saved)} of {len(typed)} keys lost ({lost:.2f} s)")
    assert len(typed) >= rate * seconds * 0.8
    assert lost <= WORST_LOSS, f"{len(typed) - len(saved)} of {len(typed)} keys lost: {lost:.2f} s of typing"
    if pause > 1.0:
        assert saved == typed, "a pause longer than the save delay must save everything"
