"""A one-line question: a new name, a definition, a colour, a search pattern.

`Dialog` is the pushed modal screen of a prompt or a confirmation, at the cost of what it
shows. Textual's own opening of a dimmed modal at 200x50 with 5,000 codes was 170-190 ms:
the Resize a new screen gets re-laid out every screen beneath it though none changed size
(the main screen's whole layout and repaint), and the dimmed background re-tinted every
segment of the screen beneath, one Style sum each (3,700 segments at 200x50, most of them
in a dozen styles); closing repainted the main screen twice, the second time with a
layout (Textual refreshes a removed screen's parent, the app). Here a screen beneath is laid out only when its size changed, and each
style's tint is computed once, the tinted screen beneath is kept while it is the same, and
closing repaints the main screen once.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.containers import Vertical
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.widgets.keys import bindings, clean

_TINTS: dict = {}  # (colour, style) -> the tinted style, as Textual's BackgroundScreen makes it
_TINTS_MOST = 20_000


class KeptTint(BackgroundScreen):
    """Textual's BackgroundScreen with each style's tint computed once, not once a segment,
    and the tinted screen beneath kept in `kept` (the dialog's) while it shows the same:
    Textual renders a new screen's background three times as it opens."""

    def __init__(self, screen, color, kept: dict):
        super().__init__(screen, color)
        self.kept = kept

    def __rich_console__(self, console, options):
        key = (options.max_width, options.height, self.color)
        segments = self.kept.get(key)
        if segments is None:
            self.kept.clear()
            segments = self.kept[key] = list(self._tinted(console, options))
        return segments

    def _tinted(self, console, options):
        color, tints = self.color, _TINTS
        if len(tints) > _TINTS_MOST:
            tints.clear()
        for segment in console.render(self.screen._compositor, options):
            text, style, control = segment
            if control:
                yield segment
                continue
            tinted = tints.get((color, style))
            if tinted is None:
                tinted = tints[color, style] = next(iter(self.process_segments([Segment(" ", style)], color))).style
            yield Segment(text, tinted)


class Dialog(ModalScreen):
    """A modal prompt or confirmation that leaves the screens beneath as they are."""

    async def _on_resize(self, event) -> None:
        """Textual's Screen._on_resize without re-laying out a screen beneath whose size is
        the same (the app sets no breakpoints, the rest of Textual's handler, which
        prevent_default keeps from running after this one)."""
        event.stop()
        event.prevent_default()
        self._screen_resized(event.size)
        for screen in self.app._background_screens:
            if screen._size != event.size:
                screen._screen_resized(event.size)

    def remove(self):
        """Remove the closed dialog without Textual's refresh of its parent, the app, with a
        layout: that laid out and repainted the whole main screen a second time, after the
        repaint its resume asks for (the one that takes the dimming away)."""
        return self.app._prune(self, parent=None)

    _kept: dict | None = None  # the tinted screen beneath, while it shows the same

    def render(self):
        shown = super().render()
        if type(shown) is BackgroundScreen:
            if self._kept is None:
                self._kept = {}
            return KeptTint(shown.screen, shown.color, self._kept)
        return shown

    _beneath = 0  # counts the changes of the screen beneath while the dialog is open
    _content_key: tuple | None = None

    def refresh(self, *regions, **kwargs):
        """A refresh of regions is the screen beneath changing (Textual passes its dirty
        regions up to the screen on top): its kept tint is dropped."""
        if regions:
            self._beneath += 1
            if self._kept:
                self._kept.clear()
        return super().refresh(*regions, **kwargs)

    def _render_content(self) -> None:
        """Textual's Widget._render_content, kept while the size, the style and the screen
        beneath are the same: a new screen's refreshes as it opens and lays out had it cut
        the whole tinted screen beneath into lines three times."""
        key = (self.size, self.visual_style, self.styles.background, self._beneath)
        if key == self._content_key and self._render_cache.size == self.size:
            self._dirty_regions.clear()
            return
        super()._render_content()
        self._content_key = key


class Prompt(Dialog):
    BINDINGS = bindings("prompt")

    def __init__(self, question: str, value: str = "", hint: str = "", keep_on_escape: bool = False):
        """`keep_on_escape`: for a memo, Esc gives back what was typed too and the text is not
        selected when the prompt opens, so that neither leaving it nor typing loses what it held."""
        super().__init__()
        self.question, self.value, self.hint, self.keep_on_escape = question, value, hint, keep_on_escape

    def compose(self):
        with Vertical(id="prompt", classes="dialog"):
            yield Label(clean(self.question), classes="dialog-title", markup=False)
            # a memo is typed on to (its text not selected, lest a key replace it); a name is retyped
            yield Input(self.value, id="prompt-input", select_on_focus=not self.keep_on_escape)
            yield Label(clean(self.hint) or "enter ok · esc cancel", classes="dialog-help", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(self.query_one(Input).value if self.keep_on_escape else None)
