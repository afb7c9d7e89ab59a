"""Issue 14 item 3: codes that share a name under different parents. `export qdpx` and
`export qdc` warn in one line naming them; `--unique-names` qualifies them by their parents
so QualCoder (names unique) keeps every code and coding."""

from __future__ import annotations

import re

from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from store.model import Code
from store.project import Project
from store.refi import export_qdc, export_qdpx, import_project, project_xml
from store.refi.export import ExportOptions
from store.refi.peer_names import shared_names_line, unique_code_names
from tests.refi_export.conftest import STAMP
from tests.refi_export.peers import qualcoder_reads
from tests.test_refi_support import needs_shared, schema_errors
from tui.cli import cli


def run(project_dir, *args):
    return CliRunner().invoke(cli, ["-p", str(project_dir), *args])


def test_qualcoder_loses_a_coding_without_unique_names(study, tmp_path):
    export_qdpx(study, tmp_path / "plain.qdpx", exported_at=STAMP)
    assert qualcoder_reads(tmp_path / "plain.qdpx").lost_codings == 1
    export_qdpx(study, tmp_path / "unique.qdpx", exported_at=STAMP, options=ExportOptions(unique_names=True))
    seen = qualcoder_reads(tmp_path / "unique.qdpx")
    assert seen.lost_codings == 0 and seen.lost_codes == []
    assert {"Other (Benefits of PDPilot)", "Other (Drawbacks)"} <= set(seen.codes.values())
    assert len(seen.codings) == len(study.state.codings)


def test_export_warns_in_one_line_and_unique_names_does_not(study, tmp_path):
    path = study.dir
    study.close()
    for command, suffix in (("qdpx", ".qdpx"), ("qdc", ".qdc")):
        plain = run(path, "export", command, "-o", str(tmp_path / f"plain{suffix}"))
        assert plain.exit_code == 0, plain.output
        warnings = [line for line in plain.stderr.splitlines() if line.startswith("Warning")]
        assert len(warnings) == 1
        assert "Benefits of PDPilot > Other" in warnings[0] and "Drawbacks > Other" in warnings[0] and "--unique-names" in warnings[0]
        unique = run(path, "export", command, "--unique-names", "-o", str(tmp_path / f"unique{suffix}"))
        assert unique.exit_code == 0 and "Warning" not in unique.stderr
    qdc = (tmp_path / "unique.qdc").read_text(encoding="utf-8")
    assert 'name="Other (Benefits of PDPilot)"' in qdc and 'name="Other (Drawbacks)"' in qdc


def test_the_warning_stays_a_line_to_read_with_many_shared_names(tmp_path):
    """Found in a trial: a codebook with hundreds of shared names (`Other` under every
    theme) made the warning one line of thousands of characters."""
    with Project.init(tmp_path / "p", coder="a") as project:
        with project.operation("codebook"):
            for theme in range(300):
                for name in ("Other", "Unclear", f"Sub {theme}", "Notes and more notes"):
                    project.codebook.add(f"Theme {theme} > {name}")
        line = shared_names_line(project.state.codes)
    assert line.startswith("3 names shared by several codes")
    assert "and 297 more" in line and len(line) < 500
    assert "--unique-names" in line


def test_no_warning_when_names_are_unique(tmp_path):
    with Project.init(tmp_path / "p", coder="a") as project:
        project.codebook.add("A > B")
        assert shared_names_line(project.state.codes) is None


def test_deeper_qualifier_when_parents_share_a_name_too(tmp_path):
    with Project.init(tmp_path / "p", coder="a") as project:
        for path in ("Other", "Study > Benefits > Other", "Pilot > Benefits > Other", "Drawbacks > Other"):
            project.codebook.add(path)
        names = unique_code_names(project.state.codes)
        by_path = {project.codebook.path(c): names[c.id] for c in project.state.codes.values()}
    assert by_path["Other"] == "Other"
    assert by_path["Drawbacks > Other"] == "Other (Drawbacks)"
    assert by_path["Study > Benefits > Other"] == "Other (Study › Benefits)"
    assert by_path["Pilot > Benefits > Other"] == "Other (Pilot › Benefits)"
    assert by_path["Study > Benefits"] == "Benefits (Study)"


def test_round_trip_keeps_the_qualified_names_and_every_coding(study, tmp_path):
    options = ExportOptions(unique_names=True)
    export_qdpx(study, tmp_path / "u.qdpx", exported_at=STAMP, options=options)
    report = import_project(tmp_path / "u.qdpx", tmp_path / "copy")
    assert report.counts["codings"] == len(study.state.codings) and report.adjusted == []
    names = unique_code_names(study.state.codes)
    with Project.open(tmp_path / "copy", readonly=True) as copy:
        assert {c.id: c.name for c in copy.state.codes.values()} == names
        assert {c.id: c.code for c in copy.state.codings.values()} == {c.id: c.code for c in study.state.codings.values()}


@needs_shared
def test_unique_names_are_valid_against_both_schemas(study):
    assert schema_errors(project_xml(study, STAMP, ExportOptions(unique_names=True))) == []
    qdc = export_qdc(study, unique_names=True)
    assert schema_errors(qdc, "Codebook-mrt2019.xsd") == []
    names = re.findall(r'<Code [^>]*name="([^"]+)"', qdc.decode())
    assert len({n.casefold() for n in names}) == len(names)


NAMES = st.sampled_from(["Other", "other", "A", "B", "Other (A)", "A (B)", "B › A", "Other (A › B)"])


@st.composite
def code_trees(draw):
    codes: dict[str, Code] = {}
    for index in range(draw(st.integers(1, 14))):
        parent = draw(st.sampled_from([None, *codes]))
        siblings = {c.name.casefold() for c in codes.values() if c.parent == parent}
        name = draw(NAMES.filter(lambda n: n.casefold() not in siblings))
        codes[f"c{index}"] = Code(id=f"c{index}", name=name, parent=parent, color="#000000")
    return codes


@settings(max_examples=300, deadline=None)
@given(code_trees())
def test_names_are_unique_after(codes):
    """The whole kind: any tree, even with names that look qualified already."""
    names = unique_code_names(codes)
    assert sorted(names) == sorted(codes)
    assert len({n.casefold() for n in names.values()}) == len(codes)
    shared = {c.name.casefold() for c in codes.values()}
    shared = {n for n in shared if sum(c.name.casefold() == n for c in codes.values()) > 1}
    for code in codes.values():
        if code.name.casefold() not in shared and names[code.id] != code.name:
            assert any(names[o.id] != o.name for o in codes.values() if o.name.casefold() in shared)  # only to make room
