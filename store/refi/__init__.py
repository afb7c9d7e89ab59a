"""REFI-QDA exchange: `.qdpx` projects and `.qdc` codebooks with NVivo, ATLAS.ti, MAXQDA,
QualCoder and others (see docs/architecture.md and the standard in shared/refi)."""

from store.refi.export import ExportSummary, export_qdc, export_qdpx, project_xml

__all__ = ["ExportSummary", "export_qdc", "export_qdpx", "project_xml"]
