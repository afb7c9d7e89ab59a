"""Key to frame in a real terminal: the app runs in tmux at 80x24, a key is sent with
`tmux send-keys`, and the time until `tmux capture-pane -e` shows a changed screen is the
latency. The floor is a one-widget Textual app whose key repaints a counter, measured the
same way. Run: python tests/bench/bench_keys_tmux.py  (needs tmux).

Pilot's figures (bench_tui.py) include its idle detection; this measures what a person
sees, including the terminal and tmux.
"""

from __future__ import annotations

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

FLOOR_APP = """
from textual.app import App
from textual.widgets import Static

class Counter(App):
    BINDINGS = [("j", "bump", ""), ("q", "quit", "")]
    count = 0

    def compose(self):
        yield Static("0", id="count")

    def action_bump(self):
        self.count += 1
        self.query_one("#count", Static).update(str(self.count))

Counter().run()
"""


def screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-e", "-t", session], capture_output=True, text=True).stdout


def latencies(session: str, key: str, presses: int) -> list[float]:
    """Milliseconds from send-keys to a changed screen, per press."""
    found = []
    for _ in range(presses):
        before = screen(session)
        start = time.perf_counter()
        subprocess.run(["tmux", "send-keys", "-t", session, key], check=True)
        while screen(session) == before and time.perf_counter() - start < 2:
            pass
        found.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)
    return sorted(found)


def start(session: str, command: str) -> None:
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], check=True)
    time.sleep(3)


def main() -> None:
    if shutil.which("tmux") is None:
        sys.exit("tmux is not installed")
    import bench_tui

    margin = Path(sys.executable).parent / "margin"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "floor.py").write_text(FLOOR_APP)
        bench_tui.big_project(Path(tmp) / "big").close()
        start("bench-floor", f"{sys.executable} {tmp}/floor.py")
        start("bench-margin", f"{margin} open {tmp}/big")
        try:
            floor = latencies("bench-floor", "j", 40)
            print(f"floor (one Static, key repaints): median {statistics.median(floor):.1f} ms, p90 {floor[35]:.1f} ms")
            for key in ("j", "J", "w", "pagedown"):
                found = latencies("bench-margin", key, 40)
                above = statistics.median(found) - statistics.median(floor)
                print(f"4,000-turn document, {key:8}: median {statistics.median(found):.1f} ms "
                      f"(+{above:.1f} above floor; target < 20), p90 {found[35]:.1f} ms")
        finally:
            for session in ("bench-floor", "bench-margin"):
                subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


if __name__ == "__main__":
    main()
