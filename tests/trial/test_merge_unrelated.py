"""`margin merge DIR` with a folder that is another project, not a copy of this one, is
refused (found in the new-user trial of issue 12: merging the demo by a slip of the path
brought its 4 documents, 12 codes and 34 codings into the study without a word)."""

from __future__ import annotations

from click.testing import CliRunner

from store.project import Project
from tui.cli import cli


def _state(folder):
    with Project.open(folder, readonly=True) as p:
        return len(p.state.documents), len(p.state.codes), len(p.state.codings)


def test_merging_another_project_is_refused_unless_asked(tmp_path, monkeypatch):
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    runner = CliRunner()
    study, demo = tmp_path / "study", tmp_path / "demo"
    assert runner.invoke(cli, ["init", str(study), "--coder", "alice"]).exit_code == 0
    assert runner.invoke(cli, ["demo", "--no-open", str(demo)]).exit_code == 0
    before = _state(study)
    refused = runner.invoke(cli, ["-p", str(study), "merge", str(demo)])
    assert refused.exit_code == 1, refused.output
    assert len(refused.output.strip().splitlines()) == 1 and "--unrelated" in refused.output and "Traceback" not in refused.output
    assert _state(study) == before
    asked = runner.invoke(cli, ["-p", str(study), "merge", "--unrelated", str(demo)])
    assert asked.exit_code == 0, asked.output
    assert _state(study)[0] == 4
