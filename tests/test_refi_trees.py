"""Code trees from files: repeated GUIDs, loops and depths no codebook has (issue 9, findings 5 and 11)."""

from __future__ import annotations

import uuid
import zipfile

import pytest
from click.testing import CliRunner

from store.clock import now
from store.errors import BadInput
from store.importers import parse_text
from store.model import Code
from store.project import Project
from store.refi import import_project
from store.refi.tree import MAX_DEPTH, check_tree
from tests.conftest import INTERVIEW
from tui.cli import cli

U = "11111111-1111-1111-1111-111111111111"
C = "22222222-2222-2222-2222-222222222222"
S = "33333333-3333-3333-3333-333333333333"
TEXT = "Hello there, my sister found me the job.\n"


def selection(code: str, start: int, end: int) -> str:
    return (
        f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{uuid.uuid4()}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def source(name: str, body: str, guid: str = S) -> str:
    return f'<TextSource guid="{guid}" name="{name}" plainTextPath="internal://{S}.txt">{body}</TextSource>'


def qdpx(tmp_path, codes: str, sources: str, name: str = "in.qdpx"):
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="t">'
        f'<Users><User guid="{U}" name="ann"/></Users><CodeBook><Codes>{codes}</Codes></CodeBook>'
        f"<Sources>{sources}</Sources></Project>"
    )
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{S}.txt", TEXT)
    return path


def nested(guids: list[str]) -> str:
    return "".join(f'<Code guid="{g}" name="c{i}" isCodable="true">' for i, g in enumerate(guids)) + "</Code>" * len(guids)


def cli_in(folder, *args):
    return CliRunner().invoke(cli, ["-p", str(folder), *args])


# ---------------------------------------------------------------- repeated GUIDs


def test_two_sources_with_one_guid_stay_two_documents_with_their_codings(tmp_path):
    path = qdpx(tmp_path, f'<Code guid="{C}" name="Family"/>', source("P1", selection(C, 0, 5)) + source("P2", selection(C, 6, 11)))
    report = import_project(path, tmp_path / "p")
    assert report.counts["documents"] == 2
    assert any("repeats the GUID" in line and "P2" in line for line in report.adjusted)
    result = cli_in(tmp_path / "p", "export", "csv")
    assert result.exit_code == 0, result.output
    assert [row.split(",")[1] for row in result.output.splitlines()[1:]] == ["P1", "P2"]


def test_one_code_guid_nested_three_times_makes_no_loop(tmp_path):
    codes = nested([C, C, C])
    path = qdpx(tmp_path, codes, source("P1", selection(C, 0, 5)))
    report = import_project(path, tmp_path / "p")
    assert sum("repeats the GUID" in line for line in report.adjusted) == 2
    with Project.open(tmp_path / "p", readonly=True) as project:
        assert [project.codebook.path(c) for c in project.codebook.all()] == ["c0", "c0 > c1", "c0 > c1 > c2"]
        [coding] = project.state.codings.values()
        assert project.state.codes[coding.code].name == "c0"  # references mean the first
    for args in (["codes"], ["export", "csv"]):
        result = cli_in(tmp_path / "p", *args)
        assert result.exit_code == 0 and result.exception is None, result.output


def test_a_repeated_guid_in_a_qdc_is_merged_as_separate_codes(tmp_path, project):
    path = tmp_path / "book.qdc"
    path.write_text(f'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{nested([C, C])}</Codes></CodeBook>')
    project.close()
    result = cli_in(project.dir, "codes", "import", str(path))
    assert result.exit_code == 0, result.output
    assert cli_in(project.dir, "codes").output.split() == ["c0", "0", "c1", "0"]


# ---------------------------------------------------------------- the check itself


@pytest.mark.parametrize(
    "parents, message",
    [
        ({"a": "a"}, "inside itself"),
        ({"a": "b", "b": "a"}, "inside itself"),
        ({"a": None, "b": "c", "c": "d", "d": "b"}, "inside itself"),
        ({"a": "gone"}, "parent that is not in the codebook"),
        ({str(i): str(i - 1) if i else None for i in range(MAX_DEPTH + 1)}, f"{MAX_DEPTH + 1} levels deep"),
    ],
)
def test_check_tree_refuses(parents, message):
    with pytest.raises(BadInput, match=message) as caught:
        check_tree(parents, {}, "f.qdpx")
    assert "\n" not in caught.value.message


def test_check_tree_accepts_a_forest_at_the_limit():
    chain = {str(i): str(i - 1) if i else None for i in range(MAX_DEPTH)}
    check_tree({**chain, "x": None, "y": "x", "z": "x"}, {}, "f")


# ---------------------------------------------------------------- depth


def test_a_tree_1000_levels_deep_is_refused_on_import_with_no_folder_left(tmp_path):
    guids = [str(uuid.UUID(int=i + 1)) for i in range(1000)]
    path = qdpx(tmp_path, nested(guids), source("P1", selection(guids[-1], 0, 5)))
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "p"), "--from", str(path)])
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    assert "levels deep" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "p").exists()


def test_a_deep_codebook_is_refused_by_codes_import_and_nothing_changes(tmp_path, project):
    guids = [str(uuid.UUID(int=i + 1)) for i in range(1000)]
    path = tmp_path / "deep.qdc"
    path.write_text(f'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{nested(guids)}</Codes></CodeBook>')
    project.close()
    result = cli_in(project.dir, "codes", "import", str(path))
    assert result.exit_code == 2 and "levels deep" in result.output
    with Project.open(project.dir, readonly=True) as again:
        assert not again.state.codes and not again.log()[1:]


DEEP = 1500  # beyond Python's recursion limit of 1000


@pytest.fixture(scope="module")
def deep_project(tmp_path_factory):
    """A project whose codebook is one branch DEEP levels deep (made through the API, as an
    older Margin or a hand-edited file could leave it), with one coding on the deepest code."""
    folder = tmp_path_factory.mktemp("deep") / "study"
    with Project.init(folder, name="Deep", coder="alice") as project:
        document = project.documents.import_parsed(parse_text(INTERVIEW, "txt"), "N1", {"case": "N1"}).document
        parent, stamp = None, now()
        with project.operation("deep codebook"):
            for level in range(DEEP):
                code = Code(str(uuid.UUID(int=level + 1)), f"level {level}", parent, "#e6194b", created=stamp, modified=stamp)
                project.put(code)
                parent = code.id
        project.codings.apply(document, project.state.codes[parent], 0, 9)
    return folder


TREE_COMMANDS = [
    ["codes"],
    ["docs"],
    ["export", "csv"],
    ["export", "codebook"],
    ["export", "codebook", "--format", "md"],
    ["export", "qdc", "-o", "-"],
    ["export", "qdpx", "-o", "{tmp}/out.qdpx"],
    ["export", "memos"],
    ["codes", "rename", "level 1400", "deep one"],
    ["codes", "describe", "level 10", "a definition"],
    ["codes", "move", "level 1499", "level 3"],
    ["codes", "merge", "level 1498", "level 2"],
    ["codes", "delete", "level 5", "--force"],
]


@pytest.mark.parametrize("args", TREE_COMMANDS, ids=" ".join)
def test_every_command_that_walks_the_tree_handles_a_deep_one(deep_project, tmp_path, args):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(deep_project, folder)
    result = cli_in(folder, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output[-500:]


async def test_the_app_opens_a_deep_codebook(deep_project, tmp_path, monkeypatch):
    monkeypatch.setenv("MARGIN_KEYMAP", str(tmp_path / "no-keymap.toml"))
    monkeypatch.setenv("MARGIN_STATE_DIR", str(tmp_path / "state"))
    from tui.app import MarginApp

    with Project.open(deep_project, readonly=True) as project:
        app = MarginApp(project, None)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f3")  # the codes pane
            await pilot.pause()
            assert app.is_running
