"""A small study project, built once through the command line and copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.reliability.helpers import make_study


@pytest.fixture(scope="session")
def study_template(tmp_path_factory) -> Path:
    return make_study(tmp_path_factory.mktemp("template"))


@pytest.fixture
def study(study_template, tmp_path) -> Path:
    return Path(shutil.copytree(study_template, tmp_path / "study"))
