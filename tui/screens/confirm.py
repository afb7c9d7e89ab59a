"""A yes/no question before anything that changes a lot at once (auto-coding, deleting)."""

from __future__ import annotations

from textual.containers import Vertical
from textual.widgets import Label, Static

from tui.screens.prompt import Dialog
from tui.widgets.keys import bindings, clean


class Confirm(Dialog):
    BINDINGS = bindings("confirm")

    def __init__(self, question: str, detail: str = ""):
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self):
        with Vertical(id="confirm", classes="dialog"):
            yield Label(clean(self.question), classes="dialog-title", markup=False)
            if self.detail:
                yield Static(clean(self.detail), classes="dialog-detail")
            yield Label("y / enter: yes · n / esc: no", classes="dialog-help")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)
