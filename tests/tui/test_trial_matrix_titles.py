"""The matrix's column titles stay apart when they are cut (found in the new-user trial of
issue 10: at 80x24 the demo's matrix by document headed two columns "P01 nurse…", the
first and second interviews of one participant)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from tui.cells import cut_apart
from tests.tui.test_analysis_screen import open_analysis, settle


async def _matrix_lines(make_app, size, rows=0):
    """The matrix view's header and first `rows` rows, as drawn at `size`."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("3")
        await settle(pilot)
        return screen.heatmap.grid.columns, [screen.heatmap.render_line(y).text for y in range(rows + 1)]


async def test_matrix_titles_by_document_are_told_apart_at_80x24(make_app):
    _, (header,) = await _matrix_lines(make_app, (80, 24))
    assert "und 1" in header and "und 2" in header and header.count("P01 nurse…") == 0, header


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("ab 12", min_size=1, max_size=20), min_size=1, max_size=8, unique=True), st.integers(3, 24))
def test_cut_apart_keeps_every_end_and_parts_what_differs_at_an_end(texts, width):
    shown = cut_apart(texts, [width] * len(texts))
    for text, short in zip(texts, shown):
        assert len(short) <= width
        assert short == text or (text.startswith(short.split("…")[0]) and text.endswith(short.split("…")[-1]))
    for i, a in enumerate(texts):  # two texts that differ in their first or last characters shown stay apart
        for j, b in enumerate(texts[:i]):
            head, tail = (width - 1) // 2, width - 1 - (width - 1) // 2
            if a[:head] != b[:head] or a[-tail:] != b[-tail:] or max(len(a), len(b)) <= width:
                assert shown[i] != shown[j], (a, b, shown[i])


async def test_matrix_titles_are_whole_when_the_terminal_has_room(make_app):
    """The trial: at 200x50 the matrix still cut every column title to 10 cells
    ("P01 nurse…"), with most of the screen empty."""
    columns, (header, *rows) = await _matrix_lines(make_app, (200, 50), rows=5)
    for title in columns:
        assert title in header, (title, header)
    assert all(len(row.rstrip()) <= len(header.rstrip()) + 1 for row in rows)  # the figures under their titles


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.text("ab 12é", min_size=1, max_size=30), st.integers(0, 6)), min_size=1, max_size=8),
    st.integers(20, 240),
)
def test_columns_grow_to_their_titles_only_with_room_to_spare(columns, width):
    from tui.cells import width as cells
    from tui.widgets.heatmap import Grid, GridRow, Heatmap, Mark
    from store.analysis.cell import Cell

    titles = tuple(f"{i}{t}" for i, (t, _) in enumerate(columns))
    grid = Grid(titles, [GridRow("a code", tuple(Mark(Cell(0), "9" * n) for _, n in columns))])
    grid.measure()
    view = Heatmap()
    view.grid = grid
    widths = view._spread(width)
    room = width - view._label_width(width) - view._note_width() - 2
    assert all(w >= m for w, m in zip(widths, grid.widths))  # never narrower than measured
    assert all(w <= max(m, cells(t) + 1) for w, m, t in zip(widths, grid.widths, titles))  # never wider than the title
    if widths != grid.widths:
        assert sum(widths) <= room  # grown only into room to spare
    if sum(grid.widths) <= room and sum(max(m, cells(t) + 1) for m, t in zip(grid.widths, titles)) <= room:
        assert all(w >= cells(t) + 1 for w, t in zip(widths, titles))  # room for every title: each whole


def test_a_long_code_name_leaves_the_titles_their_room():
    """The second trial: at 200x50 a 140-character code name took the labels' column to
    its length and the titles were cut to 10 cells again."""
    from store.analysis.cell import Cell
    from tui.cells import width as cells
    from tui.widgets.heatmap import Grid, GridRow, Heatmap, Mark

    titles = ("P01 nurse, round 1", "P01 nurse, round 2", "P02 psychiatrist", "P03 team manager", "(total)")
    rows = [GridRow("Theme > " + "a long code name " * 8, tuple(Mark(Cell(1), "1") for _ in titles)), GridRow("Short")]
    grid = Grid(titles, rows)
    grid.measure()
    view = Heatmap()
    view.grid = grid
    widths = view.column_widths(200)
    assert all(w >= cells(t) + 1 for w, t in zip(widths, titles)), widths  # every title whole
    assert view._label_width(200) + sum(widths) + 2 <= 200
    assert view._label_width(200) > 200 * 0.35  # and the label still has the rest
