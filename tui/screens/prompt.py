"""A one-line question: a new name, a definition, a colour, a search pattern.

`Dialog` is the base of a prompt and a confirmation (tui/screens/confirm.py). It is not a
screen. A pushed, dimmed ModalScreen cost 58-108 ms above the floor to open with 5,000
codes (Textual's own opening of an empty app's dimmed modal is 68-81 ms: composing and
styling its widgets, the focus moving, the whole screen beneath rendered and tinted, and a
full repaint to take the dimming away on closing). So a dialog is the code picker's kind
(tui/screens/code_picker.py): an overlay on its own layer (`dialog`, app.tcss) of the screen
it opens on, mounted the first time a dialog of its kind is asked for there and then kept,
shown and hidden; it is not dimmed.

The focus never moves to it: Textual repaints the whole screen when the focus moves. The
app hands every key (and paste) to the open dialog instead (`MarginApp.ask`, `app.dialog`,
`Dialog.take_key`). A prompt's Input is never focused but looks it (its `has_focus` is
set, so its `:focus` style, cursor and selection show) and gets the keys the app hands on:
the prompt's keymap keys first (`bindings("prompt")`: esc), then the Input's own bindings
(enter, ←→, backspace...), then the text typed. Each keystroke repaints the Input only.
"""

from __future__ import annotations

import weakref

from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input, Label

from tui.screens.code_picker import KeptLabel, KeptLines, pasted_as_name, refused
from tui.widgets.keys import bindings, clean, run_binding

DIALOG_WIDTH = 70  # as in app.tcss .dialog
OK_CANCEL = "enter ok · esc cancel"

_SHOWN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # screen -> its open dialogs, last opened last
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # screen -> the dialogs mounted on it


class Dialog(KeptLines, Vertical):
    """An overlay question. Made with its question, handed to `MarginApp.ask(dialog, done)`,
    which shows it (or the one of its kind kept on the screen, given this one's question)
    and calls `done(answer)` once it is answered."""

    DEFAULT_CSS = "Dialog { layer: dialog; display: none; }"
    SCOPE = ""  # the keymap's table of this dialog's keys
    FIXED_ROWS = 2  # its border

    def __init__(self, **kwargs):
        super().__init__(classes="dialog", **kwargs)
        self.is_open = False
        self._done = None
        self._keys: dict[str, str] = {}  # key -> action, from the app's keymap
        self._pending = None  # the `done` of an opening asked for before it was mounted
        self._ready = False

    # ------------------------------------------------------------------ finding it

    @classmethod
    def shown_on(cls, screen) -> Dialog | None:
        """The dialog open on `screen` (the last opened), if any; asked on every key: no query."""
        shown = _SHOWN.get(screen)
        return shown[-1] if shown else None

    @classmethod
    def kept_on(cls, screen, kind: type) -> Dialog | None:
        """A closed dialog of `kind` mounted on `screen`, to be asked again."""
        for dialog in _KEPT.get(screen, ()):
            if type(dialog) is kind and not dialog.is_open and dialog.is_attached:
                return dialog
        return None

    def on_mount(self) -> None:
        _KEPT.setdefault(self.screen, []).append(self)
        keymap = getattr(self.app, "keymap", None)
        actions = keymap.scope(self.SCOPE) if keymap is not None else []
        self._keys = {key: action.name for action in actions for key in action.keys}
        self._ready = True
        if self._pending is not None:
            done, self._pending = self._pending, None
            self.open(done[0])

    def on_unmount(self) -> None:
        for table in (_KEPT, _SHOWN):
            for kept in table.values():
                if self in kept:
                    kept.remove(self)

    # ------------------------------------------------------------------ asking

    def take_over(self, other: Dialog) -> None:
        """Ask `other`'s question (this one is kept, `other` never mounted)."""

    def open(self, done) -> None:
        """Show the dialog over the screen it is on; `done(answer)` once it is answered."""
        self._done = done
        self.is_open = True
        if not self._ready:  # mounted just now: it opens once mounted
            self._pending = (done,)
            return
        self._opened()

    def _opened(self) -> None:
        shown = _SHOWN.setdefault(self.screen, [])
        if self in shown:
            shown.remove(self)
        shown.append(self)
        self.fit(self.app.size.width, self.app.size.height)
        self.display = True

    def fit(self, width: int, height: int) -> None:
        """Centre the dialog on a `width` x `height` screen: its rows are counted as its
        text wraps (its height stays auto, so a miscount only moves it, never cuts it)."""
        wide = min(DIALOG_WIDTH, width)
        rows = self.FIXED_ROWS + self.rows_of_text(max(1, wide - 4))
        self.styles.width = wide
        self.styles.offset = ((width - wide) // 2, max(0, (height - rows) // 2))

    def rows_of_text(self, width: int) -> int:
        return 0

    def _wrapped(self, text: str, width: int) -> int:
        return max(1, len(Text(text).wrap(self.app.console, width)))

    def dismiss(self, answer) -> None:
        """Close with `answer`, once (keys typed fast may answer twice before it closes)."""
        if not self.is_open:
            return
        self.is_open = False
        self.display = False
        shown = _SHOWN.get(self.screen)
        if shown and self in shown:
            shown.remove(self)
        done, self._done = self._done, None
        if done is not None:
            done(answer)

    # ------------------------------------------------------------------ keys

    @property
    def key_target(self):
        """Where the keys go, for the key gate: the dialog (a prompt: its Input)."""
        return self

    async def take_key(self, event: events.Key) -> None:
        """Every key while the dialog is open: its keymap's keys, then `_own_key`, then the
        app's bindings (F1, F2, ctrl+p...) for a key that types nothing, never those of the
        screen or the widget focused beneath (as under a modal screen)."""
        action = self._keys.get(event.key)
        if action is not None:
            getattr(self, f"action_{action}")()
        elif not await self._own_key(event) and not (event.is_printable and event.character) \
                and event.key not in ("tab", "shift+tab"):
            await run_binding(self.app, event.key, (self.app,))

    async def _own_key(self, event: events.Key) -> bool:
        return False

    def paste(self, text: str) -> None:
        """Pasted text: a prompt's Input takes it."""



def _say(label, text: str) -> None:
    """Show `text` in `label` unless it shows it already (an update re-renders it). No
    layout of its own: the dialog's showing lays the screen out (and an open dialog's
    label never changes)."""
    if str(label.content) != text:
        label.update(text, layout=False)


class DialogInput(Input):
    """The prompt's Input: never focused (the focus stays beneath), it shows as focused
    and takes the keys its prompt hands on."""

    takes_letters = True  # the key gate lets letters typed here through without waiting
    # Its width as typed (a ScrollView's virtual size) without a layout: Textual's lays out
    # the whole screen on each key, and an Input's size never depends on its text.
    virtual_size = Reactive(Size(0, 0), repaint=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_focus = False

    def on_mount(self) -> None:
        self.has_focus = True  # its :focus style, cursor and selection; set once, while mounted

    async def take_key(self, event: events.Key) -> bool:
        """The Input's bindings (the app's keymap applied) and typing; False for another key."""
        bindings_ = self._bindings.copy()
        if self.app._keymap:
            bindings_.apply_keymap(self.app._keymap)
        for binding in bindings_.key_to_bindings.get(event.key, ()):
            if binding.action == "submit" and isinstance(self.parent, Prompt):
                self.parent.submit(self.value)  # at once, not by a Submitted message's round
                return True
            if await self.app.run_action(binding.action, self):
                self._restart_blink()
                return True
        if event.is_printable and event.character:
            await self._on_key(event)
            return True
        return False

    def start(self, value: str, select: bool) -> None:
        """Show `value`, all of it selected or the cursor at its end, the cursor blinking."""
        from textual.widgets._input import Selection

        self.value = value
        self.selection = Selection(0, len(value)) if select and value else Selection.cursor(len(value))
        self._restart_blink()
        if self.cursor_blink and self._blink_timer is not None:
            self._blink_timer.resume()

    def stop_blinking(self) -> None:
        if self._blink_timer is not None:
            self._blink_timer.pause()


class Prompt(Dialog):
    BINDINGS = bindings("prompt")
    SCOPE = "prompt"
    FIXED_ROWS = 2 + 3  # the border and the Input

    def __init__(self, question: str, value: str = "", hint: str = "", keep_on_escape: bool = False,
                 name_check=None):
        """`keep_on_escape`: for a memo, Esc gives back what was typed too and the text is not
        selected when the prompt opens, so that neither leaving it nor typing loses what it held.
        `name_check`: the prompt of a code name. Enter runs `name_check(value)`, and a refusal
        it raises (a MarginError) is shown while the prompt stays open with what was typed;
        a pasted line break is refused as the command line refuses it (at the end, dropped)."""
        super().__init__(id=None)
        self.question, self.value, self.hint, self.keep_on_escape = question, value, hint, keep_on_escape
        self.name_check = name_check
        self._input: DialogInput | None = None

    def compose(self):
        yield KeptLabel(clean(self.question), classes="dialog-title", markup=False)
        # a memo is typed on to (its text not selected, lest a key replace it); a name is retyped
        yield DialogInput(self.value, id="prompt-input", select_on_focus=not self.keep_on_escape)
        yield KeptLabel(clean(self.hint) or OK_CANCEL, classes="dialog-help", markup=False)

    @property
    def input(self) -> DialogInput:
        if self._input is None:
            self._input = self.query_one(DialogInput)
        return self._input

    @property
    def key_target(self):
        return self.input

    def take_over(self, other: Prompt) -> None:
        self.question, self.value, self.hint, self.keep_on_escape = other.question, other.value, other.hint, other.keep_on_escape
        self.name_check = other.name_check
        title, help_line = self.query(Label)
        _say(title, clean(self.question))
        _say(help_line, clean(self.hint) or OK_CANCEL)
        self.input.select_on_focus = not self.keep_on_escape

    def _opened(self) -> None:
        self.input.start(self.value, select=not self.keep_on_escape)
        super()._opened()

    def rows_of_text(self, width: int) -> int:
        return self._wrapped(clean(self.question), width) + self._wrapped(clean(self.hint) or OK_CANCEL, width)

    async def _own_key(self, event: events.Key) -> bool:
        return await self.input.take_key(event)

    def paste(self, text: str) -> None:
        if self.name_check is None:
            self.input._on_paste(events.Paste(text))
        elif (name := pasted_as_name(self.app, text)) is not None:
            self.input._on_paste(events.Paste(name))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    def submit(self, value: str) -> None:
        """Enter: close with `value`, unless the name check refuses it (it then stays open)."""
        if self.name_check is None or not refused(self.app, self.name_check, value):
            self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(self.input.value if self.keep_on_escape else None)

    def dismiss(self, answer) -> None:
        if self.is_open:
            self.input.stop_blinking()
        super().dismiss(answer)
