"""What QualCoder and Taguette take from Margin's exports, read the way their own code
reads them (QualCoder's src/qualcoder/refi.py at c3204641, Taguette's
taguette/import_codebook.py at 8415bbcb), so a test can say what a peer keeps.

QualCoder (refi.py `RefiImport`):
- `sub_codes`: a Code's `Description` is its memo; names are unique in its tables
  (`code_name`, `code_cat`: `unique(name)`), so a second code of one name is not stored
  and the codings pointing at it get no code (`cid` None): they are lost.
- `load_text_source`: the TextSource's direct `Description` is the file's memo; its
  `NoteRef`s are taken as annotations; `VariableValue`s are file attributes.
- `load_codings_for_text`: positions index the text read from the file; the selection's
  `Description` is the coding memo.
- `parse_project_description`: the Project's direct `Description` is the project memo.
- `parse_notes`: a Note with `plainTextPath`, a name other than "" and no TextSource
  NoteRef to it is a journal entry, its text read from sources/; a repeated name makes
  it call `randint(100-999)`, which raises, so the import stops; a Note without
  creationDateTime and modifiedDateTime makes it fail too.
- `parse_variables` / `parse_cases`: every variable starts as a file variable; one that
  a named Case gives a value becomes a case variable (no longer in the file table).
"""

from __future__ import annotations

import csv
import io
import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

NS = "{urn:QDA-XML:project:1.0}"


class QualCoderFails(AssertionError):
    """QualCoder's import would stop with an exception here."""


@dataclass
class QualCoderProject:
    project_memo: str = ""
    code_memos: dict[str, str] = field(default_factory=dict)  # code name -> memo
    codes: dict[str, str] = field(default_factory=dict)  # code guid -> name, the codes it stored
    lost_codes: list[str] = field(default_factory=list)  # names it could not store
    file_memos: dict[str, str] = field(default_factory=dict)  # source name -> memo
    codings: list[tuple[str, str, str, str]] = field(default_factory=list)  # (source, code name, text, memo)
    lost_codings: int = 0
    journals: dict[str, str] = field(default_factory=dict)  # name -> text
    variables: dict[str, str] = field(default_factory=dict)  # name -> "file" or "case"
    file_attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # source -> name -> value
    cases: list[str] = field(default_factory=list)


def _description(element) -> str:
    found = [el.text for el in element if el.tag == f"{NS}Description"]
    return (found[-1] or "") if found else ""


def qualcoder_reads(qdpx: Path) -> QualCoderProject:
    with zipfile.ZipFile(qdpx) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        files = {name: archive.read(name) for name in archive.namelist()}
    seen = QualCoderProject(project_memo=_description(root))
    names: set[str] = set()
    for code in root.iter(f"{NS}Code"):
        name = code.get("name")
        if name in names:
            seen.lost_codes.append(name)
            continue
        names.add(name)
        seen.codes[code.get("guid")] = name
        seen.code_memos[name] = _description(code)
    variables = {v.get("guid"): v.get("name") for v in root.iter(f"{NS}Variable")}
    seen.variables = {name: "file" for name in variables.values()}
    annotations = set()
    for source in root.iter(f"{NS}TextSource"):
        _source(seen, source, files, variables)
        annotations |= {ref.get("targetGUID") for ref in source if ref.tag == f"{NS}NoteRef"}
    for note in root.iter(f"{NS}Note"):
        if not (note.get("creationDateTime") or note.get("modifiedDateTime")):
            raise QualCoderFails(f"note {note.get('guid')} has no date")
        path, name = note.get("plainTextPath"), note.get("name")
        if path is not None and note.get("guid") not in annotations and name != "":
            if name in seen.journals:
                raise QualCoderFails(f"journal name {name!r} repeated: randint(100-999) raises")
            seen.journals[name] = _file(files, path).decode("utf-8")
    for case in root.iter(f"{NS}Case"):
        if case.get("name") is None:
            continue
        seen.cases.append(case.get("name"))
        for value in case.iter(f"{NS}VariableRef"):
            seen.variables[variables[value.get("targetGUID")]] = "case"
    return seen


def _file(files: dict[str, bytes], path: str) -> bytes:
    return files[next(n for n in files if n.lower() == "sources" + path.split("internal:/")[1].lower())]


def _source(seen: QualCoderProject, source, files: dict[str, bytes], variables: dict[str, str]) -> None:
    name = source.get("name")
    text = _file(files, source.get("plainTextPath")).decode("utf-8")
    seen.file_memos[name] = _description(source)
    for selection in source.iter(f"{NS}PlainTextSelection"):
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        for coding in selection.iter(f"{NS}Coding"):
            code = seen.codes.get(list(coding)[0].get("targetGUID"))
            if code is None:
                seen.lost_codings += 1
            else:
                seen.codings.append((name, code, text[start:end], _description(selection)))
    attributes = seen.file_attributes.setdefault(name, {})
    for value in (v for v in source if v.tag == f"{NS}VariableValue"):
        ref = next(el for el in value if el.tag == f"{NS}VariableRef").get("targetGUID")
        attributes[variables[ref]] = next(el.text or "" for el in value if el.tag != f"{NS}VariableRef").strip()


def taguette_reads(data: bytes) -> list[dict[str, str]]:
    """Taguette's `list_tags_csv`: the encoding chardet guesses (sure only with a BOM: it
    took a short UTF-8 file with an emoji for Windows-1254), the one column named tag,
    name or path (two of them is "Not sure which column to use for tag name"), and
    description."""
    if not data.startswith(b"\xef\xbb\xbf") and not data.isascii():
        raise AssertionError("Taguette would guess this file's encoding (no BOM) and may misread it")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = [cell.lower() for cell in rows[0]]
    present = [name for name in ("tag", "name", "path") if name in header]
    if len(present) != 1:
        raise AssertionError(f"Taguette refuses this codebook: columns {present} (it needs exactly one)")
    column, description = header.index(present[0]), header.index("description") if "description" in header else None
    return [
        {"path": row[column].strip(), "description": row[description].strip() if description is not None else ""}
        for row in rows[1:]
        if any(row)
    ]
