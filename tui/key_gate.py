"""Keys typed in a burst land where a slow typist's would.

Textual hands each key to the widget focused when the key arrives, before the keys ahead
of it have been handled. So a key pressed right after `c` went to the reader rather than to
the picker `c` opens, and one pressed right after Enter in the picker went into the name
being created. The gate hands on a key only once everything the keys before it set going
has settled (no messages waiting anywhere on the screen stack); keys arriving before then
wait, in order, and are handed on one at a time as the app settles. A key arriving while
all is quiet goes straight through, so typing at a normal pace costs nothing; so does a key
following a letter typed into a text field (a memo, a filter), which opens nothing, so fast
typing in the memo is not slowed.
"""

from __future__ import annotations

import sys
from time import monotonic

from textual import events
from textual.widgets import Input

CHECK_EVERY = 0.004  # seconds between looks while keys wait
GIVE_UP = 1.0  # a key never waits longer than this for the app to settle


def _text_areas() -> tuple[type, ...]:
    """TextArea, once something has imported it (the memo pane makes its own when first
    opened: importing it for this check cost the first frame 20 ms)."""
    module = sys.modules.get("textual.widgets._text_area")
    return (module.TextArea,) if module is not None else ()


class KeyGate:
    """The app's keys, held while the app is busy with the keys before them."""

    def __init__(self, app):
        self.app = app
        self.waiting: list[events.Key] = []
        self.since = 0.0  # when the oldest waiting key arrived
        self.timer = None
        self.typed_into = None  # the text field the last key handed on was a letter typed into

    def admit(self, event: events.Key) -> bool:
        """True: the app may handle `event` now. False: the gate keeps it for later."""
        if not self.waiting and (self.typing_on() or self.settled()):
            self._handed_on(event)
            return True
        if not self.waiting:
            self.since = monotonic()
        self.waiting.append(event)
        self._look_again()
        return False

    def settled(self) -> bool:
        """No message is waiting in the app or any widget of any screen on the stack."""
        app = self.app
        if app.message_queue_size:
            return False
        for screen in app.screen_stack:
            if any(node.message_queue_size for node in screen.walk_children(with_self=True)):
                return False
        return True

    def typing_on(self) -> bool:
        """The last key was a letter typed into the field still focused: nothing it set
        going can move the focus, so the next key may follow it straight away."""
        return self.typed_into is not None and self.typed_into is self._target()

    def _target(self):
        """Where keys go: the open dialog (a prompt's Input) or the open picker's active
        part (the focus stays beneath them), else the focused widget."""
        from tui.screens.code_picker import CodePicker
        from tui.screens.prompt import Dialog

        dialog = Dialog.shown_on(self.app.screen)
        if dialog is not None:
            return dialog.key_target
        picker = CodePicker.shown_on(self.app.screen)
        return picker.active if picker is not None else self.app.focused

    def _handed_on(self, event: events.Key) -> None:
        focused = self._target()
        letter = event.is_printable and not (event.character or "").isdigit()  # a digit may pick a hit
        field = isinstance(focused, (Input, *_text_areas())) or getattr(focused, "takes_letters", False)
        self.typed_into = focused if letter and field else None

    def _look_again(self) -> None:
        if self.timer is None:
            self.timer = self.app.set_timer(CHECK_EVERY, self._release)

    async def _release(self) -> None:
        """Hand on the oldest waiting key, if the app has settled (or waited too long)."""
        self.timer = None
        if not self.waiting:
            return
        if self.typing_on() or self.settled() or monotonic() - self.since > GIVE_UP:
            key = self.waiting.pop(0)
            self.since = monotonic()
            self._handed_on(key)
            await self.app.handle_key_now(key)
        if self.waiting:
            self._look_again()
