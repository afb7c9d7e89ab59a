"""Work counted, not timed: each command-line path reads and writes what it touches (issue 11).

Each test patches the system calls a path makes (open, link, fsync) and counts them on a
project of several documents, so a return to whole-project costs fails here, whatever
the machine's speed."""

from __future__ import annotations

import os

import orjson
import pytest

from store import backup, layout
from store.importers import parse_text
from store.project import Project

from .conftest import INTERVIEW

DOCUMENTS = 6


@pytest.fixture
def study(tmp_path):
    """A closed project of DOCUMENTS interviews, each coded twice by alice."""
    with Project.init(tmp_path / "study", name="Study", coder="alice") as project:
        code = project.codebook.add("Trust")
        for n in range(DOCUMENTS):
            document = project.documents.import_parsed(parse_text(f"{INTERVIEW}\nInterviewer: Thank you, {n}.\n", "txt"), f"N{n}", {"case": f"N{n}"}).document
            for turn in document.turns[1:3]:
                project.codings.apply(document, code, turn.start, turn.end)
    return tmp_path / "study"


def _count(monkeypatch, module, name: str, keep=lambda *args: args[0] if args else None) -> list:
    """Record `keep` of the arguments of every call of module.name."""
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(keep(*args))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_backup_is_one_link_per_file_and_an_fsync_per_folder(study, monkeypatch):
    files = layout.checkpoint_paths(study)
    links = _count(monkeypatch, os, "link")
    fsyncs = _count(monkeypatch, os, "fsync")
    had_backups = (study / backup.BACKUP_DIR).is_dir()
    made = backup.take(study, files, "test")
    assert len(links) == len(files)
    # the project folder only when backups/ is new in it (else its name is durable already)
    folders = {p.parent for p in made.rglob("*")} | {made, made.parent} | ({made.parent.parent} if not had_backups else set())
    assert len(fsyncs) == len(folders)
    assert sorted(p.relative_to(made) for p in made.rglob("*") if p.is_file()) == sorted(p.relative_to(study) for p in files)


def test_kept_sources_are_not_read_again(study, monkeypatch):
    backup.keep_sources(study)
    reads = _count(monkeypatch, type(study), "read_bytes")
    backup.keep_sources(study)
    assert reads == []


def test_an_open_checks_the_tables_of_project_json_only_when_another_hand_wrote_it(study, monkeypatch):
    from store import schema

    tables = _count(monkeypatch, schema, "table_problem", lambda table, records: table if records else None)
    trees = _count(monkeypatch, schema, "code_tree_problem", lambda codes, only=None: len(codes) if only is None else None)
    Project.open(study, readonly=True).close()
    assert set(tables) == {None} and set(trees) == {0}  # the file this machine's checkpoint wrote
    (study / "project.json").write_bytes((study / "project.json").read_bytes().replace(b"Trust", b"Trusts"))
    local = orjson.loads((study / "local.json").read_bytes())
    del local["checkpoint"]["files"]  # as on a fresh clone: no record to hold the file to
    (study / "local.json").write_bytes(orjson.dumps(local))
    with Project.open(study, readonly=True) as reader:
        assert [c.name for c in reader.codebook.all()] == ["Trusts"]
    assert "documents" in tables and "codes" in tables and 1 in trees


def test_the_word_patterns_are_compiled_when_first_used_not_at_import():
    import re
    import subprocess
    import sys

    code = "import tui.cli, store.text as t; print('_compiled' not in vars(t.WORD) and '_compiled' not in vars(t.LETTERS))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=layout.__file__.rsplit("/store/", 1)[0])
    assert done.stdout.strip() == "True"
    from store.text import LETTERS, WORD

    text = "Don't stop — naïve café, 👩‍⚕️ ok"
    assert [m.span() for m in WORD.finditer(text)] == [m.span() for m in re.compile(WORD.pattern).finditer(text)]
    assert LETTERS.findall(text) == re.compile(LETTERS.pattern).findall(text)


def test_turns_are_built_only_for_the_documents_used(study):
    from store.model import Turns

    with Project.open(study, readonly=True) as reader:
        documents = reader.documents.all()
        assert [len(d.turns) for d in documents] == [5] * DOCUMENTS
        assert all(isinstance(d.turns, Turns) and d.turns._turns is None for d in documents)
        first = documents[0]
        assert first.turns[1].speaker == "Nurse" and first.turns == tuple(first.turns) and hash(first.turns) == hash(tuple(first.turns))
        assert [d.turns._turns is None for d in documents] == [False] + [True] * (DOCUMENTS - 1)
        second = documents[1]
        assert second.to_record()["turns"] == [[t.speaker, t.start, t.end, t.time_start, t.time_end] for t in second.turns]


def _full_listing(directory) -> list[dict]:
    """What `margin log` showed before it kept summaries: every line of the log parsed."""
    from store.journal import Journal
    from store.project import _summary

    return [_summary(offset, entry) for offset, entry in Journal(directory).read_lines(0)]


def test_listing_the_log_parses_only_the_lines_not_listed_before(study, monkeypatch):
    from store import journal

    with Project.open(study, readonly=True) as reader:
        assert reader.log() == _full_listing(study)
    expected = _full_listing(study)
    parsed = _count(monkeypatch, journal, "parse_entry")
    with Project.open(study, readonly=True) as reader:
        assert reader.log() == expected
    assert len(parsed) == 1  # the last summarised line, checked to be still there
    with Project.open(study) as writer:
        writer.codebook.add("Hope")
    parsed.clear()
    with Project.open(study, readonly=True) as reader:
        listing = reader.log()
    assert len(parsed) == 2 and listing[-1]["summary"] == "add code Hope"
    monkeypatch.undo()
    assert listing == _full_listing(study)


def _cut_last(log):
    data = log.read_bytes()
    log.write_bytes(data[: data.rstrip(b"\n").rfind(b"\n") + 1])


def _replace(log):
    data = log.read_bytes()
    os.replace(log, log.with_suffix(".old"))
    log.write_bytes(data)


def _change_last(log):
    lines = log.read_bytes().splitlines(keepends=True)
    entry = orjson.loads(lines[-1])
    entry["seq"] += 1000
    log.write_bytes(b"".join(lines[:-1]) + orjson.dumps(entry) + b"\n")


def _change_first(log):
    data = bytearray(log.read_bytes())
    data[2] = ord("#")
    log.write_bytes(bytes(data))


def _truncate_all(log):
    log.write_bytes(b"")


@pytest.mark.parametrize("change", [_cut_last, _replace, _change_last, _change_first, _truncate_all])
def test_summaries_that_no_longer_match_the_log_are_made_again(study, change):
    with Project.open(study, readonly=True) as reader:
        reader.log()
    change(study / "log.jsonl")
    with Project.open(study, readonly=True) as reader:
        listing = reader.log()
    assert listing == _full_listing(study)


def test_undoing_a_new_code_reads_no_codings_file(study, monkeypatch):
    """Found here: the undo of `margin codes add` read every codings file to look for codings
    of the code it removes (38 s at 200,000 codings); the checkpoint's counts say there are none."""
    with Project.open(study) as writer:
        writer.codebook.add("Hope")
    reads = _count(monkeypatch, Project, "_load_codings_file", lambda project, key: key)
    with Project.open(study) as writer:
        writer.undo()
        assert writer.codebook.get("Trust") and [c.name for c in writer.codebook.all()] == ["Trust"]
    assert reads == []


def test_undoing_a_code_another_coder_has_used_is_still_refused_and_reads_only_what_it_must(study, monkeypatch):
    from store.errors import Refused

    with Project.open(study) as writer:
        writer.codebook.add("Hope")
    with Project.open(study, coder="bob") as bob:
        document = bob.documents.get("N3")
        bob.codings.apply(document, bob.codebook.get("Hope"), document.turns[3].start, document.turns[3].end)
    with Project.open(study) as writer:
        with pytest.raises(Refused, match="bob's later action"):
            writer.undo()
        assert writer.codebook.get("Hope")
