"""SVG snapshots of the main screens at 80x24 and 120x40 (fixed demo content, no blinking).

Regenerate after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest


async def still(pilot) -> None:
    """Stop blinking cursors so the frame is the same every time."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare, make_app, size):
    async def run_before(pilot):
        await pilot.press("J", "J", "J", "v", "w", "w")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_code_picker(snap_compare, make_app, size):
    async def run_before(pilot):
        await pilot.press("J", "V", "c", *"trust")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_memo_pane(snap_compare, make_app, size):
    async def run_before(pilot):
        await pilot.press("m")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_retrieval_view(snap_compare, make_app, project):
    async def run_before(pilot):
        pilot.app.code_retrieve(project.codebook.get("Role"))
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)


def test_help_screen(snap_compare, make_app):
    async def run_before(pilot):
        await pilot.press("f1")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


LONG_NESTED = [
    "Benefits of PDPilot > Uses scatter plots to identify interactions between features",
    "Benefits of PDPilot > Uses scatter plots to identify interactions between features > Only when the model is tree based",
    "Tool complexity and the learning curve of partial dependence plots for newcomers",
]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_codes_pane_with_long_nested_names(snap_compare, make_app, project, size):
    """One line per code: names cut with …, counts right-aligned, indentation kept."""
    for path in LONG_NESTED:
        project.codebook.ensure(path)

    async def run_before(pilot):
        if size[0] < 110:
            await pilot.press("f3")  # hidden by default below 110 columns
        else:
            await pilot.press("tab")  # focus the pane: the highlight shows
        await pilot.press("j", "j")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize(("size", "keys"), [((80, 24), ("2", "w", "w", "j", "l")), ((120, 40), ("1", "b", "b"))],
                         ids=["cooccurrence-80x24", "frequencies-by-case-120x40"])
def test_analysis_screen(snap_compare, make_app, size, keys):
    """The heat map with its numbers and cursor; bars split by case under their codes."""
    async def run_before(pilot):
        await pilot.press("percent_sign", *keys)
        await pilot.app.workers.wait_for_complete()
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
