"""`margin merge DIR` given the project's own folder, however spelt, is bad input (found in
a trial: it "merged" the project into itself and said "Nothing new"); and the line
`margin init` prints to go on with works when pasted, whatever the folder is called."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner

from tests.conftest import folder_digest
from tui.cli import cli

# How the project's own folder may be given to merge, from the folder that holds it.
OWN_FOLDER = {
    "the same path": lambda project: str(project),
    "relative": lambda project: project.name,
    "through ..": lambda project: f"{project.name}/../{project.name}",
    "a trailing slash": lambda project: f"{project}/",
    "a link to it": lambda project: str(_link(project)),
}


def _link(project):
    link = project.parent / "link-to-project"
    if not link.exists():
        link.symlink_to(project, target_is_directory=True)
    return link


@pytest.mark.parametrize("spelling", OWN_FOLDER)
def test_merging_the_project_into_itself_is_bad_input(demo_folder, monkeypatch, spelling):
    monkeypatch.chdir(demo_folder.parent)
    directory = OWN_FOLDER[spelling](demo_folder)
    before = folder_digest(demo_folder)
    result = CliRunner().invoke(cli, ["-p", str(demo_folder), "merge", directory], prog_name="margin")
    errors = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(errors) == 1 and errors[0].startswith("Error: ") and "own folder; give another copy" in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert folder_digest(demo_folder) == before


def test_another_copy_still_merges(demo_folder, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(demo_folder, copy)
    result = CliRunner().invoke(cli, ["-p", str(copy), "merge", str(demo_folder)], prog_name="margin")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", ["study", "my study", "Bob's study", 'the "pilot"', "a$HOME;b", "round (1) & *"])
def test_the_init_hint_pastes_as_it_is(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", name, "--coder", "alice"], prog_name="margin")
    assert result.exit_code == 0, result.output
    hint = result.stdout.strip().splitlines()[-1]
    assert hint.startswith("Next: margin -p ")
    pasted = subprocess.run(["sh", "-c", 'margin() { printf "%s\\n" "$@"; }\n' + hint.removeprefix("Next: ")],
                            cwd=tmp_path, capture_output=True, text=True, check=True)  # fmt: skip
    assert pasted.stdout.splitlines() == ["-p", name, "import", "INTERVIEW.txt", "..."]
    assert (tmp_path / name / "project.json").is_file()


@pytest.mark.parametrize("name", ["study", "Bob's study", 'the "pilot"'])
def test_init_names_the_project_in_plain_quotes(tmp_path, monkeypatch, name):
    """The trial: `Created project "Bob's study"` and `'study'`: Python's repr, whose
    quotes change with the name."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", name, "--coder", "alice"], prog_name="margin")
    assert result.stdout.splitlines()[0] == f"Created project “{name}” in {name} (coder alice)."
