"""REFI files in unusual encodings and zip methods (issue 9, finding 10): read where XML
allows it, else one clear line, never ValueError, LookupError or NotImplementedError."""

from __future__ import annotations

import struct
import zipfile

import pytest
from click.testing import CliRunner

from store.errors import BadInput
from store.refi import import_project, read_codebook
from tests.test_refi_badinput import S, TEXT, qde, qdpx
from tui.cli import cli

QDC = '<?xml version="1.0" encoding="{}"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="{}"/></Codes></CodeBook>'


def declared(encoding: str, project: str | None = None) -> str:
    return (project or qde()).replace('encoding="utf-8"', f'encoding="{encoding}"')


@pytest.mark.parametrize(
    "declaration, written",
    [
        ("utf-16", "utf-16"),  # with a byte order mark
        ("utf-16", "utf-16-be"),  # without one: told by how `<?xml` is spelled
        ("UTF-16LE", "utf-16-le"),
        ("utf-32", "utf-32"),
        ("utf-32", "utf-32-be"),
        ("utf-8", "utf-8-sig"),
        ("ISO-8859-1", "latin-1"),
        ("windows-1252", "cp1252"),
        ("Shift_JIS", "shift_jis"),
    ],
)
def test_xml_in_any_encoding_the_standard_allows_is_read(tmp_path, declaration, written):
    name = "家族" if written == "shift_jis" else "Família"
    report = import_project(qdpx(tmp_path, declared(declaration).encode(written)), tmp_path / "p")
    assert report.counts["codings"] == 1
    path = tmp_path / "book.qdc"
    path.write_bytes(QDC.format(declaration, name).encode(written))
    [code] = read_codebook(path)
    assert code.name == name


@pytest.mark.parametrize(
    "data, message",
    [
        (declared("utf-16").encode("utf-8"), "declares the text encoding 'utf-16' but is not written in it"),
        (declared("utf-32").encode("utf-8"), "declares the text encoding 'utf-32' but is not written in it"),
        (declared("klingon-8").encode("utf-8"), "declares the text encoding 'klingon-8', which is unknown"),
        (declared("base64").encode("utf-8"), "not a text encoding"),
        (declared("ascii").replace("name=\"t\"", "name=\"é\"").encode("utf-8"), "is not valid ascii text"),
        (b"\xff\xfe\x00\x00<\x00\x00", "is not valid utf-32-le text"),
    ],
    ids=["utf-16 in utf-8", "utf-32 in utf-8", "unknown", "base64", "not ascii", "cut utf-32"],
)
def test_a_wrong_or_unknown_encoding_is_one_line(tmp_path, data, message):
    with pytest.raises(BadInput, match=message) as caught:
        import_project(qdpx(tmp_path, data), tmp_path / "p")
    assert "\n" not in caught.value.message
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("encoding", ["klingon-8", "utf-32"])
def test_codes_import_of_a_qdc_with_a_bad_encoding_is_one_line(tmp_path, project, encoding):
    path = tmp_path / "book.qdc"
    path.write_text(QDC.format(encoding, "Family"))
    project.close()
    result = CliRunner().invoke(cli, ["-p", str(project.dir), "codes", "import", str(path)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1


def with_method(path, method: int, flags: int = 0) -> None:
    """Mark every member of a stored zip as packed with `method` (say 9, Deflate64), as
    Windows Explorer writes large files, patching the local and central headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        central = data.index(b"PK\x01\x02")
    for info in infos:
        struct.pack_into("<HH", data, info.header_offset + 6, flags, method)
    offset = central
    while data[offset : offset + 4] == b"PK\x01\x02":
        struct.pack_into("<HH", data, offset + 8, flags, method)
        name, extra, comment = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + name + extra + comment
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("method, flags, message", [(9, 0, "Deflate64 compression"), (93, 0, "Zstandard"), (0, 1, "encrypted")])
def test_a_zip_method_python_cannot_unpack_is_named(tmp_path, method, flags, message):
    path = tmp_path / "in.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("project.qde", qde())
        archive.writestr(f"sources/{S}.txt", TEXT)
    with_method(path, method, flags)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "p"), "--from", str(path)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert message in result.output and result.output.count("\n") == 1
    assert not (tmp_path / "p").exists()
