"""The retrieval view: every coding of a code and its sub-codes, across documents, or an
explicit list of codings (the passages behind a figure of the analysis screen) with a
title and the filters that made it.

Filter by document attribute (`round=2`) or coder (`coder=alice`); Enter jumps there.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from store.attribute_values import holds
from store.text import plural
from tui.screens.prompt import Prompt
from tui.widgets.keys import ListKeys, bindings, clean
from tui.widgets.lists import StoppingList


class Retrieval(ListKeys, ModalScreen):
    BINDINGS = bindings("retrieval")

    def __init__(self, project, code=None, *, codings=None, title: str = "", header: str = ""):
        """Either `code` (its codings and its sub-codes') or `codings`, shown as they come,
        under `title` and `header` (the filters that chose them)."""
        super().__init__()
        self.project, self.code = project, code
        self.codings, self.title, self.header = codings, title, header
        self.attributes: dict[str, str] = {}
        self.coder = None

    def compose(self):
        with Vertical(id="retrieval", classes="fullscreen"):
            yield Label("", id="retrieval-title", classes="dialog-title", markup=False)
            yield StoppingList(id="retrieval-list")
            yield Label("enter jump · f filter (round=2, coder=NAME; empty clears) · esc close", classes="dialog-help")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        p = self.project
        codings = self._codings()
        filters = [f"{k}={v}" for k, v in self.attributes.items()] + ([f"coder={self.coder.name}"] if self.coder else [])
        if self.codings is None:
            shown = f"filter {' '.join(filters)}" if filters else "all documents, all coders (f filters)"
            title = f"{p.codebook.path(self.code)}: {plural(len(codings), 'coding')} · {shown}"
        else:
            shown = [self.header] if self.header else []
            shown += [f"and {' '.join(filters)} of {len(self.codings)}"] if filters else []
            title = " · ".join([f"{self.title}: {plural(len(codings), 'coding')}", *shown])
        self.query_one("#retrieval-title", Label).update(clean(title))
        options = []
        for coding in codings:
            document = p.state.documents[coding.document]
            turn = document.turn_at(coding.start)
            code = p.state.codes.get(coding.code)
            line = Text("★ " if coding.exemplar else "", style="bold")
            line.append(clean(document.name), style="bold")
            line.append(f" · turn {turn.index + 1} {clean(turn.speaker)}" if turn else "", style="italic")
            line.append(" · " + " ".join(f"{clean(k)}={clean(v)}" for k, v in document.attributes.items()), style="dim")
            if code is not None and (self.code is None or code.id != self.code.id):
                line.append(f" · {clean(code.name)}", style=code.color)
            line.append("\n  “" + clean(coding.text) + "”")
            options.append(Option(line, id=coding.id))
        hits = self.query_one(OptionList)
        hits.clear_options()
        hits.add_options(options)
        if options:
            hits.highlighted = 0

    def _codings(self) -> list:
        p, coder = self.project, self.coder.id if self.coder else None
        if self.codings is None:
            return p.codings.query(code=self.code, coder=coder, attributes=self.attributes)
        documents = p.state.documents
        return [
            c for c in self.codings
            if (coder is None or c.coder == coder)
            and holds(documents[c.document].attributes, self.attributes)
        ]  # fmt: skip

    def action_jump(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is not None:
            self.dismiss(self.project.state.codings[option.id])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_jump()

    def action_filter(self) -> None:
        current = " ".join([f"{k}={v}" for k, v in self.attributes.items()] + ([f"coder={self.coder.name}"] if self.coder else []))
        self.app.ask(Prompt("Filter codings (key=value ..., coder=NAME)", current), self._set_filter)

    def _set_filter(self, value: str | None) -> None:
        if value is None:
            return
        attributes, coder = {}, None
        for word in value.split():
            key, sep, wanted = word.partition("=")
            if not sep:
                self.app.notify(f"{clean(word)!r} is not key=value (for example round=2)", severity="error")
                return
            if key == "coder":
                coder = self.app.store(self.project.coder_named, wanted)
                if coder is None:
                    return
            else:
                attributes[key] = wanted
        self.attributes, self.coder = attributes, coder
        self._fill()

    def action_close(self) -> None:
        self.dismiss(None)
