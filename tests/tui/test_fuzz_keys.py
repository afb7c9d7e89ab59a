"""The key-sequence fuzzer in CI: a small seeded budget on each document, and its own checks.

The long run is a script: python -m tests.tui.fuzz_keys --keys 200000 --seed 1
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

import keymaps
from tests.tui.fuzz_keys import EXCLUDED, REPO, TARGETS, Fuzzer, Vocabulary, normal_path

# Failures the fuzzer finds on main today, each with an xfail regression test in
# test_fuzz_regressions.py and a fix on another helper's branch. A budget that meets one
# carries on (or, after a crash, stops that episode); anything else fails the test.
# Empty this once the fixes are merged.
BUDGET = [("demo", 1), ("demo", 2), ("pdpilot", 3), ("vtt", 4), ("covid", 5)]
KEYS = int(os.environ.get("MARGIN_FUZZ_KEYS", "40"))


@pytest.fixture(scope="module")
def fuzzer():
    made = Fuzzer()
    yield made
    made.close()


def test_every_scope_of_the_key_table_is_pressed_somewhere():
    """A new screen with its own key table needs a SCOPES entry, or its keys go untested."""
    assert Vocabulary(keymaps.default()).unmapped_scopes() == []


def test_every_binding_but_quit_is_in_the_vocabulary():
    vocabulary = Vocabulary(keymaps.default())
    pressable = {a.id for actions in vocabulary.by_scope.values() for a in actions}
    assert set(keymaps.default().actions) - pressable == set(EXCLUDED)
    assert set(EXCLUDED) <= set(keymaps.default().actions)


def test_picker_oracle_ignores_case_and_spacing():
    assert normal_path("  support for PEERS>Emotional   toll ") == normal_path("Support for peers > Emotional toll")


def test_a_clean_session_passes_every_check(fuzzer):
    """Coding, undo, redo, the undo-redo check and a pane toggle, all correct on main."""
    tokens = ["J", "J", "V", "c", *"role clarity", "enter", "check:undo", "u", "ctrl+r", "f2", "f2",
              "resize:200x50", "resize:80x24", "?", "escape", "check:undo"]
    outcome = asyncio.run(fuzzer.episode("demo", tokens=tokens))
    assert outcome.failure is None, outcome.failure.describe()
    checks = {k: n for k, n in outcome.coverage.items() if k.startswith("(undo")}
    assert outcome.coverage["reader.code"] == 1 and checks == {"(undo-redo checked)": 2}, checks


@pytest.mark.parametrize(("target", "seed"), BUDGET, ids=[f"{t}-{s}" for t, s in BUDGET])
def test_fuzz_budget(fuzzer, target, seed):
    if not TARGETS[target].available:
        pytest.skip(f"needs the shared corpus file for {target}")
    outcome = asyncio.run(fuzzer.episode(target, seed, KEYS))
    assert outcome.failure is None, outcome.failure.describe()
    assert len(outcome.tokens) > KEYS
    assert sum(n for a, n in outcome.coverage.items() if a != "(check)") >= len(outcome.tokens) - KEYS // 10


def test_the_script_prints_what_it_covered(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tests.tui.fuzz_keys", "--keys", "15", "--seed", "7", "--targets", "demo"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MARGIN_STATE_DIR": str(tmp_path / "state")},
    )
    assert "keys pressed per binding:" in result.stdout, result.stderr[-2000:]
    assert "reader.word_back" in result.stdout and "documents: demo" in result.stdout
    assert result.returncode in (0, 1)  # 1 when it found a failure (it prints it)
