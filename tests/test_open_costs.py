"""What every command line's open pays (issue 11, command lines at 200,000 codings): the
quick ways of the open path give exactly what the slow ways gave, and the costs that were
cut stay cut (no OpenSSL import, no fsync of the lock's name, no fsync of the project
folder for a backup into an existing backups/)."""

from __future__ import annotations

import ast
import copy
import hashlib
import os
import pickle
import re

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from store import backup, digests, layout
from store.model import Code, Coder, Memo
from store.project import Project
from tests.reliability.helpers import age_backups
from tests.conftest import REPO, modules_after_command


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_the_built_in_digests_are_hashlibs(data):
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert digests.blake2b(data, digest_size=16).hexdigest() == hashlib.blake2b(data, digest_size=16).hexdigest()
    assert digests.sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()


NAMES = st.sampled_from(["a.json", "b.json", ".hidden.json", "c.txt", "d.json.tmp", ".d.json.x.tmp", "a.b.json", "Z.json", "é.json", ".json"])


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["alice", "bob", ".git", "Bob", "x.json"]), st.lists(NAMES, unique=True, max_size=6), max_size=4),
       st.lists(NAMES, unique=True, max_size=3))  # fmt: skip
def test_codings_files_are_listed_as_pathlib_globbed_them(tmp_path_factory, tree, loose):
    """Every shape of codings/: hidden and non-JSON files, loose files (the first
    format's codings/<coder>.json), folders named like files."""
    folder = tmp_path_factory.mktemp("p")
    (folder / "codings").mkdir()
    for coder, names in tree.items():
        (folder / "codings" / coder).mkdir()
        for name in names:
            (folder / "codings" / coder / name).write_text("{}")
    for name in loose:
        if not (folder / "codings" / name).exists():
            (folder / "codings" / name).write_text("{}")
    found = sorted(folder.glob("codings/*/*.json"))
    expected = {f"{p.parent.name}/{p.stem}": p for p in found if not p.name.startswith(".")}
    assert layout.codings_files(folder) == expected
    assert list(layout.codings_files(folder)) == list(expected) == layout.codings_keys(folder)


def test_codings_files_of_a_folder_without_codings(tmp_path):
    assert layout.codings_files(tmp_path) == {} and layout.codings_keys(tmp_path / "nowhere") == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries(
    {"id": st.uuids().map(str), "name": st.text(max_size=8), "parent": st.none() | st.uuids().map(str), "color": st.just("#fff")},
    optional={"description": st.text(max_size=5), "codable": st.booleans(), "created": st.just("t"), "modified": st.just("u"),
              "from_a_newer_margin": st.integers()},
), max_size=6))  # fmt: skip
def test_codes_built_all_at_once_are_the_ones_built_one_by_one(records):
    assert Code.build_all(records) == [Code.from_record(r) for r in records]


def test_memos_and_coders_build_all_at_once_too():
    memos = [{"id": "m", "kind": "project", "target": None, "text": "t", "author": "a"},
             {"id": "n", "kind": "annotation", "target": "d", "text": "t", "author": "a", "start": 1, "end": 2}]  # fmt: skip
    assert Memo.build_all(memos) == [Memo.from_record(r) for r in memos]
    assert Coder.build_all([{"id": "c", "name": "ana", "created": "t"}]) == [Coder(id="c", name="ana", created="t")]


def test_a_command_line_does_not_load_openssl(tmp_path):
    """hashlib loads OpenSSL, about 13 ms of every command; store/digests.py has the same digests."""
    Project.init(tmp_path / "p", coder="ana").close()
    loaded = modules_after_command(tmp_path / "p", ["codes", "add", "Trust"])
    assert sorted(m for m in ("hashlib", "_hashlib") if m in loaded) == []


@pytest.fixture(scope="module")
def small_coded(tmp_path_factory):
    """Two coded interviews: a study of the size the qc comparison times (docs/benchmarks.md)."""
    folder = tmp_path_factory.mktemp("small") / "p"
    for name in ("one", "two"):
        (folder.parent / f"{name}.txt").write_text(f"Ann: I worry about ward {name}.\n\nBob: So do I, and the rota.\n", encoding="utf-8")
    with Project.init(folder, coder="ana") as project:
        code = project.codebook.add("Worry")
        for name in ("one", "two"):
            document = project.documents.import_file(folder.parent / f"{name}.txt").document
            project.codings.apply(document, code, 5, 10)
    return folder


# Each step of the qc comparison on a small study, with what it must not load: OpenSSL
# (hashlib, 3-13 ms), msgspec (9 ms, for bulk reads only: store/codings_files.py `small`)
# and the heavy exports' and the app's modules.
SMALL_STEPS = {
    "stats codes": ["stats", "codes"],
    "find": ["find", "Worry"],
    "export qdpx": ["export", "qdpx", "-o", "{out}/p.qdpx"],
    "export csv": ["export", "csv", "-o", "{out}/p.csv"],
    "show": ["show", "one"],
    "codes": ["codes"],
}


@pytest.mark.parametrize("step", sorted(SMALL_STEPS))
def test_a_small_studys_commands_load_neither_openssl_nor_msgspec(small_coded, tmp_path, step):
    args = [arg.format(out=tmp_path) for arg in SMALL_STEPS[step]]
    loaded = modules_after_command(small_coded, args)
    assert "store.project" in loaded  # the command ran
    assert sorted(m for m in ("hashlib", "_hashlib", "msgspec", "textual") if m in loaded) == []


def test_no_module_compiles_a_pattern_when_imported():
    """A module-level `re.compile` costs every command that imports the module (70 of
    them cost 2-8 ms a command): store/patterns.py `later` compiles at first use."""
    found = []
    for path in sorted([*(REPO / "store").rglob("*.py"), *(REPO / "tui").rglob("*.py")]):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = getattr(node, "value", None)
            if isinstance(value, ast.Call) and ast.unparse(value.func) in ("re.compile", "regex.compile"):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []


def test_a_later_pattern_is_the_compiled_pattern():
    from store.patterns import later

    pattern = later(r"(\w+)-(\d+)", re.I)
    assert pattern.pattern == r"(\w+)-(\d+)" and pattern.flags == re.compile(r"(\w+)-(\d+)", re.I).flags
    assert copy.copy(pattern).search("AB-12").groups() == ("AB", "12")  # copied or pickled, it still works
    assert pickle.loads(pickle.dumps(later("a+"))).fullmatch("aa")
    assert pattern.groups == 2 and pattern.search("x AB-12").groups() == ("AB", "12")
    assert pattern.sub(r"\2", "a-1 b-2") == "1 2" and pattern.findall("a-1") == [("a", "1")]
    assert pattern.fullmatch("Q-9")[0] == "Q-9" and [m.span() for m in pattern.finditer("a-1 b-2")] == [(0, 3), (4, 7)]


def test_a_writers_first_change_syncs_the_backup_but_not_the_lock_or_the_project_folder(project, interview, monkeypatch):
    code = project.codebook.add("Trust")
    project.codings.apply(interview, code, 0, 5)
    project.close()  # a checkpoint: the next writer's first change takes a backup (an hour later)
    age_backups(project.dir)
    synced: list[str] = []
    real = os.fsync

    def recording(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", recording)
    with Project.open(project.dir) as again:
        again.codebook.add("Other")
        monkeypatch.setattr(os, "fsync", real)  # the close's checkpoint syncs the folder, for its renames
    newest = backup.newest(project.dir)
    assert str(newest) in synced and str(newest / "codings") in synced and str(newest.parent) in synced
    assert str(project.dir / ".margin.lock") not in synced
    assert str(project.dir) not in synced, synced


def test_the_first_backup_makes_backups_durable_in_the_project_folder(tmp_path, monkeypatch):
    synced: list[str] = []
    real = os.fsync

    def recording(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    folder = tmp_path / "p"
    Project.init(folder, coder="ana").close()
    backup_root = folder / backup.BACKUP_DIR
    assert not backup_root.exists()  # no change yet, so no backup
    monkeypatch.setattr(os, "fsync", recording)
    with Project.open(folder) as project:
        project.codebook.add("Trust")
    assert str(folder.resolve()) in synced and str(backup_root.resolve()) in synced


def test_an_import_keeps_the_word_index_that_the_first_analysis_reads(tmp_path, monkeypatch):
    """The words an import counts are kept (cache/words): a first `margin stats` found
    them again, a third of its time on seven interviews. The count is words_said's."""
    from store import words
    from store.text import words_said

    source = tmp_path / "talk.txt"
    source.write_text("Ann: Don't you think so?\n\nBob: I do, naïvely — café.\n\nAnn: Right.\n", encoding="utf-8")
    with Project.init(tmp_path / "p", coder="ana") as project:
        document = project.documents.import_file(source).document
        text = project.text(document.id)
        assert document.words == words_said(text, document.turns) == 9
    words._kept.clear()
    monkeypatch.setattr(words, "word_index", lambda *a: pytest.fail("the words were found again"))
    with Project.open(tmp_path / "p", readonly=True) as project:
        index = words.words_of(project, project.documents.get(document.id))
    assert [text[s:e] for s, e in zip(index.starts, index.ends)] == [m.group() for t in document.turns for m in words.letters(text, t.start, t.end)]
