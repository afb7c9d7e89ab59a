"""Issue 14 item 9: `export qdpx --positions nvivo` writes what NVivo reads (as its own
export in shared/refi/samples shows): `.txt` in UTF-8 with a BOM and CRLF, positions in
UTF-16 code units with CRLF as two; Margin's own import lands every coding on its text."""

from __future__ import annotations

import re
import zipfile

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from store.errors import Refused
from store.project import Project
from store.refi import export_qdpx, import_project, project_xml
from store.refi.export import ExportOptions
from store.refi.positions import NVIVO, SourceText, choose
from store.refi.reader import read_project
from tests.refi_export.conftest import STAMP
from tests.test_refi_support import SAMPLES, needs_shared, schema_errors
from tui.cli import cli

NVIVO_EXPORT = ExportOptions(positions="nvivo")
ASTRAL = "Interviewer: Hello 😀 there\nP1: We 👩‍👩‍👧 went 🏳️‍🌈 out.\n\nP1: Then 𝒳 and é.\n"


def nvivo_reads(qdpx) -> list[tuple[str, str]]:
    """Each selection's text as NVivo reads it: UTF-16 units of the file without its BOM."""
    with zipfile.ZipFile(qdpx) as archive:
        qde = archive.read("project.qde").decode("utf-8")
        found = []
        for source in re.finditer(r'<TextSource guid="([^"]+)".*?</TextSource>', qde, re.S):
            data = archive.read(f"sources/{source[1]}.txt")
            assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
            units = data[3:].decode("utf-8").encode("utf-16-le")
            for selection in re.finditer(r'<PlainTextSelection guid="([^"]+)"[^>]* startPosition="(\d+)" endPosition="(\d+)"', source[0]):
                start, end = int(selection[2]), int(selection[3])
                found.append((selection[1], units[2 * start : 2 * end].decode("utf-16-le")))
    return found


def coded(tmp_path, text: str, spans) -> Project:
    project = Project.init(tmp_path / "p", coder="alice")
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    document = project.documents.import_file(tmp_path / "t.txt", name="T").document
    code = project.codebook.add("Theme")
    stored = project.text(document.id)
    for start, end in spans:
        if start < end <= len(stored):
            try:
                project.codings.apply(document, code, start, end)
            except Refused:  # the same passage twice (hypothesis draws repeats): coded once
                pass
    return project


def test_nvivo_reads_every_coding_on_its_text(tmp_path):
    text = ASTRAL
    spans = [(text.index("😀"), text.index("there") + 5), (text.index("👩"), text.index("out")), (text.index("Then"), len(text) - 1), (0, len(text))]
    with coded(tmp_path, text, spans) as project:
        export_qdpx(project, tmp_path / "n.qdpx", exported_at=STAMP, options=NVIVO_EXPORT)
        expected = {c.id: c.text.replace("\n", "\r\n") for c in project.state.codings.values()}
    assert dict(nvivo_reads(tmp_path / "n.qdpx")) == expected and len(expected) == 4


def test_margin_imports_its_nvivo_export_exactly(tmp_path):
    spans = [(19, 20), (27, 40), (5, 60), (41, 42)]
    with coded(tmp_path, ASTRAL, spans) as project:
        export_qdpx(project, tmp_path / "n.qdpx", exported_at=STAMP, options=NVIVO_EXPORT)
        report = import_project(tmp_path / "n.qdpx", tmp_path / "copy")
        assert report.misaligned == [] and [p.convention for p in report.positions] == ["UTF-16 units, CRLF as 2"]
        with Project.open(tmp_path / "copy", readonly=True) as copy:
            assert {(c.start, c.end, c.text) for c in copy.state.codings.values()} == {
                (c.start, c.end, c.text) for c in project.state.codings.values()
            }
            assert copy.text(next(iter(copy.state.documents))) == project.text(next(iter(project.state.documents)))


def test_a_repetitive_text_is_not_read_another_way(tmp_path):
    """Under code points the quote also matches one character on; the export's origin
    tells Margin's import which reading it wrote."""
    with coded(tmp_path, "😀 aaaa aaaa\n", [(3, 5)]) as project:
        export_qdpx(project, tmp_path / "n.qdpx", exported_at=STAMP, options=NVIVO_EXPORT)
        import_project(tmp_path / "n.qdpx", tmp_path / "copy")
        with Project.open(tmp_path / "copy", readonly=True) as copy:
            assert [(c.start, c.end) for c in copy.state.codings.values()] == [(3, 5)]


def test_cli_option(tmp_path):
    with coded(tmp_path, ASTRAL, [(19, 20)]) as project:
        path = project.dir
    result = CliRunner().invoke(cli, ["-p", str(path), "export", "qdpx", "--positions", "nvivo", "-o", str(tmp_path / "c.qdpx")])
    assert result.exit_code == 0, result.output
    assert nvivo_reads(tmp_path / "c.qdpx")[0][1] == "😀"
    bad = CliRunner().invoke(cli, ["-p", str(path), "export", "qdpx", "--positions", "maxqda"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


@needs_shared
def test_the_nvivo_sample_counts_the_same_way(tmp_path):
    """NVivo 12's own export is read best as UTF-16 units with CRLF as two, no BOM counted:
    the reading Margin's NVivo export writes."""
    with zipfile.ZipFile(SAMPLES / "nvivo12-win_oltas0517.qdpx") as archive:
        refi = read_project(archive.read("project.qde"), "nvivo12")
        source = max(refi.sources, key=lambda s: len(s.selections))
        raw = archive.read(f"Sources/{source.path.split('//')[1]}")
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    choice = choose(SourceText(raw.decode("utf-8")), source.selections)
    assert choice.convention == NVIVO and choice.landed >= 300


@needs_shared
def test_nvivo_export_is_schema_valid(tmp_path):
    with coded(tmp_path, ASTRAL, [(19, 20), (0, 30)]) as project:
        assert schema_errors(project_xml(project, STAMP, NVIVO_EXPORT)) == []


TEXT = st.text(st.sampled_from(["a", "b", " ", "\n", "é", "😀", "𝒳", "\u200d", "\u0301"]), min_size=1, max_size=40).filter(lambda t: t.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, spans=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 41)), min_size=1, max_size=5))
def test_any_text_round_trips_through_nvivo_positions(tmp_path_factory, text, spans):
    """The whole kind: repetitive texts, astral characters, blank lines, combining marks."""
    base = tmp_path_factory.mktemp("nvivo")
    with coded(base, text, spans) as project:
        if not project.state.codings:
            return
        export_qdpx(project, base / "n.qdpx", exported_at=STAMP, options=NVIVO_EXPORT)
        assert dict(nvivo_reads(base / "n.qdpx")) == {c.id: c.text.replace("\n", "\r\n") for c in project.state.codings.values()}
        report = import_project(base / "n.qdpx", base / "copy")
        assert report.misaligned == []
        with Project.open(base / "copy", readonly=True) as copy:
            assert {c.id: (c.start, c.end) for c in copy.state.codings.values()} == {
                c.id: (c.start, c.end) for c in project.state.codings.values()
            }
