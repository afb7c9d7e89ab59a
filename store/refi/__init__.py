"""REFI-QDA exchange: `.qdpx` projects and `.qdc` codebooks with NVivo, ATLAS.ti, MAXQDA,
QualCoder and others (see docs/architecture.md and the standard in shared/refi)."""

from store.refi.export import ExportSummary, export_qdc, export_qdpx, project_xml
from store.refi.importer import import_project
from store.refi.report import ImportReport

__all__ = ["ExportSummary", "ImportReport", "export_qdc", "export_qdpx", "import_project", "project_xml"]
