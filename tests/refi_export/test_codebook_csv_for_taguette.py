"""Issue 14 item 8: `export codebook --format csv` as Taguette reads it: the one column of
tag/name/path it looks for is `path`, holding each code's whole ` > ` path, so the tree
survives and two codes named `Other` stay two."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from store.project import Project
from store.refi import merge_codes, read_codebook
from tests.refi_export.peers import taguette_reads
from tui.cli import cli


def exported_csv(project_dir, tmp_path, *options: str) -> bytes:
    result = CliRunner().invoke(cli, ["-p", str(project_dir), "export", "codebook", *options, "-o", str(tmp_path / "codebook.csv")])
    assert result.exit_code == 0, result.output
    return (tmp_path / "codebook.csv").read_bytes()


def test_taguette_reads_every_path(study, tmp_path):
    paths = {study.codebook.path(c): c.description for c in study.state.codes.values()}
    path = study.dir
    study.close()
    data = exported_csv(path, tmp_path, "--bom")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[0] == "path" and not {"tag", "name"} & {h.lower() for h in header}
    tags = taguette_reads(data)
    assert {t["path"]: t["description"] for t in tags} == paths
    assert {"Benefits of PDPilot > Other", "Drawbacks > Other"} <= {t["path"] for t in tags}
    assert len({t["path"] for t in tags}) == len(tags)  # the two "Other" codes stay two


def test_the_existing_columns_stay(study, tmp_path):
    path = study.dir
    study.close()
    rows = list(csv.DictReader(io.StringIO(exported_csv(path, tmp_path).decode("utf-8"))))
    assert list(rows[0]) == ["path", "code_id", "code_path", "code_name", "description", "color", "codable", "codings", "codings_with_subcodes"]
    assert all(r["path"] == r["code_path"] and r["code_path"].endswith(r["code_name"]) for r in rows)


@pytest.mark.parametrize("options", [(), ("--bom",)])
def test_margin_reads_its_codebook_csv_back(study, tmp_path, options):
    paths = sorted(study.codebook.path(c) for c in study.state.codes.values())
    path = study.dir
    study.close()
    exported_csv(path, tmp_path, *options)
    with Project.init(tmp_path / "fresh", coder="a") as fresh:
        merge_codes(fresh, read_codebook(tmp_path / "codebook.csv"), "codebook.csv")
        assert sorted(fresh.codebook.path(c) for c in fresh.state.codes.values()) == paths


def test_real_taguette_if_installed(study, tmp_path):
    """Taguette's own reader, when the package is here (it is not a test dependency)."""
    taguette = pytest.importorskip("taguette.import_codebook")
    paths = sorted(study.codebook.path(c) for c in study.state.codes.values())
    path = study.dir
    study.close()
    tags = taguette.list_tags(io.BytesIO(exported_csv(path, tmp_path, "--bom")))
    assert sorted(t["path"] for t in tags) == paths
