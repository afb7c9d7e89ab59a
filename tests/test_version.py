"""store/version.py's VERSION is the package's version (what a .qdpx's origin names)."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

from store.refi.export import origin
from store.version import VERSION

REPO = Path(__file__).resolve().parents[1]


def test_the_version_is_pyproject_s_and_the_installed_one():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert VERSION == declared == version("margin-qda")
    assert origin() == f"Margin {VERSION}"
