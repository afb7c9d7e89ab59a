"""A memo being written: a Markdown TextArea saved as you type and on leaving.

A save comes after a short pause in typing, and also at the latest MAX_WAIT after the
first unsaved key, so that steady typing (which never pauses) is saved too: a kill or a
crash loses at most about a second of typing.

The TextArea is made the first time a memo is opened, not with the app: importing it (and
textual's document, edit history and theme modules) was 25-50 ms of the first frame, for
a pane hidden until `m`.

The saves of one spell of editing (from opening the memo to leaving it) are one undo
step: each save after the first continues the one before (`Memos.edit(amends=)`), so `u`
takes back the whole spell, however many saves the typing took.
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label

from typing import TYPE_CHECKING

from store.model import MEMO_TARGET_TABLES
from tui.widgets.keys import bindings, clean

if TYPE_CHECKING:
    from textual.widgets import TextArea

SAVE_AFTER = 0.5  # seconds of no typing before the memo is written
MAX_WAIT = 1.0  # seconds from the first unsaved key to a save, however steady the typing


class MemoEditor(Vertical):
    """Edits the memo of one kind on one target; creates it on the first non-empty save."""

    BINDINGS = bindings("memo")

    class Left(Message):
        """The coder pressed escape: the memo is saved; the parent decides where focus goes."""

    def __init__(self, project, **kwargs):
        super().__init__(**kwargs)
        self.project = project
        self.kind = ""
        self.target: str | None = None
        self.memo = None
        self._timer = None
        self._deadline = None  # the MAX_WAIT timer, started by the first unsaved key
        self._spell: int | None = None  # the action that saved this spell's typing so far
        self._create = None  # how a new memo of a kind not found by its target is made (annotations)
        self._area = None  # the TextArea, made when a memo is first shown

    def compose(self):
        yield Label("", id="memo-title", markup=False)

    @property
    def area(self) -> TextArea:
        if self._area is None:
            from textual.widgets import TextArea

            self._area = TextArea("", id="memo-text", soft_wrap=True, tab_behavior="focus")
            self.mount(self._area)
        return self._area

    def edit(self, kind: str, target: str | None, title: str, memo=None, create=None) -> None:
        """Show the memo of `kind` on `target` (or `memo` itself, for journal entries and
        annotations); `create(text)` makes a new one on the first non-empty save."""
        self.save()
        self._spell = None
        self.kind, self.target, self._create = kind, target, create
        existing = self.project.memos.on(target, kind) if memo is None and self._by_target else []
        self.memo = memo or (existing[0] if existing else None)
        self.query_one("#memo-title", Label).update(clean(title))
        with self.area.prevent(type(self.area).Changed):
            self.area.load_text(self.memo.text if self.memo else "")
        self.area.move_cursor(self.area.document.end)

    def sync(self) -> None:
        """Follow the store after undo, redo or a delete: show the memo as it now is.

        `self.memo` is what was last saved or loaded; when the store holds something else,
        the pane reloads (an undone memo empties it) and any pending save is dropped, so a
        debounced save never re-creates a memo that was undone.
        """
        if not self.kind or not self.is_mounted:
            return
        memos = self.project.state.memos
        if self.memo is not None:
            current = memos.get(self.memo.id)
        elif self._by_target:
            existing = self.project.memos.on(self.target, self.kind)
            current = existing[0] if existing else None
        else:
            return
        if current == self.memo:
            return
        self._stop_timers()
        self._spell = None
        self.memo = current
        with self.area.prevent(type(self.area).Changed):
            self.area.load_text(current.text if current else "")
        self.area.move_cursor(self.area.document.end)

    @property
    def _by_target(self) -> bool:
        """Whether the memo is the one of its kind on its target (a journal entry or an annotation is one of many)."""
        return self.kind not in ("journal", "annotation")

    def target_exists(self) -> bool:
        if self.kind in MEMO_TARGET_TABLES:
            return self.target in self.project.state.table(MEMO_TARGET_TABLES[self.kind])
        return True

    def close(self) -> None:
        """Save, then forget the memo (the pane is being hidden)."""
        self.save()
        self.kind, self.target, self.memo, self._spell, self._create = "", None, None, None, None

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_AFTER, self.save)
        if self._deadline is None:
            self._deadline = self.set_timer(MAX_WAIT, self.save)

    def _stop_timers(self) -> None:
        for timer in (self._timer, self._deadline):
            if timer is not None:
                timer.stop()
        self._timer = self._deadline = None

    def save(self) -> None:
        """Write the text now (a no-op when unchanged); errors are shown, never raised."""
        self._stop_timers()
        if not self.kind or not self.is_mounted:
            return
        text = self.area.text
        seq = self.project.seq
        if self.memo is not None:
            self.memo = self.app.store(self.project.memos.edit, self.memo, text, self._spell) or self.memo
        elif text.strip() and self._create is not None:
            self.memo = self.app.store(self._create, text)
        elif text.strip():
            self.memo = self.app.store(self.project.memos.add, self.kind, self.target, text)
        if self.project.seq != seq:
            self._spell = self.project.seq
        self.app.project_changed()

    def action_back(self) -> None:
        self.save()
        self._spell = None
        self.post_message(self.Left())
