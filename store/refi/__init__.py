"""REFI-QDA exchange: `.qdpx` projects and `.qdc` codebooks with NVivo, ATLAS.ti, MAXQDA,
QualCoder and others (see docs/architecture.md and the standard in shared/refi).

The names below are imported from their modules when first asked for (PEP 562), so that
`margin export qdpx` does not import the reader, the importer and the XML parser, nor
`margin codes` the writer (a third of a small export's start-up)."""

from __future__ import annotations

import importlib

_HOMES = {
    "MergeResult": "codebook_import",
    "merge_codes": "codebook_import",
    "read_codebook": "codebook_import",
    "ExportSummary": "export",
    "export_qdc": "export",
    "export_qdpx": "export",
    "project_xml": "export",
    "import_project": "importer",
    "ImportReport": "report",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'store.refi' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"store.refi.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
