"""Shared fixtures: small projects built through the store API, and the shared corpus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.importers import parse_text
from store.project import Project

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

INTERVIEW = """Interview with a ward nurse

Interviewer: How did the peer support worker fit into the team?

Nurse: At first nobody knew what she was for. Some of us worried about boundaries.
But she sat with patients when we could not.

Interviewer: And now?

Nurse: Now I trust her judgement. She notices things we miss.
"""


def modules_after_command(project_dir: Path, args: list[str]) -> set[str]:
    """The modules a `margin -p PROJECT ARGS...` command leaves imported, run in a fresh
    interpreter as an installed command is (what each command pays for at start-up)."""
    code = (
        "import sys\nfrom tui.cli import main\n"
        f"sys.argv = ['margin', '-p', {str(project_dir)!r}, *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return set(eval(done.stderr.strip().splitlines()[-1]))  # noqa: S307 - our own list of names


def shared(*parts: str) -> Path:
    """A path in ../shared, or skip the test when the shared material is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared corpus is not here)")
    return path


@pytest.fixture
def project(tmp_path):
    """A new, open project with one coder, alice; closed after the test."""
    p = Project.init(tmp_path / "study", name="Study", coder="alice")
    yield p
    p.close()


@pytest.fixture
def interview(project):
    """The project with one imported interview (document `N1`, case N1, round 1)."""
    result = project.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {"case": "N1", "round": "1"})
    return result.document


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    """The demo project as `margin demo` makes it, for commands run through click's
    CliRunner, opened for writing once as a project in use has been (its open backup
    taken), so that a command which changes nothing leaves every file as it was."""
    from click.testing import CliRunner

    from tui.cli import cli

    folder = tmp_path_factory.mktemp("demo") / "project"
    result = CliRunner().invoke(cli, ["demo", "--no-open", str(folder)], prog_name="margin")
    assert result.exit_code == 0, result.output
    Project.open(folder).close()
    return folder


def folder_digest(folder: Path) -> dict[str, str]:
    """Every file and folder of a project, backups/ included, by its bytes' sha256."""
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        for p in sorted(folder.rglob("*"))
    }
