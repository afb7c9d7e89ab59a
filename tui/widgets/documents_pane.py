"""The documents pane: each document with its attributes and how many codings it has."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.widgets.keys import ListKeys, bindings, clean
from store.text import plural


class DocumentsPane(ListKeys, OptionList):
    BINDINGS = bindings("documents")

    def __init__(self, project, **kwargs):
        super().__init__(**kwargs)
        self.project = project
        self.border_title = "Documents"

    def reload(self, current_id: str | None = None) -> None:
        state = self.project.state
        highlighted = self.highlighted_option.id if self.highlighted_option else current_id
        self.clear_options()
        for document in self.project.documents.all():
            prompt = Text(clean(document.name), style="bold" if document.id == current_id else "")
            attributes = " ".join(f"{clean(k)}={clean(v)}" for k, v in document.attributes.items() if k != "case")
            count = len(state.codings_by_document.get(document.id, {}))
            prompt.append(f"\n{attributes}\n{plural(len(document.turns), 'turn')} · {plural(count, 'coding')}", style="dim")
            self.add_option(Option(prompt, id=document.id))
        if highlighted and highlighted in state.documents:
            self.highlighted = self.get_option_index(highlighted)

    def action_open(self) -> None:
        option = self.highlighted_option
        if option is not None:
            self.app.open_document(option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.app.open_document(event.option.id)
