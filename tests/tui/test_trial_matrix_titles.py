"""The matrix's column titles stay apart when they are cut (found in the new-user trial of
issue 10: at 80x24 the demo's matrix by document headed two columns "P01 nurse…", the
first and second interviews of one participant)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from tui.cells import cut_apart
from tests.tui.test_analysis_screen import open_analysis, settle


async def test_matrix_titles_by_document_are_told_apart_at_80x24(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("3")
        await settle(pilot)
        header = screen.heatmap.render_line(0).text
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
