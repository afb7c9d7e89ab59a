"""Building the analysis screen's views off the UI thread, ahead of the keys that show them.

One thread per app builds views one at a time: first the one the researcher is waiting
for (the screen shows "Counting…" until it comes), then those a key could ask for next
(`analysis.ahead`: every view as it was left, each option of the view shown). When the
app has been idle (no key for a second) and the project is large enough for a build to
be felt (analysis_warm.py), `warm_views` queues the same ahead of the screen's first opening, and again after
each change of the coding, so that opening the screen and moving between its views finds
them built. A key pressed meanwhile stops the builds done only ahead (the one asked for
is always finished). Figures are never shown from another state of the project: a view
is kept under the project's version it was built at (analysis.view_of), and a build that
saw a change is thrown away and made again.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections import deque

from textual.worker import get_current_worker

from store.analysis.live import keep_live
from store.errors import MarginError
from tui.screens.analysis import Settings, Stale, ahead, release_retired, view_key, view_of

ASKED, AHEAD, IDLE = "asked", "ahead", "idle"
TRIES = 3  # builds of one view that saw the project change before it is left to the next ask

_BUILDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # app -> Builder


class Builder:
    """The app's one view-building thread and what it has still to build."""

    def __init__(self, app, project):
        self.app, self.project = app, project
        self._queue: deque[tuple[Settings, str]] = deque()  # (settings with their view, why: ASKED, AHEAD, IDLE)
        self._lock = threading.Lock()
        self._running = False
        self.listener = None  # called from the thread with (key, view or None, error): the screen shown
        self.built = 0  # views built, for the tests that count the work a key does
        keep_live(project)

    def want(self, wanted: list[Settings], why: str = AHEAD) -> None:
        """Build `wanted` (in order). ASKED: before anything queued (the screen waits for
        it); AHEAD: after it (the screen is shown); IDLE: stopped by the next key."""
        items = [(s, why) for s in wanted]
        with self._lock:
            if why == ASKED:
                self._queue.extendleft(reversed(items))
            else:
                self._queue.extend(items)
            if self._running:
                return
            self._running = True
        self.app.run_worker(self._run, thread=True, group="analysis-build", exit_on_error=False)

    @property
    def busy(self) -> bool:
        return self._running

    def _next(self, since: float) -> tuple[Settings, str] | None:
        with self._lock:
            if get_current_worker().is_cancelled:  # the app is closing: it waits for this thread
                self._queue.clear()
            if self._queue and self._queue[0][1] == IDLE and self._key_since(since):
                self._queue = deque(item for item in self._queue if item[1] != IDLE)  # a key came: warm later
            if not self._queue:
                self._running = False
                return None
            return self._queue.popleft()

    def _key_since(self, since: float) -> bool:
        return getattr(self.app, "_last_key", 0.0) > since  # the app's time of its last key (tui/app.py)

    def _run(self) -> None:
        since, built = time.monotonic(), self.built
        while (item := self._next(since)) is not None:
            self._build(*item)
        if self.built != built:
            settle_built()
            if hasattr(self.app, "_heap_settled"):
                self.app._heap_settled = False  # the UI's own new objects: at the next idle moment

    def _build(self, settings: Settings, why: str) -> None:
        if why != ASKED:
            release_retired()
        for _ in range(TRIES):
            key = view_key(self.project, settings, settings.view)
            if key in settings.cache:
                self._tell(key, settings.cache[key], "")
                return
            try:
                view = view_of(self.project, settings, settings.view)
            except Stale:
                continue
            except MarginError as error:
                self._tell(key, None, error.message)
                return
            self.built += 1
            self._tell(key, view, "")
            return
        self._tell((*key[:-1], -1), None, "")  # the project kept changing: the screen asks again

    def _tell(self, key: tuple, view, error: str) -> None:
        listener = self.listener
        if listener is not None:
            listener(key, view, error)


def settle_built() -> None:
    """Freeze what a batch of builds made, as it ends, off the keys' path: left to the
    app's next idle moment (MarginApp.settle_heap, after a second without a key), a key
    pressed sooner met a full collection walking every row and cell of the views just
    built (60-95 ms of a key at 200x50 on 50,000 codings). A collection of the young
    generations first, so that the cyclic garbage of the moment is not kept for good;
    a view itself holds no cycle, so one replaced later is freed by its reference count."""
    gc.collect(1)
    gc.freeze()


def builder_of(app, project) -> Builder:
    """The app's builder (made when first asked for)."""
    found = _BUILDERS.get(app)
    if found is None or found.project is not project:
        found = _BUILDERS[app] = Builder(app, project)
    return found


def warm_views(app) -> None:
    """Queue the views the analysis screen would show next that are not built for the
    project as it is now (analysis_warm.warm decides whether the project is worth it)."""
    project = app.project
    if app.analysis_settings is None:
        app.analysis_settings = Settings()
    settings = app.analysis_settings
    builder = builder_of(app, project)
    if builder.busy:
        return  # asked again at the next idle moment, when what it builds now is in
    missing = [s for s in ahead(project, settings) if view_key(project, s, s.view) not in s.cache]
    if missing:
        builder.want(missing, IDLE)
