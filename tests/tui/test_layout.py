"""The layout holds at 80x24: one line per code, a reader of 60 columns, a status line that
keeps what matters, notifications that never cover the text."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from tui.widgets.codes_pane import INDENT, NAME_MIN, code_line
from tui.widgets.fit import READER_FLOOR, READER_MIN, SIDES, fit_panes
from tui.widgets.status_line import fit as fit_status

LONG = [
    "Benefits of PDPilot > Uses scatter plots to identify interactions between features",
    "Benefits of PDPilot > Uses scatter plots to identify interactions between features > Only when the model is tree based",
    "Tool complexity and the learning curve of partial dependence plots for newcomers",
]


def add_long_codes(project) -> None:
    for path in LONG:
        project.codebook.ensure(path)


def lines_of(widget) -> list[str]:
    return ["".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height)]


# ---------------------------------------------------------------- one line per code


@pytest.mark.parametrize(
    ("depth", "name", "count", "width", "expected"),
    [
        (0, "Role", "10", 20, ("", "Role" + " " * 11, " 10")),
        (1, "Trust", "3", 20, ("  ", "Trust" + " " * 9, " 3")),
        (0, "Challenging practice", "5", 20, ("", "Challenging pra…", " 5")),
        (2, "Uses scatter plots", "0", 20, ("    ", "Uses scatte…", " 0")),
        (9, "Deep", "1234", 20, ("       ", "Deep  ", " 1234")),  # indentation gives way to the name
        (0, "x" * 40, "7", 12, ("", "xxxxxxx…", " 7")),
    ],
)
def test_a_code_line_cuts_the_name_and_right_aligns_the_count(depth, name, count, width, expected):
    assert code_line(depth, name, count, width) == expected


@settings(max_examples=300, deadline=None)
@given(depth=st.integers(0, 30), name=st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=90),
       count=st.integers(0, 99_999), width=st.integers(14, 120))
def test_every_code_line_is_exactly_one_line_of_the_width(depth, name, count, width):
    indent, shown, tail = code_line(depth, name, str(count), width)
    assert len(indent) + 2 + len(shown) + len(tail) == width  # "■ " between indentation and name
    assert tail == f" {count}"  # the count is whole and at the right edge
    assert indent == " " * len(indent) and len(indent) <= INDENT * depth
    name_part = shown.rstrip(" ") if not name.endswith(" ") else shown[: len(name)]
    assert shown.startswith(name) or (name_part.endswith("…") and name.startswith(name_part[:-1]))
    if len(indent) < INDENT * depth:  # indentation only shrinks to give the name its room
        assert len(shown) <= NAME_MIN + 1 or len(shown) >= len(name)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_codes_pane_shows_one_line_per_code_with_long_nested_names(make_app, project, size):
    add_long_codes(project)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        if size[0] < 110:
            await pilot.press("f3")
        await pilot.pause()
        pane = app.query_one("#codes")
        codes = project.codebook.all()
        lines = lines_of(pane)[: len(codes)]
        totals = project.codebook.total_counts()
        for code, line in zip(codes, lines):
            depth = project.codebook.depth(code)
            assert line.rstrip().endswith(f" {totals.get(code.id, 0)}"), line  # the count on the code's line
            assert line.lstrip().startswith("■ ")
            assert len(line) - len(line.lstrip()) == 2 * depth  # indentation kept
            assert line[2 * depth + 2 :].startswith(code.name) or "…" in line
        assert any("…" in line for line in lines)  # the long names are cut, not wrapped
        assert pane.region.width <= size[0] - READER_MIN


async def test_a_5000_code_codebook_renders_only_what_is_on_screen(make_app, project):
    with project.operation("many codes"):
        for theme in range(50):
            for code in range(100):
                project.codebook.add(f"Theme {theme:02} with a long name > Code {code:03} with a longer name still")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = app.query_one("#codes")
        assert pane.option_count == len(project.codebook.all()) > 5050
        start = time.perf_counter()
        for _ in range(20):
            pane.reload()  # nothing changed: no rebuild
        assert time.perf_counter() - start < 0.05
        pane.focus()
        await pilot.press("G")
        await pilot.pause()
        assert pane.code.id == project.codebook.all()[-1].id
        assert len(pane._cache) <= 4 * pane.size.height  # only the lines shown were drawn


# ---------------------------------------------------------------- a reader of 60 columns


@settings(max_examples=400, deadline=None)
@given(width=st.integers(40, 260), wanted=st.permutations(list(SIDES)).flatmap(lambda p: st.integers(0, 2).map(lambda n: p[:n])),
       memo=st.booleans())
def test_panes_always_leave_the_reader_sixty_columns(width, wanted, memo):
    fit = fit_panes(width, list(wanted), memo)
    reader = width - sum(fit.widths.values()) - fit.memo
    shown = [name for name, columns in fit.widths.items() if columns]
    assert set(shown) <= set(wanted)
    for name in shown:
        assert SIDES[name][1] <= fit.widths[name] <= SIDES[name][0]
    if width >= READER_MIN + 20 and wanted:
        assert fit.widths[wanted[0]]  # what was asked for last is always shown
    if shown and not (len(shown) == 1 and width < READER_MIN + 20):
        assert reader >= READER_MIN
    assert reader >= min(width, READER_FLOOR)
    assert fit.memo == 0 or fit.memo >= 32 and reader >= READER_MIN


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (140, 40)])
@pytest.mark.parametrize("keys", [("f2",), ("f3",), ("f2", "f3"), ("f3", "f2"), ("m",), ("f3", "m"), ("f2", "f3", "m", "f3"),
                                  ("tab",), ("tab", "tab"), ("m", "f2", "escape")])
async def test_the_reader_keeps_sixty_columns_whatever_panes_open(make_app, size, keys):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            assert app.reader.region.width >= READER_MIN, (key, app.reader.region)
            memo = app.query_one("#memo")
            if memo.display and memo.region.width:
                assert memo.region.x >= app.reader.region.right or memo.region.y >= app.reader.region.bottom


async def test_a_pane_asked_for_is_shown_and_the_one_it_squeezes_out_stays_hidden(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        documents, codes = app.query_one("#documents"), app.query_one("#codes")
        await pilot.press("f3")
        await pilot.pause()
        assert codes.region.width > 0
        await pilot.press("f2")
        await pilot.pause()
        assert documents.region.width > 0 and codes.region.width == 0
        await pilot.press("f2")  # documents away: codes does not come back by itself
        await pilot.pause()
        assert documents.region.width == 0 and codes.region.width == 0
        await pilot.press("f3")
        await pilot.pause()
        assert codes.region.width > 0


def pane_widths(app) -> tuple[int, int, int]:
    return tuple(app.query_one(f"#{name}").region.width for name in ("documents", "reader", "codes"))


async def test_widening_then_narrowing_gives_the_reader_back_its_columns(make_app):
    """Issue 8 (tuifix 4): 80x24 → 200x50 → 80x24 left both side panes open, the reader 24 wide."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for size in [(200, 50), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert pane_widths(app) == (0, 80, 0)


RESIZE_SIZES = [(80, 24), (100, 30), (109, 30), (110, 30), (120, 24), (120, 40), (200, 50)]


@pytest.mark.parametrize("seed", [1, 2])
async def test_every_resize_sequence_ends_in_the_layout_of_a_fresh_start(make_app, seed):
    """Random resize sequences, each step compared with an app started afresh at that size."""
    import random

    fresh: dict[tuple[int, int], tuple[int, int, int]] = {}
    for size in RESIZE_SIZES:
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            fresh[size] = pane_widths(app)
    steps = random.Random(seed).choices(RESIZE_SIZES, k=12)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for step, size in enumerate(steps):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert pane_widths(app) == fresh[size], (seed, steps[: step + 1])
            assert app.reader.region.width >= READER_MIN


# ---------------------------------------------------------------- the status line


KEPT = [(" P03 team manager with a long name", "bold"), ("  turn 12/128 ", ""), ("Interviewer Dan", "italic"),
        ("  sel 67 · turns 8–9", "reverse"), ("  coder alice", "bold")]
RIGHT = [("  [codes]", "bold reverse"), ("   ? help", "dim")]


@pytest.mark.parametrize("width", range(66, 201, 6))
def test_the_status_line_keeps_document_turn_speaker_selection_and_coder(width):
    line = fit_status(KEPT, RIGHT, "Benefits of PDPilot, Compliment, Tool complexity", width).plain
    assert len(line) <= width
    assert line.startswith(" P03 team") and "turn 12/128 Interv" in line
    assert "sel 67 · turns 8–9" in line and line.rstrip().endswith(("coder alice", "? help", "[codes]", "…")) and "coder alice" in line
    if width >= 120:
        assert "P03 team manager with a long name" in line and "? help" in line


async def test_the_status_line_at_80_columns_names_the_coder_and_keeps_the_place(make_app, project):
    add_long_codes(project)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("J", "J", "J", "V", "J", "J")  # V: a selection across turns
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert len(status.rstrip()) <= 80
        for part in ("P01 nurse", "turn 6/36", app.reader.turn.speaker, "sel ", "turns 4–6", "coder tester"):
            assert part in status, (part, status)


def test_fit_keeps_every_part_when_there_is_room():
    line = fit_status(KEPT, RIGHT, "Role", 200)
    assert isinstance(line, Text) and "◆ Role" in line.plain and line.plain.endswith("? help")


# ---------------------------------------------------------------- notifications


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_notifications_are_said_in_the_status_line_and_never_cover_the_text(make_app, size):
    """On the main screen a notification takes the status line's place (no toast is
    mounted: a toast was a widget laid out over the screen), the reader keeps every row,
    and the next key brings the status back."""
    from textual.widgets._toast import Toast

    app = make_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        for _ in range(12):  # the cursor down to the bottom of the reader
            await pilot.press("J")
        await pilot.pause()
        reader = app.reader.region
        for key, said in (("ctrl+r", "Nothing to redo"), ("x", "No coding under the cursor"),
                          ("ctrl+r", "Nothing to redo"), ("x", "No coding under the cursor")):
            await pilot.press(key)
            await pilot.pause()
            assert not [t for t in app.screen.query(Toast) if t.region.height]
            status = app.query_one("#status")
            assert said.lower() in str(status.render()).lower() and status.region.height == 1
            assert status.region.y == reader.bottom and app.reader.region == reader
            assert len(app._notifications) == 1
        await pilot.press("k")
        await pilot.pause()
        assert "turn " in str(app.query_one("#status").render()) and not len(app._notifications)


async def test_a_notification_on_another_screen_is_a_one_line_toast(make_app):
    from textual.widgets._toast import Toast

    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        app.notify("Saved elsewhere")
        await pilot.pause()
        toasts = [t for t in app.screen.query(Toast) if t.region.height]
        assert len(toasts) == 1 and toasts[0].region.height == 1


# ---------------------------------------------------------------- small items


async def test_the_retrieval_header_shows_its_filter_and_counts_right(make_app, project):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.code_retrieve(project.codebook.get("Role"))
        await pilot.pause()
        title = str(app.screen.query_one("#retrieval-title").render())
        assert "all documents, all coders" in title
        await pilot.press("f", *"round=2 coder=tester", "enter")
        await pilot.pause()
        title = str(app.screen.query_one("#retrieval-title").render())
        count = len(project.codings.query(code=project.codebook.get("Role"), attributes={"round": "2"},
                                          coder=project.coder.id))
        assert "filter round=2 coder=tester" in title
        assert f": {count} coding{'' if count == 1 else 's'} ·" in title


async def test_journal_previews_are_cut_with_an_ellipsis(make_app, project):
    project.memos.add("journal", None, "A first line that is much longer than the journal list is wide, by far")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("R")
        await pilot.pause()
        previews = [str(o.prompt).split("\n")[1] for o in app.screen.query_one("#journal-list")._options]
        long = [p for p in previews if p.startswith("A first line")]
        assert long and long[0].endswith("…") and len(long[0]) <= 29


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_long_error_is_said_whole_and_the_status_line_comes_back(make_app, size):
    """An error's advice comes last ("...; that must be undone first"): cut at the width
    it was lost (trial 2). The status line grows to hold it, then is one line again."""
    app = make_app()
    message = "cannot undo “add code Trust”: bob's later action “code p01-round1 as Trust” changed the same passage or code; that must be undone first"
    async with app.run_test(size=size, notifications=True) as pilot:
        app.notify(message, severity="error")
        await pilot.pause()
        status = app.query_one("#status")
        shown = " ".join(str(status.render()).split())
        assert "that must be undone first" in shown, shown
        assert status.region.height == (2 if size[0] == 80 else 1)
        await pilot.press("k")
        await pilot.pause()
        assert status.region.height == 1 and "turn " in str(status.render())
