"""The word positions kept between runs (store/words.py) and the cells that list their
codings only when asked (store/analysis/cell.py)."""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import store.words as words
from store.analysis.cell import Cell
from store.analysis.frequencies import frequencies
from store.analysis.scope import EVERYTHING
from store.project import Project


def cache_file(project, document):
    return project.dir / words.CACHE_DIR / f"{document.id}.words"


def fresh(project):
    """The project as a new process opens it: nothing kept in memory."""
    words._kept.clear()
    return Project.open(project.dir, readonly=True)


def test_the_word_positions_are_kept_in_a_private_file_and_read_back_without_the_regex(small, monkeypatch):
    document = small.project.state.documents[small.docs["A1"]]
    old = os.umask(0o022)  # a typical, permissive umask
    try:
        computed = words.words_of(small.project, document)
    finally:
        os.umask(old)
    path = cache_file(small.project, document)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [stat.S_IMODE(p.stat().st_mode) for p in (path.parent, path.parent.parent)] == [0o700, 0o700]
    assert computed == words.word_index(small.project.text(document.id), words.bounds_of(document))
    assert len(computed.starts) == 18  # the words said; the 4 speaker labels are not words of the document
    reader = fresh(small.project)

    def no_regex(text, bounds=None):
        raise AssertionError("the word regex ran although the cache file was good")

    monkeypatch.setattr(words, "word_index", no_regex)
    assert words.words_of(reader, reader.state.documents[document.id]) == computed


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[:-1],  # cut short
        lambda data: data + b"\0\0\0\0",
        lambda data: data[:20] + bytes([data[20] ^ 1]) + data[21:],  # another word definition
        lambda data: data[:-3] + bytes([data[-3] ^ 0x10]) + data[-2:],  # an offset changed
        lambda data: b"not a cache file at all",
    ],
)
def test_a_damaged_cache_file_is_recomputed_and_replaced(small, damage):
    document = small.project.state.documents[small.docs["B1"]]
    right = words.words_of(small.project, document)
    path = cache_file(small.project, document)
    good = path.read_bytes()
    path.write_bytes(damage(good))
    assert words.words_of(fresh(small.project), document) == right
    assert path.read_bytes() == good


def test_a_cache_file_of_another_text_is_not_used(small):
    a1, a2 = (small.project.state.documents[small.docs[n]] for n in ("A1", "A2"))
    words.words_of(small.project, a1)
    cache_file(small.project, a2).parent.mkdir(parents=True, exist_ok=True)
    cache_file(small.project, a2).write_bytes(cache_file(small.project, a1).read_bytes())  # A1's words under A2's name
    assert words.words_of(fresh(small.project), a2) == words.word_index(small.project.text(a2.id), words.bounds_of(a2))


def test_a_cache_file_made_for_other_turns_is_not_used(small):
    """The index is of the turns' words, so the same text with other turns needs another."""
    from dataclasses import replace

    a1 = small.project.state.documents[small.docs["A1"]]
    words.words_of(small.project, a1)
    fewer = replace(a1, turns=a1.turns[1:])
    words._kept.clear()
    assert words.words_of(small.project, fewer) == words.word_index(small.project.text(a1.id), words.bounds_of(fewer))
    assert len(words.words_of(small.project, fewer).starts) < len(words.word_index(small.project.text(a1.id), words.bounds_of(a1)).starts)


def test_a_folder_that_cannot_be_written_gives_the_same_figures_only_slower(small):
    want = frequencies(small.project, EVERYTHING)
    cache = small.project.dir / words.CACHE_DIR.parent
    shutil.rmtree(cache)
    cache.write_text("in the way")  # the cache folder cannot be made
    assert frequencies(fresh(small.project), EVERYTHING) == want
    assert cache.read_text() == "in the way"


@settings(max_examples=60, deadline=None)
@given(text=st.text(st.sampled_from("ab 'é’.\n1"), max_size=60), at=st.integers(min_value=0), bit=st.integers(0, 7))
def test_any_flipped_bit_of_a_cache_file_is_noticed(text, at, bit):
    sha = "ab" * 32
    definition = b"12345678"
    data = words.encode(sha, definition, words.word_index(text))
    assert words.decode(data, sha, definition) == words.word_index(text)
    at %= len(data)
    flipped = data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]
    assert words.decode(flipped, sha, definition) is None


def test_a_lazy_cell_lists_its_codings_once_and_only_when_asked():
    calls = []

    def listing():
        calls.append(1)
        return ["c1", "c2"]

    cell = Cell.lazy(2, listing)
    assert cell.value == 2 and calls == []
    assert cell.codings == ("c1", "c2") and cell.codings == ("c1", "c2") and calls == [1]
    assert cell == Cell(2, ("c1", "c2")) and hash(cell) == hash(Cell(2, ("c1", "c2")))
    assert Cell(0) == Cell(0, ()) and Cell(1, ("x",)) != Cell(1, ("y",))
    with pytest.raises(AttributeError):
        cell.value = 3


WHOLE_TEXTS = [
    ("pdpilot-interviews", "P1.txt"),
    ("changelog-podcast", "js-party-200.md"),
    ("docx-derived", "covid-m6-2025-07-08_Julie-Parkinson.docx"),
]


@pytest.mark.parametrize("folder, name", WHOLE_TEXTS)
def test_a_document_has_one_word_count_everywhere(tmp_path, folder, name):
    """`margin docs`, the word index and `stats codes` count a document's words alike: a
    coding of the whole text (labels, title and all) covers exactly its words, share 1.
    The trial's P1 had three counts (3004, 3010, 2915) and a share of 1.0326."""
    from click.testing import CliRunner

    from tests.conftest import shared
    from tui.cli import cli

    path = shared("corpus", folder, name)
    runner = CliRunner()

    def margin(*args):
        result = runner.invoke(cli, ["-p", str(tmp_path / "p"), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    margin("init", "--coder", "alice")
    margin("import", str(path), "--name", "D")
    with Project.open(tmp_path / "p", readonly=True) as project:
        document = project.documents.get("D")
        length, indexed = document.length, len(words.words_of(project, document).starts)
    [listed] = json.loads(margin("docs", "--json"))
    margin("apply", "D", "Whole", "--span", f"0:{length}", "--create")
    [row] = [r for r in csv_rows(margin("stats", "codes", "--csv")) if r["code_path"] == "Whole"]
    assert int(listed["words"]) == indexed == int(row["words"]) and float(row["share"]) == 1.0


def csv_rows(text: str):
    import csv
    import io

    return csv.DictReader(io.StringIO(text))
