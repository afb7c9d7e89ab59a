"""A key-sequence fuzzer: seeded random keys on the real app under Textual's Pilot.

Each episode copies a prepared project (the demo, and with the shared corpus a PDPilot
interview with its 76-code codebook, a WebVTT podcast and a UK Covid Inquiry hearing day),
starts `MarginApp` headless, opens the target document and presses keys. The keys come from
`keymaps/default.toml`, chosen by where the focus is (reader, codes or documents pane,
memo, picker, prompt, confirm, help, retrieval, analysis, search results, journal, command palette),
so a binding added to the key table is pressed without changing this file. Besides single
bindings it presses the combinations a coder uses: selections (v, V, s and motions),
boundary moves (< or > then a motion), coding (c, typing a code, enter or a digit), memos
(m, typing, escape), searches, and terminal resizes between 80x24 and 200x50.

After every key it checks (see `Session.check`):
  - no exception: the app is running, nothing was logged at ERROR;
  - the cursor is inside the text, inside a turn, and its row is on screen;
  - every coding's stored text is the document's text at its span, and its span starts and
    ends inside turns (never in a speaker label or the gap between turns);
  - a selection never holds a speaker label unless it was made across turns on purpose
    (V, or a line, page, turn or jump motion while selecting);
  - Enter in the picker on a typed exact path or unique name (case and spacing ignored), or
    on a hit chosen in the list, codes with that code and creates no other;
  - every `undo_every` keys (the token "check:undo"), undo then redo gives back the same
    store state.

A failing sequence is shrunk by deleting keys (ddmin) while the same failure recurs; the
shortest sequence is what a regression test replays (`replay`).

Run a long one:  python -m tests.tui.fuzz_keys --keys 200000 --seed 1
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from textual import events  # noqa: E402
from textual.app import _character_to_key  # noqa: E402
from textual.command import CommandPalette  # noqa: E402
from textual.geometry import Size  # noqa: E402
from textual.keys import _get_unicode_name_from_key  # noqa: E402
from textual.widgets import Input, TextArea  # noqa: E402

import keymaps  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "corpus"
DEMO_TEXTS = REPO / "tui" / "demo"
MIN_SIZE, MAX_SIZE = (80, 24), (200, 50)
CODER = "fuzzer"

# Where the focus is -> the key-table scopes whose bindings apply there.
SCOPES = {
    "reader": ("reader", "app"),
    "codes": ("codes", "app"),
    "documents": ("documents", "app"),
    "memo": ("memo", "app"),
    "picker": ("picker", "app"),
    "prompt": ("prompt", "app"),
    "confirm": ("confirm", "app"),
    "auto_code": ("auto_code", "app"),
    "help": ("help", "app"),
    "retrieval": ("retrieval", "app"),
    "analysis": ("analysis", "app"),
    "search_results": ("search_results", "app"),
    "journal": ("journal", "app"),
    "review": ("review", "app"),
    "journal-editor": ("memo", "app"),
    "palette": (),
}
TYPING = {"memo", "picker", "prompt", "journal-editor", "palette"}  # printable keys are typed here
EXCLUDED = {"app.quit": "it ends the app"}
# Reader actions after which a selection may span turns: the coder asked for it.
ACROSS_TURNS = {
    "select_turn", "turn_down", "turn_up", "line_down", "line_up", "page_down", "page_up", "top",
    "bottom", "next_coding", "previous_coding", "next_match", "previous_match",
}  # fmt: skip
WORDS = ("trust role peer ward support boundaries the and pdpilot plot model feature care home "
         "staff family visit hope nurse data chart").split()


# ---------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """A document to fuzz on: the demo project plus, for corpus targets, one imported file."""

    name: str
    source: tuple[str, ...] = ()  # path parts under the shared corpus; () for the demo
    codebook_csv: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        return not self.source or SHARED.joinpath(*self.source).is_file()


TARGETS = {
    "demo": Target("demo"),
    "pdpilot": Target("pdpilot", ("pdpilot-interviews", "P3.txt"), ("pdpilot-interviews", "coded-segments.csv")),
    "vtt": Target("vtt", ("podcast-namespace-subtitles", "example.vtt")),
    "covid": Target("covid", ("uk-covid-inquiry", "module-6_2025-07-01.rst")),
}


def available_targets() -> list[str]:
    return [name for name, target in TARGETS.items() if target.available]


def build_template(target: Target, directory: Path) -> tuple[Path, str]:
    """The project for `target` in `directory`; returns it and the id of the document to read."""
    import csv

    from store.demo import build_demo
    from store.project import Project

    path = build_demo(directory / "project", DEMO_TEXTS)
    with Project.open(path, coder=CODER) as project:
        if target.source:
            document = project.documents.import_file(SHARED.joinpath(*target.source)).document
        else:
            document = project.documents.all()[0]
        if target.codebook_csv:
            with open(SHARED.joinpath(*target.codebook_csv), newline="", encoding="utf-8") as handle:
                for path_name in sorted({row["code"] for row in csv.DictReader(handle)}):
                    project.codebook.ensure(path_name)
        return path, document.id


class Templates:
    """Projects built once per target and copied for each episode."""

    def __init__(self, base: Path):
        self.base = base
        self._built: dict[str, tuple[Path, str]] = {}

    def copy(self, name: str, into: Path) -> tuple[Path, str]:
        if name not in self._built:
            self._built[name] = build_template(TARGETS[name], self.base / f"template-{name}")
        source, document_id = self._built[name]
        shutil.copytree(source, into, symlinks=True)
        (into / ".margin.lock").unlink(missing_ok=True)
        return into, document_id


# ---------------------------------------------------------------------- key vocabulary


class Vocabulary:
    """The key table by scope, and which binding a key press in a context means."""

    def __init__(self, keymap: keymaps.Keymap):
        self.keymap = keymap
        self.by_scope: dict[str, list[keymaps.Action]] = {}
        for action in keymap.actions.values():
            if action.id not in EXCLUDED:
                self.by_scope.setdefault(action.scope, []).append(action)
        self.quit_keys = {keymaps.canonical(k) for k in keymap.actions["app.quit"].keys}
        self._owner: dict[tuple[str, str], str] = {}
        for context, scopes in SCOPES.items():
            for scope in reversed(scopes):  # the first scope wins (a pane's key shadows the app's)
                for action in keymap.scope(scope):
                    for key in action.keys:
                        self._owner[(context, keymaps.canonical(key))] = action.id

    def unmapped_scopes(self) -> list[str]:
        """Key-table scopes no context presses: a new screen that needs a SCOPES entry."""
        known = {scope for scopes in SCOPES.values() for scope in scopes}
        return sorted({a.scope for a in self.keymap.actions.values()} - known)

    def action_of(self, context: str, token: str) -> str:
        """The binding id a token means in `context`, else "(typed)", "(resize)" or "(check)"."""
        if token.startswith("resize:"):
            return "(resize)"
        if token.startswith("check:"):
            return "(check)"
        if context in TYPING and _printable(token):
            return "(typed)"
        return self._owner.get((context, keymaps.canonical(token)), f"(unbound in {context})")

    def key(self, rng: random.Random, action: keymaps.Action) -> str:
        return rng.choice(action.keys)

    def actions(self, scope: str, typing: bool = False) -> list[keymaps.Action]:
        """Actions of `scope`; while typing, only those with a non-printable key."""
        found = self.by_scope.get(scope, [])
        if typing:
            found = [a for a in found if any(not _printable(k) for k in a.keys)]
        return found

    def press_of(self, rng: random.Random, scope: str, typing: bool = False) -> str:
        action = rng.choice(self.actions(scope, typing))
        keys = [k for k in action.keys if not (typing and _printable(k))]
        return rng.choice(keys)


def _printable(token: str) -> bool:
    return len(token) == 1 and token.isprintable() or token == "space"


def _chars(text: str) -> list[str]:
    return [c for c in text if c.isprintable()]


# ---------------------------------------------------------------------- the generator


class Generator:
    """Plans of tokens (keys, "resize:WxH", "check:undo") chosen for where the focus is."""

    def __init__(self, rng: random.Random, vocabulary: Vocabulary):
        from tui.widgets.reader import MOTIONS

        self.rng = rng
        self.vocabulary = vocabulary
        self.motions = [a for a in vocabulary.actions("reader") if a.name in MOTIONS]

    def plan(self, app, context: str) -> list[str]:
        rng = self.rng
        if rng.random() < 0.03:
            return [self.resize()]
        maker = getattr(self, f"_plan_{context.replace('-', '_')}", None)
        return maker(app) if maker else [rng.choice(["escape", self.vocabulary.press_of(rng, "app", True)])]

    def resize(self) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            width, height = rng.choice([MIN_SIZE, MAX_SIZE, (MIN_SIZE[0], MAX_SIZE[1]), (MAX_SIZE[0], MIN_SIZE[1])])
        else:
            width, height = rng.randint(MIN_SIZE[0], MAX_SIZE[0]), rng.randint(MIN_SIZE[1], MAX_SIZE[1])
        return f"resize:{width}x{height}"

    def motion(self) -> str:
        return self.vocabulary.key(self.rng, self.rng.choice(self.motions))

    def _reader_key(self, name: str) -> str:
        return self.vocabulary.key(self.rng, self.vocabulary.keymap.actions[f"reader.{name}"])

    def _app_key(self, name: str) -> str:
        return self.vocabulary.key(self.rng, self.vocabulary.keymap.actions[f"app.{name}"])

    def _plan_reader(self, app) -> list[str]:
        rng, v = self.rng, self.vocabulary
        roll = rng.random()
        if roll < 0.45:
            return [v.press_of(rng, "reader")]
        if roll < 0.53:
            return [v.press_of(rng, "app")]
        if roll < 0.63:
            return [self._reader_key(rng.choice(["move_start", "move_end"])), self.motion()]
        if roll < 0.75:
            start = self._reader_key(rng.choice(["visual", "select_turn", "select_sentence"]))
            return [start, *(self.motion() for _ in range(rng.randint(0, 4)))]
        if roll < 0.87:
            return [self._reader_key("code"), *self.picker_typing(app)]
        if roll < 0.91:
            return [self._reader_key("memo"), *self.words(rng.randint(1, 4)), "escape"]
        if roll < 0.95:
            return [self._reader_key("search"), *self.search_text(app), "enter"]
        if roll < 0.97:
            return [self._app_key("corpus_search"), *self.search_text(app), "enter"]
        return [self._reader_key("in_vivo")]

    def _pane(self, scope: str) -> list[str]:
        rng, v = self.rng, self.vocabulary
        return [v.press_of(rng, scope) if rng.random() < 0.7 else v.press_of(rng, "app")]

    def _plan_codes(self, app) -> list[str]:
        return self._pane("codes")

    def _plan_documents(self, app) -> list[str]:
        return self._pane("documents")

    def _plan_help(self, app) -> list[str]:
        return self._pane("help")

    def _plan_retrieval(self, app) -> list[str]:
        return self._pane("retrieval")

    def _plan_analysis(self, app) -> list[str]:
        return self._pane("analysis")

    def _plan_search_results(self, app) -> list[str]:
        return self._pane("search_results")

    def _plan_journal(self, app) -> list[str]:
        return self._pane("journal")

    def _plan_review(self, app) -> list[str]:
        return self._pane("review")

    def _plan_confirm(self, app) -> list[str]:
        return [self.vocabulary.press_of(self.rng, "confirm")]

    def _plan_auto_code(self, app) -> list[str]:
        """The auto-coding question: its keys, and digits that leave a speaker out."""
        rng = self.rng
        return [rng.choice("123")] if rng.random() < 0.2 else [self.vocabulary.press_of(rng, "auto_code")]

    def _plan_memo(self, app) -> list[str]:
        rng, v = self.rng, self.vocabulary
        roll = rng.random()
        if roll < 0.6:
            return self.words(rng.randint(1, 3))
        if roll < 0.85:
            return [v.press_of(rng, "memo", True)]
        return [v.press_of(rng, "app", True)]

    _plan_journal_editor = _plan_memo

    def _plan_picker(self, app) -> list[str]:
        rng, v = self.rng, self.vocabulary
        roll = rng.random()
        if roll < 0.7:
            return self.picker_typing(app)
        if roll < 0.9:
            return [v.press_of(rng, "picker", True)]
        return ["backspace"] if roll < 0.95 else [v.press_of(rng, "app", True)]

    def _plan_prompt(self, app) -> list[str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return [*self.prompt_text(app), "enter"]
        if roll < 0.8:
            return [self.vocabulary.press_of(rng, "prompt", True)]
        return ["backspace"] * rng.randint(1, 12) if roll < 0.9 else [self.vocabulary.press_of(rng, "app", True)]

    def _plan_palette(self, app) -> list[str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.5:
            helps = [a.help for a in self.vocabulary.actions("reader") + self.vocabulary.actions("codes")]
            return [*_chars(rng.choice(helps).split()[0].lower()), *(["enter"] if rng.random() < 0.6 else [])]
        return [rng.choice(["escape", "down", "up", "enter"])]

    def words(self, count: int) -> list[str]:
        text = " ".join(self.rng.choice(WORDS) for _ in range(count))
        return _chars(text + " ")

    def search_text(self, app) -> list[str]:
        rng = self.rng
        if rng.random() < 0.1:
            return _chars(rng.choice(["(", "[a-", "*", "\\", ""]))
        text = reader_of(app).text
        if text:
            start = rng.randrange(len(text))
            word = (text[start:start + 40].split() or ["the"])[0]
            return _chars(word[:12])
        return _chars(rng.choice(WORDS))

    def prompt_text(self, app) -> list[str]:
        rng = self.rng
        choice = rng.random()
        if choice < 0.4:
            return self.search_text(app)
        if choice < 0.6:
            return _chars(rng.choice(["round=2", "coder=" + CODER, "case=P01", "bad", "coder=nobody", "#ff8800", "red"]))
        if choice < 0.8:
            return self.code_name(app)
        return []

    def code_name(self, app) -> list[str]:
        """A code path, leaf name or prefix of an existing code, or a new name."""
        rng = self.rng
        codebook = app.project.codebook
        codes = codebook.all()
        roll = rng.random()
        if codes and roll < 0.7:
            code = rng.choice(codes)
            path = codebook.path(code)
            text = rng.choice([path, code.name, code.name[: rng.randint(2, 6)], path.replace(" > ", ">")])
            if rng.random() < 0.3:
                text = rng.choice([text.lower(), text.upper(), f"  {text} "])
            return _chars(text)
        if codes and roll < 0.85:
            return _chars(f"{codebook.path(rng.choice(codes))} > {rng.choice(WORDS)}")
        return _chars(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))))

    def picker_typing(self, app) -> list[str]:
        rng = self.rng
        typed = self.code_name(app) if rng.random() < 0.85 else []
        ending = rng.random()
        if ending < 0.55:
            return [*typed, "enter"]
        if ending < 0.7:
            return [*typed, "down", *(["down"] if rng.random() < 0.5 else []), "enter"]
        if ending < 0.8:
            return [*typed, "tab", rng.choice("123")] if typed else [rng.choice("123")]
        if ending < 0.9:
            return [*typed, "escape"]
        return typed


# ---------------------------------------------------------------------- driving the app


@dataclass
class Failure:
    kind: str  # what broke: exception, cursor-off-screen, coding-text, selection-label, ...
    detail: str
    index: int  # which token
    tokens: list[str] = field(default_factory=list)  # the sequence up to and including it
    target: str = ""
    seed: int | None = None

    @property
    def signature(self) -> str:
        """What must recur while shrinking: the kind, and for exceptions where they arose."""
        return f"{self.kind}: {self.detail.splitlines()[0]}" if self.kind == "exception" else self.kind

    def describe(self) -> str:
        keys = " ".join(repr(t) for t in self.tokens)
        return f"{self.signature} [{self.target}, seed {self.seed}, {len(self.tokens)} keys]\n    {self.detail}\n    keys: {keys}"


class ErrorLog(logging.Handler):
    """Collects log records at ERROR and above while the app runs."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(f"{record.name}: {record.getMessage()}")


@contextmanager
def _environment(workdir: Path):
    """A state folder of its own (no last position from another run), and an error log."""
    saved = {k: os.environ.get(k) for k in ("MARGIN_STATE_DIR", "MARGIN_KEYMAP", "TEXTUAL_ANIMATIONS")}
    os.environ["MARGIN_STATE_DIR"] = str(workdir / "state")
    os.environ["MARGIN_KEYMAP"] = str(workdir / "no-keymap.toml")
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def context_of(app) -> str:
    """Where the focus is: a key of SCOPES (or "other")."""
    from tui.screens.analysis import Analysis
    from tui.screens.auto_code import AutoCode
    from tui.screens.code_picker import CodePicker
    from tui.screens.confirm import Confirm
    from tui.screens.disagreement import Disagreements
    from tui.screens.help import Help
    from tui.screens.journal import Journal
    from tui.screens.prompt import Prompt
    from tui.screens.retrieval import Retrieval
    from tui.screens.search_results import SearchResults

    screen = app.screen
    dialog = app.dialog  # an overlay on the screen it opened on, as the picker is
    if isinstance(dialog, Prompt):
        return "prompt"
    if isinstance(dialog, Confirm):
        return "confirm"
    if CodePicker.shown_on(screen):
        return "picker"
    if screen is app.screen_stack[0]:
        return app.focused_pane() or "reader"
    if isinstance(screen, Journal):
        return "journal-editor" if isinstance(screen.focused, TextArea) else "journal"
    for cls, name in ((AutoCode, "auto_code"), (Help, "help"),
                      (Retrieval, "retrieval"), (Analysis, "analysis"), (SearchResults, "search_results"), (CommandPalette, "palette"),
                      (Disagreements, "review")):
        if isinstance(screen, cls):
            return name
    return "other"


def reader_of(app):
    """The reader on the main screen (`app.reader` queries the current screen only)."""
    from tui.widgets.reader import Reader

    return app.screen_stack[0].query_one(Reader)


def snapshot(project) -> dict:
    """The store's state: entities are frozen values, so shallow copies of the tables do."""
    state = project.state
    return {name: dict(state.table(name)) for name in ("coders", "documents", "codes", "codings", "memos")}


def state_difference(before: dict, after: dict) -> str:
    for table in before:
        for entity_id in sorted(set(before[table]) | set(after[table])):
            old, new = before[table].get(entity_id), after[table].get(entity_id)
            if old != new:
                return f"{table} {entity_id}: {old!r} became {new!r}"
    return ""


def normal_path(text: str) -> str:
    """A code path as the picker should compare it: case, spacing and spaces around > ignored."""
    return " > ".join(" ".join(part.split()).casefold() for part in text.split(">"))


def exact_code(project, typed: str):
    """The codable code the typed text names exactly (path, else a unique leaf name), or None."""
    wanted = normal_path(typed)
    if not wanted.strip(" >"):
        return None
    codebook = project.codebook
    codes = [c for c in codebook.all() if c.codable]
    by_path = [c for c in codes if normal_path(codebook.path(c)) == wanted]
    if by_path:
        return by_path[0]
    by_name = [c for c in codebook.all() if normal_path(c.name) == wanted]
    return by_name[0] if len(by_name) == 1 and by_name[0].codable else None


class Session:
    """One app on one project: presses tokens and checks the invariants after each."""

    def __init__(self, app, pilot, vocabulary: Vocabulary, errors: ErrorLog):
        self.app, self.pilot, self.vocabulary, self.errors = app, pilot, vocabulary, errors
        self.project = app.project
        self.reader = reader_of(app)
        self._watch_reader()
        self.coverage: Counter = Counter()
        self.across_turns = False  # the current selection was made across turns on purpose
        self._checked: dict[str, object] = {}  # coding id -> the value last checked
        self._texts: dict[str, str] = {}
        self.skipped = 0

    def _watch_reader(self) -> None:
        """Note when a selection is stretched across turns on purpose, however the motion ran
        (a key, the command palette): V, or a line, page, turn or jump motion while selecting."""
        reader = self.reader
        motion, select_turn = reader._motion, reader.action_select_turn

        def watched_motion(name: str) -> None:
            if name in ACROSS_TURNS and (reader.anchor is not None or reader.pending):
                self.across_turns = True
            motion(name)

        def watched_select_turn() -> None:
            self.across_turns = True
            select_turn()

        reader._motion, reader.action_select_turn = watched_motion, watched_select_turn

    # -------------------------------------------------------------- pressing

    async def settle(self) -> None:
        """Until the screen has no pending messages, layout, repaint or after-refresh callback.

        Much faster than Pilot's idle wait (which sleeps twice per key) and equivalent for
        this app: the same cursor, scroll, focus and store after each of 600 random keys.
        """
        app = self.app
        last_stack = None
        deadline = time.monotonic() + 10  # a loaded machine (CI on 2 cores) may take many rounds
        while time.monotonic() < deadline:
            if app._exception is not None or not app.is_running:
                return
            running = [w for w in app.workers if not w.is_finished]
            if running:  # the command palette gathers its hits in a worker
                try:
                    await asyncio.wait_for(app.workers.wait_for_complete(running), 5)
                except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - a worker's error is the app's to show
                    pass
            await self.pilot._wait_for_screen()
            screen = app.screen
            screen._on_timer_update()
            await self.pilot._wait_for_screen()
            for _ in range(4):  # tasks outside the message queues (a screen being dismissed)
                await asyncio.sleep(0)
            focused = screen.focused
            queued = (not app._message_queue.empty() or (focused is not None and not focused._message_queue.empty())
                      or bool(app.key_gate.waiting))  # keys the gate holds for after the ones before them
            quiet = not (screen._callbacks or screen._layout_required or screen._repaint_required or queued
                         or screen._dirty_widgets or any(not w.is_finished for w in app.workers))
            stack = tuple(app.screen_stack)
            if app.screen is screen and quiet and stack == last_stack:
                return
            last_stack = stack

    async def press(self, token: str) -> None:
        app = self.app
        if token.startswith("resize:"):
            width, height = (int(n) for n in token.split(":")[1].split("x"))
            size = Size(width, height)
            app._driver._size = size
            app.post_message(events.Resize(size, size))
        elif token == "check:undo":
            return
        else:
            key = _character_to_key(token) if len(token) == 1 and not token.isalnum() else token
            try:
                char = unicodedata.lookup(_get_unicode_name_from_key(key))
            except KeyError:
                char = key if len(key) == 1 else None
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)
        await self.settle()

    def would_quit(self, context: str, token: str) -> bool:
        """Keys that end the app are not pressed: q outside a text field, Quit in the palette."""
        if context == "palette" and token == "enter":
            from textual.command import CommandList

            found = self.app.screen.query(CommandList)
            option = found.first().highlighted_option if found else None
            return option is not None and "Quit" in str(option.prompt)
        typing = isinstance(self.app.focused, (Input, TextArea))
        return not typing and keymaps.canonical(token) in self.vocabulary.quit_keys

    async def step(self, index: int, token: str) -> Failure | None:
        app = self.app
        context = context_of(app)
        if self.would_quit(context, token):
            self.skipped += 1
            return None
        action = self.vocabulary.action_of(context, token)
        self.coverage[action] += 1
        picker = self._before_picker(context, token)
        await self.press(token)
        if token == "check:undo":
            return await self._undo_redo(index)
        failure = self.check(index)
        if failure is None and picker is not None:
            failure = self._after_picker(index, *picker)
        return failure

    # -------------------------------------------------------------- checks

    def check(self, index: int) -> Failure | None:
        for check in (self._alive, self._cursor, self._codings, self._selection):
            failure = check(index)
            if failure is not None:
                return failure
        return None

    def _alive(self, index: int) -> Failure | None:
        app = self.app
        if app._exception is not None:
            error = app._exception
            frames = traceback.extract_tb(error.__traceback__)
            mine = [f for f in frames if f.filename.startswith(str(REPO)) and "/.venv/" not in f.filename] or frames
            if isinstance(error, RecursionError) and mine:  # the innermost frame varies; the recursing one does not
                frame = Counter((f.filename, f.name) for f in mine).most_common(1)[0][0]
            else:
                frame = (mine[-1].filename, mine[-1].name) if mine else ("?", "?")
            where = f"{frame[0].removeprefix(str(REPO) + '/')} {frame[1]}"
            return Failure("exception", f"{type(error).__name__} in {where}: {str(error)[:200]}", index)
        if not app.is_running or app.return_code is not None:
            return Failure("app-exited", f"return code {app.return_code}", index)
        if self.errors.records:
            return Failure("error-logged", self.errors.records[0][:300], index)
        return None

    def _cursor(self, index: int) -> Failure | None:
        reader = self.reader
        document = reader.document
        if document is None or not document.turns:
            return None
        cursor = reader.cursor
        if not 0 <= cursor <= len(reader.text):
            return Failure("cursor-outside-text", f"cursor {cursor}, text length {len(reader.text)}", index)
        turn = document.turn_at(cursor)
        if not turn.start <= cursor <= max(turn.start, turn.end - 1):
            return Failure("cursor-outside-turn", f"cursor {cursor}, turn {turn.index + 1} is {turn.start}-{turn.end}",
                           index)
        if self.app.screen is not self.app.screen_stack[0] or reader._rows is None:
            return None
        height = reader.scrollable_content_region.height
        if not reader.display or reader.region.width <= 0 or height <= 0:
            return None
        row, top = reader._rows.row_of(cursor), reader.scroll_offset.y
        if not top <= row < top + height:
            return Failure("cursor-off-screen", f"cursor row {row} (turn {turn.index + 1}), rows {top}-{top + height - 1}"
                           f" on screen, reader {reader.region.width}x{reader.region.height}", index)
        return None

    def _codings(self, index: int) -> Failure | None:
        state = self.project.state
        for coding in state.codings.values():
            if self._checked.get(coding.id) is coding:
                continue
            self._checked[coding.id] = coding
            document = state.documents.get(coding.document)
            if document is None:
                return Failure("coding-orphan", f"coding {coding.id} on missing document {coding.document}", index)
            if document.id not in self._texts:
                self._texts[document.id] = self.project.text(document.id)
            text = self._texts[document.id]
            if not 0 <= coding.start < coding.end <= len(text):
                return Failure("coding-span", f"coding {coding.start}-{coding.end} in a text of {len(text)}", index)
            if coding.text != text[coding.start:coding.end]:
                return Failure("coding-text", f"stored {coding.text!r} != text {text[coding.start:coding.end]!r}", index)
            first, final = document.turn_at(coding.start), document.turn_at(coding.end - 1)
            if coding.start < first.start or coding.end > final.end:
                where = "starts" if coding.start < first.start else "ends"
                return Failure("coding-in-label", f"coding {where} outside a turn: {coding.text[-60:]!r}"
                               f" ({coding.start}-{coding.end}; turn {first.index + 1} is {first.start}-{first.end})",
                               index)
        return None

    def _selection(self, index: int) -> Failure | None:
        reader = self.reader
        span = reader.selection
        if span is None:
            self.across_turns = False
            return None
        document = reader.document
        first, final = document.turn_at(span[0]), document.turn_at(max(span[0], span[1] - 1))
        holds_label = first.index != final.index or span[0] < first.start or span[1] > final.end
        if holds_label and not self.across_turns:
            text = reader.text[span[0]:span[1]]
            return Failure("selection-label", f"selection {span[0]}-{span[1]} spans turns {first.index + 1}"
                           f"-{final.index + 1} without V or a turn motion: ...{text[-50:]!r}", index)
        return None

    def _before_picker(self, context: str, token: str):
        """What Enter (or a digit in the list) in the picker must code with, if it is sure."""
        if context != "picker" or token != "enter":
            return None
        from tui.screens.code_picker import CREATE, TOP_LEVEL

        picker = self.app.screen
        hits = picker.query_one("#picker-hits")
        typed = picker.query_one("#picker-input").value
        if hits.active:
            option = hits.highlighted_option
            if option is None or option.id in (CREATE, TOP_LEVEL):
                return None
            expected, why = self.project.state.codes.get(option.id), "chosen in the list"
        else:
            expected, why = exact_code(self.project, typed), "typed exactly"
        if expected is None:
            return None
        return expected, typed, why, set(self.project.state.codings), set(self.project.state.codes)

    def _after_picker(self, index: int, expected, typed: str, why: str, codings: set, codes: set) -> Failure | None:
        from tui.screens.confirm import Confirm

        state = self.project.state
        made = [state.codings[c] for c in set(state.codings) - codings]
        wrong = [c for c in made if c.code != expected.id]
        new_codes = [state.codes[c].name for c in set(state.codes) - codes]
        path = self.project.codebook.path(expected)
        if wrong:
            got = state.codes.get(wrong[0].code)
            return Failure("picker-wrong-code", f"typed {typed!r}, {path!r} {why}, but coded as "
                           f"{self.project.codebook.path(got) if got else wrong[0].code!r}", index)
        if new_codes or isinstance(self.app.dialog, Confirm) and "new code" in self.app.dialog.question:
            return Failure("picker-wrong-code", f"typed {typed!r}, {path!r} {why}, but a new code was made or offered"
                           f" {new_codes}", index)
        return None

    async def _undo_redo(self, index: int) -> Failure | None:
        """Undo then redo must give back exactly the store's state.

        Only on the main screen, where a coder can press u: the dialogs have no undo key.
        """
        app, project = self.app, self.project
        from tui.screens.code_picker import CodePicker

        await self.settle()  # a loaded machine can leave the last key's work (a dialog closing) pending
        if app.screen is not app.screen_stack[0] or CodePicker.shown_on(app.screen):
            self.coverage["(undo check skipped: a dialog is open)"] += 1
            return self.check(index)
        app._save_memos()
        await self.settle()
        if not project.can_undo:
            self.coverage["(undo check skipped: nothing to undo)"] += 1
            return self.check(index)
        before = snapshot(project)
        app.undo()
        await self.settle()
        failure = self.check(index)
        if failure is not None:
            return failure
        undone = snapshot(project)
        app.redo()
        await self.settle()
        after = snapshot(project)
        if after != before:
            return Failure("undo-redo", f"after undo and redo: {state_difference(before, after)[:300]}", index)
        if undone == before:
            return Failure("undo-changed-nothing", f"undo left the state as it was ({project.log()[-1]['summary']!r})",
                           index)
        self.coverage["(undo-redo checked)"] += 1
        return self.check(index)


# ---------------------------------------------------------------------- episodes


@dataclass
class Outcome:
    tokens: list[str]
    failure: Failure | None
    coverage: Counter
    skipped: int = 0
    seconds: float = 0.0
    tolerated: Counter = field(default_factory=Counter)


class Fuzzer:
    """Runs episodes (generated or replayed); owns the template projects in `workdir`."""

    def __init__(self, workdir: Path | None = None, undo_every: int = 20):
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="margin-fuzz-")
        self.workdir = Path(workdir or self._tmp.name)
        self.templates = Templates(self.workdir)
        self.keymap = keymaps.load(user=Path("/nonexistent/margin-keymap.toml"))
        self.vocabulary = Vocabulary(self.keymap)
        self.undo_every = undo_every
        self._runs = 0

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    async def episode(self, target: str, seed: int | None = None, keys: int = 300,
                      tokens: list[str] | None = None, tolerate: frozenset[str] = frozenset()) -> Outcome:
        """Press `keys` generated keys (seeded), or replay `tokens`; stop at the first failure.

        Failures whose signature is in `tolerate` (already found and shrunk) are counted and
        the episode goes on, so a frequent known bug does not hide the rest.
        """
        from store.project import Project
        from tui.app import MarginApp

        self._runs += 1
        run_dir = self.workdir / f"run-{self._runs}"
        run_dir.mkdir()
        started = time.perf_counter()
        pressed: list[str] = []
        failure = None
        tolerated: Counter = Counter()
        with _environment(run_dir) as errors:
            project_dir, document_id = self.templates.copy(target, run_dir / "project")
            project = Project.open(project_dir, coder=CODER)
            app = MarginApp(project, self.keymap)
            # The fuzzer reports a crash itself: skip Textual's traceback with every frame's
            # locals (seconds for a RecursionError) and its printing on exit.
            app._fatal_error = app._close_messages_no_wait
            session = None
            stopping = False
            try:
                async with app.run_test(size=MIN_SIZE) as pilot:
                    session = Session(app, pilot, self.vocabulary, errors)
                    await session.settle()
                    app.open_document(document_id)
                    await session.settle()
                    failure = session.check(-1)
                    source = iter(tokens) if tokens is not None else self._generate(app, seed, keys)
                    for token in source:
                        if failure is not None:
                            break
                        pressed.append(token)
                        failure = await session.step(len(pressed) - 1, token)
                        if failure is not None and failure.signature in tolerate and failure.kind != "exception":
                            tolerated[failure.signature] += 1
                            failure = None
                    if failure is None:
                        await session.settle()
                        failure = session.check(len(pressed) - 1)
                    stopping = True
            except Exception as error:  # the app's own exception, re-raised on leaving run_test
                if failure is None and not stopping:
                    failure = Failure("exception", f"{type(error).__name__}: {error}"[:300], len(pressed) - 1)
                elif session is not None and failure is None:
                    # Raised while run_test tears the app down (widgets already gone), not by a key.
                    session.coverage[f"(exception while the harness stopped the app: {type(error).__name__})"] += 1
            finally:
                try:
                    project.close()
                except Exception:  # noqa: BLE001 - a broken project is already a failure
                    pass
        shutil.rmtree(run_dir, ignore_errors=True)
        if failure is not None:
            failure.tokens, failure.target, failure.seed = pressed[: failure.index + 1], target, seed
        coverage = session.coverage if session else Counter()
        return Outcome(pressed, failure, coverage, session.skipped if session else 0, time.perf_counter() - started,
                       tolerated)

    def _generate(self, app, seed: int | None, keys: int):
        """Tokens for one episode; a generator, so each plan sees the app as it is now."""
        rng = random.Random(seed)
        generator = Generator(rng, self.vocabulary)
        count = 0
        yield generator.resize()
        while count < keys:
            for token in generator.plan(app, context_of(app)):
                yield token
                count += 1
                if count % self.undo_every == 0:
                    yield "check:undo"
                if count >= keys:
                    return

    async def replay(self, target: str, tokens: list[str]) -> Failure | None:
        return (await self.episode(target, tokens=list(tokens))).failure

    async def shrink(self, failure: Failure, budget_seconds: float = 120.0, max_runs: int = 200) -> Failure:
        """The shortest tail that fails the same way, then delete keys (chunks, then single keys)."""
        best = failure
        deadline = time.perf_counter() + budget_seconds
        runs = 0
        length = 1
        while length < len(best.tokens) and time.perf_counter() < deadline:  # short tails first: cheap
            runs += 1
            found = await self.replay(best.target, best.tokens[-length:])
            if found is not None and found.signature == failure.signature:
                found.seed, best = failure.seed, found
                break
            length *= 2
        chunks = 2
        while len(best.tokens) > 1 and runs < max_runs and time.perf_counter() < deadline:
            tokens = best.tokens
            size = max(1, len(tokens) // chunks)
            improved = False
            for start in range(0, len(tokens), size):
                candidate = tokens[:start] + tokens[start + size:]
                if not candidate:
                    continue
                runs += 1
                found = await self.replay(best.target, candidate)
                if found is not None and found.signature == failure.signature:
                    found.seed = failure.seed
                    best, improved = found, True
                    break
                if runs >= max_runs or time.perf_counter() >= deadline:
                    break
            if improved:
                chunks = max(2, chunks - 1)
            elif size == 1:
                break
            else:
                chunks = min(len(tokens), chunks * 2)
        return best


# ---------------------------------------------------------------------- the long run


@dataclass
class Report:
    keys: int = 0
    episodes: int = 0
    seconds: float = 0.0
    skipped: int = 0
    coverage: Counter = field(default_factory=Counter)
    keys_by_target: Counter = field(default_factory=Counter)
    seeds: list[int] = field(default_factory=list)
    failures: dict[str, Failure] = field(default_factory=dict)  # signature -> shortest found
    occurrences: Counter = field(default_factory=Counter)  # episodes that stopped on each failure
    flaky: Counter = field(default_factory=Counter)  # failures a replay of the same keys did not repeat
    tolerated: Counter = field(default_factory=Counter)  # later keys that broke a known invariant again

    def add(self, target: str, seed: int, outcome: Outcome) -> None:
        self.episodes += 1
        self.keys += len(outcome.tokens)
        self.keys_by_target[target] += len(outcome.tokens)
        self.seeds.append(seed)
        self.coverage.update(outcome.coverage)
        self.skipped += outcome.skipped
        self.tolerated.update(outcome.tolerated)

    def text(self, keymap: keymaps.Keymap) -> str:
        rate = self.keys / self.seconds if self.seconds else 0.0
        seeds = f"{min(self.seeds)}-{max(self.seeds)}" if self.seeds else "none"
        lines = [f"keys pressed: {self.keys:,} in {self.episodes} episodes, {self.seconds:.0f} s ({rate:.1f} keys/s)",
                 "documents: " + ", ".join(f"{t} {n:,} keys" for t, n in self.keys_by_target.items()),
                 f"seeds: {seeds}; keys not pressed because they quit: {self.skipped}",
                 f"failures: {len(self.failures)} distinct, {sum(self.occurrences.values())} episodes failed;"
                 f" not reproduced on replay: {sum(self.flaky.values())} {dict(self.flaky) or ''}"]
        lines.append("keys pressed per binding:")
        for action_id in keymap.actions:
            note = f"  (excluded: {EXCLUDED[action_id]})" if action_id in EXCLUDED else ""
            lines.append(f"  {action_id:28} {self.coverage.get(action_id, 0):7,}{note}")
        for extra in sorted(k for k in self.coverage if k.startswith("(")):
            lines.append(f"  {extra:28} {self.coverage[extra]:7,}")
        for signature, failure in self.failures.items():
            again = self.tolerated.get(signature, 0)
            lines.append(f"FAILURE (stopped {self.occurrences[signature]} episodes, seen again after {again} later keys)"
                         f" {failure.describe()}")
        return "\n".join(lines)


async def long_run(keys: int, seed: int, targets: list[str], episode_keys: int = 300,
                   shrink_seconds: float = 120.0, out=sys.stdout, progress_every: float = 60.0,
                   minutes: float | None = None) -> Report:
    """Episodes over the targets in turn, seeds seed, seed+1, ... until `keys` are pressed
    (or, with `minutes`, no new episode starts after that time)."""
    fuzzer = Fuzzer()
    report = Report()
    started = last = time.perf_counter()
    try:
        current = seed
        while report.keys < keys and (minutes is None or time.perf_counter() - started < minutes * 60):
            target = targets[(current - seed) % len(targets)]
            known = frozenset(s for s, f in report.failures.items() if f.kind != "exception")
            outcome = await fuzzer.episode(target, current, min(episode_keys, keys - report.keys), tolerate=known)
            report.add(target, current, outcome)
            if outcome.failure is not None:
                signature = outcome.failure.signature
                report.occurrences[signature] += 1
                if signature not in report.failures:
                    again = await fuzzer.replay(target, outcome.failure.tokens)
                    if again is None or again.signature != signature:
                        report.flaky[signature] += 1
                        print(f"seed {current} {target}: not reproduced on replay: {outcome.failure.describe()}",
                              file=out, flush=True)
                        current += 1
                        continue
                    shrunk = await fuzzer.shrink(outcome.failure, shrink_seconds)
                    report.failures[signature] = shrunk
                    print(f"seed {current} {target}: {shrunk.describe()}", file=out, flush=True)
            report.seconds = time.perf_counter() - started
            if time.perf_counter() - last > progress_every:
                last = time.perf_counter()
                print(f"... {report.keys:,} keys, {report.episodes} episodes, {len(report.failures)} failures,"
                      f" {report.keys / report.seconds:.1f} keys/s", file=out, flush=True)
            current += 1
    finally:
        fuzzer.close()
    report.seconds = time.perf_counter() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tui.fuzz_keys", description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=200_000, help="keys to press in all (default 200,000)")
    parser.add_argument("--seed", type=int, default=1, help="first seed; each episode takes the next")
    parser.add_argument("--episode", type=int, default=300, help="keys per episode (a fresh app and project)")
    parser.add_argument("--targets", default=",".join(TARGETS),
                        help="documents to fuzz on: " + ", ".join(TARGETS) + " (absent corpus files are skipped)")
    parser.add_argument("--minutes", type=float, help="start no episode after this many minutes")
    parser.add_argument("--shrink-seconds", type=float, default=120.0, help="time to shrink each new failure")
    args = parser.parse_args(argv)
    wanted = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in TARGETS]
    if unknown:
        print(f"Error: unknown target {unknown[0]!r}; choose from {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    targets = [t for t in wanted if TARGETS[t].available]
    missing = sorted(set(wanted) - set(targets))
    if missing:
        print(f"skipping {', '.join(missing)}: not in {SHARED}", flush=True)
    report = asyncio.run(long_run(args.keys, args.seed, targets, args.episode, args.shrink_seconds,
                                     minutes=args.minutes))
    print(report.text(keymaps.load(user=Path("/nonexistent/margin-keymap.toml"))))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
