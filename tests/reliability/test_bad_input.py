"""Hostile files and arguments: a correct import or a one-line `Error:` with a non-zero
exit, never a traceback or a hang, and a refused command leaves the project's bytes as
they were."""

from __future__ import annotations

import csv
import io
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.project import Project
from tests.reliability import hostile
from tests.reliability.helpers import Run, file_bytes, margin, one_line_error
from tui.cli import cli


@pytest.fixture
def invoke(monkeypatch):
    """`margin` in this process (fast), with a hang turned into a failure by SIGALRM."""
    for name in ("MARGIN_PROJECT", "MARGIN_CODER"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def hang(signum, frame):
        raise TimeoutError("margin hung")

    def run(*args, timeout: int = 30) -> Run:
        previous = signal.signal(signal.SIGALRM, hang)
        signal.alarm(timeout)
        try:
            result = runner.invoke(cli, [str(a) for a in args])
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


def _import_or_refuse(invoke, study: Path, path: Path, timeout: int = 30) -> Run:
    before = file_bytes(study)
    run = invoke("-p", study, "import", path, timeout=timeout)
    if run.code == 0:
        _check_documents(study)
    else:
        one_line_error(run)
        assert file_bytes(study) == before, f"a refused import of {path.name} changed the project"
    return run


def _check_documents(study: Path) -> None:
    """Every document's text matches its checksum and every turn lies inside it."""
    with Project.open(study, readonly=True) as project:
        for document in project.documents.all():
            text = project.text(document.id)
            assert len(text) == document.length
            assert hostile.SECRET not in text, "an external entity was resolved"
            for turn in document.turns:
                assert 0 <= turn.start <= turn.end <= len(text), (document.name, turn)


CASES = [(name, suffix) for name in hostile.contents() for suffix in hostile.TEXT_SUFFIXES]


@pytest.mark.parametrize("name,suffix", CASES, ids=[f"{n}{s}" for n, s in CASES])
def test_hostile_text_file(invoke, study, tmp_path, name, suffix):
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(hostile.contents()[name])
    _import_or_refuse(invoke, study, path)


@pytest.mark.parametrize("name", list(hostile.docx_files()))
def test_hostile_word_file(invoke, study, tmp_path, name):
    path = tmp_path / f"{name}.docx"
    path.write_bytes(hostile.docx_files()[name])
    _import_or_refuse(invoke, study, path, timeout=60)


def test_big_files_are_imported_or_refused_in_time(study, tmp_path):
    for label, path in hostile.big_files(tmp_path / "big").items():
        before = file_bytes(study)
        run = margin("import", path, project=study, timeout=120)
        if run.code != 0:
            one_line_error(run)
            assert file_bytes(study) == before, label
    docs = margin("docs", "--json", project=study)
    assert docs.code == 0


def _coded(invoke, study: Path, document: str, words: str) -> tuple[int, int, str, str]:
    """Code the passage `words` by --match; returns start, end, the exported text and the stored text."""
    assert invoke("-p", study, "apply", document, "Here", "--match", words, "--create").code == 0
    exported = invoke("-p", study, "export", "csv", "--raw", "--doc", document)
    row = [r for r in csv.DictReader(io.StringIO(exported.out)) if r["text"].startswith(words.split()[0])][-1]
    with Project.open(study, readonly=True) as project:
        stored = project.text(project.documents.get(document).id)
    return int(row["start"]), int(row["end"]), row["text"], stored


@pytest.mark.parametrize(
    "text,words",
    [
        (hostile.EMOJI, "café 🇬🇧 moment"),
        (hostile.EMOJI, "I felt 👩🏽‍⚕️ was me"),
        (hostile.EMOJI, "e\u0301 and n\u0303"),
        (hostile.EMOJI, "yes 😀 indeed"),
        (hostile.RTL, "שלום, how"),
        (hostile.RTL, "مرحبا بكم \u202eevil\u202c fine"),
    ],
    ids=["flag", "zwj-skin-tone", "combining", "emoji", "hebrew", "arabic-rlo"],
)
def test_offsets_are_code_points_of_the_stored_text(invoke, study, tmp_path, text, words):
    path = tmp_path / "unicode.txt"
    path.write_text(text)
    assert invoke("-p", study, "import", path, "--name", "U").code == 0
    start, end, exported, stored = _coded(invoke, study, "U", words)
    assert stored[start:end] == exported == words
    assert start == stored.index(words)


def test_names_with_path_separators_stay_names(invoke, study, tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("A: hello\n")
    outside = sorted(tmp_path.iterdir())
    assert invoke("-p", study, "import", path, "--name", "../../escaped\\..\\x").code == 0
    assert invoke("-p", study, "codes", "add", "../../a/b").code == 0
    assert sorted(tmp_path.iterdir()) == outside
    assert all(len(p.stem) == 36 for p in (study / "sources").iterdir())


def _bad_table(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


BAD_COMMANDS = {
    "span reversed": ["apply", "N1", "Trust", "--span", "9:2"],
    "span negative": ["apply", "N1", "Trust", "--span", "-1:3"],
    "span past the end": ["apply", "N1", "Trust", "--span", "0:99999999"],
    "span empty": ["apply", "N1", "Trust", "--span", "4:4"],
    "span not numbers": ["apply", "N1", "Trust", "--span", "a:b"],
    "span one number": ["apply", "N1", "Trust", "--span", "12"],
    "span huge": ["apply", "N1", "Trust", "--span", f"0:{10**40}"],
    "turn zero": ["apply", "N1", "Trust", "--turn", "0"],
    "turn too far": ["apply", "N1", "Trust", "--turn", "999"],
    "unknown code": ["apply", "N1", "No such code", "--turn", "1"],
    "unknown document": ["apply", "P99", "Trust", "--turn", "1"],
    "two selectors": ["apply", "N1", "Trust", "--turn", "1", "--span", "0:3"],
    "empty match": ["apply", "N1", "Trust", "--match", "   "],
    "unmatched words": ["apply", "N1", "Trust", "--match", "zebra crossing"],
    "unknown speaker": ["apply", "N1", "Trust", "--speaker", "\x1b[2JNobody"],
    "uncode nothing named": ["uncode", "N1"],
    "uncode no fit": ["uncode", "N1", "--coding", "ffffffff"],
    "code name empty": ["codes", "add", "  "],
    "code path empty part": ["codes", "add", "A >  > B"],
    "code exists": ["codes", "add", "Support > Trust"],
    "code control chars only": ["codes", "add", "\x1b\x07\x08"],
    "colour": ["codes", "color", "Trust", "red"],
    "move under itself": ["codes", "move", "Support", "Trust"],
    "merge into itself": ["codes", "merge", "Trust", "Trust"],
    "delete unknown": ["codes", "delete", "Nope"],
    "delete with codings": ["codes", "delete", "Trust"],
    "memo on unknown document": ["memo", "add", "--doc", "P99", "text"],
    "memo on two things": ["memo", "add", "--doc", "N1", "--journal", "text"],
    "memo edit unknown": ["memo", "edit", "zzzz", "text"],
    "attr not key=value": ["attrs", "set", "N1", "novalue"],
    "attr empty key": ["attrs", "set", "N1", "=x"],
    "attr key with newline": ["attrs", "set", "N1", "a\nb=c"],
    "show unknown": ["show", "\x1b]0;title\x07"],
    "export to a missing folder": ["export", "csv", "-o", "/nonexistent/dir/x.csv"],
    "export under a file": ["export", "csv", "-o", "{tmp}/file.txt/x.csv"],
    "export to a folder": ["export", "csv", "-o", "{tmp}"],
    "export to /proc": ["export", "codebook", "-o", "/proc/margin.csv"],
    "export unknown code": ["export", "csv", "--code", "Nope"],
    "export bad attr": ["export", "csv", "--attr", "nokey"],
    "import missing file": ["import", "{tmp}/missing.txt"],
    "import a folder": ["import", "{tmp}"],
    "import unknown suffix": ["import", "{tmp}/file.txt/../file.pdf"],
    "import empty name": ["import", "{tmp}/ok.txt", "--name", " \x1b "],
    "import bad attr": ["import", "{tmp}/ok.txt", "--attr", "x"],
    "restore unknown backup": ["restore", "20000101-nope"],
    "attrs import missing": ["attrs", "import", "{tmp}/missing.csv"],
    "attrs import a folder": ["attrs", "import", "{tmp}"],
    "attrs import empty": ["attrs", "import", "{tmp}/empty.csv"],
    "attrs import binary": ["attrs", "import", "{tmp}/binary.csv"],
    "attrs import header only": ["attrs", "import", "{tmp}/header.csv"],
    "attrs import unknown documents": ["attrs", "import", "{tmp}/unknown.csv"],
    "attrs import bad key": ["attrs", "import", "{tmp}/badkey.csv"],
    "attrs import invalid utf-8": ["attrs", "import", "{tmp}/latin1.csv"],
}


@pytest.mark.parametrize("label", list(BAD_COMMANDS))
def test_bad_arguments_are_refused_in_one_line(invoke, study, tmp_path, label):
    (tmp_path / "file.txt").write_text("a file, not a folder")
    (tmp_path / "file.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "ok.txt").write_text("A: fine\n")
    for name, data in {
        "empty.csv": b"",
        "binary.csv": bytes(range(256)),
        "header.csv": b"document,case\n",
        "unknown.csv": b"document,case\nP404,x\n",
        "badkey.csv": b"document,a=b\nN1,x\n",
        "latin1.csv": "document,case\nN1,caf\xe9\n".encode("latin-1"),
    }.items():
        _bad_table(tmp_path, name, data)
    args = [a.replace("{tmp}", str(tmp_path)) for a in BAD_COMMANDS[label]]
    before = file_bytes(study)
    error = one_line_error(invoke("-p", study, *args))
    assert "\x1b" not in error and "\x07" not in error
    assert file_bytes(study) == before
