"""Issue 10: the analysis screen's keys never meet a full collection walking the views
built for them. What a batch of builds made is frozen as the batch ends (off the keys'
path, tui/screens/analysis_build.py `settle_built`); freezing is sound because a view
holds no reference cycle, so one replaced later is still freed by its reference count."""

from __future__ import annotations

import gc
import weakref

import pytest

from tests.tui.test_analysis_screen import counted_builds, settle


def tracked_ids() -> set[int]:
    """The objects a full collection would walk now (frozen ones are not among them)."""
    return {id(o) for o in gc.get_objects()}


def view_objects(view) -> list:
    """A view and what it holds that the collector tracks: its rows, bars, grid, cells."""
    found = [view]
    for part in vars(view).values():
        if gc.is_tracked(part):
            found.append(part)
    return found


async def test_views_built_ahead_are_frozen_as_their_batch_ends(make_app, project, monkeypatch):
    """Before the fix, the views waited for the app's next idle moment (a second without
    a key) to be frozen; a key sooner met a full collection walking them."""
    from tui.screens import analysis, analysis_warm
    from tui.screens.analysis_build import builder_of

    counted_builds(monkeypatch)
    monkeypatch.setattr(analysis_warm, "WARM_FROM", 0)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.settle_heap = lambda: None  # no idle moment's freeze: only the builder's own
        app._last_key = 0.0
        app.checkpoint_when_idle()
        builder = builder_of(app, app.project)
        await settle(pilot)
        assert not builder.busy and builder.built >= len(analysis.VIEWS)
        views = list(app.analysis_settings.cache.values())
        assert len(views) >= len(analysis.VIEWS)
        tracked = tracked_ids()
        walked = [type(o).__name__ for v in views for o in view_objects(v) if id(o) in tracked]
        assert walked == [], walked


@pytest.mark.parametrize("view", ["frequencies", "cooccurrence", "matrix", "rounds"])
@pytest.mark.parametrize("options", [{}, {"by": "document", "rollup": True}, {"within": "turn", "cols": "case"}])
def test_a_view_holds_no_cycle_so_freezing_it_keeps_nothing_for_good(project, view, options):
    """Every view kind, with options that change what it holds, is freed by its reference
    count alone once nothing holds it, even after each of its rows was made and drawn."""
    from tui.screens.analysis import Settings, replace_settings, view_of

    settings = replace_settings(Settings(), **options)
    was = gc.isenabled()
    gc.disable()
    try:
        built = view_of(project, settings, view)
        rows = built.bars if built.bars is not None else built.grid.rows
        for row in rows:
            for mark in getattr(row, "marks", ()):
                getattr(mark, "cell", None)
        for r in range(min(len(rows), 20)):
            built.describe(r, 0)
        settings.cache.clear()
        alive = weakref.ref(built)
        del built
        assert alive() is None, f"a {view} view is kept alive by a cycle"
    finally:
        if was:
            gc.enable()


def test_the_build_a_key_waits_for_frees_no_stale_view(project):
    """After an apply, the first view asked for is built without freeing the views the
    apply made stale (about 30 ms at 50,000 codings, on that key's path before); they are
    freed by `release_retired`, which the builder runs before a build no key waits for."""
    from tui.screens.analysis import VIEWS, Settings, release_retired, replace_settings, view_of

    settings = Settings()
    stale = [weakref.ref(view_of(project, replace_settings(settings, view=v), v)) for v in VIEWS]
    document = project.documents.all()[0]
    turn = document.turns[1]
    coding = project.codings.apply(document, project.codebook.all()[0], turn.start, turn.start + 5)
    try:
        view_of(project, settings, "frequencies")
        assert all(ref() is not None for ref in stale)  # not freed while a key waits
        assert len(settings.cache) == 1
        release_retired()
        assert [ref() for ref in stale] == [None] * len(VIEWS)
    finally:
        project.codings.uncode(coding)


async def test_after_an_apply_and_the_builds_ahead_no_stale_view_is_kept(make_app, project, monkeypatch):
    """The app's round: views built, an apply, `%` (built when asked), the builds ahead:
    every view of the state before the apply is gone."""
    from tui.screens import analysis, analysis_warm

    monkeypatch.setattr(analysis_warm, "WARM_FROM", 0)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("percent_sign")
        await settle(pilot)
        stale = [weakref.ref(v) for v in app.analysis_settings.cache.values()]
        assert stale
        await pilot.press("escape")
        document = project.documents.all()[0]
        turn = document.turns[1]
        project.codings.apply(document, project.codebook.all()[0], turn.start, turn.start + 5)
        await pilot.press("percent_sign")
        await settle(pilot)
        app.screen._build_ahead()
        await settle(pilot)
        assert [ref() for ref in stale] == [None] * len(stale)
        assert analysis._RETIRED == []


async def test_screens_opened_and_closed_all_session_do_not_pile_up_in_the_frozen_heap(make_app):
    """A screen open while the heap was frozen (an idle moment with it open) stayed in
    memory for good when it closed: about 5,000 objects per analysis screen. Now every
    SCREENS_PER_COLLECTION closes, an idle moment collects the whole heap."""
    from tui.app import SCREENS_PER_COLLECTION
    from tui.screens.analysis import Analysis

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        async def open_idle_close():
            await pilot.press("percent_sign")
            await settle(pilot)
            assert isinstance(app.screen, Analysis)
            app._last_key = 0.0
            app.checkpoint_when_idle()  # an idle moment with the screen open: its widgets frozen
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, Analysis)
            app._last_key = 0.0
            app.checkpoint_when_idle()

        for _ in range(4 * SCREENS_PER_COLLECTION - 1):
            await open_idle_close()
        screens = [o for o in gc.get_objects() if isinstance(o, Analysis)]
        gc.unfreeze()
        frozen_screens = sum(isinstance(o, Analysis) for o in gc.get_objects()) - len(screens)
        assert frozen_screens <= SCREENS_PER_COLLECTION, frozen_screens  # bounded, not one per close
        gc.freeze()
