"""Undo and redo are the coder's own: another coder's work is never undone by them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from store.errors import NotFound, Refused
from store.importers import parse_text
from store.project import Project
from tests.conftest import INTERVIEW
from tui.cli import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARGIN_PROJECT", raising=False)
    monkeypatch.delenv("MARGIN_CODER", raising=False)
    runner = CliRunner()
    (tmp_path / "n1.txt").write_text(INTERVIEW)

    def invoke(*args):
        return runner.invoke(cli, ["-p", str(tmp_path / "study"), *args], catch_exceptions=False)

    assert invoke("init", "--coder", "alice").exit_code == 0
    assert invoke("import", str(tmp_path / "n1.txt"), "--name", "N1").exit_code == 0
    assert invoke("codes", "add", "Trust").exit_code == 0
    return invoke


def codings(tmp_path) -> dict[str, str]:
    with Project.open(tmp_path / "study", readonly=True) as project:
        names = {c.id: c.name for c in project.state.coders.values()}
        return {c.text[:20]: names[c.coder] for c in project.state.codings.values()}


def test_alice_undo_never_undoes_bobs_coding(run, tmp_path):
    assert run("--coder", "alice", "apply", "N1", "Trust", "--turn", "2").exit_code == 0
    assert run("--coder", "bob", "apply", "N1", "Trust", "--turn", "4").exit_code == 0
    before = codings(tmp_path)
    assert sorted(before.values()) == ["alice", "bob"]
    undone = run("--coder", "alice", "undo")
    assert undone.exit_code == 0, undone.output
    assert list(codings(tmp_path).values()) == ["bob"]  # alice's went, bob's stayed
    next_undo = run("--coder", "alice", "undo")  # alice's "add code Trust", which bob has used
    assert next_undo.exit_code == 1 and "bob's later action" in next_undo.output
    assert list(codings(tmp_path).values()) == ["bob"]
    log = json.loads(run("log", "--json", "-n", "0").output)
    assert [e["by"] for e in log if e["kind"] == "undo"] == ["alice"]


def test_carol_with_nothing_of_her_own_is_told_whose_work_it_is(run, tmp_path):
    assert run("--coder", "bob", "apply", "N1", "Trust", "--turn", "4").exit_code == 0
    refused = run("--coder", "carol", "undo")
    assert refused.exit_code == 1
    assert "nothing of carol's to undo" in refused.output and "bob" in refused.output
    assert "Traceback" not in refused.output
    assert list(codings(tmp_path).values()) == ["bob"]


def test_redo_is_the_coders_own_and_survives_the_others_work(run, tmp_path):
    assert run("--coder", "alice", "apply", "N1", "Trust", "--turn", "2").exit_code == 0
    assert run("--coder", "alice", "undo").exit_code == 0
    assert run("--coder", "bob", "apply", "N1", "Trust", "--turn", "4").exit_code == 0
    assert run("--coder", "bob", "redo").exit_code == 1  # bob has nothing undone
    assert run("--coder", "alice", "redo").exit_code == 0  # bob's action did not clear alice's redo
    assert sorted(codings(tmp_path).values()) == ["alice", "bob"]


def test_undoing_a_code_another_coder_has_used_is_refused(run, tmp_path):
    assert run("--coder", "alice", "codes", "add", "Stigma").exit_code == 0
    assert run("--coder", "bob", "apply", "N1", "Stigma", "--turn", "2").exit_code == 0
    refused = run("--coder", "alice", "undo")
    assert refused.exit_code == 1
    assert "bob's later action" in refused.output and "Traceback" not in refused.output
    with Project.open(tmp_path / "study", readonly=True) as project:
        stigma = project.codebook.get("Stigma")
        assert [c.code for c in project.state.codings.values()] == [stigma.id]
    assert run("--coder", "bob", "undo").exit_code == 0
    assert run("--coder", "alice", "undo").exit_code == 0  # now nothing depends on it


# ---------------------------------------------------------------- the whole class

ACTIONS = st.lists(
    st.tuples(st.sampled_from(["alice", "bob"]), st.sampled_from(["code", "new code", "uncode", "undo", "redo"]),
              st.integers(0, 3)),
    min_size=1, max_size=14,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
@example(actions=[("alice", "undo", 0), ("alice", "new code", 0), ("alice", "uncode", 0)])  # found: coding on an undone import
def test_undo_by_one_coder_never_touches_the_others_work(tmp_path_factory, actions):
    """Random interleavings of two coders: an undo or redo changes only entities its own
    coder's action changed, and never leaves a coding pointing at a missing code; the
    stacks derived from the log on reopening are the ones kept in memory."""
    folder = tmp_path_factory.mktemp("undo")
    project = Project.init(folder / "p", coder="alice")
    doc = project.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {}).document
    coders = {name: project.add_coder(name) for name in ("alice", "bob")}
    for number, (who, action, turn) in enumerate(actions):
        project.coder = coders[who]
        span = (doc.turns[turn].start, doc.turns[turn].end)
        before = {t: dict(project.state.table(t)) for t in ("codes", "codings")}
        try:
            if action == "code" and project.state.codes:
                code = sorted(project.state.codes.values(), key=lambda c: c.id)[turn % len(project.state.codes)]
                project.codings.apply(doc, code, *span)
            elif action == "new code":
                project.codings.apply_new_code(doc, f"Code {number}", *span)
            elif action == "uncode":
                own = [c for c in project.state.codings.values() if c.coder == coders[who].id]
                if own:
                    project.codings.uncode(own[0])
            elif action in ("undo", "redo"):
                entry = getattr(project, action)()
                changed = {i for t in ("codes", "codings") for i in set(before[t]) ^ set(project.state.table(t))}
                changed |= {i for t in ("codes", "codings") for i in before[t] if i in project.state.table(t)
                            and before[t][i] != project.state.table(t)[i]}
                assert entry["by"] == who
                assert changed <= {c[1] for c in entry["changes"]}
        except (Refused, NotFound):
            pass  # refused, or the document's import was undone: nothing changes
        for coding in project.state.codings.values():
            assert coding.code in project.state.codes
    undo, redo = [x[:3] for x in project._undo], [x[:3] for x in project._redo]
    project.close()
    with Project.open(folder / "p") as reopened:
        assert [x[:3] for x in reopened._undo] == undo and [x[:3] for x in reopened._redo] == redo


def test_coding_a_document_whose_import_was_undone_is_refused(project):
    """Found by the test above: a view holding the Document after its import was undone
    made a coding pointing at nothing."""
    doc = project.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {}).document
    project.undo()
    with pytest.raises(NotFound, match="no longer in the project"):
        project.codings.apply_new_code(doc, "Trust", doc.turns[0].start, doc.turns[0].end)
    assert not project.state.codings and not project.state.codes


def test_stacks_saved_before_coders_had_their_own_undo_still_work(tmp_path):
    """A checkpoint from an older Margin holds [seq, offset] items: the coder is read from the log."""
    import orjson

    with Project.init(tmp_path / "p", coder="alice") as project:
        doc = project.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {}).document
        project.codings.apply_new_code(doc, "Trust", doc.turns[1].start, doc.turns[1].end)
        project.coder = project.add_coder("bob")
        project.codings.apply_new_code(doc, "Stigma", doc.turns[3].start, doc.turns[3].end)
    data = orjson.loads((tmp_path / "p" / "local.json").read_bytes())
    checkpoint = data["checkpoint"]
    checkpoint["undo"] = [item[:2] for item in checkpoint["undo"]]
    (tmp_path / "p" / "local.json").write_bytes(orjson.dumps(data))
    with Project.open(tmp_path / "p", coder="alice") as project:
        assert project.can_undo
        assert project.undo()["summary"].startswith("code with new code Trust")
        assert [project.state.codes[c.code].name for c in project.state.codings.values()] == ["Stigma"]
