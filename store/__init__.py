"""Margin's domain: the project store, importers and exporters. Never imports Textual."""

from store.errors import (
    BadInput,
    MarginError,
    NotAProject,
    NotFound,
    ProjectCorrupt,
    ProjectLocked,
    Refused,
)

__all__ = [
    "BadInput",
    "MarginError",
    "NotAProject",
    "NotFound",
    "ProjectCorrupt",
    "ProjectLocked",
    "Refused",
]
