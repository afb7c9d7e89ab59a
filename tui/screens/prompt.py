"""A one-line question: a new name, a definition, a colour, a search pattern."""

from __future__ import annotations

from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.widgets.keys import bindings, clean


class Prompt(ModalScreen[str | None]):
    BINDINGS = bindings("prompt")

    def __init__(self, question: str, value: str = "", hint: str = ""):
        super().__init__()
        self.question, self.value, self.hint = question, value, hint

    def compose(self):
        with Vertical(id="prompt", classes="dialog"):
            yield Label(clean(self.question), classes="dialog-title", markup=False)
            yield Input(self.value, id="prompt-input")
            yield Label(clean(self.hint) or "enter ok · esc cancel", classes="dialog-help", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
