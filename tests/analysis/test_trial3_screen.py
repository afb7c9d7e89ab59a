"""Found in the trial of the analysis screen (tmux, 80x24): the bars and the heat map pad
and cut their labels by characters, so a CJK code name (two cells a character) pushes its
row's figures to the right, past the header's columns and off the screen, and an emoji
name shifts them too. The command line's tables and these widgets now measure with one set
(tui/cells.py: rich.cells widths, cuts between graphemes)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from store.analysis.cell import Cell
from tests.tui.test_analysis_screen import WidgetApp
from tui.widgets.bars import Bar, Bars
from tui.widgets.heatmap import Grid, GridRow, Heatmap, Mark

NAMES = ["Trust", "信任 > 边界感很重要的长名字", "🧑\u200d⚕️ Health worker 👍🏽", "Émotion > Cafe\u0301 combining"]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_bars_keep_their_figures_under_the_header_with_wide_code_names(size):
    app = WidgetApp()
    async with app.run_test(size=size) as pilot:
        app.query_one(Heatmap).display = False
        bars = app.query_one(Bars)
        bars.show([Bar(name, n + 1, (str(n + 1), "1"), Cell(n + 1, ("c",))) for n, name in enumerate(NAMES)], ("codings", "docs"))
        await pilot.pause()
        shown = [bars.render_line(y).text.rstrip() for y in range(len(NAMES) + 1)]
        assert all(line.endswith(("docs", "1")) for line in shown), shown  # no figure cut off
        assert len({cell_len(line) for line in shown}) == 1, shown


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_heat_map_cells_line_up_with_wide_code_names(size):
    app = WidgetApp()
    async with app.run_test(size=size) as pilot:
        app.query_one(Bars).display = False
        heatmap = app.query_one(Heatmap)
        marks = tuple(Mark(Cell(1, ("c",)), "1", 1) for _ in NAMES)
        heatmap.show(Grid(tuple(str(n + 1) for n in range(len(NAMES))), [GridRow(f"{n + 1} {name}", marks) for n, name in enumerate(NAMES)], corner="code"))
        await pilot.pause()
        shown = [heatmap.render_line(y).text.rstrip() for y in range(len(NAMES) + 1)]
        assert len({cell_len(line) for line in shown}) == 1, shown


# ---------------------------------------------------------------- the whole kind: any names

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

PIECES = st.sampled_from([
    "a", "Z", " ", "信", "任", "边界", "한", "ｶ", "😀", "👍🏽", "🧑\u200d⚕️", "e\u0301", "Cafe\u0301", "n\u0303\u0301",
    "Ω", "ß", " > ", "—",
])  # fmt: skip
NAME = st.lists(PIECES, min_size=1, max_size=30).map("".join).filter(lambda n: n.strip())


def _column_starts(strip) -> list[int]:
    """The cell at which each segment starts (a figure column is its own segment)."""
    starts, at = [], 0
    for segment in strip:
        starts.append(at)
        at += cell_len(segment.text)
    return starts


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_bars_and_heat_map_lines_are_the_widget_width_for_any_names(size):
    app = WidgetApp()
    async with app.run_test(size=size) as pilot:
        bars, heatmap = app.query_one(Bars), app.query_one(Heatmap)
        await pilot.pause()

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(names=st.lists(NAME, min_size=1, max_size=8), depth=st.integers(0, 3))
        def check(names, depth):
            bars.show([Bar(n, i + 1, (str(10 ** i), "1"), Cell(i + 1, ("c",)), depth=depth % 2 * (i % 2)) for i, n in enumerate(names)], ("codings", "docs"), corner=names[0])
            width = bars.size.width
            lines = [bars.render_line(y) for y in range(len(names) + 1)]
            assert all(line.cell_length == width for line in lines)
            assert all(cell_len(line.text) == width for line in lines), [line.text for line in lines]
            texts = [line.text for line in lines[1:]]
            ends = {cell_len(t.rstrip()) for t in texts}
            assert len(ends) == 1, texts  # the figures end at one cell on every row
            # the figures' segment starts at the same cell on every bar row
            assert len({_column_starts(line)[-1] for line in lines[1:]}) == 1, texts

            marks = tuple(Mark(Cell(1, ("c",)), str(7 ** i), 1) for i in range(len(names)))
            grid = Grid(tuple(names), [GridRow(n, marks, note=names[-1][:3]) for n in names], corner=names[-1], note_title="change")
            heatmap.show(grid)
            width = heatmap.size.width
            lines = [heatmap.render_line(y) for y in range(len(names) + 1)]
            assert all(cell_len(line.text) == width for line in lines), [line.text for line in lines]
            rows = [line for line in lines[1:]]
            starts = {tuple(_column_starts(line)[2:]) for line in rows}  # label, note, then the figures
            assert len(starts) == 1, [line.text for line in rows]
            header = lines[0]
            assert cell_len("".join(s.text for s in list(header)[:2])) == _column_starts(rows[0])[2]

        check()
