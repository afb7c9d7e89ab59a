"""Taguette's `>` (issue 14, item 7): a tag's path is written as the tag in its CSV
codebook and as the flat name of a code in its .qdc; Margin reads both as one path, so
importing the CSV and the .qdc of one Taguette project, in either order, gives one
codebook and never a second code for one tag."""

from __future__ import annotations

import csv
import io
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from store.project import Project
from store.refi import merge_codes, read_codebook
from store.refi.xmlwriter import xml_safe

TAG = "Explainability techniques > Marginal plots"


def taguette_csv(tags: list[str]) -> bytes:
    """As taguette.export.codebook_csv writes it: `tag, description, number of highlights`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["tag", "description", "number of highlights"])
    for tag in tags:
        writer.writerow([tag, f"about {tag}", 1])
    return out.getvalue().encode()


def taguette_qdc(tags: list[str]) -> bytes:
    """As taguette.export.codebook_xml writes it: one flat Code per tag, its path as the name."""
    codes = "".join(
        f'<Code guid="{str(uuid.uuid5(uuid.NAMESPACE_URL, tag)).upper()}" name="{_attr(tag)}" isCodable="true"/>' for tag in tags
    )
    return f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.5.2"><Codes>{codes}</Codes><Sets/></CodeBook>'.encode()


def _attr(text: str) -> str:
    return xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def _codebook(folder, files) -> list[tuple[str, bool]]:
    with Project.init(folder, coder="ann") as project:
        for path in files:
            merge_codes(project, read_codebook(path), path.name)
        return sorted((project.codebook.path(c), c.codable) for c in project.codebook.all())


def _files(tmp_path, tags):
    book, qdc = tmp_path / "book.csv", tmp_path / "book.qdc"
    book.write_bytes(taguette_csv(tags))
    qdc.write_bytes(taguette_qdc(tags))
    return book, qdc


def test_a_path_tag_is_one_code_from_both_files(tmp_path):
    book, qdc = _files(tmp_path, [TAG, "Other"])
    expected = ["Explainability techniques", TAG, "Other"]
    for order in ((book, qdc), (qdc, book), (qdc,), (book,)):
        folder = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
        assert [path for path, _ in _codebook(folder, order)] == expected


def test_a_taguette_qdc_keeps_its_tags_guids(tmp_path):
    _, qdc = _files(tmp_path, [TAG])
    specs = read_codebook(qdc)
    assert [s.name for s in specs] == ["Explainability techniques", "Marginal plots"]
    assert specs[1].guid == str(uuid.uuid5(uuid.NAMESPACE_URL, TAG)) and specs[1].parent == specs[0].guid


def test_other_tools_keep_a_name_with_a_greater_than_sign(tmp_path):
    qdc = tmp_path / "nvivo.qdc"
    qdc.write_bytes(taguette_qdc([TAG]).replace(b"Taguette 1.5.2", b"NVivo 12"))
    assert [s.name for s in read_codebook(qdc)] == [TAG]


_PART = st.text(st.sampled_from("ab .>/É"), min_size=1, max_size=6).filter(lambda tag: any(c.isalpha() for c in tag))
_TAGS = st.lists(_PART, min_size=1, max_size=6, unique_by=str.casefold)


@settings(max_examples=30, deadline=None)
@given(tags=_TAGS)
def test_csv_and_qdc_in_either_order_give_one_codebook(tmp_path_factory, tags):
    tmp_path = tmp_path_factory.mktemp("t")
    book, qdc = _files(tmp_path, tags)
    one = _codebook(tmp_path / "csv", [book])
    assert _codebook(tmp_path / "qdc", [qdc]) == one
    assert _codebook(tmp_path / "csv-qdc", [book, qdc]) == one
    assert _codebook(tmp_path / "qdc-csv", [qdc, book]) == one
