"""REFI-QDA exchange: `.qdpx` projects and `.qdc` codebooks with NVivo, ATLAS.ti, MAXQDA,
QualCoder and others (see docs/architecture.md and the standard in shared/refi)."""

from store.refi.codebook_import import MergeResult, merge_codes, read_codebook
from store.refi.export import ExportSummary, export_qdc, export_qdpx, project_xml
from store.refi.importer import import_project
from store.refi.report import ImportReport

__all__ = [
    "ExportSummary",
    "ImportReport",
    "MergeResult",
    "export_qdc",
    "export_qdpx",
    "import_project",
    "merge_codes",
    "project_xml",
    "read_codebook",
]
