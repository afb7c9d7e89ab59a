"""The code picker: type to filter the codebook, Enter to choose, or create a new code.

Digits are typed into the filter (a code may be called "Band 6"); they pick the hit with
that number only while the filter is empty or when the hit list has focus (↓ or tab).

Ranking is `store.code_search.CodeIndex`; this screen only shows the hits. It returns a
`Pick`: an existing code, or a name to create (the caller warns of near-duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from store.code_search import CodeIndex
from store.model import Code
from tui.widgets.keys import bindings, clean

CREATE = "+create"
TOP_LEVEL = "+top"
PICKER_WIDTH = 76  # as in app.tcss #picker
HELP_TYPING = "type to filter · 1–9 pick when empty or in the list (↓/tab) · enter apply"
HELP_LIST = "in the list: 1–9 pick · ↑↓ move · enter apply · letters type · esc cancel"


@dataclass(frozen=True)
class Pick:
    code: Code | None = None
    new_name: str = ""


DIGITS = "123456789"


class DigitInput(Input):
    """The filter. Digits pick a hit only while it is empty; otherwise they are typed."""

    async def _on_key(self, event: events.Key) -> None:
        if event.character and event.character in DIGITS and not self.value:
            event.stop()
            event.prevent_default()
            self.screen.pick_number(int(event.character))
            return
        await super()._on_key(event)


class HitList(OptionList):
    """The hits. With focus here digits pick; any other character goes back to the filter."""

    async def _on_key(self, event: events.Key) -> None:
        character = event.character
        if character and character in DIGITS:
            event.stop()
            event.prevent_default()
            self.screen.pick_number(int(character))
        elif character and character.isprintable():
            event.stop()
            event.prevent_default()
            self.screen.type_into_filter(character)
        elif event.key == "backspace":
            event.stop()
            event.prevent_default()
            self.screen.type_into_filter("")

    def action_cursor_up(self) -> None:
        if not self.highlighted:
            self.screen.query_one(Input).focus()  # up from the first hit: back to typing
        else:
            super().action_cursor_up()


class CodePicker(ModalScreen[Pick | None]):
    BINDINGS = bindings("picker")

    def __init__(self, project, title: str, recent: list[str], allow_create: bool = True,
                 codable_only: bool = True, top_level: bool = False):
        super().__init__()
        self.project = project
        self.title_text = title
        self.recent = recent
        self.allow_create = allow_create
        self.codable_only = codable_only
        self.top_level = top_level
        self.index = CodeIndex.of(project)

    def compose(self):
        with Vertical(id="picker"):
            yield Label(clean(self.title_text), id="picker-title")
            yield DigitInput(placeholder="type to find a code, or a new name (Parent > Child)", id="picker-input")
            yield HitList(id="picker-hits")
            yield Label(HELP_TYPING, id="picker-help")

    def on_mount(self) -> None:
        self._show("")

    def on_descendant_focus(self) -> None:
        in_list = self.query_one(OptionList).has_focus
        self.query_one("#picker-help", Label).update(HELP_LIST if in_list else HELP_TYPING)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, query: str) -> None:
        hits = [h for h in self.index.rank(query, self.recent, limit=20) if h.code.codable or not self.codable_only]
        hits = hits[:9]
        options = []
        for number, hit in enumerate(hits, 1):
            prompt = Text(f"{number} ", style="bold")
            prompt.append("■ ", style=hit.code.color)
            prompt.append(clean(hit.path))
            prompt.append(f"  {hit.count}", style="dim")
            if hit.description:
                description = clean(hit.description)
                room = min(PICKER_WIDTH, self.app.size.width) - 10
                description = description if len(description) <= room else description[: room - 1] + "…"
                prompt.append("\n    " + description, style="dim italic")
            options.append(Option(prompt, id=hit.code.id))
        name = " ".join(query.split())
        if self.allow_create and name and self.index.exact(name) is None:
            create = Option(Text.assemble(("+ New code ", "bold"), (f"“{clean(name)}”", "bold green")), id=CREATE)
            existing_first = self.index.prefers_existing(name, hits)
            options = [*options[:1], create, *options[1:]] if existing_first else [create, *options]
        if self.top_level:
            options.append(Option(Text("⇱ The top level (no parent)", style="bold"), id=TOP_LEVEL))
        hit_list = self.query_one(OptionList)
        hit_list.clear_options()
        hit_list.add_options(options)
        if options:
            hit_list.highlighted = 0

    def pick_number(self, number: int) -> None:
        hit_list = self.query_one(OptionList)
        codes = [i for i in range(hit_list.option_count) if hit_list.get_option_at_index(i).id not in (CREATE, TOP_LEVEL)]
        if number <= len(codes):
            hit_list.highlighted = codes[number - 1]
            self.action_apply()

    def type_into_filter(self, character: str) -> None:
        """From the hit list: back to the filter, typing `character` (or deleting with "")."""
        field = self.query_one(Input)
        field.focus()
        if character:
            field.insert_text_at_cursor(character)
        else:
            field.action_delete_left()

    def action_apply(self) -> None:
        hit_list = self.query_one(OptionList)
        option = hit_list.highlighted_option
        query = " ".join(self.query_one(Input).value.split())
        if option is None:
            if query and self.allow_create:
                self.dismiss(Pick(new_name=query))
            return
        if option.id == CREATE:
            self.dismiss(Pick(new_name=query))
        elif option.id == TOP_LEVEL:
            self.dismiss(Pick())
        else:
            self.dismiss(Pick(code=self.project.state.codes[option.id]))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_apply()

    def action_down(self) -> None:
        hit_list = self.query_one(OptionList)
        hit_list.action_cursor_down()
        hit_list.focus()  # in the list digits pick; letters go back to the filter

    def action_up(self) -> None:
        hit_list = self.query_one(OptionList)
        if hit_list.has_focus and not hit_list.highlighted:
            self.query_one(Input).focus()  # up from the first hit: back to typing
        else:
            hit_list.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
