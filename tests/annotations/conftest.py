"""The app's fixtures (a demo project, no user keymap) for the annotation Pilot tests."""

from tests.tui.conftest import demo_dir, make_app, no_user_keymap, project  # noqa: F401
