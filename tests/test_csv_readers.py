"""`margin export csv` reads back cleanly in Python's csv module, pandas and R."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest

from store.exporters.segments import segment_rows
from store.exporters.tabular import to_csv, write_file
from store.importers import parse_text

TRICKY = (
    'Interviewer: She said "no, never" – then, after a pause,\n\nlaughed.\n\n'
    "Nurse: Café talk, naïve hopes 😀, e\u0301 combining, עברית, and a comma, too.\n\n"
    "Interviewer: =1+1 looks like a formula; so does -3.\n"
)


@pytest.fixture
def exported(project, tmp_path):
    document = project.documents.import_parsed(parse_text(TRICKY, "txt"), "Tricky, \"quoted\" name", {"case": "T1"}).document
    code = project.codebook.add("Talk > Café")
    for turn in document.turns:
        project.codings.apply(document, code, turn.start, turn.end, memo="line one\nline two, \"quoted\"")
    header, rows = segment_rows(project)
    path = tmp_path / "coded.csv"
    write_file(to_csv(header, rows, safe=False), path)
    return header, rows, path


def _as_text(rows):
    return [[str(v) for v in row] for row in rows]


def test_python_csv_module_reads_it_back(exported):
    header, rows, path = exported
    with open(path, newline="", encoding="utf-8") as handle:
        read = list(csv.reader(handle))
    assert read[0] == header
    assert read[1:] == _as_text(rows)
    assert "\n\nlaughed." in read[1][header.index("text")]


def test_pandas_reads_it_back(exported):
    pandas = pytest.importorskip("pandas")
    header, rows, path = exported
    frame = pandas.read_csv(path, dtype=str, keep_default_na=False)
    assert list(frame.columns) == header
    assert frame.values.tolist() == _as_text(rows)


def test_r_read_csv_reads_it_back(exported, tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed")
    header, rows, path = exported
    copy = tmp_path / "from-r.csv"
    script = (
        f'd <- read.csv("{path}", encoding = "UTF-8", colClasses = "character", check.names = FALSE); '
        f'write.csv(d, "{copy}", row.names = FALSE, fileEncoding = "UTF-8")'
    )
    subprocess.run(["Rscript", "-e", script], check=True, capture_output=True)
    with open(copy, newline="", encoding="utf-8") as handle:
        read = list(csv.reader(handle))
    assert read[0] == header
    assert read[1:] == _as_text(rows)
