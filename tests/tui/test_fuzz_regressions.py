"""Key sequences the fuzzer (tests/tui/fuzz_keys.py) found, shrunk to their shortest.

Each replays on a fresh project under Pilot with every fuzzer check after every key, and
must pass cleanly.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.tui.fuzz_keys import TARGETS, Fuzzer


@pytest.fixture(scope="module")
def fuzzer():
    made = Fuzzer()
    yield made
    made.close()


def replay(fuzzer, target: str, tokens: list[str]):
    if not TARGETS[target].available:
        pytest.skip(f"needs the shared corpus file for {target}")
    return asyncio.run(fuzzer.replay(target, tokens))


def typed(text: str) -> list[str]:
    return list(text)


def test_b_at_the_start_of_a_turn(fuzzer):
    failure = replay(fuzzer, "demo", ["J", "b"])
    assert failure is None, failure.describe()


def test_sentence_selection_stops_at_the_turn(fuzzer):
    failure = replay(fuzzer, "demo", ["s", ")", ")"])
    assert failure is None, failure.describe()


def test_word_motion_after_a_sentence_selection_stays_in_the_turn(fuzzer):
    failure = replay(fuzzer, "covid", ["s", "w"])  # seed 1007, shrunk from 2 episodes of keys
    assert failure is None, failure.describe()


def test_f3_keeps_the_cursor_on_screen(fuzzer):
    failure = replay(fuzzer, "demo", ["pagedown", "f3"])
    assert failure is None, failure.describe()


def test_picker_exact_path_codes_that_code(fuzzer):
    failure = replay(fuzzer, "pdpilot", ["c", *typed("Benefits of PDPilot > Compliment"), "enter"])
    assert failure is None, failure.describe()


def test_picker_exact_path_without_spaces(fuzzer):
    failure = replay(fuzzer, "demo", ["c", *typed("Support for peers>Emotional toll"), "enter"])
    assert failure is None, failure.describe()


# Found by the fuzzer (seed 5003, the Covid day) and fixed on this branch: `u` first undid the
# document's import; the reader kept showing it and `c` then coded a document that was gone.
def test_undoing_the_import_of_the_open_document_then_coding(fuzzer):
    failure = replay(fuzzer, "vtt", ["u", "c", *typed("trust"), "enter"])
    assert failure is None, failure.describe()


def test_the_store_refuses_a_coding_on_a_removed_document(project, interview):
    from store.errors import NotFound

    code = project.codebook.add("Trust")
    project.undo()  # the code
    with pytest.raises(NotFound, match="code Trust is no longer in the project"):
        project.codings.apply(interview, code, 0, 5)
    project.undo()  # the import
    code = project.codebook.add("Trust")
    with pytest.raises(NotFound, match="document .* is no longer in the project"):
        project.codings.apply(interview, code, interview.turns[0].start, interview.turns[0].end)
    assert not [c for c in project.state.codings.values() if c.document == interview.id]
