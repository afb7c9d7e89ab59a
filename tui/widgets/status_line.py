"""The status line: document, turn, speaker, selection and the pending key."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.widgets.keys import clean

NAME_MAX = 24  # longer code names are cut with …


def shorten(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


class StatusLine(Static):
    def show(self, reader, pane: str = "") -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        document = reader.document
        if document is None:
            line.append(" No documents yet: import some with `margin import`", style="dim")
        else:
            line.append(f" {clean(document.name)}", style="bold")
            turn = reader.turn
            if turn is not None:
                line.append(f"  turn {turn.index + 1}/{len(document.turns)} ")
                line.append(clean(turn.speaker), style="italic")
            span = reader.selection
            if span:
                first, last = document.turn_at(span[0]), document.turn_at(max(span[0], span[1] - 1))
                turns = f" · turns {first.index + 1}–{last.index + 1}" if first and last and first != last else ""
                line.append(f"  sel {span[1] - span[0]}{turns}", style="reverse")
            coded = reader.codings_here()
            if coded:
                names = ", ".join(shorten(clean(reader.project.state.codes[c.code].name), NAME_MAX) for c in coded
                                  if c.code in reader.project.state.codes)
                line.append(f"  ◆ {names}", style="dim")
            if reader.pending:
                line.append(f"  {reader.pending} then a motion", style="bold reverse")
        right = Text(no_wrap=True)
        if pane and pane != "reader":
            right.append(f"  [{pane}]", style="bold reverse")
        right.append("   ? help", style="dim")
        room = (self.size.width or self.app.size.width) - right.cell_len
        if line.cell_len > room:
            line.truncate(max(1, room), overflow="ellipsis")  # `? help` always stays
        self.update(line + right)
