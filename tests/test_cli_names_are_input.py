"""A name the user typed that the project does not have is bad input, on every command:
exit 2, one line on standard error that names what is missing and how to see what there
is, no traceback, and the project's files (backups included) exactly as they were.

Found in a trial: `margin show Nope` and `codes rename Trsut ...` exited 1 ("not found")
where `export csv --doc Nope` exited 2; the filters' options are checked, option by
option, in test_cli_filter_errors.py, and the arguments and the other options here.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.conftest import folder_digest
from tui.cli import cli

DOCUMENT = "P01 nurse, round 1"
OUTSIDE = "{outside}"  # a folder beside the project, for the files a command reads or writes

# (kind of name, the command's arguments, a word the one line must hold)
ROWS = [
    ("document", ["show", "Nope doc"], "margin docs"),
    ("document", ["speakers", "list", "Nope doc"], "margin docs"),
    ("document", ["attrs", "set", "Nope doc", "round=2"], "margin docs"),
    ("document", ["apply", "Nope doc", "Trust", "--turn", "2"], "margin docs"),
    ("document", ["uncode", "Nope doc", "--turn", "2"], "margin docs"),
    ("document", ["exemplar", "Nope doc", "--turn", "2"], "margin docs"),
    ("document", ["memo", "add", "--doc", "Nope doc", "a memo"], "margin docs"),
    ("document", ["memo", "add", "--doc", "Nope doc", "--span", "1:4", "an annotation"], "margin docs"),
    ("document", ["attrs", "import", f"{OUTSIDE}/attributes.csv"], "margin docs"),
    ("code", ["apply", DOCUMENT, "Trsut", "--turn", "2"], "margin codes"),
    ("code", ["codes", "rename", "Trsut", "Faith"], "margin codes"),
    ("code", ["codes", "move", "Trsut", "Role"], "margin codes"),
    ("code", ["codes", "move", "Trust", "Rloe"], "margin codes"),
    ("code", ["codes", "merge", "Trsut", "Role"], "margin codes"),
    ("code", ["codes", "merge", "Trust", "Rloe"], "margin codes"),
    ("code", ["codes", "delete", "Trsut"], "margin codes"),
    ("code", ["codes", "describe", "Trsut", "What trust is"], "margin codes"),
    ("code", ["codes", "color", "Trsut", "#4363d8"], "margin codes"),
    ("code", ["memo", "add", "--code", "Trsut", "a memo"], "margin codes"),
    ("code", ["exemplar", DOCUMENT, "--code", "Trsut", "--turn", "2"], "margin codes"),
    ("code", ["find", "Trsut"], "did you mean"),  # a query names codes as the codebook does
    ("speaker", ["speakers", "rename", "Nobody", "Somebody"], "margin speakers"),
    ("coder", ["agreement", "--coders", "demo,nobody"], "coders: demo"),
    ("coder", ["report", "analysis", "--coder", "nobody"], "coders: demo"),
    ("memo", ["memo", "edit", "ffffffff", "new text"], "margin memo list"),
    ("memo", ["memo", "delete", "ffffffff"], "margin memo list"),
    ("coding", ["memo", "add", "--coding", "ffffffff", "a memo"], "margin export csv"),
    ("case", ["memo", "add", "--case", "P99", "a memo"], "cases: P01"),
    ("coding", ["uncode", DOCUMENT, "--coding", "ffffffff"], "margin export csv"),
    ("coding", ["exemplar", DOCUMENT, "--coding", "ffffffff"], "margin export csv"),
    ("attribute key", ["stats", "codes", "--attr", "nokey=1"], "attributes: case"),
    ("attribute key", ["stats", "rounds", "--case", "nokey", "--by", "round"], "attributes: case"),
    ("attribute key", ["report", "analysis", "--by", "nokey"], "attributes: case"),
    ("attribute key", ["export", "qdpx", "--case-attribute", "nokey", "-o", f"{OUTSIDE}/out.qdpx"], "attributes: case"),
    ("attribute value", ["stats", "codes", "--attr", "round=9"], "values of round: 1, 2"),
    ("attribute value", ["report", "codebook", "--attr", "round=9"], "values of round: 1, 2"),
    ("attribute value", ["export", "csv", "--attr", "round=9"], "values of round: 1, 2"),
    ("participant", ["report", "participant", "P99"], "participants: P01"),
    ("pseudonym", ["pseudonyms", "remove", "Nobody"], "margin pseudonyms"),
    ("backup", ["restore", "no-such-backup"], "margin restore --list"),
]


@pytest.fixture(scope="module")
def outside(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outside")
    (folder / "attributes.csv").write_text("document,site\nNobody's interview,ward\n", encoding="utf-8")
    return folder


def test_the_table_covers_each_kind_of_name():
    assert len(ROWS) >= 20
    kinds = {kind for kind, _, _ in ROWS}
    assert {"document", "code", "speaker", "coder", "memo", "case", "attribute key", "attribute value", "participant", "pseudonym"} <= kinds


@pytest.mark.parametrize(("kind", "args", "hint"), ROWS, ids=[f"{kind}: {' '.join(args)}" for kind, args, _ in ROWS])
def test_a_name_the_project_lacks_is_bad_input(demo_folder, outside, kind, args, hint):
    before = folder_digest(demo_folder)
    args = [a.replace(OUTSIDE, str(outside)) for a in args]
    result = CliRunner().invoke(cli, ["-p", str(demo_folder), *args], prog_name="margin")
    errors = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(errors) == 1 and errors[0].startswith("Error: "), result.stderr
    assert hint in errors[0]
    assert "Traceback" not in result.output
    assert folder_digest(demo_folder) == before
    assert not (outside / "out.qdpx").exists()


def _shared_start(ids) -> str:
    """A first character that more than one of `ids` starts with (more ids than hex digits)."""
    firsts = [i[0] for i in ids]
    assert len(firsts) > 16
    return next(c for c in firsts if firsts.count(c) > 1)


# "" starts every memo's id, but names nothing: refused as the command is read (tui/cli.py NAMES)
@pytest.mark.parametrize("command, message", [
    (["memo", "edit", "", "new text"], "needs a name"),
    (["memo", "delete", ""], "needs a name"),
    (["memo", "add", "--coding", "{coding}", "a memo"], "give more of it"),
])  # fmt: skip
def test_an_id_start_that_several_share_is_bad_input(demo_folder, command, message):
    from store.project import Project

    with Project.open(demo_folder, readonly=True) as project:
        coding = _shared_start(list(project.state.codings))
    before = folder_digest(demo_folder)
    args = [coding if a == "{coding}" else a for a in command]
    result = CliRunner().invoke(cli, ["-p", str(demo_folder), *args], prog_name="margin")
    errors = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert folder_digest(demo_folder) == before


def test_a_case_is_found_as_its_documents_spell_it(tmp_path):
    """`memo add --case ' p01 '` is on the case P01 (case and spacing ignored, as in `--attr
    case=p01`); before, it made a memo on a case "p01" no document belongs to."""
    import json

    folder = tmp_path / "demo"
    run = CliRunner()
    assert run.invoke(cli, ["demo", "--no-open", str(folder)]).exit_code == 0
    result = run.invoke(cli, ["-p", str(folder), "memo", "add", "--case", " p01 ", "lower case"])
    assert result.exit_code == 0, result.output
    memos = json.loads(run.invoke(cli, ["-p", str(folder), "memo", "list", "--json"]).output)
    assert [m["target"] for m in memos if m["kind"] == "case"] == ["P01"]
