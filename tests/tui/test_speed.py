"""What one key press or one coding costs: counted in calls, so the tests hold on any machine.

Each test counts the work that used to grow with the screen, the document or the codebook
(Textual re-applying the keymap, a repaint of every pane, the codes pane rebuilt, the
documents pane re-measured, the picker's index rebuilt) and checks that the partial
updates leave the screen exactly as a full repaint would.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

import pytest
from textual.binding import BindingsMap
from textual.screen import Screen
from textual.widgets import OptionList

from store.code_search import CodeIndex
from tui.screens.code_picker import CodePicker, HitList
from tui.widgets.codes_pane import CodesPane
from tui.widgets.documents_pane import DocumentsPane
from tui.widgets.reader import Reader


@contextmanager
def counting(monkeypatch, *targets):
    """Count calls of each (class, method name) while the block runs."""
    calls: Counter = Counter()
    for cls, name in targets:
        original = getattr(cls, name)

        def counted(*args, _original=original, _name=f"{cls.__name__}.{name}", **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(cls, name, counted)
    yield calls
    monkeypatch.undo()


async def screen_matches_a_full_repaint(app, pilot) -> None:
    """The screen as drawn equals the screen after repainting every widget from scratch."""
    await pilot.pause()
    drawn = app.export_screenshot()
    for widget in app.screen.query("*"):
        widget.refresh()
    for pane in app.screen.query(Reader):
        pane._cache.clear()
    for hits in app.screen.query(HitList):
        getattr(hits, "_strips", {}).clear()
    with kept_lines_dropped(app):
        await pilot.pause()
        assert app.export_screenshot() == drawn


@contextmanager
def kept_lines_dropped(app):
    """Render without the lines the picker's parts keep while hidden, then give them back:
    dropping them for good would hide a kept line gone stale from the next check."""
    kept = {widget: widget.__dict__.pop("_kept_lines") for widget in app.screen.query("*") if "_kept_lines" in widget.__dict__}
    try:
        yield
    finally:
        for widget, lines in kept.items():
            widget.__dict__["_kept_lines"] = lines


async def test_a_key_press_applies_no_keymap_and_lays_nothing_out(make_app, monkeypatch):
    """Textual re-applied the whole keymap (every binding of every node) on each press
    when the app set all 100 action keys with set_keymap; and the status line's update
    laid out the whole screen."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app._keymap == {}  # the defaults are in the bindings already
        with counting(monkeypatch, (BindingsMap, "apply_keymap"), (Screen, "_refresh_layout")) as calls:
            for key in "jjwwJKjj":
                await pilot.press(key)
                await pilot.pause()
        assert calls["BindingsMap.apply_keymap"] == 0
        assert calls["Screen._refresh_layout"] <= 2  # was one per key; a scroll may still lay out


async def test_a_user_keymap_is_set_with_its_changes_only(demo_dir, tmp_path, monkeypatch):
    import keymaps
    from store.project import Project
    from tui.app import MarginApp

    (tmp_path / "keymap.toml").write_text('"reader.undo" = "z"\n', encoding="utf-8")
    monkeypatch.setenv("MARGIN_KEYMAP", str(tmp_path / "keymap.toml"))
    with Project.open(demo_dir, coder="tester") as project:
        app = MarginApp(project, keymaps.load())
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app._keymap == {"reader.undo": "z"}


async def test_a_cursor_move_repaints_only_the_rows_it_changes(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        with counting(monkeypatch, (Reader, "render_line"), (CodesPane, "render_line")) as calls:
            await pilot.press("j")  # within the first turn: nothing scrolls
            await pilot.pause()
        assert 1 <= calls["Reader.render_line"] <= 4  # the old and the new cursor row (was every row)
        assert calls["CodesPane.render_line"] == 0


@pytest.mark.parametrize("keys", ["jjjjwwwweeeebbJJJKK", "vwwwjjescsJc", "VJJescGggJJJjjjkkk", "s>w<bescjjjj"])
async def test_partial_repaints_leave_the_screen_as_a_full_repaint(make_app, keys):
    """The class of bug partial repaints bring: a row left showing an old cursor,
    selection or current-turn marker."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys.replace("esc", "\x1b"):
            await pilot.press("escape" if key == "\x1b" else {"<": "less_than_sign", ">": "greater_than_sign"}.get(key, key))
            if app.screen is not app.screen_stack[0]:
                await pilot.press("escape")
            await screen_matches_a_full_repaint(app, pilot)


@pytest.fixture
def big_codebook(project):
    """The demo with 300 more codes (3 levels), so a whole-pane rebuild would show."""
    with project.operation("many codes"):
        for theme in range(10):
            for code in range(30):
                project.codebook.ensure(f"Theme {theme} > Group {code % 3} > Code {theme}-{code}")
    return project


async def test_applying_a_code_updates_only_the_changed_lines(make_app, big_codebook, monkeypatch):
    """With 5,000 codes the pane was rebuilt on every coding (every code's line and total);
    now a coding updates the code's line and its ancestors' only, and the documents pane
    replaces one prompt instead of re-adding every option."""
    project = big_codebook
    app = make_app()
    code = project.codebook.find_path("Theme 3 > Group 1 > Code 3-4")
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        pane = app.query_one(CodesPane)
        before = {i: pane._rows[pane.get_option_index(c.id)][-1] for i, c in enumerate(
            [code, *project.codebook.ancestors(code)])}
        app.last_code = code.id
        targets = [(type(project.codebook), "children"), (type(project.codebook), "total_counts"),
                   (CodesPane, "_rebuild"), (OptionList, "add_options"), (OptionList, "clear_options"),
                   (OptionList, "replace_option_prompt_at_index")]
        with counting(monkeypatch, *targets) as calls:
            await pilot.press(".")  # apply the last code again, to the current turn
            await pilot.pause()
        assert len(project.codebook.counts()) and project.codebook.counts()[code.id] == 1
        assert calls["Codebook.children"] == 0 and calls["Codebook.total_counts"] == 0
        assert calls["CodesPane._rebuild"] == 0
        assert calls["OptionList.add_options"] == 0 and calls["OptionList.clear_options"] == 0
        assert calls["OptionList.replace_option_prompt_at_index"] == 1  # the document's count
        after = {i: pane._rows[pane.get_option_index(c.id)][-1] for i, c in enumerate(
            [code, *project.codebook.ancestors(code)])}
        assert after == {i: n + 1 for i, n in before.items()}
        await pilot.press("u")
        await pilot.pause()
        assert_pane_as_rebuilt(pane)
        await screen_matches_a_full_repaint(app, pilot)


def assert_pane_as_rebuilt(pane: CodesPane) -> None:
    rows, ids = list(pane._rows), list(pane._ids)
    pane._codes, pane._version = None, -1
    pane.reload()
    assert (rows, ids) == (pane._rows, pane._ids)


async def test_codes_pane_after_codings_and_codebook_changes_equals_a_rebuild(make_app, project):
    """Every kind of change, then the incrementally kept lines against a fresh rebuild."""
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        pane = app.query_one(CodesPane)
        for keys in (["J", "c", *"trust", "enter"], ["J", "."], ["x"], ["u"], ["u"], ["ctrl+r"]):
            await pilot.press(*keys)
            await pilot.pause()
            assert_pane_as_rebuilt(pane)
        project.codebook.add("Trust > Deeper")
        app.project_changed()
        await pilot.pause()
        assert_pane_as_rebuilt(pane)
        await screen_matches_a_full_repaint(app, pilot)


def test_the_picker_index_is_built_once_per_codebook(project, monkeypatch):
    """Opening the picker built the index again each time (60-120 ms at 5,000 codes)."""
    built = []
    original = CodeIndex.__init__
    monkeypatch.setattr(CodeIndex, "__init__", lambda self, *a: (built.append(1), original(self, *a))[1])
    first = CodeIndex.of(project)
    assert CodeIndex.of(project) is first and len(built) == 1
    code = project.codebook.find_path("Relationships > Trust")
    document = project.documents.all()[0]
    turn = document.turns[3]
    project.codings.apply(document, code, turn.start, turn.end)
    again = CodeIndex.of(project)
    assert again is first and len(built) == 1
    assert again.rank("trust")[0].count == project.codebook.counts()[code.id]  # counts kept current
    project.codebook.add("Trusting")
    assert "Trusting" in [h.path for h in CodeIndex.of(project).rank("trusting")] and len(built) == 2


async def test_no_checkpoint_runs_on_a_key_only_when_idle(make_app, project, monkeypatch):
    """The app paused for a checkpoint inside every 200th action (53-68 ms at 50,000
    codings, 164-221 ms at 200,000): now keys only append to the log, and a due checkpoint
    is written after IDLE seconds without a key, and as the app closes."""
    import json

    import store.core.checkpoints
    import tui.app

    monkeypatch.setattr(store.core.checkpoints, "CHECKPOINT_OPS", 3)
    monkeypatch.setattr(tui.app, "IDLE", 60, raising=False)  # no pause between keys counts as idle
    monkeypatch.setattr(tui.app, "IDLE_CHECK", 0.05, raising=False)
    written = []
    original = type(project).checkpoint
    monkeypatch.setattr(type(project), "checkpoint", lambda self: (written.append(self.seq), original(self))[1])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.last_code = project.codebook.find_path("Relationships > Trust").id
        for _ in range(8):
            await pilot.press("J", ".")  # an action on each "." (eight: two checkpoints were due)
        assert written == [] and project.checkpoint_due
        monkeypatch.setattr(tui.app, "IDLE", 0.2, raising=False)
        await pilot.pause(0.6)  # idle
        assert written == [project.seq] and not project.checkpoint_due
        on_disk = json.loads((project.dir / "local.json").read_text(encoding="utf-8"))  # the checkpoint record
        assert on_disk["checkpoint"]["seq"] == project.seq
        monkeypatch.setattr(tui.app, "IDLE", 60, raising=False)
        for _ in range(4):
            await pilot.press("J", ".")
        assert len(written) == 1 and project.checkpoint_due
    assert len(written) == 2 and not project.checkpoint_due  # written on close
    assert project.auto_checkpoint is True  # the project is given back as it came


def pane_as_the_codebook_says(pane: CodesPane, project) -> None:
    """The pane's lines against the store's own tree order, depths and totals."""
    from tui.widgets.keys import clean

    totals = project.codebook.total_counts()
    codes = project.codebook.all()
    assert pane._ids == [code.id for code in codes]
    assert pane._rows == [(project.codebook.depth(code), code.color, clean(code.name), code.codable, totals[code.id])
                          for code in codes]


async def test_codebook_changes_cost_what_they_touch(make_app, big_codebook, monkeypatch):
    """A rename of one code rebuilt the pane through the codebook's tree (18,692
    `children` calls and `total_counts` at 5,000 codes, 130 ms at 200,000 codings): a
    colour or definition now repaints its line only, and a change of names or tree one
    pass over the codes; after each kind of change the lines are what the codebook says."""
    project = big_codebook
    app = make_app()
    book = project.codebook
    code = lambda path: book.find_path(path)  # noqa: E731 - the current value, after each change
    changes = [
        ("colour", lambda: book.color(code("Theme 3 > Group 1 > Code 3-4"), "#123456")),
        ("definition", lambda: book.describe(code("Theme 3 > Group 1"), "what it means")),
        ("rename, a new place among siblings", lambda: book.rename(code("Theme 3 > Group 1 > Code 3-4"), "AAA first")),
        ("rename a parent, its sub-codes go with it", lambda: book.rename(code("Theme 4 > Group 0"), "ZZZ last")),
        ("rename a top-level code", lambda: book.rename(code("Theme 5"), "A theme first")),
        ("add", lambda: book.add("Theme 0 > Group 0 > Zzz new")),
        ("move", lambda: book.move(code("Theme 3 > Group 1"), code("Relationships"))),
        ("merge", lambda: book.merge(code("Relationships > Group 1 > AAA first"), code("Relationships > Trust"))),
        ("delete", lambda: book.delete(code("Theme 2"), force=True)),
    ]
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        pane = app.query_one(CodesPane)
        for kind, change in changes:
            change()
            targets = [(type(book), "children"), (type(book), "total_counts"), (type(book), "all"),
                       (CodesPane, "_rebuild"), (CodesPane, "refresh_line")]
            with counting(monkeypatch, *targets) as calls:
                app.project_changed()
            assert calls["Codebook.children"] == calls["Codebook.total_counts"] == calls["Codebook.all"] == 0, kind
            if kind in ("colour", "definition"):
                assert calls["CodesPane._rebuild"] == 0 and calls["CodesPane.refresh_line"] <= 1, kind
            if kind.startswith("rename"):
                assert calls["CodesPane._rebuild"] == 0, kind  # its lines move; nothing else is walked
            pane_as_the_codebook_says(pane, project)
        for _ in changes:
            await pilot.press("u")
            await pilot.pause()
            pane_as_the_codebook_says(pane, project)
        await screen_matches_a_full_repaint(app, pilot)


@pytest.mark.parametrize("seed", range(3))
async def test_codes_pane_kept_as_the_codebook_under_random_changes(make_app, big_codebook, seed):
    """The whole kind: random adds, renames (new places among siblings), moves, colours,
    deletes and undos, the pane's incrementally kept tree checked after each."""
    import random

    from store.errors import MarginError

    project, rng = big_codebook, random.Random(seed)
    book = project.codebook
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = app.query_one(CodesPane)
        for step in range(40):
            codes = book.all()
            code, other = rng.choice(codes), rng.choice(codes)
            kind = rng.choice(["add", "rename", "move", "colour", "delete", "undo"])
            try:
                if kind == "add":
                    book.add(f"{book.path(code)} > New {step}")
                elif kind == "rename":
                    book.rename(code, rng.choice("ABCXYZ") + f" renamed {step}")
                elif kind == "move":
                    book.move(code, None if rng.random() < 0.2 else other)
                elif kind == "colour":
                    book.color(code, rng.choice(["#112233", "#445566", "#778899"]))
                elif kind == "delete":
                    book.delete(code, force=True)
                else:
                    project.undo()
            except MarginError:
                continue  # a refused change (a cycle, a sibling of that name) changes nothing
            app.project_changed()
            pane_as_the_codebook_says(pane, project)


async def test_the_cycle_collector_never_walks_the_open_project(make_app, project, monkeypatch):
    """Each full collection walked every coding (377 ms at 200,000 codings) in the middle
    of whatever key allocated last; the project's objects are frozen after the first frame,
    and what keys made since is collected and frozen at idle."""
    import gc

    import tui.app

    document = project.documents.all()[0]
    code = project.codebook.find_path("Relationships > Trust")
    project.codings.apply_many(document, code, [(t.start, t.start + 3) for t in document.turns[1:]])
    monkeypatch.setattr(tui.app, "IDLE", 60, raising=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        walked = {id(o) for o in gc.get_objects()}
        codings = list(project.state.codings.values())
        assert len(codings) > 30 and not any(id(c) in walked for c in codings)
        await pilot.press("J", "c", *"made here", "enter")
        await pilot.pause()
        fresh = [c for c in project.state.codings.values() if c.text and c not in codings]
        assert fresh and gc.is_tracked(fresh[0])
        monkeypatch.setattr(tui.app, "IDLE", 0.1, raising=False)
        await pilot.pause(0.6)
        walked = {id(o) for o in gc.get_objects()}
        assert not any(id(c) in walked for c in project.state.codings.values())


async def test_the_first_frame_reads_only_the_document_shown(demo_dir, monkeypatch):
    """At 200,000 codings the first frame took 5.5 s of CPU and 290 MB: the documents pane
    counted each document's codings by building them all, and the picker's recent codes
    were sorted from every coding of the project. Now the counts come from the checkpoint
    and the recent codes from the user's state folder (or the document shown)."""
    from store.project import Project
    from tui.app import MarginApp

    read: list[str] = []
    with Project.open(demo_dir, coder="tester") as project:
        state = project.state
        for document_id, loaders in state._unloaded.items():
            loaders.update({k: lambda _load=load, _id=document_id: (read.append(_id), _load())[1] for k, load in loaders.items()})
        app = MarginApp(project)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert read == [app.document.id]  # every other document's codings unread
            shown = {d.id: n for d, n in ((d, state.coding_counts_by_document()[d.id]) for d in project.documents.all())}
            assert all(f"{n} coding" in str(app.query_one(DocumentsPane).get_option(d).prompt) for d, n in shown.items())


async def test_opening_the_picker_re_renders_only_the_cursor_row_of_the_reader(make_app, monkeypatch):
    """Pushing the picker's ModalScreen re-rendered every row of the reader beneath (the
    reader's blur cleared its rows) and Textual's dimmed copy of the screen, each time."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("J")
        await pilot.pause()
        with counting(monkeypatch, (Reader, "_render_row"), (Screen, "_refresh_layout")) as calls:
            await pilot.press("c")
            await pilot.pause()
            assert CodePicker.shown_on(app.screen)
            await pilot.press("escape")
            await pilot.pause()
        assert calls["Reader._render_row"] <= 2  # the cursor's row, as focus leaves and comes back
        assert calls["Screen._refresh_layout"] <= 4
        await screen_matches_a_full_repaint(app, pilot)


async def test_a_keystroke_in_the_picker_lays_nothing_out(make_app, monkeypatch):
    """Each keystroke cleared and re-added the OptionList's options and laid the dialog out
    (+17 to +29 ms at 5,000 codes); now it repaints the filter line and the hit rows."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("J", "c")
        await pilot.pause()
        picker = CodePicker.shown_on(app.screen)
        with counting(monkeypatch, (Screen, "_refresh_layout"), (Reader, "_render_row"), (CodesPane, "render_line")) as calls:
            for key in ["t", "r", "u", "s", "x", "backspace", "t"]:
                await pilot.press(key)
                await pilot.pause()
        assert picker.query_one("#picker-input").value == "trust"
        assert calls["Screen._refresh_layout"] == 0 and calls["Reader._render_row"] == 0
        assert calls["CodesPane.render_line"] <= 7 * picker.region.height  # only the lines under the picker
        await screen_matches_a_full_repaint(app, pilot)


async def test_recent_codes_come_back_in_the_next_session(demo_dir):
    """The codes last applied lead the empty picker in the next session, without reading
    every coding to find them."""
    from store.project import Project
    from tui.app import MarginApp

    with Project.open(demo_dir, coder="tester") as project:
        app = MarginApp(project)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("J", "c", *"Employment terms", "enter", "J", "c", *"Boundaries", "tab", "enter")
            await pilot.pause()
            applied = app.recent[:2]
            await pilot.press("q")
    with Project.open(demo_dir, coder="tester") as project:
        app = MarginApp(project)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            hits = CodePicker.shown_on(app.screen).query_one("#picker-hits")
            assert [hits.get_option_at_index(i).id for i in range(2)] == applied
            assert [project.state.codes[c].name for c in applied] == ["Boundaries", "Employment terms"]


# ---------------------------------------------------------------- the picker (helper picker)


def _screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_the_picker_opens_and_closes_without_moving_the_focus(make_app, big_codebook, monkeypatch):
    """Moving the focus into the picker repainted the whole screen (Textual refreshes the
    screen on every focus change), restyled the reader and its scroll bars and re-rendered
    them: 110 of the 144 ms of an opening at 200x50 with 5,000 codes. The focus now stays
    on the reader and the app hands the keys to the picker."""
    from textual.scrollbar import ScrollBar

    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("J")
        await pilot.pause()
        with counting(monkeypatch, (Screen, "set_focus"), (Reader, "_render_row"), (ScrollBar, "render"),
                      (CodesPane, "render_line")) as calls:
            for _ in range(3):
                await pilot.press("c")
                await pilot.pause()
                assert CodePicker.shown_on(app.screen) and app.focused is app.reader
                await pilot.press("escape")
                await pilot.pause()
        assert calls["Screen.set_focus"] == 0
        assert calls["Reader._render_row"] == 0 and calls["ScrollBar.render"] == 0
        assert calls["CodesPane.render_line"] == 0  # the picker is over the reader only
        await screen_matches_a_full_repaint(app, pilot)


async def test_a_keystroke_in_the_picker_repaints_only_the_rows_that_changed(make_app, big_codebook, monkeypatch):
    """Each keystroke re-rendered every row of the hit list (Rich's Text.render, 16 rows);
    now only rows whose text or look changed are rendered, so a letter that leaves the
    hits as they were renders none."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("J", "c", *"theme 3 > group 1 > code 3-1")
        await pilot.pause()
        for key in ["backspace", "1", "backspace", "2"]:
            before = _screen_lines(app)
            with counting(monkeypatch, (HitList, "render_line"), (Reader, "_render_row")) as calls:
                await pilot.press(key)
                await pilot.pause()
            after = _screen_lines(app)
            hits = CodePicker.shown_on(app.screen).query_one(HitList)
            top = hits.region.y
            changed = sum(1 for y in range(top, top + hits.region.height) if before[y] != after[y])
            assert calls["HitList.render_line"] <= changed, (key, changed)
            assert calls["Reader._render_row"] == 0
        await screen_matches_a_full_repaint(app, pilot)


PICKER_KEYS = ["t", "h", "e", "m", "3", " ", ">", "g", "backspace", "down", "up", "tab", "left", "home", "end", "ctrl+u"]


@pytest.mark.parametrize("seed", range(4))
async def test_the_picker_under_random_keys_paints_what_a_full_repaint_would(make_app, big_codebook, seed):
    """Repainting only changed rows and lines, and keeping rendered rows, must never leave a
    stale row: after each of 12 random picker keys the screen equals a repaint from
    scratch, and the focus never left the reader."""
    import random

    rng = random.Random(seed)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("J", "c")
        await pilot.pause()
        for key in [rng.choice(PICKER_KEYS) for _ in range(12)]:
            await pilot.press(key)
            if CodePicker.shown_on(app.screen) is None:  # a digit in the list picked a code
                break
            assert app.focused is app.reader
            await screen_matches_a_full_repaint(app, pilot)


async def test_applying_and_undoing_repaint_only_the_coded_turn_and_mount_nothing(make_app, monkeypatch):
    """Applying a code or undoing it repainted every row of the reader (and with them every
    pane on those lines), re-measured and repainted every document in the documents pane,
    and mounted a toast saying what was done; now only the rows of the turn whose codings
    changed and the document's own lines are rendered again, and the status line says it."""
    from textual.widgets._toast import ToastRack

    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("J", "J")
        await pilot.pause()
        app.last_code = app.project.codebook.find_path("Relationships > Trust").id
        reader = app.reader
        turn_rows = sum(1 for r in reader._rows.rows if r.turn == reader.turn.index)
        for key, said in ((".", "Coded"), ("u", "Undone"), ("ctrl+r", "Redone")):
            with counting(monkeypatch, (Reader, "render_line"), (Reader, "_render_row"), (ToastRack, "show"),
                          (OptionList, "_clear_caches")) as calls:
                await pilot.press(key)
                await pilot.pause()
            assert 1 <= calls["Reader._render_row"] <= turn_rows + 1  # was every row on screen
            assert calls["Reader.render_line"] < reader.size.height // 2
            assert calls["OptionList._clear_caches"] == 0  # the documents pane re-measured every option
            assert calls["ToastRack.show"] == 0
            assert said in str(app.query_one("#status").render())
            await screen_matches_a_full_repaint(app, pilot)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_partial_repaints_after_project_changes_leave_the_screen_as_a_full_repaint(make_app, project, seed):
    """The class of bug repainting only changed turns brings: a row left showing a coding
    that was undone, a code's old colour or name, a removed annotation."""
    import random

    rng = random.Random(seed)
    app = make_app()
    trust = project.codebook.find_path("Relationships > Trust")
    steps = [["J"], ["K"], ["j"], ["."], ["u"], ["ctrl+r"], ["x"], ["v", "w", "w", "."], ["V", "J", "."],
             ["c", *"trust", "enter"], "colour", "rename"]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.last_code = trust.id
        for _ in range(14):
            step = rng.choice(steps)
            if step == "colour":
                project.codebook.color(project.state.codes[trust.id], f"#{rng.randrange(0x1000000):06x}")
                app.project_changed()
            elif step == "rename":
                project.codebook.rename(project.state.codes[trust.id], f"Trust {rng.randrange(1000)}")
                app.project_changed()
            else:
                await pilot.press(*step)
            if app.screen is not app.screen_stack[0]:
                await pilot.press("escape")
            await screen_matches_a_full_repaint(app, pilot)


# ---------------------------------------------------------------------------- scrolling the reader


@pytest.fixture
def long_document(project):
    """A 1,200-turn document (about 5,000 rows at 80 columns: the scroll bar's thumb is one
    cell), every fifth turn coded, so a scroll shows tints, gutter bars and margin names."""
    import random

    from store.importers.document import ParsedDocument, ParsedTurn

    rng = random.Random(1200)
    words = "the ward team said peer support workers were trusted because they had been there".split()
    parts, turns, offset = [], [], 0
    for index in range(1200):
        label, text = ("Ann", "Bo")[index % 2], " ".join(rng.choice(words) for _ in range(rng.randint(3, 40))) + "."
        turns.append(ParsedTurn(label, offset + len(label) + 2, offset + len(label) + 2 + len(text)))
        parts.append(f"{label}: {text}\n\n")
        offset += len(label) + 2 + len(text) + 2
    document = project.documents.import_parsed(ParsedDocument("".join(parts), tuple(turns), "txt"), "Long").document
    trust = project.codebook.find_path("Relationships > Trust")
    project.codings.apply_many(document, trust, [(t.start, min(t.end, t.start + 25)) for t in turns[::5]])
    return document


async def _press_counting(pilot, monkeypatch, key: str):
    """Press `key`; return (rows scrolled, reader lines rendered, rows rendered anew, scroll bar renders)."""
    from textual.scrollbar import ScrollBar

    reader = pilot.app.reader
    top = reader.scroll_offset.y
    with counting(monkeypatch, (Reader, "render_line"), (Reader, "_render_row"), (ScrollBar, "render")) as calls:
        await pilot.press(key)
        await pilot.pause()
    return reader.scroll_offset.y - top, calls["Reader.render_line"], calls["Reader._render_row"], calls["ScrollBar.render"]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_scroll_renders_only_the_rows_new_on_screen(make_app, long_document, monkeypatch, size):
    """Textual's ScrollView repaints every line of the reader and its scroll bar on any
    scroll: `j` at the window's edge rendered all 23 rows at 80x24 (49 at 200x50) and the
    bar's lines, for one row new on screen. Now a scroll keeps the rows still on screen, and
    the bar repaints only when its thumb moves (an eighth of a cell every 40-odd rows here)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        app.open_document(long_document.id)
        await pilot.pause()
        reader = app.reader
        height = reader.scrollable_content_region.height
        while reader.scroll_offset.y == 0:  # to the window's lower edge
            await pilot.press("j")
        await pilot.pause()
        bars = 0
        for _ in range(6):
            scrolled, lines, rows, bar = await _press_counting(pilot, monkeypatch, "j")
            assert 1 <= scrolled <= 3
            assert lines <= scrolled + 3 and rows <= scrolled + 3  # the new rows, the cursor's old and new rows, a speaker row
            bars += bar
        assert bars <= 1  # was 6
        for key in ("pagedown", "pageup", "J", "K"):
            scrolled, lines, rows, bar = await _press_counting(pilot, monkeypatch, key)
            assert lines <= min(height, abs(scrolled) + 4) and rows <= lines  # and the old and new speaker rows
        await screen_matches_a_full_repaint(app, pilot)


SCROLL_STEPS = ["j", "k", "J", "K", "w", "b", "e", ")", "(", "pagedown", "pageup", "G", "g", "]", "[", "l", "h",
                "v", "V", "s", "escape", "wheel down", "wheel up", "scroll to", "resize"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_random_motions_and_scrolls_leave_the_screen_as_a_full_repaint(make_app, long_document, seed):
    """The class of bug keeping rendered rows across a scroll brings: a row left where it
    was, an old cursor or selection on a kept row, a stale scroll thumb. Seeded random
    motions, selections, wheel scrolls, jumps and resizes between 80x24 and 200x50; after
    each, the screen equals a repaint of every widget from scratch."""
    import random

    rng = random.Random(seed)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_document(long_document.id)
        await pilot.pause()
        reader = app.reader
        for _ in range(24):
            step = rng.choice(SCROLL_STEPS)
            if step.startswith("wheel"):
                reader.scroll_relative(y=rng.randint(1, 30) * (1 if step == "wheel down" else -1), animate=False)
            elif step == "scroll to":
                reader.scroll_to(y=rng.randrange(len(reader._rows)), animate=False)
            elif step == "resize":
                await pilot.resize_terminal(*rng.choice([(80, 24), (120, 40), (200, 50), (100, 30)]))
            else:
                await pilot.press(step)
            await screen_matches_a_full_repaint(app, pilot)

# ---------------------------------------------------------------- the screen drawn band by band

class Terminal:
    """The screen as a terminal would show it: every update the app writes (full layouts
    and partial chops), applied cell by cell. Headless Textual writes nothing, so without
    this a partial update that left a stale cell could not be seen."""

    def __init__(self, app):
        from textual._compositor import CompositorUpdate

        self.app, self.cells = app, {}
        original = app._display

        def display(screen, renderable):
            if isinstance(renderable, CompositorUpdate) and not app._batch_count:
                self.apply(renderable)
            return original(screen, renderable)

        app._display = display

    def apply(self, update) -> None:
        from rich.cells import cell_len
        from rich.segment import ControlType

        x = y = 0
        for segment in update.__rich_console__(self.app.console, self.app.console.options):
            for control in segment.control or ():
                if control[0] == ControlType.CURSOR_MOVE_TO:
                    x, y = control[1], control[2]
            if segment.control or segment.text == "\n":
                continue
            for character in segment.text:
                self.cells[x, y] = (character, segment.style)
                x += cell_len(character)

    def lines(self, size) -> list[list]:
        return [[self.cells.get((x, y)) for x in range(size.width)] for y in range(size.height)]


def full_render(app) -> list[list]:
    """The screen from Textual's own compositor (every widget, whole), as cells."""
    from rich.cells import cell_len
    from textual._compositor import Compositor

    compositor = app.screen._compositor
    patched = compositor.__dict__.pop("_get_renders", None)
    try:
        with kept_lines_dropped(app):
            strips = Compositor.render_strips(compositor)
    finally:
        if patched is not None:
            compositor._get_renders = patched
    lines = []
    for strip in strips:
        line, x = [None] * app.size.width, 0
        for segment in strip:
            for character in segment.text:
                if x < len(line):
                    line[x] = (character, segment.style)
                x += cell_len(character)
        lines.append(line)
    return lines


async def terminal_shows_a_full_render(app, pilot, terminal: Terminal) -> None:
    await pilot.pause()
    assert terminal.lines(app.size) == full_render(app)


def lines_rendered(monkeypatch):
    """Lines each widget renders (Widget.render_lines), by `Class#id`."""
    from textual.widget import Widget

    rendered: Counter = Counter()
    original = Widget.render_lines

    def render_lines(self, crop):
        rendered[f"{type(self).__name__}#{self.id}"] += crop.height
        return original(self, crop)

    monkeypatch.setattr(Widget, "render_lines", render_lines)
    return rendered


async def test_an_apply_renders_only_the_lines_it_changed(make_app, big_codebook, monkeypatch):
    """Textual's compositor renders a partial update through the one rectangle around every
    change, and every widget under it renders all its lines there: a coded turn near the
    top and the status line at the bottom had every pane, scroll bar and container render
    every line of a 200x50 screen. Now each band of changed lines is rendered apart, and
    only the widgets' lines inside it."""
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("J")
        await pilot.pause()
        app.last_code = app.project.codebook.find_path("Relationships > Trust").id
        turn_rows = sum(1 for r in app.reader._rows.rows if r.turn == app.reader.turn.index)
        for key in (".", "u", "ctrl+r"):
            rendered = lines_rendered(monkeypatch)
            await pilot.press(key)
            await pilot.pause()
            monkeypatch.undo()
            band = max(turn_rows + 2, 4)  # the turn's lines (the document's three beside them)
            assert "Screen#_default" not in rendered, rendered  # no line left for the screen to fill
            assert all(n <= band for name, n in rendered.items() if not name.startswith("ScrollBar")), rendered
            assert sum(rendered.values()) <= 8 * band  # main: 9 widgets of 48 lines


async def test_opening_the_picker_renders_nothing_beneath_it(make_app, big_codebook, monkeypatch):
    """Showing the picker put it ahead of every widget in the z-order, and Textual's layout
    marked every widget whose order changed as moved: the whole screen was repainted, every
    pane under the picker rendered too. Now nothing behind it renders, on opening or on a
    keystroke."""
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("J", "c", "escape")
        await pilot.pause()
        for keys in (["c"], ["t"], ["r"], ["backspace"]):
            rendered = lines_rendered(monkeypatch)
            await pilot.press(*keys)
            await pilot.pause()
            monkeypatch.undo()
            picker = CodePicker.shown_on(app.screen)
            inside = {f"{type(w).__name__}#{w.id}" for w in (picker, *picker.query("*"))}
            assert rendered and set(rendered) <= inside, rendered


@pytest.mark.parametrize("seed", range(3))
async def test_the_terminal_shows_what_a_full_render_would_under_random_keys(make_app, big_codebook, seed):
    """The class of bug drawing band by band brings (a line changed but never sent, a cell
    left to what was under a closed picker, a pane behind an open one): every update the
    app writes is applied to a model terminal, which after each of 16 random keys (coding,
    undo, the picker opened, typed in and closed, panes toggled, scrolling) equals
    Textual's own full render of the screen."""
    import random

    rng = random.Random(seed)
    keys = [["J"], ["K"], ["j"], ["pagedown"], ["."], ["u"], ["ctrl+r"], ["c"], ["c", "t", "r"], ["escape"],
            ["backspace"], ["down"], ["v", "w", "w"], ["tab"], ["x"]]
    app = make_app()
    async with app.run_test(size=(rng.choice([80, 120, 200]), rng.choice([24, 40, 50]))) as pilot:
        terminal = Terminal(app)
        app.refresh()  # the first frame again, now that the terminal listens
        await pilot.pause()
        app.last_code = app.project.codebook.find_path("Relationships > Trust").id
        for _ in range(16):
            await pilot.press(*rng.choice(keys))
            if app.screen is not app.screen_stack[0]:
                await pilot.press("escape")
            await terminal_shows_a_full_render(app, pilot, terminal)


def test_bands_group_every_changed_region_into_separate_runs_of_lines():
    """The bands drawn apart: each changed region lies in exactly one band, each band is
    the rectangle around its regions, and bands never share a line (touching ones stay
    apart: see test_page_keys.py), so no line is rendered twice and none is left out."""
    from hypothesis import given, settings, strategies as st
    from textual.geometry import Region

    from tui.widgets.bands import bands

    region = st.builds(Region, st.integers(0, 150), st.integers(0, 50), st.integers(1, 60), st.integers(1, 12))

    @settings(max_examples=300, deadline=None)
    @given(st.lists(region, max_size=12))
    def check(regions):
        grouped = bands(regions)
        for above, below in zip(grouped, grouped[1:]):
            assert below.y >= above.bottom  # no line shared
        for band in grouped:
            inside = [r for r in regions if band.contains_region(r)]
            assert inside and Region.from_union(inside) == band
        assert all(sum(band.contains_region(r) for band in grouped) == 1 for r in regions)

    check()


def shown_code_with_codings(app):
    """A code with codings in the turns on screen, and the reader rows on screen that show it."""
    reader = app.reader
    top, height = reader.scroll_offset.y, reader.scrollable_content_region.height
    rows = reader._rows.rows[top : top + height]
    for turn in dict.fromkeys(row.turn for row in rows):
        for coding in reader._by_turn.get(turn, ()):
            turns = {t for t, found in reader._by_turn.items() if any(c.code == coding.code for c in found)}
            return app.project.state.codes[coding.code], sum(1 for row in rows if row.turn in turns)
    raise AssertionError("no coding on screen")


async def test_a_rename_repaints_the_codes_line_and_the_turns_that_show_the_code(make_app, big_codebook, monkeypatch):
    """A rename repainted every line of the codes pane (the highlight's setter refreshed it
    whole; 48 lines at 200x50) and looked at every code in Python three times. Now it
    repaints the code's line (or, when it moves among its siblings, the lines between its
    old and new place), the reader's rows of the turns whose margin names it, and nothing
    else: no other pane, scroll bar or container renders a line."""
    project, app = big_codebook, make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        pane = app.query_one(CodesPane)
        code, reader_rows = shown_code_with_codings(app)
        pane.highlighted = pane.get_option_index(project.codebook.children(code.parent)[0].id)  # its siblings in view
        await pilot.pause()
        for name, moves in ((code.name + " again", False), ("AAA " + code.name, True)):
            code = project.state.codes[code.id]
            before = pane.get_option_index(code.id)
            top = pane.scroll_offset.y
            rendered = lines_rendered(monkeypatch)
            project.codebook.rename(code, name)
            app.project_changed()
            await pilot.pause()
            monkeypatch.undo()
            after = pane.get_option_index(code.id)
            assert (after != before) == moves and pane.scroll_offset.y == top, (before, after)
            assert top <= after < top + pane.size.height  # its line is on screen, and was repainted
            assert 1 <= rendered.pop("CodesPane#codes") <= abs(after - before) + 1, rendered
            assert rendered.pop("Reader#reader", 0) <= reader_rows, rendered
            band = max(reader_rows, abs(after - before) + 1)  # the scroll bars beside the lines drawn
            assert rendered.pop("ScrollBar#None", 0) <= 2 * band, rendered
            assert not rendered, rendered  # main: the codes pane's corner too
        await screen_matches_a_full_repaint(app, pilot)


async def test_opening_the_picker_again_renders_only_what_changed_and_lays_out_once(make_app, big_codebook, monkeypatch):
    """Each opening of the picker re-rendered its frame (24 lines at 200x50), its filter and
    its help line though they showed what they showed the last time, and laid the screen
    out twice (Textual's reflow left the full map marked invalid when a hidden widget asked
    to repaint). Now an opening that shows what the last one showed renders only the hit
    list, lays the screen out once, and builds no more hit lines than it shows."""
    from textual._compositor import Compositor

    from tui.screens.code_picker import CodePicker as Picker

    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("J", "c", "escape")
        await pilot.pause()
        for _ in range(3):
            rendered = lines_rendered(monkeypatch)
            with counting(monkeypatch, (Compositor, "_arrange_root"), (Picker, "_hit"), (CodeIndex, "_hit")) as calls:
                await pilot.press("c")
                await pilot.pause()
            picker = CodePicker.shown_on(app.screen)
            assert rendered.pop("HitList#picker-hits") > 0  # the counter sees what Textual renders
            assert not rendered, rendered  # main: the picker's 24 lines, its filter's 3, its help's 2
            assert calls["Compositor._arrange_root"] == 1, calls  # main: 2
            assert calls["CodePicker._hit"] <= picker.query_one(HitList).size.height and calls["CodeIndex._hit"] <= 20
            await pilot.press("escape")
            await pilot.pause()


@pytest.mark.parametrize("seed", range(3))
async def test_the_picker_kept_lines_are_what_a_fresh_render_draws(make_app, big_codebook, seed):
    """The whole kind of a kept line gone stale: the picker's parts keep their lines by what
    they show, so after random openings over other turns (a new title), typing, tab to the
    list and back, the question, a new theme and a resize, the screen equals a render of
    every widget from scratch, kept lines dropped."""
    import random

    rng = random.Random(seed)
    keys = [["J"], ["c"], ["c", "t"], ["t", "r"], ["tab"], ["backspace"], ["enter"], ["escape"], ["down"], ["n"],
            ["theme"], ["resize"]]
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        steps = [["c"], ["escape"], ["theme"], ["c"], ["escape"], ["resize"], ["c"]]  # a new look while it is hidden
        for step in steps + [rng.choice(keys) for _ in range(10)]:
            if step == ["theme"]:
                app.theme = rng.choice([t for t in ("textual-dark", "textual-light", "nord") if t != app.theme])
            elif step == ["resize"]:
                await pilot.resize_terminal(rng.choice([120, 160, 200]), rng.choice([30, 40, 50]))
            else:
                await pilot.press(*step)
            if app.screen is not app.screen_stack[0]:
                await pilot.press("escape")
            await screen_matches_a_full_repaint(app, pilot)


def test_changed_codes_finds_what_a_comparison_of_every_code_finds():
    """`changed_codes` (the codes pane's and the reader's diff of two codebooks, in C)
    against the plain comparison, for added, removed, replaced and reordered codes."""
    from hypothesis import given, settings, strategies as st

    from tui.widgets.codes_pane import changed_codes

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.integers(0, 30), unique=True), st.lists(st.tuples(st.sampled_from("arkm"), st.integers(0, 40))),
           st.booleans())
    def check(ids, edits, reorder):
        old = {str(i): object() for i in ids}
        new = dict(old)
        for kind, i in edits:
            if kind == "a":
                new.setdefault(str(i), object())
            elif kind == "r":
                new.pop(str(i), None)
            elif kind == "k" and str(i) in new:
                new[str(i)] = object()
        if reorder:
            new = dict(reversed(new.items()))
        naive = {k for k in old.keys() | new.keys() if old.get(k) is not new.get(k)}
        found = changed_codes(old, new)
        assert sorted(found) == sorted(naive)

    check()


def main_screen_work(monkeypatch, main):
    """Count the main screen's layouts and its compositor's whole renders (what a dialog's
    dimmed background draws) while the block runs: a Counter, undone by monkeypatch.undo."""
    from textual._compositor import Compositor

    calls: Counter = Counter()
    layout, strips = Screen._refresh_layout, Compositor.render_strips

    def counted_layout(self, *args, **kwargs):
        calls["layouts"] += self is main
        return layout(self, *args, **kwargs)

    def counted_strips(self, *args, **kwargs):
        calls["renders"] += self is main._compositor
        return strips(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted_layout)
    monkeypatch.setattr(Compositor, "render_strips", counted_strips)
    return calls


@pytest.mark.parametrize("key, close", [("r", "escape"), ("C", "escape"), ("d", "n"), ("e", "escape"), ("r", "enter")])
async def test_opening_a_dialog_lays_out_nothing_beneath_and_draws_it_once(make_app, big_codebook, monkeypatch, key, close):
    """A rename, colour, definition or delete dialog of the codes pane was a pushed, dimmed
    ModalScreen: opening it moved the focus (a whole repaint, the codes pane restyled) and
    rendered and tinted the whole main screen beneath; closing repainted it whole again
    (58-108 ms above the floor at 5,000 codes). Now it is an overlay of the main screen:
    the focus stays on the codes pane, the main screen is never rendered whole, the reader
    renders none of its rows, and the screen after closing is what a full repaint draws."""
    from textual.scrollbar import ScrollBar

    from tui.screens.confirm import Confirm
    from tui.screens.prompt import Dialog, Prompt

    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        pane = app.query_one(CodesPane)
        pane.focus()
        await pilot.pause()
        main = app.screen
        for _ in range(2):
            calls = main_screen_work(monkeypatch, main)
            with counting(monkeypatch, (Screen, "set_focus"), (Reader, "_render_row"), (ScrollBar, "render")) as counted:
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is main and isinstance(app.dialog, Confirm if key == "d" else Prompt), app.dialog
                assert app.focused is pane
                drawn = app.export_screenshot()
                assert app.dialog.question.split()[0] in drawn
                await pilot.press(close)
                await pilot.pause()
                await pilot.pause()
            assert app.screen is main and app.dialog is None and app.focused is pane
            assert calls["renders"] == 0, calls  # the screen beneath is never drawn whole
            assert counted["Screen.set_focus"] == 0 and counted["Reader._render_row"] == 0, counted
            assert counted["ScrollBar.render"] == 0, counted
        assert len([d for d in main.query(Dialog) if type(d) is type(main.query(Dialog).last())]) == 1  # kept, not remade
        await screen_matches_a_full_repaint(app, pilot)


async def test_a_keystroke_in_a_prompt_repaints_only_its_input(make_app, big_codebook, monkeypatch):
    """Typing in the rename prompt lays nothing out and renders nothing but the Input: the
    keys go to its Input though the focus stays on the codes pane."""
    from textual.widget import Widget
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        pane = app.query_one(CodesPane)
        pane.focus()
        await pilot.pause()
        names = sorted(big_codebook.codebook.path(c) for c in big_codebook.codebook.all())
        await pilot.press("r")
        await pilot.pause()
        field = app.dialog.query_one(Input)
        field.cursor_blink = False  # the screen compared with a full repaint must not blink between
        name = field.value
        assert field.selection == (0, len(name))  # a name is retyped: all of it selected
        rendered: Counter = Counter()
        original = Widget.render_lines

        def counted(self, crop):
            rendered[type(self).__name__] += 1
            return original(self, crop)

        for key in ["x", "y", "backspace", "left", "z"]:
            calls = main_screen_work(monkeypatch, app.screen)
            monkeypatch.setattr(Widget, "render_lines", counted)
            await pilot.press(key)
            await pilot.pause()
            monkeypatch.undo()
            assert calls["layouts"] == 0 and calls["renders"] == 0, (key, calls)
            assert set(rendered) <= {"DialogInput"}, (key, rendered)
            rendered.clear()
        assert field.value == "zx" and app.focused is pane
        await screen_matches_a_full_repaint(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.dialog is None and sorted(big_codebook.codebook.path(c) for c in big_codebook.codebook.all()) == names
