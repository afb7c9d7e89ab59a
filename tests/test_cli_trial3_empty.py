"""A new user's first `margin stats` on a project without codes: the table (or CSV) stays
as programs expect it, and standard error says what to do next, as `stats cooccur`
already did (found in the trial: a bare header and nothing else)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from store.project import Project
from tui.cli import cli

HINT = "No codes yet: add them with `margin codes add PATH`, or code in the app (`margin open`).\n"


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    folder = tmp_path_factory.mktemp("empty") / "p"
    Project.init(folder, coder="solo").close()
    return folder


@pytest.mark.parametrize(
    ("args", "header"),
    [
        (("stats", "codes", "--csv"), "code_path,group,codings,documents,cases,words,share"),
        (("stats", "matrix", "--csv"), "code_path,column,value"),
        (("stats", "matrix", "--wide"), "code_path  (total)"),
        (("stats", "codes"), "code_path  codings  documents  cases  words  share"),  # group: only when filled (--by)
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_an_empty_table_says_what_to_do_on_standard_error(empty, args, header):
    done = CliRunner().invoke(cli, ["-p", str(empty), *args])
    assert done.exit_code == 0
    assert done.stdout.splitlines()[-1] == header
    assert done.stderr == HINT


def test_rounds_without_matching_documents_says_so(tmp_path):
    from store.importers import parse_text

    with Project.init(tmp_path / "p", coder="solo") as project:
        document = project.documents.import_parsed(parse_text("A: hello there.\n", "txt"), "D1", {"case": "P1"}).document
        project.documents.set_attributes(document, {"round": "1"})
        project.codebook.ensure("Trust")
    done = CliRunner().invoke(cli, ["-p", str(tmp_path / "p"), "stats", "rounds", "--csv"])
    assert done.exit_code == 0 and done.stdout.strip() == "case,code_path,change"
    assert done.stderr == "No codings in documents with both case and round in this scope.\n"
