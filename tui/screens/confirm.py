"""A yes/no question before anything that changes a lot at once (auto-coding, deleting).

An overlay on the screen it opens on, as a prompt is (tui/screens/prompt.py, `Dialog`)."""

from __future__ import annotations

from textual.widgets import Label, Static

from tui.screens.code_picker import KeptLabel, KeptLines
from tui.screens.prompt import Dialog, _say
from tui.widgets.keys import bindings, clean

YES_NO = "y / enter: yes · n / esc: no"


class Detail(KeptLines, Static):
    def _kept_key(self):
        return str(self.content)


class Confirm(Dialog):
    BINDINGS = bindings("confirm")
    SCOPE = "confirm"

    def __init__(self, question: str, detail: str = ""):
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self):
        yield KeptLabel(clean(self.question), classes="dialog-title", markup=False)
        detail = Detail(clean(self.detail), classes="dialog-detail", markup=False)
        detail.display = bool(self.detail)
        yield detail
        yield KeptLabel(YES_NO, classes="dialog-help")

    def take_over(self, other: Confirm) -> None:
        self.question, self.detail = other.question, other.detail
        _say(self.query_one(".dialog-title", Label), clean(self.question))
        detail = self.query_one(Detail)
        _say(detail, clean(self.detail))
        if detail.display != bool(self.detail):
            detail.display = bool(self.detail)

    def rows_of_text(self, width: int) -> int:
        detail = self._wrapped(clean(self.detail), width) + 1 if self.detail else 0  # its padding below
        return self._wrapped(clean(self.question), width) + detail + 1

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)
