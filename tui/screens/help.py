"""Help: every action with the keys it has now (after keymap tables and user overrides)."""

from __future__ import annotations

from rich.table import Table
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.widgets.keys import bindings

SCOPES = {
    "app": "Anywhere",
    "reader": "Reader",
    "codes": "Codes pane",
    "documents": "Documents pane",
    "memo": "Memo",
    "picker": "Code picker",
    "retrieval": "Retrieval view",
    "analysis": "Analysis screen",
    "search_results": "Search results",
    "auto_code": "Auto-coding question",
    "journal": "Journal",
    "help": "This help",
}


class Help(ModalScreen):
    BINDINGS = bindings("help")

    def __init__(self, keymap):
        super().__init__()
        self.keymap = keymap

    def compose(self):
        with Vertical(id="help", classes="fullscreen"):
            yield Label("Margin keys (j/k or arrows scroll, g/G top/bottom, esc closes)", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                for scope, title in SCOPES.items():
                    table = Table(title=title, title_justify="left", title_style="bold", show_header=False,
                                  box=None, padding=(0, 1), expand=True)
                    table.add_column(width=16, style="bold", no_wrap=True)
                    table.add_column(ratio=1)
                    for action in self.keymap.scope(scope):
                        table.add_row(self.keymap.display(action.id), action.help)
                    yield Static(table, classes="help-table")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down(animate=False)

    def action_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up(animate=False)

    def action_top(self) -> None:
        self.query_one(VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one(VerticalScroll).scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
