"""The analysis screen: its widgets on plain data, then the screen on the demo, driven by keys."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App

from store.analysis.cell import Cell
from tui.widgets.bars import FULL, Bar, Bars, bar_text, fit_path
from tui.widgets.heatmap import Grid, GridRow, Heatmap, Mark, level

APP_CSS = __import__("pathlib").Path(__file__).resolve().parents[2] / "tui" / "app.tcss"


class WidgetApp(App):
    """One Bars and one Heatmap with the app's styles, for tests on plain data."""

    CSS_PATH = str(APP_CSS)

    def compose(self):
        yield Bars(id="analysis-bars")
        yield Heatmap(id="analysis-grid")


def lines(widget) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


# ---------------------------------------------------------------------- bars


def test_bar_text_counts_in_eighths_of_a_column():
    assert bar_text(10, 10, 8) == FULL * 8
    assert bar_text(5, 10, 8) == FULL * 4
    assert bar_text(1, 16, 1) == "▏"  # half an eighth rounds up: a count above 0 always shows
    assert bar_text(3, 16, 4) == "▊"  # 3/16 of 32 eighths = 6 eighths
    assert bar_text(0, 10, 8) == "" and bar_text(3, 0, 8) == ""


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 10_000), st.integers(0, 120))
def test_bars_fit_their_width_and_grow_with_the_value(value, maximum, width):
    value = min(value, maximum)
    bar = bar_text(value, maximum, width)
    assert len(bar) <= width
    assert (bar == "") == (value == 0 or width == 0)
    longer = bar_text(min(value + 1, maximum), maximum, width)
    eighths = lambda b: 8 * b.count(FULL) + sum(" ▏▎▍▌▋▊▉".index(ch) for ch in b if ch != FULL)  # noqa: E731
    assert eighths(longer) >= eighths(bar)


def test_long_code_paths_lose_their_middle_then_their_top_and_keep_the_code():
    path = "Benefits of PDPilot > Uses scatter plots > Only when the model is tree based"
    assert fit_path(path, 100) == path
    assert fit_path(path, 60) == "Benefits of PDPilot > … > Only when the model is tree based"
    assert fit_path(path, 40) == "… > Only when the model is tree based"
    assert fit_path(path, 22) == "…e model is tree based"
    assert fit_path("Explainability techniques that are long", 22) == "Explainability techni…"  # one level: its start
    assert all(len(fit_path(path, w)) <= w for w in range(1, 90))


@settings(max_examples=200)
@given(
    levels=st.lists(st.text(st.sampled_from("abcde XYZ"), min_size=1, max_size=30).filter(lambda t: " > " not in t), min_size=2, max_size=5),
    width=st.integers(2, 80),
)
def test_a_cut_path_always_ends_with_the_code_itself(levels, width):
    """Two siblings under a long parent stay apart on screen (the trial's 80x24 rows all read
    "PDPilot Techniques Us…"): what is kept is the end of the path, the code's own name."""
    path = " > ".join(levels)
    shown = fit_path(path, width)
    assert len(shown) <= width
    assert shown == path or shown.endswith(levels[-1]) or shown == "…" + path[len(path) - width + 1 :]


def bar_rows(count: int) -> list[Bar]:
    rows = [Bar(f"Theme {n} > A code with a rather long name, number {n}", n, (str(n), "1"), Cell(n, (f"c{n}",)))
            for n in range(1, count + 1)]
    rows.insert(2, Bar("A heading the cursor skips", 0))
    return rows


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_bars_fit_the_width_and_the_header_stays_while_scrolling(size):
    app = WidgetApp()
    async with app.run_test(size=size) as pilot:
        bars = app.query_one(Bars)
        app.query_one(Heatmap).display = False
        bars.show(bar_rows(300), ("codings", "docs"), "code")
        await pilot.pause()
        shown = lines(bars)
        assert shown[0].startswith("code") and shown[0].rstrip().endswith("codings  docs")
        assert all(len(line) == bars.size.width for line in shown)
        assert ("…" in shown[1]) == (size[0] < 120)  # a long path is cut when narrow, the figures kept
        assert shown[1].rstrip().endswith("1     1")
        bars.move(1)
        assert bars.cursor == 1
        bars.move(1)  # over the heading
        assert bars.cursor == 3 and bars.current.label.startswith("Theme 3")
        bars.go(len(bars.rows) - 1, -1)
        await pilot.pause()
        shown = lines(bars)
        assert shown[0].startswith("code")  # the header is still the first line
        assert "number 300 " in shown[-1]  # the cursor's row is on screen (a cut path keeps the code's own name)
        assert bars.current.cell == Cell(300, ("c300",))


# ---------------------------------------------------------------------- heat map


def grid(rows: int, columns: int, title: str = "column ") -> Grid:
    top = (rows - 1) * (columns - 1)
    return Grid(
        tuple(f"{title}{c}" for c in range(columns)),
        [GridRow(f"row {r} with a long label that has to be cut somewhere",
                 tuple(Mark(Cell(r * c, ("x",) * (r * c)), str(r * c), level(r * c, top)) for c in range(columns)))
         for r in range(rows)],
        corner="code",
    )


def test_levels_are_zero_only_for_nothing():
    assert level(0, 10) == 0
    assert level(0.01, 10) == 1
    assert level(10, 10) == 4
    assert [level(v, 8) for v in range(1, 9)] == [1, 1, 2, 2, 3, 3, 4, 4]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_heatmap_keeps_its_header_and_labels_while_the_cursor_moves(size):
    app = WidgetApp()
    async with app.run_test(size=size) as pilot:
        app.query_one(Bars).display = False
        heatmap = app.query_one(Heatmap)
        heatmap.show(grid(120, 60))
        await pilot.pause()
        first = lines(heatmap)
        assert first[0].startswith("code") and first[0].rstrip().endswith("›")  # more columns to the right
        assert all(len(line) == heatmap.size.width for line in first)
        heatmap.move(rows=100, columns=50)
        await pilot.pause()
        shown = lines(heatmap)
        row, mark = heatmap.current
        assert row.label.startswith("row 100 ") and mark.cell.value == 5000
        assert shown[0].startswith("code") and "‹" in shown[0]  # columns scrolled off to the left
        assert "colum" in shown[0]
        assert any(line.startswith("row 100 ") and " 5000" in line for line in shown[1:])
        assert all(line.startswith("row ") for line in shown[1:])  # labels stay at the left


async def test_no_color_keeps_every_number_and_the_cursor(monkeypatch):
    """With NO_COLOR the shade is gone, so the number and the cursor (reverse) must remain."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = WidgetApp()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        app.query_one(Bars).display = False
        heatmap = app.query_one(Heatmap)
        heatmap.show(grid(6, 6, title=""))
        heatmap.move(rows=3, columns=2)
        await pilot.pause()
        background = heatmap.background_colors[1]
        for y in range(1, 7):
            segments = list(heatmap.render_line(y))
            for line_filter in app._filters:
                segments = line_filter.apply(segments, background)
            text = "".join(s.text for s in segments)
            r = y - 1
            for c in range(6):
                assert f" {r * c}" in text
            for segment in segments:  # monochrome: every colour left is a grey
                for colour in (segment.style.color, segment.style.bgcolor) if segment.style else ():
                    if colour is not None and colour.triplet is not None:
                        red, green, blue = colour.triplet
                        assert red == green == blue
            if r == 3:
                cursor = [s for s in segments if s.style and s.style.reverse]
                assert [s.text.strip() for s in cursor] == ["6"]


# ---------------------------------------------------------------------- the screen on the demo


async def settle(pilot) -> None:
    """Wait for the view being built in its thread, then for the screen to draw it."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def retrieval_ids(app) -> list[str]:
    hits = app.screen.query_one("#retrieval-list")
    return [hits.get_option_at_index(i).id for i in range(hits.option_count)]


async def open_analysis(pilot):
    from tui.screens.analysis import Analysis

    await pilot.press("percent_sign")
    await settle(pilot)
    assert isinstance(pilot.app.screen, Analysis)
    return pilot.app.screen


async def test_from_a_heat_map_cell_to_its_passages_and_into_the_text(make_app, project):
    from store.analysis.cooccurrence import cooccurrence
    from store.analysis.scope import EVERYTHING
    from tui.screens.retrieval import Retrieval

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("2", "w", "w")  # co-occurrence within the same document
        await settle(pilot)
        assert screen.settings.within == "document"
        await pilot.press("j", "l", "l")  # Employment terms × Relationships > Trust
        await settle(pilot)
        row, mark = screen.heatmap.current
        pair = next(p for p in cooccurrence(project, EVERYTHING, "document")
                    if {p.code_a.name, p.code_b.name} == {"Employment terms", "Trust"})
        assert row.label == "2 Employment terms" and mark.cell == pair.together
        assert "Employment terms × Relationships > Trust: 3 together" in str(screen.query_one("#analysis-detail").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, Retrieval)
        assert retrieval_ids(app) == list(pair.together.codings)  # exactly the codings behind the number
        assert "Employment terms × Relationships > Trust: 7 codings" in str(app.screen.query_one("#retrieval-title").render())
        await pilot.press("j", "enter")
        await settle(pilot)
        wanted = project.state.codings[pair.together.codings[1]]
        assert app.screen is app.screen_stack[0]  # the retrieval and the analysis closed
        assert app.reader.document.id == wanted.document and app.reader.cursor == wanted.start
        assert [c.id for c in app.reader.codings_here()] == [wanted.id]
        await pilot.press("percent_sign")  # back where it was left
        await settle(pilot)
        assert app.screen.settings.view == "cooccurrence" and app.screen.heatmap.current[1].cell == pair.together


async def test_bars_sort_roll_up_and_split_and_open_their_codings(make_app, project):
    from store.analysis.frequencies import frequencies
    from store.analysis.scope import EVERYTHING

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_analysis(pilot)
        bars = screen.bars
        counts = [b.cell.value for b in bars.rows]
        assert counts == sorted(counts, reverse=True) and bars.current.label == "Challenging practice"
        await pilot.press("s")  # codebook order: the tree, indented
        await settle(pilot)
        assert [b.label for b in bars.rows] == [project.state.codes[c.id].name for c in project.codebook.all()]
        assert [(b.label, b.depth) for b in bars.rows][2:5] == [("Relationships", 0), ("Trust", 1), ("Us and them", 1)]
        await pilot.press("r")  # rolled up: a parent counts its sub-codes' codings
        await settle(pilot)
        rolled = {f.path: f for f in frequencies(project, EVERYTHING, rollup=True)}
        assert bars.rows[2].cell == rolled["Relationships"].codings and bars.rows[2].cell.value == 8
        await pilot.press("b", "b")  # split by case
        await settle(pilot)
        assert screen.settings.by == "case" and "split by case" in str(screen.query_one("#analysis-options").render())
        split = frequencies(project, EVERYTHING, by="case", rollup=True)
        groups = [f for f in split if f.path == "Relationships"]
        heading = [b.label for b in bars.rows].index("Relationships")
        assert bars.rows[heading].cell is None  # a heading, then one bar per case
        assert [b.label for b in bars.rows[heading + 1 : heading + 1 + len(groups)]] == [f.group for f in groups]
        assert bars.current.label == "P01"  # the first bar, under the first heading
        await pilot.press(*["j"] * ([b.cell is not None for b in bars.rows[:heading]].count(True) + 1))
        await settle(pilot)
        assert bars.cursor == heading + 2
        await pilot.press("enter")
        await settle(pilot)
        assert retrieval_ids(app) == list(groups[1].codings.codings)


async def test_filters_apply_to_every_view_and_show_in_the_header(make_app, project):
    from store.analysis.matrix import matrix
    from store.analysis.scope import Scope

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("f", *"round=2 -speaker=Interviewer", "enter")
        await settle(pilot)
        scope = Scope(attributes=(("round", "2"),), not_speakers=frozenset({"Interviewer"}))
        assert screen.settings.scope == scope
        header = str(screen.query_one("#analysis-options").render())
        assert "filter: round=2 · not speakers Interviewer" in header
        assert sum(b.cell.value for b in screen.bars.rows) == 7  # P01's second interview only
        await pilot.press("3")
        await settle(pilot)
        assert "filter: round=2" in str(screen.query_one("#analysis-options").render())
        assert screen.heatmap.grid.columns == ("P01 nurse, round 2", "(total)")
        wanted = matrix(project, scope)
        assert [r.marks[0].cell for r in screen.heatmap.grid.rows] == [wanted.cell(c.id, wanted.columns[0]) for c in wanted.codes]
        await pilot.press("f", *"coder=nobody", "enter")  # a bad filter: one line, the filter kept
        await settle(pilot)
        assert screen.settings.scope == scope
        assert any("no coder named 'nobody'" in str(n.message) for n in app._notifications)
        for typo, message in [("speaker=Bob", "no turns by 'Bob'"), ("nope=1", "no document has the attribute 'nope'"),
                              ("round=9", "no document has round=9")]:
            await pilot.press("f", "ctrl+u", *typo, "enter")  # a name nobody has: said so, not figures of zeros
            await settle(pilot)
            assert screen.settings.scope == scope
            assert any(message in str(n.message) for n in app._notifications), typo
        await pilot.press("f", "ctrl+u", "enter")  # empty clears
        await settle(pilot)
        assert "no filter" in str(screen.query_one("#analysis-options").render())


async def test_figures_follow_the_coding(make_app, project):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_analysis(pilot)
        before = screen.bars.current
        assert before.label == "Challenging practice" and before.cell.value == 5
        await pilot.press("enter")  # the retrieval, meanwhile a coding is added
        await settle(pilot)
        document = project.documents.all()[2]
        turn = document.turns[1]
        project.codings.apply(document, project.codebook.get("Challenging practice"), turn.start, turn.start + 10)
        await pilot.press("escape")  # back on the analysis screen: rebuilt
        await settle(pilot)
        assert screen.bars.current.cell.value == 6
        await pilot.press("escape", "u")  # close, undo in the reader, open again
        await settle(pilot)
        screen = await open_analysis(pilot)
        assert screen.bars.current.label == "Challenging practice" and screen.bars.current.cell.value == 5


async def test_rounds_per_participant(make_app, project):
    from store.analysis.rounds import rounds
    from store.analysis.scope import EVERYTHING

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("4")
        await settle(pilot)
        grid = screen.heatmap.grid
        assert grid.columns == ("round 1", "round 2") and grid.rows[0].heading and grid.rows[0].label == "case P01"
        wanted = [r for r in rounds(project, EVERYTHING, "case", "round") if r.case == "P01"]
        assert [(r.label, r.note) for r in grid.rows[1:len(wanted) + 1]] == [(w.path, w.change) for w in wanted]
        await pilot.press("l", "enter")  # round 2 of P01's first code
        await settle(pilot)
        assert retrieval_ids(app) == list(wanted[0].present["2"].codings)


async def test_rounds_say_what_to_set_without_a_round_attribute(make_app, project):
    for document in project.documents.all():
        project.documents.set_attributes(document, {"round": ""})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert not screen.heatmap.display
        said = str(screen.query_one("#analysis-empty").render())
        assert "No round attribute: set it on each interview (margin attrs set DOC round=1)" in said
        await pilot.press("b")  # the ordering attribute: profession, then setting
        await settle(pilot)
        assert screen.settings.round_by == "profession" and screen.heatmap.display


async def test_rounds_say_so_when_no_attribute_is_left_to_choose(make_app, project):
    """A trial: `b` (and `c`) in the rounds of a project without attributes did nothing
    and said nothing."""
    for document in project.documents.all():
        project.documents.set_attributes(document, {key: "" for key in document.attributes})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_analysis(pilot)
        await pilot.press("4")
        for key, told in (("b", "No other attribute to order the rounds by"), ("c", "No other attribute to name the participants by")):
            await pilot.press(key)
            await settle(pilot)
            said = [n.message for n in app._notifications]
            assert any(told in m for m in said), said


async def test_a_slow_view_is_built_in_a_thread_while_the_keys_stay_live(make_app, project, monkeypatch):
    import threading

    from tui.screens import analysis

    release, armed = threading.Event(), threading.Event()
    build = analysis.BUILDERS["matrix"]

    def slow(project, settings):
        if armed.is_set() and settings.count == "documents":
            release.wait(10)
        return build(project, settings)

    monkeypatch.setitem(analysis.BUILDERS, "matrix", slow)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_analysis(pilot)
        armed.set()
        await pilot.press("3", "n")  # the matrix counting documents: built after a release
        await pilot.pause()
        assert "Counting 33 codings…" in str(screen.query_one("#analysis-empty").render())
        assert not screen.heatmap.display and not screen.bars.display
        await pilot.press("j", "l", "pagedown", "G", "enter")  # nothing to move over yet: nothing happens
        await pilot.press("1")  # the frequencies are built: shown at once
        await pilot.pause()
        assert screen.bars.display and screen.bars.current.label == "Challenging practice"
        await pilot.press("3")
        release.set()
        await settle(pilot)
        assert screen.heatmap.display and screen.heatmap.grid.corner == "code × document (documents)"
        assert screen.settings.view == "matrix"


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_every_view_fits_the_terminal(make_app, project, size):
    from textual.widgets import Label

    long_path = "Benefits of peer work > Patients feel listened to > Only when the peer has been sectioned themselves"
    project.codebook.ensure(long_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_analysis(pilot)
        for view in "1234":
            await pilot.press(view)
            await settle(pilot)
            widget = screen.bars if view == "1" else screen.heatmap
            assert widget.display and widget.region.right <= size[0] and screen.region.bottom <= size[1]
            shown = [widget.render_line(y).text for y in range(widget.size.height)]
            assert all(len(line) == widget.size.width for line in shown)
            assert shown[0].startswith("code") or shown[0].startswith("case")  # the header line
            for label in screen.query(Label):
                if label.display:
                    assert label.region.height >= 1 and label.region.right <= size[0]
            help_line = str(screen.query_one("#analysis-help").render())
            assert help_line.endswith("esc") and len(help_line) <= size[0] - 2  # the keys are never cut
            assert screen.query_one("#analysis-title").region.height == 1
        await pilot.press("1")
        await settle(pilot)
        index = [b.label for b in screen.bars.rows].index(long_path)
        await pilot.press("g", *["j"] * index)
        assert screen.bars.current.label == long_path
        line = [screen.bars.render_line(y).text for y in range(screen.bars.size.height)
                if "sectioned themselves" in screen.bars.render_line(y).text][-1]
        assert "…" in line and len(line) == screen.bars.size.width  # cut, keeping the code's own name
        assert ("Only when the peer has been sectioned themselves" in line) == (size[0] >= 120)  # the code itself kept when wide


async def test_a_query_within_the_filters_opens_its_passages(make_app, project):
    from store.analysis.query import find
    from store.analysis.scope import Scope

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_analysis(pilot)
        await pilot.press("f", *"case=P01", "enter")
        await settle(pilot)
        await pilot.press("/", *'Trust OR "Role > Boundaries"', "enter")
        await settle(pilot)
        wanted = find(project, 'Trust OR "Role > Boundaries"', Scope(attributes=(("case", "P01"),)))
        assert len(wanted) == 4 and retrieval_ids(app) == [c.id for c in wanted]
        assert "case=P01" in str(app.screen.query_one("#retrieval-title").render())
        await pilot.press("escape", "/", "ctrl+u", *"Trust AND (", "enter")  # a bad query: one line, nothing opens
        await settle(pilot)
        assert type(app.screen).__name__ == "Analysis"
        assert any("at column 12, found the end of the query" in str(n.message) for n in app._notifications)


async def test_the_command_palette_opens_the_analysis_screen(make_app):
    from tui.screens.analysis import Analysis

    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"analysis: code frequencies")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, Analysis) and app.screen.bars.current.label == "Challenging practice"
        await pilot.press("percent_sign")  # not a second one on top
        await pilot.pause()
        assert sum(isinstance(s, Analysis) for s in app.screen_stack) == 1


MARKUP_LIKE = "[/]Bound[b]aries [link=x]"  # a name Textual would read as markup (and fail on)


@pytest.mark.parametrize("where", ["analysis", "retrieval", "rename prompt", "delete confirm", "move picker", "search results", "memo"])
async def test_names_that_look_like_markup_are_shown_as_typed(make_app, project, where):
    """Every label showing project or typed text shows it literally: `[/]` once crashed the app."""
    from textual.widgets import Label

    code = project.codebook.get("Role > Boundaries")
    project.codebook.rename(code, MARKUP_LIKE)
    code = project.state.codes[code.id]
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        if where == "analysis":
            screen = await open_analysis(pilot)
            index = [b.label for b in screen.bars.rows].index(f"Role > {MARKUP_LIKE}")
            await pilot.press("g", *["j"] * index)
            await pilot.press("enter")  # and its passages' title
        elif where == "retrieval":
            app.code_retrieve(code)
        elif where == "rename prompt":
            app.code_rename(code)
        elif where == "delete confirm":
            app.code_delete(code)
        elif where == "move picker":
            app.code_move(code)
        elif where == "search results":
            await pilot.press("F", *"[b]ound", "enter")  # a regex, and markup to Textual
        else:
            coding = project.codings.query(code=code)[0]
            app.open_document(coding.document, coding.start)
            await pilot.press("m")
        await settle(pilot)
        assert app.crash is None and app.is_running
        shown = " ".join(str(label.render()) for s in app.screen_stack for label in s.query(Label))
        assert MARKUP_LIKE in shown or "“[b]ound”: " in shown


def test_every_label_for_changing_text_reads_no_markup():
    """The whole kind: a Label whose text is not a fixed string (a name, a title filled in
    later with update) must be made with markup=False, or a `[` in a name breaks it."""
    import ast
    from pathlib import Path

    unsafe = []
    for path in sorted((Path(__file__).resolve().parents[2] / "tui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Label":
                first = node.args[0] if node.args else None
                fixed = (isinstance(first, ast.Constant) and first.value
                         or isinstance(first, ast.Name) and first.id.isupper())  # a module's constant text
                plain = any(k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
                            for k in node.keywords)
                if not fixed and not plain:
                    unsafe.append(f"{path.name}:{node.lineno}")
    assert unsafe == []


async def test_each_view_is_counted_once_per_change(make_app, project, monkeypatch):
    """Cached by view, options, filters and project version: no view is counted twice for
    one state of the project, and once the screen has built ahead (every view as it was
    left, each option of the view shown), a key that moves to one of them counts nothing."""
    from tui.screens import analysis

    calls = counted_builds(monkeypatch)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_analysis(pilot)
        assert {key[0] for key in calls} == set(analysis.VIEWS)
        screen = app.screen
        for key in ("2", "3", "4", "1", "2", "tab", "tab", "shift+tab", "1", "s", "s", "r", "r", "3", "b", "n"):
            before = set(calls)
            await pilot.press(key)
            assert screen._view is not None and screen._key() in before, key  # built ahead: the key only draws
            await settle(pilot)
        assert max(calls.values()) == 1
        await pilot.press("f", *"round=1", "enter")
        await settle(pilot)
        assert {key[2] for key in calls} == {analysis.EVERYTHING, app.screen.settings.scope}
        assert max(calls.values()) == 1
        count = sum(calls.values())
        await pilot.press("enter", "escape", "escape")  # the passages and back, then close
        await settle(pilot)
        await open_analysis(pilot)
        await settle(pilot)
        assert sum(calls.values()) == count


async def test_sixteen_colours_keep_nothing_apart_from_something():
    """In a 16-colour terminal the five shades fall into fewer colours; an empty cell must
    still differ from a filled one, the top shades must differ from the low ones, and the
    number is there in every case."""
    from rich.color import ColorSystem

    app = WidgetApp()
    async with app.run_test(size=(80, 24)):
        heatmap = app.query_one(Heatmap)
        shades = []
        for n in range(5):
            style = heatmap._style(str(n))
            colour = style.bgcolor.downgrade(ColorSystem.STANDARD)
            shades.append((colour.number, bool(style.bold)))
        assert shades[0] not in shades[1:]
        assert {shades[1], shades[2]}.isdisjoint({shades[3], shades[4]})


async def test_the_heat_map_shows_the_c_coefficient_and_jaccard_on_n(make_app, project):
    from store.analysis.cooccurrence import cooccurrence
    from store.analysis.scope import EVERYTHING

    pair = next(p for p in cooccurrence(project, EVERYTHING, "document")
                if {p.code_a.name, p.code_b.name} == {"Challenging practice", "Employment terms"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("2", "w", "w", "l")
        await settle(pilot)
        assert screen.heatmap.current[1].text == str(pair.together.value)
        await pilot.press("n")
        await settle(pilot)
        mark = screen.heatmap.current[1]
        assert mark.text == f"{pair.c_coefficient:.2f}".removeprefix("0") and mark.cell.codings == pair.together.codings
        assert "showing c-coefficient" in str(screen.query_one("#analysis-options").render())
        await pilot.press("n")
        await settle(pilot)
        # Jaccard counts shared words: these two are in the same documents, never on the same words
        assert pair.jaccard == 0 and screen.heatmap.current[1].text == "0"
        await pilot.press("n", "j")  # back to counts; the cursor moves down the column
        await settle(pilot)
        assert screen.heatmap.current[0].label == "2 Employment terms" and screen.heatmap.current[1].level == -1


async def test_the_matrix_total_column_opens_every_coding_of_its_row(make_app, project):
    from store.analysis.frequencies import frequencies
    from store.analysis.scope import EVERYTHING
    from tui.screens.retrieval import Retrieval

    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert screen.heatmap.grid.columns[-1] == "(total)"
        await pilot.press("dollar_sign")  # the last column of the first row
        await settle(pilot)
        row, mark = screen.heatmap.current
        first = frequencies(project, EVERYTHING)[0]
        assert mark.cell.value == first.codings.value and "every document:" in str(screen.query_one("#analysis-detail").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, Retrieval) and retrieval_ids(app) == list(first.codings.codings)


async def test_at_idle_the_app_builds_the_views_so_the_keys_only_draw(make_app, project, monkeypatch):
    """A large project's views are built at the app's idle moments, before the screen is
    opened: the analysis key and each view's key then find their view built, and draw."""
    from tui.screens import analysis, analysis_warm

    calls = counted_builds(monkeypatch)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app._last_key = 0.0  # idle for long
        app.checkpoint_when_idle()
        await settle(pilot)
        assert calls == {}  # the demo is small: nothing is built ahead of the screen
        monkeypatch.setattr(analysis_warm, "WARM_FROM", 0)
        app.checkpoint_when_idle()
        await settle(pilot)
        assert {key[0] for key in calls} == set(analysis.VIEWS)
        for key in ("percent_sign", "2", "3", "4", "1"):
            before = set(calls)
            await pilot.press(key)
            assert app.screen._view is not None and app.screen._key() in before, key  # drawn at once, built before
            await settle(pilot)
        assert max(calls.values()) == 1


def counted_builds(monkeypatch):
    """Each view build, counted by its key (view, settings, project version)."""
    from collections import Counter

    from tui.screens import analysis

    calls = Counter()

    def counting(name, build):
        return lambda p, s: calls.update([analysis.view_key(p, s, name)]) or build(p, s)

    for name, build in list(analysis.BUILDERS.items()):
        monkeypatch.setitem(analysis.BUILDERS, name, counting(name, build))
    return calls


async def test_after_an_apply_in_the_reader_each_view_key_draws_figures_holding_it(make_app, project, monkeypatch):
    """Apply a code with keys in the reader; at the next idle moment the views are made
    again from one document's contributions (store/analysis/live.py); then the analysis
    key and each view's key draw at once (never "Counting…") and each view has a figure
    whose codings hold the new coding."""
    from store.analysis import live
    from tui.screens import analysis, analysis_warm

    monkeypatch.setattr(analysis_warm, "WARM_FROM", 0)  # the demo is small: warm it as a large project is
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app._last_key = 0.0
        app.checkpoint_when_idle()  # the first idle moment: every view built ahead
        await settle(pilot)
        made, before = live.contributed(project), set(project.state.codings)
        await pilot.press("j", "j", "V", "c", *"Challenging practice", "enter")
        await settle(pilot)
        for _ in range(5):  # answer what asks (a near duplicate), as a user would
            if app.screen is app.screen_stack[0]:
                break
            await pilot.press("y")
            await settle(pilot)
        (new,) = set(project.state.codings) - before
        app._last_key = 0.0
        app.checkpoint_when_idle()  # the idle moment after the apply
        await settle(pilot)
        assert live.contributed(project) - made == len(live._LIVE[project].parts)  # one document's part per kind
        for key in ("percent_sign", "2", "3", "4", "1"):
            await pilot.press(key)
            screen = app.screen
            assert isinstance(screen, analysis.Analysis) and screen._view is not None, key  # drawn, not "Counting…"
            view = screen._view
            cells = [b.cell for b in view.bars] if view.bars is not None else [
                m.cell for row in view.grid.rows for m in row.marks if m is not None]
            assert any(new in cell.codings for cell in cells if cell is not None), key
            await settle(pilot)


@pytest.mark.parametrize("view, keys", [("frequencies", ()), ("rounds", ("4",))])
async def test_after_an_apply_a_key_makes_a_screenful_of_rows_not_every_row(tmp_path, view, keys):
    """Issue 10: a view is made lazily (tui/widgets/bars.py Rows): after an apply, `%`
    (and a view's key) make the rows drawn, about a screenful, not each of the view's
    1,000-odd rows (frequencies split by document, rounds by case), and no more rows stay
    alive than a few screens' worth."""
    import gc
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from bench_store import generate

    from store.project import Project
    from tui.app import MarginApp
    from tui.screens.analysis import Analysis, Settings
    from tui.widgets.bars import Rows

    def alive() -> int:
        gc.unfreeze()  # what the app and the builder froze (analysis_build.settle_built) counts too
        gc.collect()
        return sum(type(o) in (Bar, GridRow) for o in gc.get_objects())

    before = alive()  # rows the tests before this one left
    generate(tmp_path / "p", 30, 1_500)
    with Project.open(tmp_path / "p", coder="tester") as project:
        app = MarginApp(project)
        app.analysis_settings = Settings(by="document")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await open_analysis(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            every = len(app.screen._view.bars if app.screen._view.bars is not None else app.screen._view.grid.rows)
            assert every > 1_000
            await pilot.press("escape")
            await settle(pilot)
            document = project.documents.all()[1]
            turn = document.turns[5]
            project.codings.apply(document, project.codebook.all()[-1], turn.start, turn.start + 20)
            await pilot.pause()
            made = Rows.made
            await pilot.press("percent_sign")
            await settle(pilot)
            assert isinstance(app.screen, Analysis) and app.screen._view is not None
            assert app.screen.settings.view == view
            screen = app.screen.size.height
            assert Rows.made - made <= 2 * screen, (Rows.made - made, every)
            assert alive() - before <= 4 * screen, (alive() - before, every)
