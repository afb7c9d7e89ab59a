"""Whether the app should build the analysis screen's views at idle, decided without
importing the analyses: a small project's views build in well under 100 ms when asked
for, so only a large one is warmed (tui/screens/analysis_build.py does it)."""

from __future__ import annotations

WARM_FROM = 5_000  # codings: below this every view builds in well under 100 ms, so nothing is warmed
WARM_CODES = 1_000  # codes: above this a heat map is not read whole, and building it ahead would cost memory


def warm(app) -> None:
    """Called at idle (MarginApp.checkpoint_when_idle): build ahead if the project is worth it."""
    state = app.project.state
    if len(state.codes) > WARM_CODES or sum(state.coding_counts_by_document().values()) < WARM_FROM:
        return
    from tui.screens.analysis_build import warm_views

    warm_views(app)
