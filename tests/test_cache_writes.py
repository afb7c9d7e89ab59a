"""The analysis caches (cache/words, cache/columns) are written whole but not fsynced:
they hold nothing that cannot be recomputed and their readers check length and CRC, so
a power cut that leaves one short only makes the next command compute it again. The
project's own files keep every fsync. And the word index, now built by C-level maps,
finds the same words as one match at a time."""

from __future__ import annotations

import os
from array import array

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import store.words as words
from store.project import Project
from store.text import LETTERS
from tui.cli import cli

TEXT = "Interviewer: How did it start?\n\nNurse: With a phone call, don't you know.\n\nInterviewer: And then?\n"


def synced_during(monkeypatch, run) -> list[str]:
    synced: list[str] = []
    real = os.fsync

    def recording(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", recording)
    run()
    monkeypatch.setattr(os, "fsync", real)
    return synced


def test_a_first_stats_command_writes_its_caches_without_an_fsync(tmp_path, monkeypatch):
    (tmp_path / "P1.txt").write_text(TEXT, encoding="utf-8")
    runner, project = CliRunner(), str(tmp_path / "p")
    for args in (["init", project, "--coder", "ana"], ["-p", project, "import", str(tmp_path / "P1.txt")],
                 ["-p", project, "apply", "--all-documents", "Calls", "--regex", "phone", "--extend", "turn", "--create"]):  # fmt: skip
        assert runner.invoke(cli, args).exit_code == 0
    words._kept.clear()
    done = {}
    synced = synced_during(monkeypatch, lambda: done.setdefault("stats", runner.invoke(cli, ["-p", project, "stats", "codes"])))
    assert done["stats"].exit_code == 0 and "Calls" in done["stats"].output
    caches = [p for p in (tmp_path / "p" / "cache").rglob("*") if p.is_file()]
    assert any("words" in p.parts for p in caches) and any("columns" in p.parts for p in caches)
    assert [path for path in synced if "/cache" in path] == []


def test_project_files_are_still_fsynced(tmp_path, monkeypatch):
    Project.init(tmp_path / "p", coder="ana").close()

    def add() -> None:
        with Project.open(tmp_path / "p") as p:
            p.codebook.add("Trust")

    synced = synced_during(monkeypatch, add)
    assert any(path.endswith("log.jsonl") for path in synced), synced


def a_match_at_a_time(text: str, bounds) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for first, last in bounds if bounds is not None else ((0, len(text)),):
        for match in LETTERS.finditer(text, first, last):
            starts.append(match.start())
            ends.append(match.end())
    return starts, ends


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("ab 'é’\u0301.\n1-"), max_size=50), st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=4) | st.none())
def test_the_word_index_finds_each_word_as_one_match_at_a_time_does(text, spans):
    bounds = None if spans is None else tuple((min(a, b), max(a, b)) for a, b in spans)
    index = words.word_index.__wrapped__(text, bounds)
    starts, ends = a_match_at_a_time(text, bounds)
    assert (index.starts, index.ends) == (array("I", starts), array("I", ends))
