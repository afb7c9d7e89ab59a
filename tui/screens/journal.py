"""The reflexive journal: dated entries on the left, the selected one being written on the right."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.widgets.keys import ListKeys, bindings, clean
from tui.widgets.lists import StoppingList
from tui.widgets.memo_editor import MemoEditor
from tui.widgets.status_line import shorten

PREVIEW = 27  # characters of an entry's first line shown in the list (30 columns less the border)
HINT = "a: new entry · enter: write in it · esc: back/close"


class Journal(ListKeys, ModalScreen):
    BINDINGS = bindings("journal")

    def __init__(self, project):
        super().__init__()
        self.project = project

    def compose(self):
        with Vertical(id="journal", classes="fullscreen"):
            yield Label("Reflexive journal", classes="dialog-title")
            with Horizontal():
                yield StoppingList(id="journal-list")
                yield MemoEditor(self.project, id="journal-editor")
            yield Label(HINT, classes="dialog-help")

    def on_mount(self) -> None:
        """Entries listed, the newest shown; with none yet, a new one is begun, ready for
        typing (an empty list and an empty pane left the coder not knowing what to press)."""
        self._fill()
        if self.query_one(OptionList).option_count:
            self.query_one(OptionList).focus()
        else:
            self.action_add()

    def _fill(self, select: str | None = None) -> None:
        entries = self.project.memos.journal()[::-1]
        entry_list = self.query_one(OptionList)
        entry_list.clear_options()
        for memo in entries:
            first = memo.title or (memo.text.strip().splitlines() or [""])[0]
            line = Text(memo.created[:10], style="bold")
            line.append("\n" + shorten(clean(first), PREVIEW), style="dim")
            entry_list.add_option(Option(line, id=memo.id))
        if entries:
            entry_list.highlighted = entry_list.get_option_index(select) if select else 0
            self._show(entries[0] if not select else self.project.state.memos[select])

    def _show(self, memo) -> None:
        title = memo.title or memo.created[:10]
        self.query_one(MemoEditor).edit("journal", None, f"Journal · {title}", memo=memo)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option and event.option.id in self.project.state.memos:
            self._show(self.project.state.memos[event.option.id])

    def action_add(self) -> None:
        editor = self.query_one(MemoEditor)
        editor.edit("journal", None, f"New journal entry · {date.today().isoformat()}")
        editor.area.focus()

    def action_edit(self) -> None:
        self.query_one(MemoEditor).area.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    def on_memo_editor_left(self, event: MemoEditor.Left) -> None:
        event.stop()
        memo = self.query_one(MemoEditor).memo
        self._fill(memo.id if memo else None)
        self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.query_one(MemoEditor).save()
        self.dismiss(None)
