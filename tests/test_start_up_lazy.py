"""The steps of the qc comparison (tests/bench/bench_qc.py) import only what they use:
a plain-text import no python-docx, lxml or caption parsers (store/importers), an export
of a .qdpx no REFI reader, importer or XML parser (store/refi's lazy names) and no
installation metadata (store/version.py), `margin codes` no REFI writer; and no step
imports OpenSSL's hashlib where CPython's own hashes do (store/digests.py), shutil (bz2,
lzma) for the terminal's width, tempfile (random) to print a table, or click's shell
completion outside a completion."""

from __future__ import annotations

import pytest

from store.project import Project
from tests.conftest import modules_after_command

DOCX_AND_CAPTIONS = {"docx", "lxml", "lxml.etree", "webvtt", "srt", "store.importers.docx", "store.importers.captions"}
OPENSSL = {"hashlib", "_hashlib"}
ARCHIVERS = {"shutil", "bz2", "lzma", "tempfile", "random"}
COMPLETION = {"click.shell_completion"}
REFI_READING = {"store.refi.reader", "store.refi.importer", "store.refi.codebook_import", "pyexpat", "concurrent.futures"}


@pytest.fixture
def study(tmp_path):
    (tmp_path / "P1.txt").write_text("Interviewer: How did it start?\nNurse: With a phone call.\n", encoding="utf-8")
    Project.init(tmp_path / "p", coder="ana").close()
    return tmp_path


@pytest.fixture
def coded(study):
    """The study with its interview imported and a code on the nurse's turn, as the qc
    comparison's project is when it counts, retrieves and exports."""
    for args in (["import", str(study / "P1.txt")], ["apply", "--all-documents", "Calls", "--regex", "phone", "--extend", "turn", "--create"]):
        modules_after_command(study / "p", args)
    return study


@pytest.mark.parametrize(
    "args, needed",
    [
        (["stats", "codes"], "store.analysis.frequencies"),
        (["find", "Calls"], "store.analysis.query"),
        (["codes"], "tui.commands.coding_commands"),
    ],
)
def test_a_step_that_prints_a_table_loads_no_openssl_archivers_or_completion(coded, args, needed):
    loaded = modules_after_command(coded / "p", args)
    assert needed in loaded and "store.project" in loaded
    assert loaded & (OPENSSL | ARCHIVERS | COMPLETION) == set()


def test_exporting_a_qdpx_loads_no_shell_completion_nor_difflib(coded):
    loaded = modules_after_command(coded / "p", ["export", "qdpx", "-o", str(coded / "out.qdpx")])
    assert (coded / "out.qdpx").stat().st_size > 0
    assert loaded & (COMPLETION | {"difflib"}) == set()


def test_the_width_is_the_terminal_size_shutil_gives(monkeypatch):
    import shutil

    from tui.context import terminal_columns

    for columns in ("123", "0", "-5", "wide", None):
        if columns is None:
            monkeypatch.delenv("COLUMNS", raising=False)
        else:
            monkeypatch.setenv("COLUMNS", columns)
        assert terminal_columns() == shutil.get_terminal_size((100, 24)).columns


def test_importing_plain_text_loads_no_docx_or_caption_parser(study):
    loaded = modules_after_command(study / "p", ["import", str(study / "P1.txt")])
    assert "store.importers.plaintext" in loaded
    assert not loaded & DOCX_AND_CAPTIONS
    assert loaded & ({"csv", "difflib"} | OPENSSL | ARCHIVERS | COMPLETION) == set()


def test_a_docx_import_still_finds_its_parser(study):
    (study / "P2.docx").write_bytes(b"not a zip")
    from click.testing import CliRunner

    from tui.cli import cli

    done = CliRunner().invoke(cli, ["-p", str(study / "p"), "import", str(study / "P2.docx")])
    assert done.exit_code != 0 and "Traceback" not in done.output and len(done.output.strip().splitlines()) == 1


def test_exporting_a_qdpx_loads_no_refi_reader_nor_package_metadata(study):
    loaded = modules_after_command(study / "p", ["export", "qdpx", "-o", str(study / "out.qdpx")])
    assert (study / "out.qdpx").stat().st_size > 0 and "store.refi.export" in loaded
    assert not loaded & (REFI_READING | {"importlib.metadata"})


def test_listing_codes_loads_no_refi_module(study):
    loaded = modules_after_command(study / "p", ["codes"])
    assert not {m for m in loaded if m.startswith("store.refi.")}


def test_the_refi_names_are_all_there():
    import store.refi

    for name in store.refi.__all__:
        assert callable(getattr(store.refi, name)) and name in dir(store.refi)
    with pytest.raises(AttributeError):
        store.refi.nosuch  # noqa: B018


def test_a_short_option_is_read_without_difflib(study):
    loaded = modules_after_command(study / "p", ["docs"])  # given as `margin -p DIR docs`
    assert "tui.commands.project_commands" in loaded and "difflib" not in loaded


@pytest.mark.parametrize(
    "args, code, output",
    [
        (["-x", "docs"], 2, "Error: No such option '-x'. See `margin --help`."),
        (["--proj", "P", "docs"], 2, "Error: No such option '--proj'. Did you mean '--project'? See `margin --help`."),
        (["-p"], 2, "Error: Option '-p' requires an argument. See `margin --help`."),
        (["-pP", "docs"], 0, "No documents yet: margin import FILE ..."),
        (["--project=P", "docs"], 0, "No documents yet: margin import FILE ..."),
        (["-p", "P", "--coder", "bo", "docs"], 0, "No documents yet: margin import FILE ..."),
        (["-p", "P", "export", "qdpx", "-z"], 2, "Error: No such option '-z'. See `margin export qdpx --help`."),
        (["-p", "P", "export", "qdpx", "--outp", "x"], 2, "Error: No such option '--outp'. Did you mean '--output'? See `margin export qdpx --help`."),
        (["-p", "P", "find", "-o"], 2, "Error: Option '-o' requires an argument. See `margin --help`."),
    ],
)
def test_the_groups_options_parse_as_click_parses_them(study, args, code, output):
    from click.testing import CliRunner

    from tui.cli import cli

    args = [a.replace("P", str(study / "p")) if a in ("P", "-pP", "--project=P") else a for a in args]
    done = CliRunner().invoke(cli, args, prog_name="margin")
    assert (done.exit_code, done.output.strip().splitlines()[0]) == (code, output)
