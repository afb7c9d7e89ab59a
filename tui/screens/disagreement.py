"""The disagreement review: walk the passages where two coders differ and settle each.

The passage shows in its context, each coder's codes there side by side; 1, 2, b and 0
take the first coder's coding, the second's, both or neither into the consensus (store/
team/review.py), each one undoable action; m writes the discussion memo. The header
counts the passages reviewed and shows each coder's agreement with the consensus on the
code, which moves as decisions are made. Keyboard-only; fits 80x24."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from store.errors import MarginError
from store.analysis.scope import Scope
from store.team import review
from store.team.agreement import cohen_kappa, compare, krippendorff_alpha
from tui.widgets.keys import bindings, clean

CONTEXT = 160  # characters shown either side of the passage (the passage stays in view)


def lines(text: str) -> str:
    """Text made safe for the screen, its line breaks kept."""
    return "\n".join(clean(line) for line in text.split("\n"))


def figure(value) -> str:
    return "–" if value is None else f"{value:.2f}"


class Disagreements(ModalScreen):
    BINDINGS = bindings("review")
    DEFAULT_CSS = """
    Disagreements > Vertical { height: 1fr; background: $surface; }
    #review-passage { height: 1fr; padding: 0 1; border: round $panel-lighten-2; }
    #review-sides { height: 7; }
    .review-side { width: 1fr; height: 1fr; padding: 0 1; border: round $panel-lighten-2; }
    #review-decision, #review-figures { height: 1; padding: 0 1; }
    """

    def __init__(self, project, coders: list, into: str = review.CONSENSUS, by: str = "code"):
        super().__init__()
        self.project, self.coders, self.into_kind, self.by = project, coders, into, by
        self.items: list[review.Passage] = []
        self.index = 0
        self._figures_shown: dict[tuple, str] = {}  # (version, code, into) -> the figures line

    def compose(self):
        with Vertical():
            yield Label("", id="review-title", classes="dialog-title", markup=False)
            yield Static("", id="review-passage")
            with Horizontal(id="review-sides"):
                yield Static("", id="review-first", classes="review-side")
                yield Static("", id="review-second", classes="review-side")
            yield Label("", id="review-decision", markup=False)
            yield Label("", id="review-figures", markup=False)
            first, second = (clean(c.name) for c in self.coders)
            yield Label(f"1 {first} · 2 {second} · b both · 0 neither · m memo · n/p · t order · c into · u undo", classes="dialog-help", markup=False)

    def on_mount(self) -> None:
        """Open on the first passage not yet reviewed: a review done over several sittings
        takes up where it was left."""
        self._load()
        done = review.decisions(self.project)
        self.index = next((i for i, p in enumerate(self.items) if not review.decided(done.get(p.key))), self.index)
        self._show()

    # ------------------------------------------------------------------ data

    def _load(self, keep: review.Passage | None = None, rather: set[str] = frozenset()) -> None:
        """Read the passages again, staying on a passage whose key is in `rather` if
        any, else on `keep` when it is still there."""
        self.items = review.passages(self.project, [c.name for c in self.coders], by=self.by)
        back = [i for i, p in enumerate(self.items) if p.key in rather]
        if back:
            self.index = back[0]
        elif keep in self.items:
            self.index = self.items.index(keep)
        self.index = min(self.index, max(0, len(self.items) - 1))
        self._show()

    @property
    def current(self) -> review.Passage | None:
        return self.items[self.index] if self.items else None

    def _into(self):
        return review.consensus_coder(self.project, self.into_kind)

    # ------------------------------------------------------------------ drawing

    def _show(self) -> None:
        done = review.decisions(self.project)
        reviewed = sum(1 for p in self.items if review.decided(done.get(p.key)))
        names = " and ".join(clean(c.name) for c in self.coders)
        into = "you" if self.into_kind == "reviewer" else review.CONSENSUS
        title = f"Disagreements of {names} by {self.by} · {reviewed} of {len(self.items)} reviewed · into {into}"
        self.query_one("#review-title", Label).update(title)
        passage = self.current
        if passage is None:
            self.query_one("#review-passage", Static).update("No passages where the two coders differ.")
            return
        self.query_one("#review-passage", Static).update(self._in_context(passage))
        for coder, widget in zip(self.coders, ("#review-first", "#review-second")):
            self.query_one(widget, Static).update(self._side(coder, passage))
        decision = review.decided(done.get(passage.key))
        self.query_one("#review-decision", Label).update(
            Text(f"Decided: {decision}" if decision else "Not reviewed yet", style="bold" if decision else "italic")
        )
        self.query_one("#review-figures", Label).update(self._figures(passage))

    def _in_context(self, passage: review.Passage) -> Text:
        state = self.project.state
        text = self.project.text(passage.document)
        start, end = max(0, passage.start - CONTEXT), min(len(text), passage.end + CONTEXT)
        code = state.codes[passage.code]
        head = Text(f"{self.index + 1}/{len(self.items)} · {clean(self.project.codebook.path(code))}", style=f"bold {code.color}")
        head.append(f" · {clean(state.documents[passage.document].name)} {passage.start}-{passage.end}", style="dim")
        head.append(f" · only {', '.join(clean(n) for n in passage.coded_by)}\n", style="dim")
        head.append(lines(text[start : passage.start]).lstrip())
        head.append(lines(text[passage.start : passage.end]), style="reverse")
        head.append(lines(text[passage.end : end]).rstrip())
        return head

    def _side(self, coder, passage: review.Passage) -> Text:
        """The coder's codes over the passage, the one under review first."""
        here = [
            c for c in self.project.state.codings_by_document.get(passage.document, {}).values()
            if c.coder == coder.id and c.start < passage.end and c.end > passage.start
        ]  # fmt: skip
        line = Text(clean(coder.name) + "\n", style="bold")
        codes = self.project.state.codes
        shown = sorted({c.code for c in here}, key=lambda c: (c != passage.code, self.project.codebook.path(codes[c])))
        for code_id in shown:
            mark = "● " if code_id == passage.code else "  "
            line.append(mark + clean(self.project.codebook.path(codes[code_id])) + "\n", style=codes[code_id].color)
        if not shown:
            line.append("(nothing coded here)", style="dim italic")
        return line

    def _figures(self, passage: review.Passage) -> str:
        """Counted once per change of the project, so moving between passages costs nothing."""
        key = (self.project.state.version, passage.code, self.into_kind)
        if key not in self._figures_shown:
            self._figures_shown = {key: self._count_figures(passage)}
        return self._figures_shown[key]

    def _count_figures(self, passage: review.Passage) -> str:
        """Each coder's agreement with the consensus on this code (κ), and the two coders' α."""
        into = self.project.coder if self.into_kind == "reviewer" else None
        if into is None:
            found = [c for c in self.project.state.coders.values() if c.name == review.CONSENSUS]
            into = found[0] if found else None
        scope = Scope(code=passage.code)
        both = compare(self.project, [c.name for c in self.coders], scope=scope, partial=True)
        parts = [f"α {figure(krippendorff_alpha(both.rows[-1].tally))}"]
        if into is not None and into.id not in {c.id for c in self.coders}:
            for coder in self.coders:
                try:
                    with_into = compare(self.project, [coder.name, into.name], scope=scope, partial=True)
                    parts.append(f"{clean(coder.name)}·{clean(into.name)} κ {figure(cohen_kappa(with_into.rows[-1].tally))}")
                except MarginError:
                    parts.append(f"{clean(coder.name)}·{clean(into.name)} κ –")
        return "This code: " + " · ".join(parts)

    # ------------------------------------------------------------------ keys

    def _decide(self, choice: str) -> None:
        passage = self.current
        if passage is None:
            return
        try:
            review.decide(self.project, passage, choice, self.coders, self._into())
        except MarginError as error:
            self.app.notify(clean(error.message), severity="error")
            return
        self._load(self.current)
        self._to_unreviewed()

    def _to_unreviewed(self) -> None:
        """On to the next passage not yet reviewed (round to the start), else stay."""
        done = review.decisions(self.project)
        count = len(self.items)
        for step in range(1, count + 1):
            index = (self.index + step) % count
            if not review.decided(done.get(self.items[index].key)):
                self.index = index
                break
        self._show()

    def action_first(self) -> None:
        self._decide("first")

    def action_second(self) -> None:
        self._decide("second")

    def action_both(self) -> None:
        self._decide("both")

    def action_neither(self) -> None:
        self._decide("neither")

    def action_next(self) -> None:
        self.index = min(self.index + 1, max(0, len(self.items) - 1))
        self._show()

    def action_previous(self) -> None:
        self.index = max(0, self.index - 1)
        self._show()

    def action_toggle_order(self) -> None:
        self.by = "document" if self.by == "code" else "code"
        self._load(self.current)

    def action_undo(self) -> None:
        """Undo the newest action and show the passage it was about (the decision just
        taken back), not the passage the screen had moved on to."""
        before = review.decisions(self.project)
        try:
            summary = self.project.undo()
        except MarginError as error:
            self.app.notify(clean(error.message), severity="error")
            return
        self.app.notify(f"Undone: {clean(str(summary.get('summary', '')))}", timeout=4)
        self._load(self.current, review.changed(before, review.decisions(self.project)))

    def action_memo(self) -> None:
        from tui.screens.prompt import Prompt

        passage = self.current
        if passage is None:
            return
        memo = review.decisions(self.project).get(passage.key)
        kept = review.discussion(memo)

        def save(text: str | None) -> None:
            if text is not None:
                try:
                    review.discuss(self.project, passage, text.strip())
                except MarginError as error:
                    self.app.notify(clean(error.message), severity="error")
                self._show()

        self.app.ask(Prompt("The discussion of this passage", kept, "enter or esc: saved", keep_on_escape=True), save)

    def action_into(self) -> None:
        """Where accepted codings go: the `consensus` coder or the reviewer (you)."""
        self.into_kind = "reviewer" if self.into_kind == review.CONSENSUS else review.CONSENSUS
        who = "you" if self.into_kind == "reviewer" else "the consensus coder"
        self.app.notify(f"Accepted codings now go to {who}", timeout=4)
        self._show()

    def action_close(self) -> None:
        self.dismiss(None)
