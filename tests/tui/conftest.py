"""Fixtures for the app's tests: a fresh demo project and the app on it, animations off."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["TEXTUAL_ANIMATIONS"] = "none"

DEMO_TEXTS = Path(__file__).resolve().parents[2] / "tui" / "demo"


@pytest.fixture(autouse=True)
def no_user_keymap(tmp_path, monkeypatch):
    monkeypatch.setenv("MARGIN_KEYMAP", str(tmp_path / "no-keymap.toml"))
    monkeypatch.setenv("MARGIN_STATE_DIR", str(tmp_path / "state"))  # last positions, per test
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    from store.demo import build_demo

    return build_demo(tmp_path / "demo", DEMO_TEXTS)


@pytest.fixture
def project(demo_dir):
    from store.project import Project

    project = Project.open(demo_dir, coder="tester")
    yield project
    project.close()


@pytest.fixture
def make_app(project):
    def make(keymap=None):
        from tui.app import MarginApp

        return MarginApp(project, keymap)

    return make
