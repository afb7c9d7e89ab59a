"""Control and escape characters from files, names and memos never reach a terminal raw.

Each command runs on a real pseudo-terminal (click strips some escapes when its output
is a pipe, so a pipe would hide the problem), and its bytes may hold no C0 control
character but \\t and \\n (and \\r only in a CSV's \\r\\n), no DEL and no C1 control."""

from __future__ import annotations

import json
import os
import re
import subprocess
import termios
from pathlib import Path

import pytest

from tests.reliability import hostile
from tests.reliability.helpers import MARGIN, clean_env, margin

EVIL_FILE = "\x1b]0;pwned\x07\x1b[2Jevil.txt"
EVIL_CODE = "\x1b[31mRed\x1b[0m code"
EVIL_MEMO = "\x1b]52;c;cHduZWQ=\x07 writes the clipboard \x9b2J"
UNSAFE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|\xc2[\x80-\x9f]")


def in_terminal(*args, project: Path) -> bytes:
    """The bytes `margin` writes to a terminal (stdout and stderr), untranslated."""
    master, slave = os.openpty()
    attributes = termios.tcgetattr(slave)
    attributes[1] &= ~termios.OPOST  # no \n -> \r\n: see the bytes as written
    termios.tcsetattr(slave, termios.TCSANOW, attributes)
    child = subprocess.Popen([MARGIN, "-p", str(project), *args], stdin=slave, stdout=slave, stderr=slave, env=clean_env())
    os.close(slave)
    output = bytearray()
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        output += data
    child.wait(timeout=30)
    os.close(master)
    return bytes(output)


@pytest.fixture(scope="module")
def evil(tmp_path_factory) -> Path:
    """A project whose file names, speakers, text, code names and memos carry escapes."""
    from tests.reliability.helpers import make_study

    base = tmp_path_factory.mktemp("evil")
    project = make_study(base)
    source = base / EVIL_FILE
    source.write_text(hostile.CONTROL)
    assert margin("import", source, project=project).code == 0
    name = [d for d in json.loads(margin("docs", "--json", project=project).out) if d["name"] != "N1"][0]["name"]
    put_code(project, EVIL_CODE, EVIL_MEMO)
    code = [c for c in json.loads(margin("codes", "--json", project=project).out) if "Red" in c["name"]][0]["id"]
    assert margin("apply", name, code, "--turn", "1", "--memo", EVIL_MEMO, project=project).code == 0
    assert margin("memo", "add", "--journal", EVIL_MEMO, project=project).code == 0
    assert margin("attrs", "set", name, f"note={EVIL_MEMO}", project=project).code == 0
    (project / "document-name").write_text(name)
    return project


def put_code(project: Path, name: str, description: str) -> None:
    """A code put through the store's lower layer, as an older Margin or an edited file
    may have left it: `margin codes add` refuses a name holding escapes now."""
    from store.clock import new_id, now
    from store.model import Code
    from store.project import Project

    with Project.open(project) as opened, opened.operation("add a code as an older Margin did"):
        stamp = now()
        opened.put(Code(new_id(), name, None, "#e6194b", description=description, created=stamp, modified=stamp))


COMMANDS = {
    "docs": ["docs"],
    "show": ["show", "{document}"],
    "codes": ["codes"],
    "log": ["log"],
    "memo list": ["memo", "list"],
    "attrs": ["attrs"],
    "restore --list": ["restore", "--list"],
    "an error naming the input": ["show", "\x1b[2J\x1b]0;x\x07"],
    "a code name refused": ["codes", "add", EVIL_CODE],
    "export csv": ["export", "csv"],
    "export codebook": ["export", "codebook"],
    "export codebook md": ["export", "codebook", "--format", "md"],
    "export memos": ["export", "memos"],
}
@pytest.mark.parametrize("label", list(COMMANDS))
def test_no_raw_control_characters_reach_the_terminal(evil, label):
    document = (evil / "document-name").read_text()
    output = in_terminal(*[a.replace("{document}", document) for a in COMMANDS[label]], project=evil)
    assert output, "the command printed nothing"
    found = UNSAFE.search(output)
    assert found is None, f"{found.group()!r} reaches the terminal: ...{output[max(0, found.start() - 40):found.end() + 20]!r}"


def test_an_imported_file_name_does_not_reach_the_terminal_raw(evil, tmp_path):
    source = tmp_path / EVIL_FILE
    source.write_text("A: a new text\n")
    output = in_terminal("import", source, project=evil)
    assert UNSAFE.search(output) is None, output


def test_a_file_name_in_an_os_error_does_not_reach_the_terminal_raw(evil, tmp_path):
    output = in_terminal("export", "csv", "-o", tmp_path / "\x1b[2Jmissing" / "x.csv", project=evil)
    assert b"Error:" in output and UNSAFE.search(output) is None, output


KEPT = ["👩\u200d⚕\ufe0f", "می\u200cخواهم", "\u200fשלום", "a\u00a0b", "co\u00adoperate", "x\u2060y"]
REPLACED = ["\x1b", "\x07", "\x9b", "\u202e", "\u2028", "\u2029", "\x00", "\x7f"]


@pytest.mark.parametrize("text", KEPT)
def test_the_texts_own_invisible_characters_reach_the_terminal(text):
    """Joiners inside emoji, ZWNJ in Persian, direction marks, no-break spaces, soft
    hyphens and word joiners belong to what people wrote (the trial saw 👨‍👩‍👧 printed with
    U+FFFD for its joiners); only control characters are replaced."""
    from store.text import one_line
    from tui.context import safe

    assert safe(text) == text and one_line(text) == " ".join(text.split())


@pytest.mark.parametrize("char", REPLACED)
def test_control_characters_and_overrides_never_do(char):
    from store.text import one_line
    from tui.context import safe

    assert char not in safe(f"a{char}b") and char not in one_line(f"a{char}b")


def test_a_memo_with_an_emoji_sequence_lists_whole(tmp_path):
    from click.testing import CliRunner

    from tui.cli import cli

    runner = CliRunner()
    folder = str(tmp_path / "p")
    assert runner.invoke(cli, ["-p", folder, "init", "--coder", "alice"]).exit_code == 0
    assert runner.invoke(cli, ["-p", folder, "memo", "add", "--journal", "family 👨\u200d👩\u200d👧 at the visit"]).exit_code == 0
    listed = runner.invoke(cli, ["-p", folder, "memo", "list"])
    assert "👨\u200d👩\u200d👧" in listed.output and "\ufffd" not in listed.output
