"""The documents pane: each document with its attributes and how many codings it has.

While the pane is hidden (at 80 columns the reader and the codes pane take the width) a
reload only notes that the list is behind; the app brings it up to date as it shows the
pane (`catch_up`). Building 200 documents' options was 15-30 ms of the first frame, for a
pane not on screen.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.widgets.keys import ListKeys, bindings, clean
from tui.widgets.lists import StoppingList
from tui.widgets.steady import SteadyScrollBars
from store.text import plural


class DocumentsPane(ListKeys, SteadyScrollBars, StoppingList):
    BINDINGS = bindings("documents")

    def __init__(self, project, **kwargs):
        super().__init__(**kwargs)
        self.project = project
        self.border_title = "Documents"
        self._shown: list[tuple] = []  # what each option shows, as `_line` gives it
        self._names: dict[str, tuple] = {}  # document id: (document, clean name, attributes), made once per value
        self._values: list = []  # the documents the order below was sorted from
        self._order: list = []  # they, in name order
        self._behind: tuple | None = None  # the arguments of a reload skipped while hidden

    def catch_up(self) -> None:
        """The pane is being shown: do the reload skipped while it was hidden, if any."""
        if self._behind is not None:
            self.reload(*self._behind)

    def reload(self, current_id: str | None = None) -> None:
        """Bring the list up to date: only the documents whose line changed (a coding
        count, mostly) get a new prompt, so coding does not re-measure every option."""
        if not self.display:
            self._behind = (current_id,)
            return
        self._behind = None
        state = self.project.state
        highlighted = self.highlighted_option.id if self.highlighted_option else current_id
        counts = state.coding_counts_by_document()  # from the checkpoint for documents not read yet
        lines = [self._line(document, current_id, counts) for document in self._documents()]
        if [line[0] for line in lines] == [line[0] for line in self._shown]:
            for index, (line, old) in enumerate(zip(lines, self._shown)):
                if line != old:
                    self.replace_option_prompt_at_index(index, self._prompt(*line[1:]))
        else:
            self.clear_options()
            self.add_options([Option(self._prompt(*line[1:]), id=line[0]) for line in lines])
        self._shown = lines
        if highlighted and highlighted in state.documents:
            self.highlighted = self.get_option_index(highlighted)

    def _documents(self) -> list:
        """The documents in name order, sorted again only when one changed (the natural
        sort of 200 names was 0.5 ms of every coding)."""
        values = list(self.project.state.documents.values())
        if values != self._values:  # equal documents sort the same
            self._values, self._order = values, self.project.documents.all()
        return self._order

    def _line(self, document, current_id: str | None, counts) -> tuple:
        """What the document's option shows: id, name, bold, attributes, turns, codings."""
        known = self._names.get(document.id)
        if known is None or known[0] is not document:  # cleaning 200 names and attributes was 3 ms of every coding
            attributes = " ".join(f"{clean(k)}={clean(v)}" for k, v in document.attributes.items() if k != "case")
            known = self._names[document.id] = (document, clean(document.name), attributes)
        count = counts.get(document.id, 0)
        return document.id, known[1], document.id == current_id, known[2], len(document.turns), count

    def _replace_option_prompt(self, index: int, prompt) -> None:
        """One new prompt (a coding count, mostly): repaint that option's lines only when
        its height is unchanged. OptionList re-measured and re-rendered every option, 27-33
        ms of each apply or undo at 200x50 (textual is pinned: this overrides its method)."""
        option, lines = self.get_option_at_index(index), self._line_cache
        height = lines.heights.get(index)
        option._set_prompt(prompt)
        for key in [k for k in self._option_render_cache.keys() if k[0] is option]:
            self._option_render_cache.discard(key)
        room = self.scrollable_content_region.width - self._get_left_gutter_width()
        room -= self.get_component_styles("option-list--option").padding.width
        if height is None or room <= 0 or index not in lines.index_to_line or \
                self._get_visual(option).get_height(self.styles, room) + option._divider != height:  # room 0: hidden
            self._clear_caches()
            return
        first = lines.index_to_line[index]
        self.refresh_lines(first, height)

    @staticmethod
    def _prompt(name: str, bold: bool, attributes: str, turns: int, count: int) -> Text:
        prompt = Text(name, style="bold" if bold else "")
        prompt.append(f"\n{attributes}\n{plural(turns, 'turn')} · {plural(count, 'coding')}", style="dim")
        return prompt

    def action_open(self) -> None:
        option = self.highlighted_option
        if option is not None:
            self.app.open_document(option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.app.open_document(event.option.id)
