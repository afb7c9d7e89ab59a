"""Damaged, hostile and incomplete exports: one clear message, no project left behind."""

from __future__ import annotations

import io
import zipfile

import pytest
from click.testing import CliRunner

from store.errors import BadInput, Refused
from store.project import Project
from store.refi import import_project

U = "11111111-1111-1111-1111-111111111111"
C = "22222222-2222-2222-2222-222222222222"
S = "33333333-3333-3333-3333-333333333333"
P = "44444444-4444-4444-4444-444444444444"
G = "55555555-5555-5555-5555-555555555555"
TEXT = "Hello there, my sister found me the job.\n"


def qde(selection: str = f'<PlainTextSelection guid="{P}" startPosition="13" endPosition="39"><Coding guid="{G}"><CodeRef targetGUID="{C}"/></Coding></PlainTextSelection>', path: str = f"internal://{S}.txt") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="t">'
        f'<Users><User guid="{U}" name="ann"/></Users>'
        f'<CodeBook><Codes><Code guid="{C}" name="Family" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{S}" name="P1" plainTextPath="{path}">{selection}</TextSource></Sources></Project>'
    )


def qdpx(tmp_path, project: str | bytes | None, files: dict[str, bytes] | None = None, name: str = "in.qdpx"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if project is not None:
            archive.writestr("project.qde", project)
        for member, data in (files if files is not None else {f"sources/{S}.txt": TEXT.encode()}).items():
            archive.writestr(member, data)
    return path


def refused(path, target, match: str, error=BadInput, **options):
    with pytest.raises(error, match=match) as caught:
        import_project(path, target, **options)
    assert "\n" not in str(caught.value)
    assert not target.exists()


def test_a_good_file_imports(tmp_path):
    report = import_project(qdpx(tmp_path, qde()), tmp_path / "p")
    assert report.counts["codings"] == 1


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.qdpx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    refused(path, tmp_path / "p", "not a .qdpx file")


@pytest.mark.parametrize("value", [64, 116, 0xFFFF])  # the version needed to extract: 6.4, 11.6, 655.35
def test_a_central_directory_naming_a_zip_version_zipfile_lacks_is_refused_in_one_line(tmp_path, value):
    """The REFI fuzzer flipped a byte of a .qdpx's central directory: zipfile raised
    NotImplementedError ("zip file version 11.6") while opening it, a traceback."""
    path = qdpx(tmp_path, qde())
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")  # the first central directory header
    data[at + 6 : at + 8] = value.to_bytes(2, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(NotImplementedError):
        zipfile.ZipFile(path)  # what the file does to zipfile, so the test cannot pass without the case
    refused(path, tmp_path / "p", "not a .qdpx file")


def test_zip_without_project(tmp_path):
    refused(qdpx(tmp_path, None), tmp_path / "p", "no .qde file")


def test_zip_with_two_projects(tmp_path):
    refused(qdpx(tmp_path, qde(), {"a.qde": qde().encode(), f"sources/{S}.txt": TEXT.encode()}), tmp_path / "p", "2 .qde files")


def test_qde_not_xml(tmp_path):
    refused(qdpx(tmp_path, b"\x00\x01 binary"), tmp_path / "p", "not well-formed XML")


def test_qde_not_refi(tmp_path):
    refused(qdpx(tmp_path, "<html><body/></html>"), tmp_path / "p", "not a REFI-QDA project")


def test_bare_qde_not_xml(tmp_path):
    path = tmp_path / "x.qde"
    path.write_text("name,age\nann,3\n")
    refused(path, tmp_path / "p", "not well-formed XML")


def test_external_entity_is_refused(tmp_path):
    evil = qde().replace('<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    evil = evil.replace('name="Family"', 'name="&x;"')
    refused(qdpx(tmp_path, evil), tmp_path / "p", "DTD or entities")


def test_entity_expansion_bomb_is_refused(tmp_path):
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY l0 "lol">{lol}]><Project name="&l9;"/>'
    refused(qdpx(tmp_path, bomb), tmp_path / "p", "DTD or entities")


def test_zip_slip_is_refused(tmp_path):
    refused(qdpx(tmp_path, qde(), {"../../evil.txt": b"x"}), tmp_path / "p", "escapes its folder")
    refused(qdpx(tmp_path, qde(), {"/etc/evil.txt": b"x"}, "b.qdpx"), tmp_path / "p", "escapes its folder")


def test_zip_bomb_is_refused(tmp_path):
    refused(qdpx(tmp_path, qde(), {f"sources/{S}.txt": b"\0" * (8 << 20)}), tmp_path / "p", "zip bomb")


def test_coding_of_an_unknown_code(tmp_path):
    bad = qde().replace(f'<CodeRef targetGUID="{C}"/>', '<CodeRef targetGUID="99999999-9999-9999-9999-999999999999"/>')
    refused(qdpx(tmp_path, bad), tmp_path / "p", "not in the codebook")


def test_selection_outside_the_text(tmp_path):
    bad = qde().replace('startPosition="13" endPosition="39"', 'startPosition="13" endPosition="4000"')
    refused(qdpx(tmp_path, bad), tmp_path / "p", "outside its text")


def test_selection_without_numbers(tmp_path):
    bad = qde().replace('startPosition="13"', 'startPosition="x"')
    refused(qdpx(tmp_path, bad), tmp_path / "p", "no usable startPosition")


def test_missing_source_is_listed_or_fatal_with_strict(tmp_path):
    path = qdpx(tmp_path, qde(), {})
    refused(path, tmp_path / "p", "not in the export", strict=True)
    report = import_project(path, tmp_path / "p")
    assert report.counts["documents"] == 0
    assert any("not in the export" in line and "1 coding(s) lost" in line for line in report.dropped)


def test_absolute_paths_are_never_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(TEXT)
    report = import_project(qdpx(tmp_path, qde(path=f"absolute://{secret}"), {}), tmp_path / "p")
    assert report.counts["documents"] == 0


def test_failure_leaves_an_existing_folder_as_it_was(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    bad = qde().replace(f'<CodeRef targetGUID="{C}"/>', '<CodeRef targetGUID="99999999-9999-9999-9999-999999999999"/>')
    with pytest.raises(BadInput):
        import_project(qdpx(tmp_path, bad), folder)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_an_existing_project_is_not_touched(tmp_path):
    Project.init(tmp_path / "p", coder="a").close()
    before = sorted(p.name for p in (tmp_path / "p").iterdir())
    with pytest.raises(Refused):
        import_project(qdpx(tmp_path, qde()), tmp_path / "p")
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == before


def test_command_line_says_one_line_and_exits_non_zero(tmp_path):
    from tui.cli import cli

    path = tmp_path / "x.qdpx"
    path.write_bytes(b"not a zip")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "p"), "--from", str(path)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert not (tmp_path / "p").exists()


def test_zip_made_in_memory_is_read_like_a_file(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Project.QDE", qde())
        archive.writestr(f"Sources/{S.upper()}.TXT", TEXT)
    (tmp_path / "m.qdpx").write_bytes(buffer.getvalue())
    assert import_project(tmp_path / "m.qdpx", tmp_path / "p").counts["codings"] == 1


def test_inline_text_and_empty_or_undecodable_files(tmp_path):
    inline = qde(path="").replace('name="P1" plainTextPath="">', f'name="P1"><PlainTextContent>{TEXT}</PlainTextContent>')
    assert import_project(qdpx(tmp_path, inline, {}), tmp_path / "a").counts["codings"] == 1
    report = import_project(qdpx(tmp_path, qde(), {f"sources/{S}.txt": b""}, "e.qdpx"), tmp_path / "b")
    assert report.counts["documents"] == 0 and "its text is empty" in report.dropped[0]
    report = import_project(qdpx(tmp_path, qde(), {f"sources/{S}.txt": b"\xff\xfe\x00\xd8"}, "u.qdpx"), tmp_path / "c")
    assert "cannot be read" in report.dropped[0]
    report = import_project(qdpx(tmp_path, qde(), {f"sources/{S}.txt": b"caf\xe9 latin-1"}, "l.qdpx"), tmp_path / "d")
    assert "cannot be read: it is not UTF-8" in report.dropped[0]
