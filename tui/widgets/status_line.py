"""The status line: document, turn, speaker, selection and coder, then what fits.

At 80 columns the line keeps what a coder needs to know where they are and who they code
as (document, turn, speaker, selection, pending key, coder); the focused pane's marker,
`? help` and the codes under the cursor come after, each only if it fits, and the document
and speaker names are cut with … before any of the kept parts goes.

On the main screen the app's notifications ("Coded 12 characters as …", "Nothing to
undo") are said here, in place of the status, until the next key or their timeout: a
one-line repaint, where a toast was a widget mounted and laid out over the screen (most
of what applying or undoing cost at 5,000 codes), and never over the text being read.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.widgets import Static

from tui.widgets.keys import clean

NAME_MAX = 24  # longer code names are cut with …
DOCUMENT_MIN, SPEAKER_MIN = 10, 6  # names are cut down to this before anything kept goes


def shorten(text: str, size: int) -> str:
    return text if len(text) <= size else text[: max(0, size - 1)] + "…"


def status_parts(reader, pane: str = "") -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """(kept parts, optional right-hand parts, codes here) as (text, style) pairs; pure of layout."""
    document = reader.document
    kept: list[tuple[str, str]] = []
    if document is None:
        kept.append((" No documents yet: import some with `margin import`", "dim"))
    else:
        kept.append((f" {clean(document.name)}", "bold"))
        turn = reader.turn
        if turn is not None:
            kept.append((f"  turn {turn.index + 1}/{len(document.turns)} ", ""))
            kept.append((clean(turn.speaker), "italic"))
        span = reader.selection
        if span:
            first, last = document.turn_at(span[0]), document.turn_at(max(span[0], span[1] - 1))
            turns = f" · turns {first.index + 1}–{last.index + 1}" if first and last and first != last else ""
            kept.append((f"  sel {span[1] - span[0]}{turns}", "reverse"))
        if reader.pending:
            kept.append((f"  {reader.pending} then a motion", "bold reverse"))
    coder = reader.project.coder
    if coder is not None:
        blind = " (blind)" if getattr(reader.project, "blind", False) else ""
        kept.append((f"  coder {clean(coder.name)}{blind}", "bold"))
    right = ([(f"  [{pane}]", "bold reverse")] if pane and pane != "reader" else []) + [("   ? help", "dim")]
    codes = reader.project.state.codes
    names = ", ".join(shorten(clean(codes[c.code].name), NAME_MAX) for c in reader.codings_here() if c.code in codes)
    return kept, right, names


def fit(kept: list[tuple[str, str]], right: list[tuple[str, str]], names: str, width: int) -> Text:
    """One line of at most `width` cells: kept parts always (names cut first), then the rest."""
    kept = list(kept)
    over = sum(len(t) for t, _ in kept) - width
    for index, least in ((0, DOCUMENT_MIN + 1), (2, SPEAKER_MIN)):  # the document, then the speaker
        if over > 0 and index < len(kept) and len(kept) > 2:
            text, style = kept[index]
            cut = max(least, len(text) - over)
            over -= len(text) - cut
            kept[index] = (shorten(text, cut), style)
    line = Text(no_wrap=True, overflow="ellipsis")
    for text, style in kept:
        line.append(text, style=style)
    tail = Text(no_wrap=True)
    for text, style in right:
        if line.cell_len + tail.cell_len + len(text) <= width:
            tail.append(text, style=style)
    room = width - line.cell_len - tail.cell_len - 4
    if names and room >= 6:
        line.append(f"  ◆ {shorten(names, room)}", style="dim")
    line.append_text(tail)
    line.truncate(width, overflow="ellipsis")
    return line


NOTICE_ROWS = 4  # the most a notice grows the status line to (a 200-character error at 80 columns)


class StatusLine(Static):
    """One line of fixed height and the screen's width: an update repaints this line only
    (no layout pass, which would repaint every pane), and only when its text changed."""

    COMPONENT_CLASSES = {"status--information", "status--warning", "status--error"}
    MARKS = {"warning": "! ", "error": "! "}  # the colour says which, and NO_COLOR still shows one

    _shown: Text | None = None  # what is painted
    _status: Text | None = None  # the status as last computed
    notice = None  # the notification said in its place (textual.notifications.Notification)
    _timer = None

    def show(self, reader, pane: str = "") -> None:
        self._status = fit(*status_parts(reader, pane), self._width())
        self._paint()

    def say(self, notification) -> None:
        """Say `notification` in place of the status until its timeout or the next key
        (`key_pressed`); None: the status again."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.notice = notification
        if notification is not None:
            self._timer = self.set_timer(max(0.05, notification.time_left), partial(self.say, None))
        self._paint()

    def key_pressed(self) -> None:
        """A key after the notice: it was read; the app forgets it and the status comes back."""
        if self.notice is not None:
            self.app._unnotify(self.notice, refresh=False)
            self.say(None)

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _paint(self) -> None:
        line = self._status if self.notice is None else self._notice_line(self.notice)
        if line is not None and line != self._shown:
            self._shown = line
            rows = 1 if self.notice is None else self._rows(line)
            if self.styles.height is None or self.styles.height.value != rows:
                self.styles.height = rows  # a layout pass, only as a long notice comes and goes
                self.update(line)
            else:
                self.update(line, layout=False)

    def _notice_line(self, notification) -> Text:
        """The notice, whole: an error's advice comes last ("...; that must be undone
        first"), and cut at the screen's width it was lost (trial 2)."""
        severity = notification.severity
        return Text(f" {self.MARKS.get(severity, '')}{clean(notification.message)}", overflow="fold",
                    style=self.get_component_rich_style(f"status--{severity}"))

    def _rows(self, line: Text) -> int:
        """How many rows the notice takes at this width, at most NOTICE_ROWS."""
        width = max(self._width(), 1)
        return min(NOTICE_ROWS, len(line.wrap(self.app.console, width)) or 1)
