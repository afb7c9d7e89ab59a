"""CSV tables researchers bring: attribute sheets and codebooks (issue 9, finding 13; issue 8,
finding 10's `attrs import`). Every reader gives rows or one clear error, never csv.Error."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.attributes import import_attributes, read_attribute_table
from store.errors import MarginError
from store.importers import parse_text
from store.project import Project
from store.refi.codebook_csv import read_csv_codebook
from tests.conftest import INTERVIEW
from tui.cli import cli

BIG = "x" * (200 << 10)  # 200 KiB, over csv's default field limit of 128 KiB


@pytest.fixture
def two(project):
    for name, case in (("N1", "N1"), ("N2", "N2")):
        project.documents.import_parsed(parse_text(INTERVIEW + name, "txt"), name, {"case": case, "round": "1"})
    return project


def test_a_field_over_128_kib_in_an_attribute_table_is_read(two, tmp_path):
    table = tmp_path / "a.csv"
    table.write_text(f'document,note\nN1,"{BIG}"\n')
    [(document, values)], unknown = read_attribute_table(two, table)
    assert values["note"] == BIG and not unknown


def test_a_field_over_128_kib_in_a_csv_codebook_is_read():
    [code] = read_csv_codebook(f'code,description\nFamily,"{BIG}"\n'.encode(), "book.csv")
    assert code.description == BIG


def test_codes_import_of_a_big_csv_field_through_the_command_line(project, tmp_path):
    book = tmp_path / "book.csv"
    book.write_text(f'code,description\nFamily,"{BIG}"\n')
    project.close()
    result = CliRunner().invoke(cli, ["-p", str(project.dir), "codes", "import", str(book)])
    assert result.exit_code == 0, result.output


def test_a_cell_holding_a_form_feed_or_line_separator_stays_one_cell(two, tmp_path):
    table = tmp_path / "a.csv"
    table.write_text('document,note\nN1,"one\x0ctwo\u2028three"\n', newline="")
    [(_, values)], _ = read_attribute_table(two, table)
    assert values["note"] == "one\x0ctwo\u2028three"


CSV_CHARS = st.sampled_from([",", ";", "\t", '"', "\n", "\r", "\r\n", "a", "é", " ", "=", "\x00", "\x0c", "\u2028", "N1", "document", "code"])
CSV_TEXT = st.lists(st.one_of(CSV_CHARS, st.text(max_size=5)), max_size=40).map("".join)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(body=CSV_TEXT, big=st.booleans())
def test_fuzz_the_csv_codebook_reader(body, big):
    data = ("code,description\n" + body + (f',"{BIG}' if big else "")).encode("utf-8")
    try:
        specs = read_csv_codebook(data, "book.csv")
    except MarginError as exc:
        assert "\n" not in exc.message
    else:
        assert all(spec.name for spec in specs)


@FUZZ
@given(body=CSV_TEXT, big=st.booleans())
def test_fuzz_the_attribute_table_reader(two, tmp_path, body, big):
    table = tmp_path / "a.csv"
    table.write_bytes(("document,note\n" + body + (f'N1,"{BIG}' if big else "")).encode("utf-8"))
    try:
        assignments, _ = read_attribute_table(two, table)
    except MarginError as exc:
        assert "\n" not in exc.message
    else:
        assert assignments


# ---------------------------------------------------------------- what attrs import says


def test_attrs_import_says_what_it_set_and_changed_old_to_new(two, tmp_path):
    table = tmp_path / "a.csv"
    table.write_text("document,round,site\nN1,2,Leeds\nN2,1,York\n")
    result = import_attributes(two, table)
    assert (result.added, result.same) == (2, 1)
    assert result.changes == [("N1", "round", "1", "2")]
    assert result.lines()[0] == "Attributes from a.csv: 2 set, 1 changed, 1 already so."
    assert "  N1: round 1 → 2" in result.lines()
    assert two.state.documents[two.documents.get("N1").id].attributes["round"] == "2"


def test_attrs_import_keep_leaves_existing_values_and_lists_them(two, tmp_path):
    table = tmp_path / "a.csv"
    table.write_text("document,round,site\nN1,2,Leeds\n")
    result = import_attributes(two, table, keep=True)
    assert result.lines()[0] == "Attributes from a.csv: 1 set, 1 kept as they were (--keep), 0 already so."
    attributes = two.documents.get("N1").attributes
    assert attributes["round"] == "1" and attributes["site"] == "Leeds"


def test_attrs_import_that_changes_nothing_logs_nothing(two, tmp_path):
    table = tmp_path / "a.csv"
    table.write_text("document,round\nN1,1\nN2,1\n")
    entries = len(two.log())
    assert import_attributes(two, table).lines() == ["Attributes from a.csv: 0 set, 0 changed, 2 already so."]
    assert len(two.log()) == entries


def test_attrs_import_on_the_command_line_reports_and_one_undo_restores(two, tmp_path):
    folder = two.dir
    two.close()
    table = tmp_path / "a.csv"
    table.write_text("document,round\nN1,2\nN2,3\n")
    run = CliRunner().invoke
    result = run(cli, ["-p", str(folder), "attrs", "import", str(table)])
    assert result.exit_code == 0
    assert "2 changed" in result.output and "N2: round 1 → 3" in result.output
    assert run(cli, ["-p", str(folder), "--coder", "alice", "undo"]).exit_code == 0
    with Project.open(folder, readonly=True) as again:
        assert {d.attributes["round"] for d in again.documents.all()} == {"1"}
