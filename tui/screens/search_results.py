"""Corpus-wide search results as keyword-in-context lines; Enter jumps, `a` codes them all
(the auto-coding questions open above this screen, so answering no comes back here)."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from store.text import plural
from tui.widgets.keys import ListKeys, bindings, clean
from tui.widgets.lists import StoppingList


class SearchResults(ListKeys, ModalScreen):
    """Dismisses with the chosen Hit, or None (closed, or every hit coded)."""

    BINDINGS = bindings("search_results")

    def __init__(self, pattern: str, hits: list):
        super().__init__()
        self.pattern, self.hits = pattern, hits

    def compose(self):
        with Vertical(id="search-results", classes="fullscreen"):
            documents = len({h.document.id for h in self.hits})
            said = f"{plural(len(self.hits), 'hit')} in {plural(documents, 'document')}"
            if getattr(self.hits, "capped", False):
                said = f"the first {plural(len(self.hits), 'hit')}, in {plural(documents, 'document')}: there are more; narrow the search"
            yield Label(clean(f"“{self.pattern}”: {said}"), classes="dialog-title", markup=False)
            yield StoppingList(id="search-list")
            yield Label("enter jump · a code every hit · esc close", classes="dialog-help")

    def on_mount(self) -> None:
        options = []
        for i, hit in enumerate(self.hits):
            line = Text(clean(hit.document.name), style="bold")
            turn = hit.document.turn_at(hit.start)
            line.append(f" · {f'turn {turn.index + 1} ' if turn else ''}{clean(hit.speaker)}\n", style="italic")
            line.append("  …" + clean(hit.left), style="dim")  # the context keeps its own spacing
            line.append(clean(hit.match), style="bold reverse")
            line.append(clean(hit.right) + "…", style="dim")
            options.append(Option(line, id=str(i)))
        hit_list = self.query_one(OptionList)
        hit_list.add_options(options)
        if options:
            hit_list.highlighted = 0
        hit_list.focus()

    def action_jump(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is not None:
            self.dismiss(self.hits[int(option.id)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_jump()

    def action_auto_code(self) -> None:
        if self.hits:
            self.app.auto_code_hits(self)

    def action_close(self) -> None:
        self.dismiss(None)
