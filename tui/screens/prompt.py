"""A one-line question: a new name, a definition, a colour, a search pattern."""

from __future__ import annotations

from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.widgets.keys import bindings, clean


class Prompt(ModalScreen[str | None]):
    BINDINGS = bindings("prompt")

    def __init__(self, question: str, value: str = "", hint: str = "", keep_on_escape: bool = False):
        """`keep_on_escape`: for a memo, Esc gives back what was typed too and the text is not
        selected when the prompt opens, so that neither leaving it nor typing loses what it held."""
        super().__init__()
        self.question, self.value, self.hint, self.keep_on_escape = question, value, hint, keep_on_escape

    def compose(self):
        with Vertical(id="prompt", classes="dialog"):
            yield Label(clean(self.question), classes="dialog-title", markup=False)
            # a memo is typed on to (its text not selected, lest a key replace it); a name is retyped
            yield Input(self.value, id="prompt-input", select_on_focus=not self.keep_on_escape)
            yield Label(clean(self.hint) or "enter ok · esc cancel", classes="dialog-help", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(self.query_one(Input).value if self.keep_on_escape else None)
