"""The codes pane: the codebook as an indented tree with colours and coding counts."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.widgets.keys import ListKeys, bindings, clean


class CodesPane(ListKeys, OptionList):
    """The actions here only pick the code; the app runs the dialogs and the store calls."""

    BINDINGS = bindings("codes")

    def __init__(self, project, **kwargs):
        super().__init__(**kwargs)
        self.project = project
        self.border_title = "Codes"

    def reload(self) -> None:
        codebook = self.project.codebook
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        totals = codebook.total_counts()
        self.clear_options()
        for code in codebook.all():
            prompt = Text("  " * codebook.depth(code))
            prompt.append("■ ", style=code.color)
            prompt.append(clean(code.name), style="" if code.codable else "italic")
            prompt.append(f" {totals.get(code.id, 0)}", style="dim")
            self.add_option(Option(prompt, id=code.id))
        if highlighted and highlighted in self.project.state.codes:
            self.highlighted = self.get_option_index(highlighted)
        elif self.option_count:
            self.highlighted = 0

    @property
    def code(self):
        option = self.highlighted_option
        return self.project.state.codes.get(option.id) if option else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_retrieve()

    def _run(self, what: str) -> None:
        if self.code is None:
            self.app.notify("The codebook is empty: press a to add a code", severity="warning")
            return
        getattr(self.app, f"code_{what}")(self.code)

    def action_retrieve(self) -> None:
        self._run("retrieve")

    def action_add(self) -> None:
        self.app.code_add(self.code)

    def action_rename(self) -> None:
        self._run("rename")

    def action_move(self) -> None:
        self._run("move")

    def action_merge(self) -> None:
        self._run("merge")

    def action_delete(self) -> None:
        self._run("delete")

    def action_describe(self) -> None:
        self._run("describe")

    def action_colour(self) -> None:
        self._run("colour")
