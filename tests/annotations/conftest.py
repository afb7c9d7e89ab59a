"""The app's fixtures for the annotation Pilot tests: the demo project (as `demo_project`,
so the store tests here keep tests/conftest.py's `project`) and no user keymap."""

from __future__ import annotations

import pytest

from tests.tui.conftest import demo_dir, no_user_keymap  # noqa: F401


@pytest.fixture
def demo_project(demo_dir):  # noqa: F811
    from store.project import Project

    project = Project.open(demo_dir, coder="tester")
    yield project
    project.close()


@pytest.fixture
def make_app(demo_project):
    def make(keymap=None):
        from tui.app import MarginApp

        return MarginApp(demo_project, keymap)

    return make
