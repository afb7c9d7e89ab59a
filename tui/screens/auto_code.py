"""The auto-coding question: what each hit becomes and whose turns count, then yes or no.

`e` cycles what is coded (the match, its word, its sentence, its turn); digits 1–9 leave
a speaker's turns out or bring them back (say, the interviewer's). The counts are the
store's (`store.search.auto_code_spans`) for the rule as it stands. Dismisses with the
`Rule` to code, or None: `n` goes back to what was beneath (the search results).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from store.errors import MarginError
from store.search import Rule, auto_code_spans, rule_spans
from tui.widgets.keys import bindings, clean

UNITS = ("", "word", "sentence", "turn")
UNIT_NAMES = {"": "the match", "word": "its word", "sentence": "its sentence", "turn": "its turn"}
DIGITS = "123456789"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class AutoCode(ModalScreen[Rule | None]):
    BINDINGS = bindings("auto_code")
    DEFAULT_CSS = """
    AutoCode { align: center middle; background: $background 60%; }
    #auto-code-options { padding: 0 1; }
    """

    def __init__(self, project, documents: list, rule: Rule, label: str, note: str = ""):
        super().__init__()
        self.project, self.documents, self.rule = project, documents, rule
        self.label, self.note = label, note
        self.speakers = self._speakers()

    def _speakers(self) -> list[str]:
        """The speakers of the hits, most hits first (the first nine can be left out)."""
        counts: Counter = Counter()
        bare = replace(self.rule, extend="", speakers=(), not_speakers=())
        for document in self.documents:
            for start, _ in rule_spans(document, self.project.text(document.id), bare):
                turn = document.turn_at(start)
                counts[turn.speaker if turn else ""] += 1
        self.hits_by_speaker = counts
        return [name for name, _ in counts.most_common(len(DIGITS))]

    def compose(self):
        with Vertical(id="auto-code", classes="dialog"):
            yield Label("", id="auto-code-title", classes="dialog-title", markup=False)
            yield Static("", id="auto-code-options")
            yield Static(clean(self.note) or "One undo (u) takes them all back.", classes="dialog-detail")
            yield Label("y / enter: code · e what to code · 1–9 a speaker in or out · n / esc: back",
                        classes="dialog-help")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        try:
            found = auto_code_spans(self.project, self.documents, self.rule)
        except MarginError as error:
            found = {}
            self.notify(clean(error.message), severity="error")
        self.total = sum(len(s) for s in found.values())
        where = plural(len(found), "document")
        self.query_one("#auto-code-title", Label).update(
            clean(f"Code {plural(self.total, 'passage')} in {where} as {self.label}?")
        )
        options = Text()
        options.append("e ", style="bold")
        for unit in UNITS:
            style = "bold reverse" if unit == self.rule.extend else "dim"
            options.append(f" {UNIT_NAMES[unit]} ", style=style)
        dropped = {" ".join(s.casefold().split()) for s in self.rule.not_speakers}
        for number, name in enumerate(self.speakers, 1):
            out = " ".join(name.casefold().split()) in dropped
            options.append(f"\n{number} ", style="bold")
            options.append("✗ " if out else "✓ ", style="red" if out else "green")
            options.append(clean(name or "(no speaker)"), style="dim strike" if out else "")
            options.append(f"  {plural(self.hits_by_speaker[name], 'hit')}", style="dim")
        self.query_one("#auto-code-options", Static).update(options)

    def action_extend(self) -> None:
        """What each hit becomes: the match, then its word, sentence, turn, and round again."""
        following = UNITS[(UNITS.index(self.rule.extend) + 1) % len(UNITS)]
        self.rule = replace(self.rule, extend=following)
        self._show()

    def toggle_speaker(self, number: int) -> None:
        if number > len(self.speakers):
            return
        name = self.speakers[number - 1]
        key = " ".join(name.casefold().split())
        kept = tuple(s for s in self.rule.not_speakers if " ".join(s.casefold().split()) != key)
        dropped = kept if len(kept) < len(self.rule.not_speakers) else (*kept, name)
        self.rule = replace(self.rule, not_speakers=dropped)
        self._show()

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character in DIGITS:
            event.stop()
            self.toggle_speaker(int(event.character))

    def action_yes(self) -> None:
        if self.total:
            self.dismiss(self.rule)
        else:
            self.notify("Nothing to code with these choices: bring a speaker back (1–9)", severity="warning")

    def action_no(self) -> None:
        self.dismiss(None)
