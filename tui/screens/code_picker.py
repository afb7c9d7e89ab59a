"""The code picker: type to filter the codebook, Enter to choose, or create a new code.

Digits are typed into the filter (a code may be called "Band 6"); they pick the hit with
that number only while the filter is empty or when the hit list has focus (↓ or tab).

Ranking is `store.code_search.CodeIndex`; this screen only shows the hits, with "+ New
code" after the hits that hold every typed word. Enter from the filter applies the top hit
only when it is exactly what was typed; on any other hit it asks, in one line, whether the
hit or the typed name was meant (y / n, esc back to typing). A hit chosen in the list (↓,
tab, a digit) is applied at once. The screen returns a `Pick`: an existing code, or a name
to create (the caller warns of near-duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from store.code_search import TYPED, CodeIndex
from store.model import Code
from tui.widgets.keys import bindings, clean

CREATE = "+create"
TOP_LEVEL = "+top"
PICKER_WIDTH = 76  # as in app.tcss #picker
HITS_MOST = 16  # rows of hits when the terminal is tall enough
AROUND_HITS = 8  # the picker's other rows: border 2, title 1, filter 3, help (may wrap to 2) or question
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


class Question(Label, can_focus=True):
    """The one-line question of Enter on a hit that is not what was typed; the picker's
    `answer_hit` (y) and `answer_typed` (n) keys answer it, esc goes back to typing."""


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
        self.exact_id: str | None = None  # the code that is exactly what was typed
        self.asking: str | None = None  # the option id the question offers, while it is asked
        self.chosen = False

    def compose(self):
        with Vertical(id="picker"):
            yield Label(clean(self.title_text), id="picker-title", markup=False)
            yield DigitInput(placeholder="type to find a code, or a new name (Parent > Child)", id="picker-input",
                             select_on_focus=False)  # back from the list or the question, typing goes on
            yield HitList(id="picker-hits")
            yield Label(HELP_TYPING, id="picker-help")
            yield Question(id="picker-question")

    def on_mount(self) -> None:
        self.query_one(Question).display = False
        self._fit_hits(self.app.size.height)
        self._show("")

    def on_resize(self, event: events.Resize) -> None:
        self._fit_hits(event.size.height)

    def _fit_hits(self, height: int) -> None:
        """The hit list gets what the picker (90% of the height) leaves, so the help line and
        the question below it are never cut off: the list shrinks, not the question."""
        room = int(height * 0.9) - AROUND_HITS
        self.query_one(OptionList).styles.max_height = max(2, min(HITS_MOST, room))

    def on_descendant_focus(self) -> None:
        in_list = self.query_one(OptionList).has_focus
        self.query_one("#picker-help", Label).update(HELP_LIST if in_list else HELP_TYPING)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _typed(self) -> str:
        return " ".join(self.query_one(Input).value.split())

    def _show(self, query: str) -> None:
        hits = [h for h in self.index.rank(query, self.recent, limit=20) if h.code.codable or not self.codable_only]
        hits = hits[:9]
        options = [self._option(number, hit) for number, hit in enumerate(hits, 1)]
        name = " ".join(query.split())
        exact = self.index.exact(name) if name else None
        self.exact_id = exact.id if exact is not None and hits and hits[0].code.id == exact.id else None
        if self.allow_create and name and exact is None:
            create = Option(Text.assemble(("+ New code ", "bold"), (f"“{clean(name)}”", "bold green")), id=CREATE)
            typed = sum(1 for hit in hits if hit.tier <= TYPED)  # it never outranks what holds every typed word
            options.insert(typed, create)
        if self.top_level:
            options.append(Option(Text("⇱ The top level (no parent)", style="bold"), id=TOP_LEVEL))
        hit_list = self.query_one(OptionList)
        hit_list.clear_options()
        hit_list.add_options(options)
        if options:
            hit_list.highlighted = 0

    def _option(self, number: int, hit) -> Option:
        prompt = Text(f"{number} ", style="bold")
        prompt.append("■ ", style=hit.code.color)
        prompt.append(clean(hit.path))
        prompt.append(f"  {hit.count}", style="dim")
        if hit.description:
            description = clean(hit.description)
            room = min(PICKER_WIDTH, self.app.size.width) - 10
            description = description if len(description) <= room else description[: room - 1] + "…"
            prompt.append("\n    " + description, style="dim italic")
        return Option(prompt, id=hit.code.id)

    def pick_number(self, number: int) -> None:
        hit_list = self.query_one(OptionList)
        codes = [i for i in range(hit_list.option_count) if hit_list.get_option_at_index(i).id not in (CREATE, TOP_LEVEL)]
        if number <= len(codes):
            hit_list.highlighted = codes[number - 1]
            self._choose(hit_list.get_option_at_index(codes[number - 1]).id)

    def type_into_filter(self, character: str) -> None:
        """From the hit list: back to the filter, typing `character` (or deleting with "")."""
        field = self.query_one(Input)
        field.focus()
        if character:
            field.insert_text_at_cursor(character)
        else:
            field.action_delete_left()

    def action_apply(self) -> None:
        """Enter: a hit chosen in the list is applied; from the filter, only an exact match
        (or "+ New code" on top) is, and any other top hit asks which was meant."""
        if self.asking is not None:
            return  # the question wants y or n
        hit_list = self.query_one(OptionList)
        option = hit_list.highlighted_option
        if option is None:
            if self._typed() and self.allow_create:
                self._choose(CREATE)
        elif hit_list.has_focus or option.id in (CREATE, TOP_LEVEL, self.exact_id) or not self.allow_create:
            self._choose(option.id)
        else:
            self._ask(option.id)

    def _choose(self, option_id: str) -> None:
        """Close with the choice, once: keys typed fast (enter, y) may ask twice before it closes."""
        if self.chosen:
            return
        self.chosen = True
        if option_id == CREATE:
            self.dismiss(Pick(new_name=self._typed()))
        elif option_id == TOP_LEVEL:
            self.dismiss(Pick())
        else:
            self.dismiss(Pick(code=self.project.state.codes[option_id]))

    def _ask(self, option_id: str) -> None:
        """Ask in one line: the highlighted code (y) or a new code of the typed name (n)."""
        path = self.project.codebook.path(self.project.state.codes[option_id])
        typed = self._typed()
        hit, new, back = (self.app.keymap.actions[f"picker.{a}"].keys[0] for a in ("answer_hit", "answer_typed", "cancel"))
        back = "esc" if back == "escape" else back
        room = min(PICKER_WIDTH, self.app.size.width) - 4
        if typed:
            fixed = len(f"Apply “” ({hit}) or create “” ({new})? {back} back")
            typed = _cut(typed, max(12, (room - fixed) // 3))
            question = f"Apply “{_cut(path, room - fixed - len(typed))}” ({hit}) or create “{typed}” ({new})? {back} back"
        else:
            question = f"Apply “{_cut(path, room - len(f'Apply “”? {hit} yes · {back} back'))}”? {hit} yes · {back} back"
        self.asking = option_id
        self.query_one("#picker-help").display = False
        asked = self.query_one(Question)
        asked.update(Text(clean(question), style="bold"))
        asked.display = True
        asked.focus()

    def _stop_asking(self) -> None:
        self.asking = None
        self.query_one(Question).display = False
        self.query_one("#picker-help").display = True
        self.query_one(Input).focus()

    def action_answer_hit(self) -> None:
        if self.asking is not None:
            self._choose(self.asking)

    def action_answer_typed(self) -> None:
        if self.asking is not None and self._typed():
            self._choose(CREATE)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_apply()

    def action_down(self) -> None:
        if self.asking is not None:
            self._stop_asking()
        hit_list = self.query_one(OptionList)
        hit_list.action_cursor_down()
        hit_list.focus()  # in the list digits pick; letters go back to the filter

    def action_up(self) -> None:
        if self.asking is not None:
            self._stop_asking()
        hit_list = self.query_one(OptionList)
        if hit_list.has_focus and not hit_list.highlighted:
            self.query_one(Input).focus()  # up from the first hit: back to typing
        else:
            hit_list.action_cursor_up()

    def action_cancel(self) -> None:
        if self.asking is not None:
            self._stop_asking()  # esc on the question: back to typing
        else:
            self.dismiss(None)


def _cut(text: str, room: int) -> str:
    """`text` in `room` characters, cut from the left with … (a path's end is what tells)."""
    room = max(room, 8)
    return text if len(text) <= room else "…" + text[-(room - 1) :]
