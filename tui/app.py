"""The Margin app: panes, the reader, and the flows behind each key.

The app holds the open Project and turns key presses into store calls. Every store call
goes through `store()`, which shows a `MarginError` as an error notification instead of
crashing; after a change `project_changed()` redraws whatever shows project data.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import time
from functools import partial

from textual import events
from textual.app import App
from textual.command import SimpleCommand
from textual.containers import Horizontal

import keymaps
from store import annotations
from store.code_search import near_duplicate_warning, recent_codes
from store.codebook import describe_impact, in_vivo_name
from store.errors import MarginError
from tui import ui_state
from tui.key_gate import KeyGate
from tui.screens.code_picker import CodePicker, Pick
from tui.screens.confirm import Confirm
from tui.screens.prompt import Dialog, Prompt
from tui.widgets.codes_pane import CodesPane
from tui.widgets.bands import render_in_bands
from tui.widgets.documents_pane import DocumentsPane
from tui.widgets.fit import SIDES, WIDE, fit_panes
from tui.widgets.keys import bindings, changed_keys, clean
from tui.widgets.memo_editor import MemoEditor
from tui.widgets.palette import ActionProvider, Palette
from tui.widgets.reader import Reader
from tui.widgets.status_line import StatusLine
from store.text import plural

PANES = ("#documents", "#reader", "#memo", "#codes")
POSITION_EVERY = 1.0  # seconds between saves of the reading position while it moves
IDLE = 1.0  # seconds without a key after which a due checkpoint is written
SCREENS_PER_COLLECTION = 8  # screens closed before an idle moment collects the whole heap (pop_screen)
IDLE_CHECK = 0.25  # seconds between looks at whether the app is idle


class MarginApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Margin"
    BINDINGS = bindings("app")
    COMMANDS = {ActionProvider}
    COMMAND_PALETTE_BINDING = "ctrl+backslash"  # ctrl+p is app.command_palette in the key table

    def __init__(self, project, keymap: keymaps.Keymap | None = None, handle_signals: bool = False, blind: bool = False):
        super().__init__()
        self.project = project
        if blind:  # only the coder's own codings anywhere
            from store.team.blind import BlindView

            self.project = BlindView(project)
        self.keymap = keymap or keymaps.load(user=_nowhere())
        self.handle_signals = handle_signals
        self.last_code: str | None = None
        self._tab_shown: str | None = None  # the hidden side pane Tab is showing
        self._wanted: dict[str, bool | None] = {"documents": None, "codes": None}  # None: shown when wide
        self._order = ["codes", "documents"]  # the side panes, most recently asked for first
        self.recent: list[str] = []  # the codes last applied, newest first (see _recent_at_start)
        self._saved_recent: list[str] | None = None
        gc.freeze()  # the open project, before the first frame: see settle_heap
        self.crash: BaseException | None = None  # the error the app stopped on (launch reports it)
        self._saved_position: tuple[str, int] | None = None
        self.analysis_settings = None  # the analysis screen's settings: it opens where it was left
        self._auto_checkpoint = project.auto_checkpoint
        project.auto_checkpoint = False  # checkpoints wait for idle time (checkpoint_when_idle)
        self._last_key = time.monotonic()
        self._heap_settled = False  # whether the heap was frozen since the last key
        self._screens_closed = 0  # since the heap was last collected whole
        self.key_gate = KeyGate(self)  # keys typed in a burst wait for the keys before them
        self._status: StatusLine | None = None  # the main screen's, found once (see _status_line)
        self._reader: Reader | None = None  # found once (see reader)

    def compose(self):
        with Horizontal(id="main"):
            yield DocumentsPane(self.project, id="documents")
            with Horizontal(id="centre"):  # the memo goes beside the reader, or below it when narrow
                yield Reader(self.project, id="reader")
                yield MemoEditor(self.project, id="memo")
            yield CodesPane(self.project, id="codes")
        yield StatusLine(id="status")
        yield CodePicker(self.project)

    def on_mount(self) -> None:
        render_in_bands(self.screen._compositor)  # a changed turn and the status line repaint only those lines
        self.set_keymap(changed_keys(self.keymap))
        for problem in self.keymap.problems:
            self.notify(clean(problem), title="Keymap", severity="error", timeout=15)
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGTERM, self.exit_saving)
            loop.add_signal_handler(signal.SIGHUP, self.terminal_gone)
        self.fit_panes()
        self.query_one(CodesPane).reload()
        documents = self.project.documents.all()
        last = ui_state.last_position(self.project.meta.get("id", ""))
        if last and last[0] in self.project.state.documents:
            self.open_document(*last)  # where this project was last read
        elif documents:
            self.open_document(documents[0].id)
        else:
            self.query_one(DocumentsPane).reload()
        self.recent = self._recent_at_start()
        self.reader.focus()
        self.watch(self.screen, "focused", self._focus_moved, init=False)
        self.set_interval(POSITION_EVERY, self.remember_position)
        self.set_interval(IDLE_CHECK, self.checkpoint_when_idle)

    def _recent_at_start(self) -> list[str]:
        """The codes last applied in the app here (kept in the user's state folder), else the
        coder's newest in the document shown. Not from every coding of the project: building
        them all took seconds and 290 MB at 200,000 codings, before the first frame."""
        codes = self.project.state.codes
        self._saved_recent = ui_state.recent_codes(self.project.meta.get("id", ""))
        if self._saved_recent is not None:
            return [c for c in self._saved_recent if c in codes]
        if self.document is not None:
            self._saved_recent = recent_codes(self.project, codings=self.project.state.codings_of(self.document.id).values())
        return list(self._saved_recent or [])  # kept once a code is applied here

    def settle_heap(self) -> None:
        """Keep Python's cycle collector off the project's objects. Each full collection
        walked every object alive (377 ms at 200,000 codings, in the middle of a key, and
        1.6 s of the first frame); frozen objects are never walked. The first freeze is as
        the app is made, the project open; later ones, at idle, first collect what is
        garbage (walking only what was made since)."""
        gc.collect()
        gc.freeze()
        self._heap_settled = True

    def on_unmount(self) -> None:
        """Write a due checkpoint as the app closes, and give the project back as it came."""
        self.project.checkpoint_if_due()
        self.project.auto_checkpoint = self._auto_checkpoint
        gc.unfreeze()

    def pop_screen(self):
        """A screen that was open when the heap was frozen stays in the frozen heap when it
        closes (its widgets make cycles, which only the collector frees, and it never walks
        frozen objects): about 5,000 objects per analysis screen opened and closed. Every
        SCREENS_PER_COLLECTION closes, the next idle moment collects the whole heap once
        (0.25-0.4 s at 200,000 codings; never inside a key), so a long session's memory
        stays bounded."""
        self._screens_closed += 1
        return super().pop_screen()

    def checkpoint_when_idle(self) -> None:
        """Rewrite the project files (every 200 actions: 53-221 ms at 50,000-200,000
        codings) and settle the heap only after IDLE seconds without a key, so that no key
        ever waits for either; every change is already durable in the log."""
        if time.monotonic() - self._last_key < IDLE:
            return
        if self.project.checkpoint_due:
            self.store(self.project.checkpoint_if_due)
        if self._screens_closed >= SCREENS_PER_COLLECTION:
            self._screens_closed, self._heap_settled = 0, False
            gc.unfreeze()  # the settling below then walks everything, the closed screens too
        if not self._heap_settled:
            self.settle_heap()
        self.warm_analysis()

    def warm_analysis(self) -> None:
        """At idle, build the analysis screen's views ahead (in a thread; a large project's only)."""
        from tui.screens.analysis_warm import warm

        warm(self)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_key, self._heap_settled = time.monotonic(), False
            if (status := self._status_line()) is not None:
                status.key_pressed()  # the notice said before this key was read
            if not event.is_forwarded and not self.key_gate.admit(event):
                return
        if not (isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded and await self._to_overlay(event)):
            await super().on_event(event)

    async def handle_key_now(self, event) -> None:
        """A key the gate held, handed on now that the keys before it have settled."""
        if not await self._to_overlay(event):
            await super().on_event(event)

    async def _to_overlay(self, event) -> bool:
        """An open dialog, else an open picker, takes the keys itself: the focus stays
        beneath (see prompt.py and code_picker.py)."""
        dialog = Dialog.shown_on(self.screen)
        if dialog is not None:
            if isinstance(event, events.Paste):
                dialog.paste(event.text)
            else:
                await dialog.take_key(event)
            return True
        picker = CodePicker.shown_on(self.screen)
        if picker is None:
            return False
        if isinstance(event, events.Paste):
            picker.paste(event.text)
        else:
            await picker.take_key(event)
        return True

    @property
    def reader(self) -> Reader:
        """The main screen's reader, found once (a query walks every widget; a key asked
        for it several times)."""
        reader = self._reader
        if reader is None or not reader.is_attached:
            reader = self._reader = self.query_one(Reader)
        return reader

    @property
    def document(self):
        return self.reader.document

    # ------------------------------------------------------------------ plumbing

    def store(self, call, *args, **kwargs):
        """Run a store call; a MarginError becomes an error notification and None."""
        try:
            return call(*args, **kwargs)
        except MarginError as error:
            self.notify(clean(error.message), severity="error", timeout=8)
            return None
        finally:
            while self.project.warnings:
                self.notify(clean(self.project.warnings.pop(0)), severity="warning", timeout=10)

    def project_changed(self) -> None:
        if self.document is not None and self.document.id not in self.project.state.documents:
            self._document_gone()
        memo = self.query_one("#memo", MemoEditor)
        memo.sync()
        if self.has_class("memo-open") and not memo.target_exists():
            self.close_memo()  # its coding or document was removed (or its creation undone)
        self.reader.refresh_codings()
        self.query_one(CodesPane).reload()
        self.query_one(DocumentsPane).reload(self.document.id if self.document else None)

    def _document_gone(self) -> None:
        """The document being read was removed (an undone import): read the first one left."""
        name = self.document.name
        remaining = self.project.documents.all()
        if remaining:
            self.open_document(remaining[0].id)
        self.notify(f"{clean(name)} is no longer in the project", severity="warning")

    def on_reader_changed(self, event: Reader.Changed) -> None:
        self._status_line().show(self.reader, self.focused_pane())

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None, markup=False) -> None:
        """One notification at a time, said in the status line on the main screen and on
        one line over it elsewhere (app.tcss), so it never covers the text; the title goes
        in front; project text is never markup."""
        super().notify(f"{title}: {message}" if title else message, severity=severity, timeout=timeout, markup=markup)

    def _on_notify(self, event) -> None:
        """Drop the notification shown; Textual's App._on_notify, called next, adds the new one."""
        self._notifications.clear()

    def _refresh_notifications(self) -> None:
        """On the main screen the status line says the notification (a one-line repaint;
        a toast is a widget mounted and laid out, 50-70 ms of an apply at 5,000 codes);
        other screens show it as a one-line toast."""
        status = self._status_line()
        if status is not None and self.screen is self.screen_stack[0]:
            status.say(next(iter(self._notifications), None))
        else:
            super()._refresh_notifications()

    def _status_line(self) -> StatusLine | None:
        """The main screen's status line, None once it is gone (the app closing). Kept: a
        query walks every widget of the screen, and every key asked for it up to three times."""
        status = self._status
        if status is None or not status.is_attached:
            found = self.screen_stack[0].query(StatusLine) if self.screen_stack else ()
            status = self._status = found.first() if found else None
        return status

    def handle_bindings_clash(self, clashed_bindings, node) -> None:
        keys = ", ".join(sorted({b.key for b in clashed_bindings}))
        self.notify(f"Keymap: {keys} is bound twice in {node.__class__.__name__}; check your keymap.toml",
                    severity="error", timeout=15)

    def exit_saving(self) -> None:
        """Quit after writing any memo being typed (also on SIGHUP and SIGTERM)."""
        self._save_memos()
        self.remember_position()
        self.exit()

    def terminal_gone(self) -> None:
        """SIGHUP: the terminal (an SSH connection, a tmux pane) went away. Save the memo
        being typed, close the project (checkpoint, lock released) and stop at once:
        Textual's own shutdown writes to the lost terminal, and its output thread, dead on
        the write error, then left the app waiting for ever with the project locked."""
        try:
            self._save_memos()
            self.remember_position()
            self.project.close()
        finally:
            os._exit(0)

    def remember_position(self) -> None:
        """Keep where the reader is in the user's state folder, if it moved since last time."""
        readers = self.screen_stack[0].query(Reader) if self.screen_stack else ()
        reader = readers.first() if readers else None  # none once the app is closing
        here = (reader.document.id, reader.cursor) if reader is not None and reader.document else None
        project_id = self.project.meta.get("id")
        recent = self.recent if self.recent != (self._saved_recent or []) else None
        if project_id and (here and here != self._saved_position or recent is not None):
            ui_state.remember(project_id, *(here or (None, None)), recent=recent)
            self._saved_position, self._saved_recent = here or self._saved_position, self.recent

    def _handle_exception(self, error: Exception) -> None:
        """Stop on an unexpected error without printing Textual's traceback (it shows every
        local variable, transcript text included); launch.py writes a private report."""
        if self.crash is None:
            self.crash = error
            for save in (self._save_memos, self.remember_position):
                try:
                    save()
                except Exception:  # noqa: BLE001 - the app is already failing; keep the first error
                    pass
        super()._handle_exception(error)
        self._exit_renderables.clear()

    def run_palette_action(self, selector: str | None, action: str) -> None:
        target = self if selector is None else self.query_one(selector)
        self.call_later(target.run_action, action)

    # ------------------------------------------------------------------ app keys

    def action_quit(self) -> None:
        self.exit_saving()

    def action_show_others(self) -> None:
        """Blind double coding: show or hide the other coders' codings (opened with --blind)."""
        from store.team.blind import BlindView

        if not isinstance(self.project, BlindView):
            self.notify("Open with `margin open --blind` (or MARGIN_BLIND=1) to code blind", timeout=6)
            return
        self.project.blind = not self.project.blind
        self.project_changed()
        self.on_reader_changed(None)
        self.notify("Blind: only your codings" if self.project.blind else "Showing every coder's codings", timeout=4)

    def action_command_palette(self) -> None:
        """Textual's, opening the palette whose list stops at its ends."""
        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette(id="--command-palette"))

    def action_help(self) -> None:
        self.clear_notifications()  # a stale toast ("Nothing to redo") would cover the keys
        from tui.screens.help import Help

        self.push_screen(Help(self.keymap))

    def action_open_document(self) -> None:
        commands = [
            SimpleCommand(clean(d.name), partial(self.open_document, d.id),
                          " ".join(f"{clean(k)}={clean(v)}" for k, v in d.attributes.items()))
            for d in self.project.documents.all()
        ]
        self.search_commands(commands, placeholder="Open a document…")

    def action_cycle_panes(self) -> None:
        """Focus the next pane, left to right and round; a hidden side pane shows while focused."""
        names = ["reader", *(["memo"] if self.has_class("memo-open") else []), "codes", "documents"]
        current = self.focused_pane()
        target = names[(names.index(current) + 1) % len(names)] if current in names else "reader"
        if self._tab_shown and self._tab_shown != target:
            self._tab_shown = None
        if target in SIDES and not self.query_one(f"#{target}").display:
            self._tab_shown = target
        self.fit_panes()
        widget = self.query_one(f"#{target}")
        self.call_after_refresh((widget.area if isinstance(widget, MemoEditor) else widget).focus)

    def action_focus_next(self) -> None:
        """Tab on the main screen is the Screen's focus_next binding: cycle the panes."""
        if self.screen is self.screen_stack[0]:
            self.action_cycle_panes()
        else:
            super().action_focus_next()

    def focused_pane(self) -> str:
        """The pane holding focus on the main screen: reader, memo, documents or codes."""
        node = self.screen_stack[0].focused
        while node is not None:
            if node.id in ("reader", "memo", "documents", "codes"):
                return node.id
            node = node.parent
        return ""

    def _focus_moved(self, _focused=None) -> None:
        self._status_line().show(self.reader, self.focused_pane())

    def action_toggle_documents(self) -> None:
        self._toggle_pane("documents", self.query_one(DocumentsPane))

    def action_toggle_codes(self) -> None:
        self._toggle_pane("codes", self.query_one(CodesPane))

    def _toggle_pane(self, name: str, pane) -> None:
        """Show a hidden side pane or hide a shown one; one it squeezes out stays hidden."""
        self._wanted[name] = not pane.display
        self._order = [name, *(n for n in self._order if n != name)]
        self._tab_shown = None
        self.fit_panes(toggled=name)
        self.call_after_refresh(self._focus_after_toggle, pane)

    def _focus_after_toggle(self, pane) -> None:
        if CodePicker.shown_on(self.screen) is None and Dialog.shown_on(self.screen) is None:  # an open one keeps the keys
            (pane if pane.display else self.reader).focus()

    def _wants(self, name: str, width: int) -> bool:
        wanted = self._wanted[name]
        return width >= WIDE if wanted is None else wanted

    def fit_panes(self, toggled: str | None = None, width: int | None = None) -> None:
        """Show the side panes and the memo that fit beside a reader of at least 60 columns.

        `width` is the terminal's new width on a resize: while the Resize event is handled
        `self.size` is still the old one, and fitting to it left the panes of the last size."""
        width = self.size.width if width is None else width
        order = [self._tab_shown] if self._tab_shown else []
        order += [n for n in self._order if n != self._tab_shown and self._wants(n, width)]
        fit = fit_panes(width, order, self.has_class("memo-open"))
        for name, columns in fit.widths.items():
            pane = self.query_one(f"#{name}")
            pane.display = columns > 0
            if columns:
                pane.styles.width = columns
                if name == "documents":
                    pane.catch_up()  # its reloads wait while it is hidden
            elif toggled and name != toggled and name != self._tab_shown and self._wants(name, width):
                self._wanted[name] = False  # squeezed out by the pane just asked for
        self.query_one("#centre").set_class(not fit.memo, "-memo-below")
        self.query_one("#memo").styles.width = fit.memo or "1fr"

    def on_resize(self, event) -> None:
        self.fit_panes(width=event.size.width)
        for screen in self.screen_stack:
            if picker := CodePicker.shown_on(screen):
                picker.fit(*event.size)
            if dialog := Dialog.shown_on(screen):
                dialog.fit(*event.size)
        self.call_after_refresh(self._focus_moved)  # the status line fits the new width

    def action_analysis(self) -> None:
        """The analysis screen; Enter on a figure, then on a passage, comes back to the reader there."""
        from tui.screens.analysis import Analysis, Settings  # imported when first opened

        if self.analysis_settings is None:
            self.analysis_settings = Settings()
        if not any(isinstance(screen, Analysis) for screen in self.screen_stack):
            self.push_screen(Analysis(self.project, self.analysis_settings), self._retrieved)

    def action_disagreements(self) -> None:
        """The review of two coders' disagreements: the two (not `consensus`) with most codings."""
        from collections import Counter

        from store.team.review import CONSENSUS
        from tui.screens.disagreement import Disagreements

        if getattr(self.project, "blind", False):
            self.notify("You are coding blind: ctrl+b shows the other coders' codings first", timeout=6)
            return
        counts = Counter(c.coder for c in self.project.state.codings.values())
        coders = [k for k in self.project.state.coders.values() if counts[k.id] and k.name != CONSENSUS]
        if len(coders) < 2:
            self.notify("A review needs two coders' codings (`margin agreement` compares them)", timeout=6)
            return
        coders = sorted(sorted(coders, key=lambda k: -counts[k.id])[:2], key=lambda k: k.name)
        self.push_screen(Disagreements(self.project, coders), lambda _: self.project_changed())

    def action_journal(self) -> None:
        from tui.screens.journal import Journal  # the screens a key opens are imported when opened

        self.push_screen(Journal(self.project), lambda _: self.project_changed())

    def action_corpus_search(self) -> None:
        self.ask(Prompt("Search every document (regex, ignores case)", self.reader.pattern), self._corpus_search)

    def action_speakers(self) -> None:
        """Pick a speaker of every document or of this one, then name it (an existing name merges)."""
        from store.speakers import speakers

        here = [self.document] if self.document is not None else []
        choices = [(s, None) for s in speakers(self.project.documents.all())]
        if here and len(self.project.documents.all()) > 1:
            choices += [(s, self.document) for s in speakers(here)]
        commands = []
        for speaker, document in choices:
            where = f"in {document.name} only" if document else "in every document"
            typo = f" · a typo of {speaker.like}?" if speaker.like else ""
            commands.append(SimpleCommand(clean(f"{speaker.name} · {where}"), partial(self._rename_speaker, speaker, document),
                                          clean(f"{plural(speaker.turns, 'turn')} in {', '.join(speaker.documents[:3])}{typo}")))
        self.search_commands(commands, placeholder="Rename which speaker?")

    def _rename_speaker(self, speaker, document) -> None:
        from store.speakers import rename

        def renamed(name: str | None) -> None:
            if not name:
                return
            done = self.store(rename, self.project, speaker.name, name, document)
            if done is not None:
                self.project_changed()
                verb = "Merged" if done.merged else "Renamed"
                self.notify(clean(f"{verb} {done.old} {'into' if done.merged else 'to'} {done.new}: "
                                  f"{plural(done.turns, 'turn')} in {plural(done.documents, 'document')} (u undoes)"), timeout=4)

        where = f"in {document.name}" if document else "in every document"
        self.ask(Prompt(f"Rename speaker {speaker.name} {where} (an existing name merges them)",
                                speaker.like or speaker.name), renamed)

    # ------------------------------------------------------------------ documents

    def open_document(self, document_id: str, position: int | None = None) -> None:
        """Read a document, optionally with the cursor at `position` (nothing selected)."""
        document = self.project.state.documents.get(document_id)
        if document is None:
            return
        if self.document is None or self.document.id != document_id:
            self.close_memo(focus_reader=False)  # it is about the document being left
            self.store(self.reader.show, document, position)
            self.query_one(DocumentsPane).reload(document_id)
        elif position is not None:
            self.reader.jump(position)
        self.reader.focus()

    # ------------------------------------------------------------------ coding

    def _excerpt(self, span: tuple[int, int]) -> str:
        words = " ".join(self.reader.text[span[0] : span[1]].split())
        return words if len(words) <= 40 else words[:39] + "…"

    def code_target(self) -> None:
        span = self.reader.target_span()
        if span is None:
            self.notify("Nothing to code here: move to a turn or select some words", severity="warning")
            return
        self.pick_code(f"Code “{self._excerpt(span)}” as", self.recent, partial(self._code_picked, span))

    def ask(self, dialog: Dialog, done=None) -> None:
        """Ask `dialog`'s question (a Prompt or a Confirm) over the current screen;
        `done(answer)` once it is answered. A dialog is an overlay, not a screen: the one of
        its kind kept on the screen asks it, else `dialog` is mounted there and kept."""
        screen = self.screen
        kept = Dialog.kept_on(screen, type(dialog))
        if kept is not None:
            kept.take_over(dialog)
            kept.open(done)
            return
        screen.mount(dialog)
        dialog.open(done)

    @property
    def dialog(self) -> Dialog | None:
        """The dialog open on the current screen, if any."""
        return Dialog.shown_on(self.screen)

    def pick_code(self, title: str, recent: list[str], done, **options) -> None:
        """Open the code picker over the current screen; `done(Pick | None)` once it closes.
        The main screen's picker is made with the app; another screen gets one the first time."""
        picker = CodePicker.mounted_on(self.screen) or next(iter(self.screen.query(CodePicker)), None)
        if picker is None:
            picker = CodePicker(self.project)
            self.screen.mount(picker)
        picker.open(title, recent, done, **options)

    def _code_picked(self, span: tuple[int, int], pick: Pick | None) -> None:
        if pick is None:
            return
        if pick.code is not None:
            self._apply(pick.code, span)
            return
        self._unless_near_duplicate(pick.new_name, lambda: self._create_and_apply(pick.new_name, span))

    def _unless_near_duplicate(self, name: str, create) -> None:
        """Make a new code at once, or first ask when it is one or two typos from an existing one."""
        near = near_duplicate_warning(self.project.codebook.all(), name)
        if near:
            self.ask(Confirm(f"Create the new code “{name}”?", near), lambda yes: yes and create())
        else:
            create()

    def _create_and_apply(self, name: str, span: tuple[int, int]) -> None:
        coding = self.store(self.project.codings.apply_new_code, self.document, name, *span)
        if coding is not None:
            self._coded(self.project.state.codes[coding.code], span, new=True)

    def _apply(self, code, span: tuple[int, int]) -> None:
        if self.store(self.project.codings.apply, self.document, code, *span) is not None:
            self._coded(code, span)

    def _coded(self, code, span: tuple[int, int], new: bool = False) -> None:
        self.last_code = code.id
        self.recent = [code.id, *(c for c in self.recent if c != code.id)][:12]
        self.reader.clear_selection()
        self.project_changed()
        made = "new code " if new else ""
        self.notify(f"Coded {plural(span[1] - span[0], 'character')} as {made}{clean(self.project.codebook.path(code))}", timeout=3)

    def repeat_code(self) -> None:
        code = self.project.state.codes.get(self.last_code or "")
        span = self.reader.target_span()
        if code is None:
            self.notify("No code applied yet in this session: press c first", severity="warning")
        elif span is not None:
            self._apply(code, span)

    def code_in_vivo(self) -> None:
        span = self.reader.selection and self.reader.target_span()
        if not span:
            self.notify("Select the words first (v and a motion, or s for a sentence)", severity="warning")
            return
        name = in_vivo_name(self.reader.text[span[0] : span[1]])
        existing = self.project.codebook.find_path(name) if name else None
        if existing is not None:
            self._apply(existing, span)
        elif name:
            self._unless_near_duplicate(name, lambda: self._create_and_apply(name, span))

    def uncode_here(self) -> None:
        here = self.reader.codings_here()
        if not here:
            self.notify("No coding under the cursor", severity="warning")
        elif len(here) == 1:
            self._uncode(here[0])
        else:
            codes = self.project.state.codes
            self.search_commands(
                [SimpleCommand(clean(self.project.codebook.path(codes[c.code])), partial(self._uncode, c),
                               clean(c.text[:70])) for c in here],
                placeholder="Remove which coding?",
            )

    def _uncode(self, coding) -> None:
        self.store(self.project.codings.uncode, coding)
        self.project_changed()
        self.notify("Coding removed (u undoes)", timeout=3)

    def exemplar_here(self) -> None:
        here = self.reader.codings_here()
        if not here:
            self.notify("No coding under the cursor", severity="warning")
        elif len(here) == 1:
            self._mark_exemplar(here[0])
        else:
            codes = self.project.state.codes
            self.search_commands(
                [SimpleCommand(clean(self.project.codebook.path(codes[c.code])), partial(self._mark_exemplar, c),
                               clean(c.text[:70])) for c in here],
                placeholder="Mark which coding as an exemplar?",
            )

    def _mark_exemplar(self, coding) -> None:
        marked = self.store(self.project.codings.mark_exemplar, coding)
        if marked is None:
            return
        self.project_changed()
        path = clean(self.project.codebook.path(self.project.state.codes[marked.code]))
        self.notify(f"{'Marked' if marked.exemplar else 'Unmarked'} as an exemplar of {path} (u undoes)", timeout=3)

    def _save_memos(self) -> None:
        """Write any memo being typed now, so undo and redo see it as the newest change."""
        for screen in self.screen_stack:
            for editor in screen.query(MemoEditor):
                editor.save()

    def undo(self) -> None:
        self._save_memos()
        entry = self.store(self.project.undo)
        if entry is not None:
            self.project_changed()
            self.notify(f"Undone: {clean(entry['summary'])}", timeout=3)

    def redo(self) -> None:
        self._save_memos()
        entry = self.store(self.project.redo)
        if entry is not None:
            self.project_changed()
            self.notify(f"Redone: {clean(entry['summary'])}", timeout=3)

    # ------------------------------------------------------------------ memos

    def memo_here(self) -> None:
        if self.document is None:
            return
        here = self.reader.codings_here()
        editor = self.query_one("#memo", MemoEditor)
        if here:
            coding = here[0]
            code = self.project.state.codes.get(coding.code)
            title = f"Memo · {code.name if code else ''} · “{self._excerpt((coding.start, coding.end))}”"
            editor.edit("coding", coding.id, title)
        else:
            editor.edit("document", self.document.id, f"Memo · {self.document.name}")
        self.add_class("memo-open")
        self.fit_panes()
        self.call_after_refresh(editor.area.focus)

    def annotate_here(self) -> None:
        """`a`: a new annotation on the selection (or turn); with no selection, on an
        annotation under the cursor, edit that one. Made on the first words typed."""
        reader = self.reader
        if self.document is None:
            return
        document, editor = self.document, self.query_one("#memo", MemoEditor)
        here = annotations.at(self.project, document.id, reader.cursor) if reader.selection is None else []
        span = (here[0].start, here[0].end) if here else reader.target_span()
        if span is None:
            self.notify("Nothing to annotate here: select some words first (v)", severity="warning", timeout=4)
            return
        title = f"Annotation · “{self._excerpt(span)}”"
        create = partial(annotations.annotate, self.project, document, *span)
        editor.edit("annotation", document.id, title, memo=here[0] if here else None, create=None if here else create)
        reader.clear_selection()
        self.add_class("memo-open")
        self.fit_panes()
        self.call_after_refresh(editor.area.focus)

    def on_memo_editor_left(self, event: MemoEditor.Left) -> None:
        self.reader.focus()

    def close_memo(self, focus_reader: bool = True) -> None:
        if self.has_class("memo-open"):
            self.remove_class("memo-open")
            self.fit_panes()
            self.query_one("#memo", MemoEditor).close()
            if focus_reader:
                self.reader.focus()

    # ------------------------------------------------------------------ search

    def search_document(self) -> None:
        if self.document is not None:
            self.ask(Prompt("Search this document (regex, ignores case)", self.reader.pattern), self._searched)

    def _searched(self, pattern: str | None) -> None:
        if not pattern:
            return
        from store.search import spoken_matches

        matches = self.store(spoken_matches, self.document, self.reader.text, pattern)
        if matches is not None:
            self.reader.set_search(pattern, matches)
            self.notify(f"{plural(len(matches), 'match')} · n/N next/previous · A codes them all", timeout=4)

    def auto_code_matches(self) -> None:
        if not self.reader.matches:
            self.notify("No search matches: search with / first", severity="warning")
            return
        self._auto_code([self.document], self.reader.pattern)

    def _corpus_search(self, pattern: str | None) -> None:
        if not pattern:
            return
        from store.search import corpus_search

        hits = self.store(corpus_search, self.project, pattern)
        if hits is None:
            return
        if not hits:
            self.notify(f"No matches for {clean(pattern)!r}", severity="warning")
            return
        self.reader.pattern = pattern
        from tui.screens.search_results import SearchResults

        self.push_screen(SearchResults(pattern, hits), partial(self._search_result, pattern))

    def _search_result(self, pattern: str, result) -> None:
        """The search results closed: jump to the chosen hit (None: closed, or all coded)."""
        if result is None:
            return
        from store.search import spoken_matches

        self.open_document(hit_doc := result.document.id, result.start)
        matches = self.store(spoken_matches, self.project.state.documents[hit_doc], self.reader.text, pattern)
        if matches:
            self.reader.matches = matches

    def auto_code_hits(self, results: SearchResults) -> None:
        """`a` on the search results: auto-code the pattern in every document, the results
        staying beneath (so `n` or esc comes back to them); they close once coded."""
        self._auto_code(self.project.documents.all(), results.pattern, done=lambda: results.dismiss(None))

    def _auto_code(self, documents: list, pattern: str, done=None) -> None:
        from store.search import Rule, auto_code_spans

        rule = Rule(pattern, regex=True)
        found = self.store(auto_code_spans, self.project, documents, rule)
        if not found:
            return
        total = sum(len(s) for s in found.values())
        self.pick_code(f"Code all {plural(total, 'match')} of “{pattern}” as", self.recent,
                       partial(self._auto_code_picked, documents, rule, done))

    def _auto_code_picked(self, documents: list, rule, done, pick: Pick | None) -> None:
        """A code (or a new name) picked: ask what to code and whose turns, then code."""
        if pick is None:
            return
        if pick.code is not None:
            label, note = self.project.codebook.path(pick.code), ""
        else:
            label = f"the new code “{pick.new_name}”"
            near = near_duplicate_warning(self.project.codebook.all(), pick.new_name)
            note = (f"{near[0].upper()}{near[1:]}. " if near else "") + "One undo (u) takes it all back."

        def confirmed(chosen) -> None:
            if chosen is None:
                return  # n: back to what is beneath, the search results or the reader
            from store.search import auto_code_spans

            found = self.store(auto_code_spans, self.project, documents, chosen)
            result = found and self.store(self.project.codings.apply_across, pick.code or pick.new_name, found, chosen.describe())
            if not result:
                return
            code, made = result
            self.last_code = code.id
            self.recent = [code.id, *(c for c in self.recent if c != code.id)][:12]
            self.project_changed()
            total = sum(len(s) for s in found.values())
            self.notify(f"Coded {plural(made, 'passage')} as {clean(self.project.codebook.path(code))}"
                        f" ({total - made} already coded; u undoes)")
            if done is not None:
                done()

        from tui.screens.auto_code import AutoCode

        self.push_screen(AutoCode(self.project, documents, rule, label, note), confirmed)

    # ------------------------------------------------------------------ codes pane

    def code_retrieve(self, code) -> None:
        from tui.screens.retrieval import Retrieval

        self.push_screen(Retrieval(self.project, code), self._retrieved)

    def _retrieved(self, coding) -> None:
        if coding is not None:
            self.open_document(coding.document, coding.start)

    def code_add(self, parent) -> None:
        prefix = f"{self.project.codebook.path(parent)} > " if parent is not None else ""
        self.ask(Prompt("New code (Parent > Child makes a sub-code)", prefix, name_check=self._check_new_code),
                 self._code_added)

    def _check_new_code(self, path: str) -> None:
        if path.strip(" >"):  # else nothing is added
            self.project.codebook.check_new_path(path)

    def _code_added(self, path: str | None) -> None:
        if path and path.strip(" >"):
            self._unless_near_duplicate(path, lambda: self._add_code(path))

    def _add_code(self, path: str) -> None:
        if self.store(self.project.codebook.add, path) is not None:
            self.project_changed()

    def code_rename(self, code) -> None:
        def renamed(name: str | None) -> None:
            if name and self.store(self.project.codebook.rename, code, name) is not None:
                self.project_changed()

        def checked(name: str) -> None:
            if name:  # else nothing is renamed
                self.project.codebook.check_rename(code, name)

        self.ask(Prompt(f"Rename {self.project.codebook.path(code)}", code.name, name_check=checked), renamed)

    def code_move(self, code) -> None:
        def moved(pick: Pick | None) -> None:
            if pick is not None and self.store(self.project.codebook.move, code, pick.code) is not None:
                self.project_changed()

        self.pick_code(f"Move {self.project.codebook.path(code)} under…", [], moved,
                       allow_create=False, codable_only=False, top_level=True)

    def code_merge(self, code) -> None:
        source = self.project.codebook.path(code)

        def picked(pick: Pick | None) -> None:
            if pick is None or pick.code is None:
                return
            target = self.project.codebook.path(pick.code)
            self.ask(
                Confirm(f"Merge {source} into {target}?", "Its codings, memos and sub-codes move; it is removed."),
                lambda yes: yes and self._changed_by(self.project.codebook.merge, code, pick.code),
            )

        self.pick_code(f"Merge {source} into…", [], picked, allow_create=False, codable_only=False)

    def code_delete(self, code) -> None:
        impact = self.project.codebook.impact(code)
        said = describe_impact(impact) or "nothing else"
        self.ask(
            Confirm(f"Delete {self.project.codebook.path(code)}?", f"This also removes {said}. u undoes it."),
            lambda yes: yes and self._changed_by(self.project.codebook.delete, code, force=True),
        )

    def code_describe(self, code) -> None:
        self.ask(
            Prompt(f"Definition of {self.project.codebook.path(code)}", code.description),
            lambda text: text is not None and self._changed_by(self.project.codebook.describe, code, text),
        )

    def code_colour(self, code) -> None:
        from store.codebook import PALETTE

        self.ask(
            Prompt(f"Colour of {self.project.codebook.path(code)} (#rrggbb)", code.color,
                   "e.g. " + " ".join(PALETTE[:6])),
            lambda colour: colour and self._changed_by(self.project.codebook.color, code, colour.strip()),
        )

    def _changed_by(self, call, *args, **kwargs) -> None:
        if self.store(call, *args, **kwargs) is not None:
            self.project_changed()


def _nowhere():
    """No user keymap file (tests and callers that pass a Keymap explicitly)."""
    from pathlib import Path

    return Path("/nonexistent/margin-keymap.toml")
