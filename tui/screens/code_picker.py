"""The code picker: type to filter the codebook, Enter to choose, or create a new code.

Digits are typed into the filter (a code may be called "Band 6"); they pick the hit with
that number only while the filter is empty or when the hit list has focus (↓ or tab).

Ranking is `store.code_search.CodeIndex`; the picker only shows the hits, with "+ New
code" after the hits that hold every typed word. Enter from the filter applies the top hit
only when it is exactly what was typed; on any other hit it asks, in one line, whether the
hit or the typed name was meant (y / n, esc back to typing). A hit chosen in the list (↓,
tab, a digit) is applied at once. The picker hands its caller a `Pick`: an existing code,
or a name to create (the caller warns of near-duplicates).

It is not a screen. Pushing a dimmed ModalScreen with an Input and an OptionList cost
70-125 ms a time (the screen beneath re-rendered and tinted, every widget's styles
applied), and each keystroke cleared and re-added options and laid the dialog out. So the
picker is an overlay on its own layer of the screen it opens on, mounted once and shown
and hidden; its size is fixed while it is open, so a keystroke lays nothing out, and its
filter and hit list are Line API widgets that repaint only their own few rows.

The focus never moves to it. Textual repaints the whole screen when the focus moves, and
the widget losing it restyles itself and its scroll bars: 110 of the 144 ms of an opening
at 200x50 with 5,000 codes. The app hands every key to the open picker instead
(`CodePicker.take_key`); the picker keeps its own notion of where keys go (`active`: the
filter, the hit list or the question), and the widget focused beneath keeps the focus.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Label

from store.code_search import TYPED, CodeIndex
from store.codebook import pasted_name
from store.errors import MarginError
from store.model import Code
from tui.widgets.keys import clean, run_binding

CREATE = "+create"
TOP_LEVEL = "+top"
PICKER_WIDTH = 76  # as in app.tcss #picker
HITS_MOST = 16  # rows of hits when the terminal is tall enough
AROUND_HITS = 8  # the picker's other rows: border 2, title 1, filter 3, help or question 2
HELP_TYPING = "type to filter · 1–9 pick when empty or in the list (↓/tab) · enter apply"
HELP_LIST = "in the list: 1–9 pick · ↑↓ move · enter apply · letters type · esc cancel"
PLACEHOLDER = "type to find a code, or a new name (Parent > Child)"
DIGITS = "123456789"


def pasted_as_name(app, text: str) -> str | None:
    """Pasted text as a code name takes it (`pasted_name`), or None, the refusal shown."""
    try:
        return pasted_name(text)
    except MarginError as error:
        app.notify(clean(error.message), severity="error", timeout=8)
        return None


def refused(app, check, *args) -> bool:
    """True, the refusal shown in one line, when `check(*args)` raises a MarginError."""
    try:
        check(*args)
    except MarginError as error:
        app.notify(clean(error.message), severity="error", timeout=8)
        return True
    return False


@dataclass(frozen=True)
class Pick:
    code: Code | None = None
    new_name: str = ""


Line = tuple[tuple[str, str], ...]  # (text, style) pieces of one row


@dataclass(frozen=True)
class Hit:
    """One row of the hit list: a code's id (or CREATE, TOP_LEVEL) and its one or two lines."""

    id: str
    lines: tuple[Line, ...]


@lru_cache(maxsize=256)
def _style(name: str) -> Style:
    return Style.parse(name) if name else Style()


class KeptLines:
    """A part of the picker whose rendered lines are kept while it is hidden, by what they
    show. Textual renders a shown widget afresh (hiding it sizes it to nothing), and the
    picker's frame, filter and help line were 4 ms of every opening at 200x50 though
    they show the same as the last time. `_kept_key` is what the lines show beside the
    widget's size; a change of style (theme, focus) drops them."""

    KEPT_AT_MOST = 64

    def _kept_key(self):
        return None

    def render_lines(self, crop: Region) -> list:
        kept = self.__dict__.setdefault("_kept_lines", {})
        key = (crop, self.size, self._kept_key())
        lines = kept.get(key)
        if lines is None:
            if len(kept) >= self.KEPT_AT_MOST:
                kept.clear()
            lines = kept[key] = super().render_lines(crop)
        return lines

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.__dict__.get("_kept_lines", {}).clear()


class KeptLabel(KeptLines, Label):
    """A one-line label of the picker (its title, help line and question)."""

    def _kept_key(self):
        content = self.content
        return type(content), str(content)  # a Rich Text is not hashable


class Part(Widget):
    """A part of the picker that takes keys while it is the picker's `active` part."""

    @property
    def active(self) -> bool:
        return self.parent is not None and self.parent.active is self


class FilterField(KeptLines, Part):
    """The one-line filter: typing, backspace, delete, ←→, home and end. Each change calls
    the picker at once and repaints this one line (a Textual Input laid out the screen)."""

    takes_letters = True  # the key gate lets letters typed here through without waiting
    KEYS = {"backspace": "delete_left", "delete": "delete_right", "left": "cursor_left", "right": "cursor_right",
            "home": "home", "end": "end", "ctrl+u": "clear"}
    COMPONENT_CLASSES = {"filter--cursor", "filter--placeholder"}
    DEFAULT_CSS = """
    FilterField { height: 3; }
    FilterField > .filter--cursor { text-style: reverse; }
    FilterField > .filter--placeholder { color: $text-muted; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.value = ""
        self.cursor = 0

    def set_value(self, value: str) -> None:
        self.value, self.cursor = value, len(value)
        self.repaint()

    def repaint(self) -> None:
        """Repaint the one line of text (a whole refresh re-renders the border too)."""
        self.refresh(Region(0, 0, self.size.width, 1))

    def _changed(self, value: str, cursor: int) -> None:
        self.cursor = cursor
        if value != self.value:
            self.value = value
            self.parent.filter_changed(value)
        self.repaint()

    def take_key(self, event: events.Key) -> bool:
        """Typing and the editing keys; False for a key that is not the filter's."""
        character = event.character
        if event.is_printable and character:
            if character in DIGITS and not self.value:
                self.parent.pick_number(int(character))
            else:
                self.insert_text_at_cursor(character)
            return True
        action = self.KEYS.get(event.key)
        if action is None:
            return False
        getattr(self, f"action_{action}")()
        return True

    def paste(self, text: str) -> None:
        self.insert_text_at_cursor(" ".join(text.split()))

    def insert_text_at_cursor(self, text: str) -> None:
        self._changed(self.value[: self.cursor] + text + self.value[self.cursor :], self.cursor + len(text))

    def action_delete_left(self) -> None:
        if self.cursor:
            self._changed(self.value[: self.cursor - 1] + self.value[self.cursor :], self.cursor - 1)

    def action_delete_right(self) -> None:
        self._changed(self.value[: self.cursor] + self.value[self.cursor + 1 :], self.cursor)

    def action_cursor_left(self) -> None:
        self._changed(self.value, max(0, self.cursor - 1))

    def action_cursor_right(self) -> None:
        self._changed(self.value, min(len(self.value), self.cursor + 1))

    def action_home(self) -> None:
        self._changed(self.value, 0)

    def action_end(self) -> None:
        self._changed(self.value, len(self.value))

    def action_clear(self) -> None:
        self._changed("", 0)

    def _kept_key(self):
        return self.value, self.cursor, self.active

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.rich_style
        if y != 0 or width <= 0:
            return Strip.blank(width, base)
        cursor = self.get_component_rich_style("filter--cursor") if self.active else base
        if not self.value:
            hint = self.get_component_rich_style("filter--placeholder")
            segments = [Segment(PLACEHOLDER[:1] or " ", base + cursor + hint), Segment(PLACEHOLDER[1:], base + hint)]
            return Strip(segments).crop_extend(0, width, base)
        text = clean(self.value)
        start = max(0, self.cursor - width + 1)  # the cursor is always in view
        before, at, after = text[start : self.cursor], text[self.cursor : self.cursor + 1] or " ", text[self.cursor + 1 :]
        return Strip([Segment(before, base), Segment(at, base + cursor), Segment(after, base)]).crop_extend(0, width, base)


class HitList(Part):
    """The hits, a Line API view: only the rows on screen are rendered, and only the rows
    that changed are repainted. While it is active digits pick; any other character goes
    back to the filter."""

    COMPONENT_CLASSES = {"hits--highlight", "hits--chosen"}
    DEFAULT_CSS = "HitList > .hits--highlight { background: $block-cursor-blurred-background; } " \
                  "HitList > .hits--chosen { background: $block-cursor-background; color: $block-cursor-foreground; }"
    STRIPS_KEPT = 512

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hits: list[Hit] = []
        self.highlighted: int | None = None
        self._rows: list[tuple[int, int]] = []  # (hit, line of the hit) per row
        self._top = 0  # the first row shown
        self._shown: list = []  # what each row on screen was painted with
        self._strips: dict = {}  # (line, width, look) -> Strip: a hit seen again is not rendered again

    @property
    def option_count(self) -> int:
        return len(self.hits)

    def get_option_at_index(self, index: int) -> Hit:
        return self.hits[index]

    @property
    def highlighted_option(self) -> Hit | None:
        return None if self.highlighted is None else self.hits[self.highlighted]

    def show(self, hits: list[Hit]) -> None:
        self.hits = hits
        self._rows = [(h, n) for h, hit in enumerate(hits) for n in range(len(hit.lines))]
        self._top = 0
        self.highlight(0 if hits else None)

    def highlight(self, index: int | None) -> None:
        self.highlighted = index
        if index is not None:  # scroll just enough to show every line of it
            rows = [r for r, (h, _) in enumerate(self._rows) if h == index]
            height = max(1, self.size.height)
            self._top = min(max(self._top, rows[-1] - height + 1), rows[0])
        self.repaint()

    def repaint(self) -> None:
        """Refresh the rows whose text or look changed since they were last painted."""
        width, height = self.size
        shown = [self._row_key(y) for y in range(height)]
        if len(shown) != len(self._shown):
            self.refresh()
        else:
            for y, (now, then) in enumerate(zip(shown, self._shown)):
                if now != then:
                    self.refresh(Region(0, y, width, 1))
        self._shown = shown

    def _row_key(self, y: int):
        """What row `y` shows: its line and its look (plain, highlighted, chosen)."""
        row = self._top + y
        if row >= len(self._rows):
            return None
        hit, line = self._rows[row]
        return self.hits[hit].lines[line], self._look(hit)

    def _look(self, hit: int) -> str:
        if hit != self.highlighted:
            return ""
        return "hits--chosen" if self.active else "hits--highlight"

    def action_cursor_down(self) -> None:
        if self.hits:
            self.highlight(0 if self.highlighted is None else min(len(self.hits) - 1, self.highlighted + 1))

    def action_cursor_up(self) -> None:
        if self.hits:
            self.highlight(0 if self.highlighted is None else max(0, self.highlighted - 1))

    def take_key(self, event: events.Key) -> bool:
        """Digits pick, other characters and backspace go back to the filter."""
        character, picker = event.character, self.parent
        if event.is_printable and character:
            if character in DIGITS:
                picker.pick_number(int(character))
            else:
                picker.type_into_filter(character)
            return True
        if event.key == "backspace":
            picker.type_into_filter("")
            return True
        return False

    def render_line(self, y: int) -> Strip:
        width, key = self.size.width, self._row_key(y)
        cached = self._strips.get((key, width))
        if cached is None:
            if len(self._strips) >= self.STRIPS_KEPT:
                self._strips.clear()
            cached = self._strips[(key, width)] = self._render_row(key, width)
        return cached

    def _render_row(self, key, width: int) -> Strip:
        base = self.rich_style  # walks every ancestor: once per row rendered, not per row shown
        if key is None:
            return Strip.blank(width, base)
        line, look = key
        return _render(line, width, base + self.get_component_rich_style(look) if look else base)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # the strips hold the styles


def _render(line: Line, width: int, style: Style) -> Strip:
    """One row, cut with … to `width` cells, on `style` (Rich's Text.render was most of a
    keystroke's own work)."""
    segments = [Segment(text, _style(name)) for text, name in line]
    strip = Strip(segments)
    if strip.cell_length > width:
        strip = Strip([*strip.crop(0, max(0, width - 1))._segments, Segment("…", segments[-1].style)])
    return strip.apply_style(style).crop_extend(0, width, style)


class Question(KeptLabel):
    """The one-line question of Enter on a hit that is not what was typed; the picker's
    `answer_hit` (y) and `answer_typed` (n) keys answer it, esc goes back to typing."""

    @property
    def active(self) -> bool:
        return self.parent is not None and self.parent.active is self


class CodePicker(KeptLines, Vertical):
    """The overlay. `open` shows it with a title and a callback given the Pick (or None)."""

    DEFAULT_CSS = "CodePicker { layer: picker; display: none; }"

    def __init__(self, project, **kwargs):
        super().__init__(id="picker", **kwargs)
        self.project = project
        self.index: CodeIndex | None = None
        self._version = -1  # the project's state version the index was refreshed at
        self.recent: list[str] = []
        self.allow_create = self.codable_only = True
        self.top_level = False
        self.exact_id: str | None = None  # the code that is exactly what was typed
        self.asking: str | None = None  # the hit id the question offers, while it is asked
        self.chosen = True  # closed: nothing more is chosen until it opens again
        self.active: Widget | None = None  # the part keys go to: the filter, the hit list or the question
        self._done = None  # the caller's callback
        self._pending: tuple | None = None  # an `open` asked for before the picker was mounted
        self._ready = False  # mounted, its parts made
        self._help = HELP_TYPING  # the help line shown
        self._keys: dict[str, str] = {}  # key -> picker action, from the app's keymap
        self._parts: dict = {}  # selector -> the part, found once

    def _part(self, selector, expect_type=None):
        """A part of the picker, found once: its parts never change, and a query walks the
        DOM (an opening asked for them eight times)."""
        part = self._parts.get(selector)
        if part is None:
            part = self._parts[selector] = self.query_one(selector, expect_type)
        return part

    @classmethod
    def shown_on(cls, screen) -> CodePicker | None:
        """The picker open on `screen`, if any (asked on every key: no query of the DOM)."""
        picker = _ON_SCREEN.get(screen)
        return picker if picker is not None and picker.display and picker.is_attached else None

    @classmethod
    def mounted_on(cls, screen) -> CodePicker | None:
        """The picker mounted on `screen`, open or not (no query of the DOM)."""
        picker = _ON_SCREEN.get(screen)
        return picker if picker is not None and picker.is_attached else None

    def compose(self):
        yield KeptLabel("", id="picker-title", markup=False)
        yield FilterField(id="picker-input")
        yield HitList(id="picker-hits")
        yield KeptLabel(HELP_TYPING, id="picker-help")
        yield Question(id="picker-question")

    def on_mount(self) -> None:
        _ON_SCREEN[self.screen] = self
        self._part(Question).display = False
        keymap = getattr(self.app, "keymap", None)
        actions = keymap.scope("picker") if keymap is not None else []
        self._keys = {key: action.name for action in actions for key in action.keys}
        self._ready = True
        if self._pending is not None:
            args, self._pending = self._pending, None
            self.open(*args)

    def open(self, title: str, recent: list[str], done, allow_create: bool = True, codable_only: bool = True,
             top_level: bool = False) -> None:
        """Show the picker, empty, over the screen it is on; `done(Pick | None)` once closed."""
        if not self._ready:
            self._pending = (title, recent, done, allow_create, codable_only, top_level)
            return
        self.recent, self._done = recent, done
        self.allow_create, self.codable_only, self.top_level = allow_create, codable_only, top_level
        if self.index is None or self._version != self.project.state.version:
            self.index, self._version = CodeIndex.of(self.project), self.project.state.version  # counts: 13-22 ms at 200,000
        self.chosen, self.asking = False, None
        self._part("#picker-title", Label).update(clean(title), layout=False)  # one line, cut
        self._part(Question).display = False
        self._part("#picker-help").display = True
        self.fit(self.app.size.width, self.app.size.height)
        field = self._part(FilterField)
        self._activate(field)
        field.set_value("")
        self._show("")
        self.display = True

    def fit(self, width: int, height: int) -> None:
        """Centre the picker on a `width` x `height` screen. The hit list gets what the picker
        (90% of the height) leaves, so the help line and the question below it are never cut
        off: the list shrinks, not the question."""
        rows = max(2, min(HITS_MOST, int(height * 0.9) - AROUND_HITS))
        wide = min(PICKER_WIDTH, width)
        self._part(HitList).styles.height = rows
        self.styles.width, self.styles.height = wide, rows + AROUND_HITS
        self.styles.offset = ((width - wide) // 2, max(0, (height - rows - AROUND_HITS) // 2))

    def _close(self, pick: Pick | None) -> None:
        self.display = False
        self.active = None
        done, self._done = self._done, None
        if done is not None:
            done(pick)

    def _activate(self, part: Widget) -> None:
        """Send the keys to `part` and show it: the filter's cursor, the list's highlight,
        the help line of the filter or of the list."""
        before, self.active = self.active, part
        for widget in (before, part):
            if isinstance(widget, FilterField):
                widget.repaint()
            elif isinstance(widget, HitList):
                widget.repaint()
        help_line = HELP_LIST if isinstance(part, HitList) else HELP_TYPING
        if help_line != self._help and not isinstance(part, Question):  # an update lays the picker out
            self._help = help_line
            self._part("#picker-help", Label).update(help_line)

    async def take_key(self, event: events.Key) -> None:
        """Every key while the picker is open. Characters are text (digits pick, as the
        help says); then the active part's keys, the picker's keys (the keymap's `picker`
        table), and last the screen's and the app's bindings (F2, ctrl+p...), never those of
        the widget focused beneath."""
        part = self.active
        if event.key in ("tab", "shift+tab"):
            if self.asking is not None:
                self._stop_asking()
            else:
                self._activate(self._part(HitList) if isinstance(part, FilterField) else self._part(FilterField))
            return
        if isinstance(part, (FilterField, HitList)) and part.take_key(event):
            return
        action = self._keys.get(event.key)
        if action is not None:
            getattr(self, f"action_{action}")()
        elif not (event.is_printable and event.character):
            await run_binding(self.app, event.key, (self.screen, self.app))  # as with nothing focused

    def paste(self, text: str) -> None:
        """Pasted text goes into the filter; with a line break it is refused, as in a code
        name's prompt, and the filter is left as it was."""
        if self.asking is None and (name := pasted_as_name(self.app, text)) is not None:
            field = self._part(FilterField)
            self._activate(field)
            field.paste(name)

    def filter_changed(self, value: str) -> None:
        self._show(value)

    def _typed(self) -> str:
        return " ".join(self._part(FilterField).value.split())

    def _show(self, query: str) -> None:
        ranked = self.index.rank(query, self.recent, limit=20)
        hits = [h for h in ranked if h.code.codable or not self.codable_only][:9]
        rows = [self._hit(number, hit) for number, hit in enumerate(hits, 1)]
        name = " ".join(query.split())
        exact = self.index.exact(name) if name else None
        self.exact_id = exact.id if exact is not None and hits and hits[0].code.id == exact.id else None
        if self.allow_create and name and exact is None:
            create = Hit(CREATE, ((("+ New code ", "bold"), (f"“{clean(name)}”", "bold green")),))
            typed = sum(1 for hit in hits if hit.tier <= TYPED)  # it never outranks what holds every typed word
            rows.insert(typed, create)
        if self.top_level:
            rows.append(Hit(TOP_LEVEL, ((("⇱ The top level (no parent)", "bold"),),)))
        self._part(HitList).show(rows)

    def _hit(self, number: int, hit) -> Hit:
        prompt = ((f"{number} ", "bold"), ("■ ", hit.code.color or ""), (clean(hit.path), ""), (f"  {hit.count}", "dim"))
        if not hit.description:
            return Hit(hit.code.id, (prompt,))
        return Hit(hit.code.id, (prompt, (("    " + clean(hit.description), "dim italic"),)))

    def pick_number(self, number: int) -> None:
        hit_list = self._part(HitList)
        codes = [i for i, hit in enumerate(hit_list.hits) if hit.id not in (CREATE, TOP_LEVEL)]
        if number <= len(codes):
            hit_list.highlight(codes[number - 1])
            self._choose(hit_list.hits[codes[number - 1]].id)

    def type_into_filter(self, character: str) -> None:
        """From the hit list: back to the filter, typing `character` (or deleting with "")."""
        field = self._part(FilterField)
        self._activate(field)
        if character:
            field.insert_text_at_cursor(character)
        else:
            field.action_delete_left()

    def action_apply(self) -> None:
        """Enter: a hit chosen in the list is applied; from the filter, only an exact match
        (or "+ New code" on top) is, and any other top hit asks which was meant."""
        if self.asking is not None:
            return  # the question wants y or n
        hit_list = self._part(HitList)
        option = hit_list.highlighted_option
        if option is None:
            if self._typed() and self.allow_create:
                self._choose(CREATE)
        elif hit_list.active or option.id in (CREATE, TOP_LEVEL, self.exact_id) or not self.allow_create:
            self._choose(option.id)
        else:
            self._ask(option.id)

    def _choose(self, option_id: str) -> None:
        """Close with the choice, once: keys typed fast (enter, y) may ask twice before it
        closes. A new name the store would refuse keeps the picker open, back to typing."""
        if self.chosen:
            return
        if option_id == CREATE and refused(self.app, self.project.codebook.check_new_path, self._typed()):
            if self.asking is not None:
                self._stop_asking()
            return
        self.chosen = True
        if option_id == CREATE:
            self._close(Pick(new_name=self._typed()))
        elif option_id == TOP_LEVEL:
            self._close(Pick())
        else:
            self._close(Pick(code=self.project.state.codes[option_id]))

    def _ask(self, option_id: str) -> None:
        """Ask in one line: the highlighted code (y) or a new code of the typed name (n)."""
        path = self.project.codebook.path(self.project.state.codes[option_id])
        typed = self._typed()
        hit, new, back = (self.app.keymap.actions[f"picker.{a}"].keys[0] for a in ("answer_hit", "answer_typed", "cancel"))
        back = "esc" if back == "escape" else back
        room = min(PICKER_WIDTH, self.app.size.width) - 4
        if typed:
            fixed = len(f"Apply “” ({hit}) or create “” ({new})? {back} back")
            typed = _cut(typed, max(12, (room - fixed) // 3))
            question = f"Apply “{_cut(path, room - fixed - len(typed))}” ({hit}) or create “{typed}” ({new})? {back} back"
        else:
            question = f"Apply “{_cut(path, room - len(f'Apply “”? {hit} yes · {back} back'))}”? {hit} yes · {back} back"
        self.asking = option_id
        self._part("#picker-help").display = False
        asked = self._part(Question)
        asked.update(Text(clean(question), style="bold"))
        asked.display = True
        self._activate(asked)

    def _stop_asking(self) -> None:
        self.asking = None
        self._part(Question).display = False
        self._part("#picker-help").display = True
        self._activate(self._part(FilterField))

    def action_answer_hit(self) -> None:
        if self.asking is not None:
            self._choose(self.asking)

    def action_answer_typed(self) -> None:
        if self.asking is not None and self._typed():
            self._choose(CREATE)

    def action_down(self) -> None:
        if self.asking is not None:
            self._stop_asking()
        hit_list = self._part(HitList)
        self._activate(hit_list)  # in the list digits pick; letters go back to the filter
        hit_list.action_cursor_down()

    def action_up(self) -> None:
        if self.asking is not None:
            self._stop_asking()
        hit_list = self._part(HitList)
        if hit_list.active and not hit_list.highlighted:
            self._activate(self._part(FilterField))  # up from the first hit: back to typing
        else:
            hit_list.action_cursor_up()

    def action_cancel(self) -> None:
        if self.asking is not None:
            self._stop_asking()  # esc on the question: back to typing
        elif not self.chosen:
            self.chosen = True
            self._close(None)


_ON_SCREEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # screen -> the picker mounted on it


def _cut(text: str, room: int) -> str:
    """`text` in `room` characters, cut from the left with … (a path's end is what tells)."""
    room = max(room, 8)
    return text if len(text) <= room else "…" + text[-(room - 1) :]
