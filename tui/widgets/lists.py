"""The list every screen and pane of options uses: Textual's OptionList, stopping at its ends."""

from __future__ import annotations

from textual._widget_navigation import find_next_enabled_no_wrap
from textual.widgets import OptionList


class StoppingList(OptionList):
    """An OptionList whose up and down stop at the first and last option. Textual's wraps
    round: `k` on the first journal entry went to the last, and `j` on the last passage of
    the retrieval view to the first, so Enter opened the wrong one. The analysis screen,
    the codes pane and the picker's hits stop at their ends, and so does every list."""

    def action_cursor_up(self) -> None:
        step(self, -1)

    def action_cursor_down(self) -> None:
        step(self, 1)


def step(options: OptionList, direction: int) -> None:
    """Highlight the next enabled option `direction` (1 down, -1 up); at the end it stays.
    Also for the command palette's list, which is Textual's (tui/widgets/palette.py)."""
    found = find_next_enabled_no_wrap(options.options, options.highlighted, direction)
    if found is not None:
        options.highlighted = found
