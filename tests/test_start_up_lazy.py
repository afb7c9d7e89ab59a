"""The steps of the qc comparison (tests/bench/bench_qc.py) import only what they use:
a plain-text import no python-docx, lxml or caption parsers (store/importers), an export
of a .qdpx no REFI reader, importer or XML parser (store/refi's lazy names) and no
installation metadata (store/version.py), `margin codes` no REFI writer."""

from __future__ import annotations

import pytest

from store.project import Project
from tests.conftest import modules_after_command

DOCX_AND_CAPTIONS = {"docx", "lxml", "lxml.etree", "webvtt", "srt", "store.importers.docx", "store.importers.captions"}
REFI_READING = {"store.refi.reader", "store.refi.importer", "store.refi.codebook_import", "pyexpat", "concurrent.futures"}


@pytest.fixture
def study(tmp_path):
    (tmp_path / "P1.txt").write_text("Interviewer: How did it start?\nNurse: With a phone call.\n", encoding="utf-8")
    Project.init(tmp_path / "p", coder="ana").close()
    return tmp_path


def test_importing_plain_text_loads_no_docx_or_caption_parser(study):
    loaded = modules_after_command(study / "p", ["import", str(study / "P1.txt")])
    assert "store.importers.plaintext" in loaded
    assert not loaded & DOCX_AND_CAPTIONS


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
