"""`margin ... | head`: when the reader of the output goes away, margin stops quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from store.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("pipes") / "demo", REPO / "tui" / "demo")


@pytest.mark.parametrize("args", [["export", "csv"], ["docs"], ["keys"], ["codes"], ["--help"]])
def test_a_closed_pipe_ends_margin_quietly(demo, args):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before margin writes a byte: every write is EPIPE
    try:
        done = subprocess.run([sys.executable, "-c", "from tui.cli import main; main()", "-p", str(demo), *args],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, cwd=REPO, timeout=60)
    finally:
        os.close(write_end)
    assert done.stderr == ""  # no "Error: Broken pipe", no traceback
    assert done.returncode == 1  # as click itself exits on a broken pipe


def test_head_reads_the_first_line_and_margin_says_nothing(demo):
    done = subprocess.run(f"{sys.executable} -c 'from tui.cli import main; main()' -p {demo} export csv | head -1",
                          shell=True, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.stdout.count("\n") == 1 and done.stderr == ""
