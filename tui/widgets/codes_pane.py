"""The codes pane: the codebook as an indented tree, one line per code.

Each line is the code's colour mark and name, indented by depth, the name cut with … and
the coding count (sub-codes included) right-aligned, so nothing wraps at any width. It is
a Line API ScrollView over a list of plain tuples, and only the lines on screen are
rendered (kept in an LRU cache keyed by the line's content, so it outlives rebuilds). A
change to codings only (applying, uncoding, undoing those) updates the counts of the codes
whose own count changed and their parents, and repaints those lines; a new colour,
definition or codability repaints that code's line; one code renamed, moved, added or
removed moves its lines; any other codebook change rebuilds the list in one pass over the
codes (about 20 ms at 5,000), so coding with a 5,000-code codebook costs what it touches.
"""

from __future__ import annotations

from bisect import insort
from itertools import compress, islice
from operator import is_not, ne

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from tui.widgets.keys import bindings, clean
from tui.widgets.steady import SteadyScrollBars, thumb

INDENT = 2  # columns per level
RETREE_AT_MOST = 200  # changed codes moved one by one in the tree; more: sort every code again
NAME_MIN = 6  # the name keeps at least this much room; deeper levels stop indenting


def code_line(depth: int, name: str, count: str, width: int) -> tuple[str, str, str]:
    """Indentation, name and right-aligned count of one line exactly `width` columns wide.

    The name is cut with … when it does not fit; the indentation shrinks before the name
    goes under NAME_MIN characters. The mark "■ " sits between indentation and name.
    """
    tail = f" {count}"
    indent = min(INDENT * depth, max(0, width - len(tail) - 2 - NAME_MIN))
    room = max(1, width - indent - 2 - len(tail))
    if len(name) > room:
        name = name[: room - 1] + "…" if room > 1 else "…"
    pad = max(0, width - indent - 2 - len(name) - len(tail))
    return " " * indent, name + " " * pad, tail


def _by_name(code) -> str:
    return code.name.casefold()


def changed_codes(old: dict, new: dict) -> list[str]:
    """Ids of the codes added, removed or given a new value between two codebooks (dicts
    of id to Code), compared by identity in C: a Python loop over 5,000 codes, done by the
    codes pane and the reader on every change, was 2-3 ms each. A change of values keeps
    the ids in their order, so the values are compared in place (0.4 ms; looking each id
    up costs 2 ms). A code added (or its adding undone) is the last id of one of them, so
    the ids both hold are compared the same way."""
    if len(old) <= len(new) and [*old] == [*islice(new, len(old))]:
        return [*compress(old, map(is_not, islice(new.values(), len(old)), old.values())), *islice(new, len(old), None)]
    if len(new) < len(old) and [*new] == [*islice(old, len(new))]:
        return [*compress(new, map(is_not, new.values(), islice(old.values(), len(new)))), *islice(old, len(new), None)]
    return [*compress(new, map(is_not, new.values(), map(old.get, new))), *(old.keys() - new.keys())]


def changed_counts(old: dict[str, int], new: dict[str, int]) -> list[str]:
    """Ids whose count differs between two count dicts, in C: the set of both dicts' items
    hashed 10,000 pairs on every coding (1.5 ms at 5,000 codes); the counts keep their
    order from one coding to the next, so they are compared in place when the ids match."""
    if len(old) == len(new) and [*old] == [*new]:
        return list(compress(new, map(ne, new.values(), old.values())))
    return [code_id for code_id, _ in old.items() ^ new.items()]


class CodesPane(SteadyScrollBars, ScrollView, can_focus=True):
    """The actions here only pick the code; the app runs the dialogs and the store calls."""

    # The arrows, page and home/end keys move the highlight as in every other list.
    BINDINGS = bindings("codes") + [
        Binding(key, action, show=False)
        for key, action in (("down", "down"), ("up", "up"), ("pagedown", "page_down"), ("pageup", "page_up"),
                            ("home", "top"), ("end", "bottom"))
    ]
    COMPONENT_CLASSES = {"codes--cursor", "codes--count", "codes--uncodable"}

    def __init__(self, project, **kwargs):
        super().__init__(**kwargs)
        self.project = project
        self.border_title = "Codes"
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._rows: list[tuple[int, str, str, bool, int]] = []  # depth, colour, name, codable, total
        self._highlighted: int | None = None
        self._version = -1
        self._codes: dict | None = None  # the codebook the lines show (state.codes, copied)
        self._own: dict[str, int] = {}  # each code's own coding count the lines show
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._tree: dict[str | None, list] = {}  # each code's children by name (of self._codes)
        self._parts: dict[str, tuple] = {}  # code id: (code, colour, clean name, codable)

    # ------------------------------------------------------------------ content

    def reload(self) -> None:
        """Bring the lines up to date if the project changed since the last reload: the
        counts alone when the codebook is the same (compared by identity, in C), the
        changed lines when only colours, definitions or codability changed, else all."""
        state = self.project.state
        if self._version == state.version:
            return
        self._version = state.version
        own = self.project.codebook.counts()
        if self._codes is not None and state.codes == self._codes:
            self._recount(own)
            return
        old, self._codes = self._codes, dict(state.codes)
        changed = None if old is None else changed_codes(old, self._codes)
        if old is None or not (self._restyle(old, changed, own) or self._placed(old, changed, own)):
            self._own = own
            self._rebuild(old, changed)

    def _recount(self, own: dict[str, int]) -> None:
        """Add each changed own count to the code's line and its ancestors' lines."""
        changed = changed_counts(self._own, own)
        codes = self.project.state.codes
        for code_id in changed:
            delta = own.get(code_id, 0) - self._own.get(code_id, 0)
            code = codes.get(code_id)
            while code is not None and code.id in self._index:
                index = self._index[code.id]
                *line, total = self._rows[index]
                self._rows[index] = (*line, total + delta)
                self.refresh_line(index)
                code = codes.get(code.parent) if code.parent else None
        self._own = own

    def _restyle(self, old: dict, changed_ids: list[str], own: dict[str, int]) -> bool:
        """Update the lines of codes whose colour, definition or codability changed, when
        that is all that changed (same codes, names and parents); False: rebuild."""
        codes = self._codes
        if any(code_id not in codes or code_id not in old for code_id in changed_ids):
            return False
        changed = [codes[code_id] for code_id in changed_ids]
        if any(code.name != old[code.id].name or code.parent != old[code.id].parent for code in changed):
            return False
        for code in changed:
            siblings = self._tree[code.parent]
            siblings[next(i for i, c in enumerate(siblings) if c.id == code.id)] = code
            self._parts.pop(code.id, None)
            index = self._index.get(code.id)
            if index is not None:  # None: outside the tree (a damaged file)
                depth, _, name, _, total = self._rows[index]
                self._rows[index] = (depth, code.color, name, code.codable, total)
                self.refresh_line(index)
        self._recount(own)
        return True

    def _placed(self, old: dict, changed_ids: list[str], own: dict[str, int]) -> bool:
        """One code added, removed (without sub-codes), renamed or moved, the one change:
        take its lines (it and its sub-codes) out, put them in at its new place among its
        siblings, carry its total from its old parents' lines to its new parents', and
        repaint only the lines on screen that now show something else; False when the
        change is anything else. A rebuild walks all 5,000 codes, and a new number of lines
        laid out the whole screen: 20-30 ms of adding or moving a code at 200x50."""
        if len(changed_ids) != 1:
            return False
        code_id = changed_ids[0]
        was, code = old.get(code_id), self._codes.get(code_id)
        if was is not None and (code_id not in self._index or code is None and self._has_sub_codes(code_id)):
            return False  # outside the tree (a damaged file), or sub-codes left without their parent
        if code is not None and code.parent is not None and code.parent not in self._index:
            return False
        kept = self._ids[self._highlighted] if self._highlighted is not None else None
        shown, count = self._shown_lines(), len(self._ids)
        self._retree(old, changed_ids)
        rows, ids, start, end = [(0, "", "", True, 0)], [code_id], count, count
        if was is not None:
            start = self._index[code_id]
            end = self._block_end(start)
            rows, ids = self._rows[start:end], self._ids[start:end]
            self._add_total(was.parent, -rows[0][-1])
            del self._rows[start:end], self._ids[start:end]
            del self._index[code_id]
        at = start
        if code is not None:
            depth = 0 if code.parent is None else self._rows[self._index_after(code.parent, start, end)][0] + 1
            shift = depth - rows[0][0]
            rows = [(depth, code.color, clean(code.name), code.codable, rows[0][-1])] + [
                (d + shift, *line) for d, *line in rows[1:]]
            at = self._place_of(code, start, end)
            self._rows[at:at], self._ids[at:at] = rows, ids
        same_count = len(self._ids) == count
        for index in range(min(start, at), max(start, at) + len(ids) if same_count else len(self._ids)):
            self._index[self._ids[index]] = index  # only the lines that moved
        if code is not None:
            self._add_total(code.parent, rows[0][-1])
        if not same_count:
            self._count_lines()
        self._recount(own)
        self._highlighted = self._index.get(kept, min(self._highlighted or 0, len(self._rows) - 1)) if self._rows else None
        self._repaint_changed(shown)
        return True

    def _has_sub_codes(self, code_id: str) -> bool:
        index = self._index[code_id]
        return self._block_end(index) > index + 1

    def _index_after(self, code_id: str, start: int, end: int) -> int:
        """The line of `code_id` once the lines start:end are taken out (the index is
        brought up to date only after the lines are put back)."""
        index = self._index[code_id]
        return index - (end - start) if index >= end else index

    def _place_of(self, code, start: int, end: int) -> int:
        """Where the lines of `code` go: before its next sibling's, else after its parent's
        last line (the lines start:end taken out, as in `_index_after`)."""
        siblings = self._tree[code.parent]
        after = next(i for i, c in enumerate(siblings) if c.id == code.id) + 1
        if after < len(siblings):
            return self._index_after(siblings[after].id, start, end)
        if code.parent is None:
            return len(self._ids)
        return self._block_end(self._index_after(code.parent, start, end))

    def _add_total(self, code_id: str | None, delta: int) -> None:
        """Add `delta` to the totals of the code's line and its ancestors' lines (repainted,
        if on screen, as `_repaint_changed` finds them changed)."""
        codes = self._codes
        while code_id is not None and code_id in self._index:
            index = self._index[code_id]
            *line, total = self._rows[index]
            self._rows[index] = (*line, total + delta)
            code_id = codes[code_id].parent if code_id in codes else None

    def _count_lines(self) -> None:
        """A new number of lines, its scroll bar's thumb repainted only if it moved:
        setting `virtual_size` lays out the whole screen, and Textual's scroll bar update
        lays out the pane (every line of the screen repainted, most of adding a code at
        200x50). That is left for when the bar comes or goes or the pane is scrolled past
        its new end."""
        size, height = Size(self.size.width, len(self._rows)), self.scrollable_content_region.height
        if not self.show_vertical_scrollbar or size.height <= height or self.scroll_offset.y > size.height - height:
            self.virtual_size = size
            return
        bar = self.vertical_scrollbar
        was = thumb(bar, bar.position)
        self.set_reactive(CodesPane.virtual_size, size)
        bar.set_reactive(ScrollBar.window_virtual_size, size.height)
        if thumb(bar, bar.position) != was:
            bar.refresh()

    def _shown_lines(self) -> list:
        """What each line on screen shows (its row and whether it is the highlight)."""
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        return [(self._rows[i], i == self._highlighted) for i in range(top, min(top + height, len(self._rows)))]

    def _repaint_changed(self, shown: list) -> None:
        """Keep the highlight in view and repaint the lines that show something other than
        `shown` (a whole refresh renders every line of the pane and its scroll bar)."""
        top = self.scroll_offset.y
        self._scroll_to_highlight()
        if self.scroll_offset.y != top or len(shown) != len(now := self._shown_lines()):
            self.refresh()
            return
        for y, (was, line) in enumerate(zip(shown, now)):
            if was != line:
                self.refresh_line(top + y)

    def _block_end(self, index: int) -> int:
        """The end of the lines of the code at `index` and its sub-codes."""
        depth, end = self._rows[index][0], index + 1
        while end < len(self._rows) and self._rows[end][0] > depth:
            end += 1
        return end

    def _rebuild(self, old: dict | None = None, changed: list[str] | None = None) -> None:
        """Every line in one pass down the tree, each total summed from the children up.
        The tree (siblings by name, as Codebook.children) is kept and only the codes that
        changed since `old` are moved in it; a line's name is cleaned once per code value."""
        kept = self._ids[self._highlighted] if self._highlighted is not None and self._ids else None
        self._retree(old, changed)
        tree, own, parts = self._tree, self._own, self._parts
        order: list = []  # the codes down the tree (each before its children), and their depths
        depths: list[int] = []
        children_of, stack = tree.get, [iter(tree.get(None, ()))]
        while stack:  # a leaf pushes nothing (a stack of (code, depth) pairs was 20 ms at 5,000 codes)
            for code in stack[-1]:
                order.append(code)
                depths.append(len(stack) - 1)
                if children := children_of(code.id):
                    stack.append(iter(children))
                    break
            else:
                stack.pop()
        totals: dict[str, int] = {}
        total_of, own_of = totals.get, own.get
        for code in reversed(order):  # children before their parents
            total = totals[code.id] = total_of(code.id, 0) + own_of(code.id, 0)
            if code.parent is not None:
                totals[code.parent] = total_of(code.parent, 0) + total
        rows = []
        part_of = parts.get
        for code, depth in zip(order, depths):
            part = part_of(code.id)
            if part is None or part[0] is not code:
                name = code.name  # most names have no control character to clean (isprintable is C)
                part = parts[code.id] = (code, code.color, name if name.isprintable() else clean(name), code.codable)
            rows.append((depth, part[1], part[2], part[3], totals[code.id]))
        self._rows, self._ids = rows, [code.id for code in order]
        self._index = {code_id: i for i, code_id in enumerate(self._ids)}
        self.virtual_size = Size(self.size.width, len(rows))
        if kept in self._index:
            self.highlighted = self._index[kept]
        else:
            self.highlighted = min(self._highlighted or 0, len(rows) - 1) if rows else None
        self.refresh()

    def _retree(self, old: dict | None, changed: list[str] | None) -> None:
        """Bring the sibling lists up to date: moved codes only, or all when many changed."""
        codes = self._codes
        if changed is None or len(changed) > RETREE_AT_MOST:
            tree: dict[str | None, list] = {}
            for code in sorted(codes.values(), key=_by_name):
                tree.setdefault(code.parent, []).append(code)
            self._tree, self._parts = tree, {}
            return
        for code_id in changed:
            was, now = old.get(code_id), codes.get(code_id)
            if was is not None:
                siblings = self._tree[was.parent]
                del siblings[next(i for i, c in enumerate(siblings) if c.id == code_id)]
            if now is not None:
                insort(self._tree.setdefault(now.parent, []), now, key=_by_name)
            self._parts.pop(code_id, None)

    @property
    def option_count(self) -> int:
        return len(self._rows)

    def get_option_index(self, code_id: str) -> int:
        return self._index[code_id]

    @property
    def highlighted(self) -> int | None:
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        if index is not None and self._rows:
            index = max(0, min(index, len(self._rows) - 1))
        shown = self._shown_lines()
        self._highlighted = index if self._rows else None
        self._repaint_changed(shown)

    @property
    def code(self):
        if self._highlighted is None:
            return None
        return self.project.state.codes.get(self._ids[self._highlighted])

    # ------------------------------------------------------------------ drawing

    def _scroll_to_highlight(self) -> None:
        if self._highlighted is None:
            return
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if self._highlighted < top:
            self.scroll_to(y=self._highlighted, animate=False, immediate=True, force=True)
        elif self._highlighted >= top + height:
            self.scroll_to(y=self._highlighted - height + 1, animate=False, immediate=True, force=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows))
        self._cache.clear()
        self._scroll_to_highlight()

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self.on_focus()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        current = index == self._highlighted and (self.has_focus or None)
        key = (self._rows[index], width, current)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render(index, width, current).crop_extend(0, width, self.rich_style)
            self._cache[key] = strip
        return strip

    def _render(self, index: int, width: int, current: bool | None) -> Strip:
        depth, colour, name, codable, total = self._rows[index]
        indent, name, tail = code_line(depth, name, str(total), width)
        base = self.rich_style
        if current is not None:  # the highlighted line; dimmer when the pane has no focus
            cursor = self.get_component_rich_style("codes--cursor")
            base = base + (cursor if current else Style(reverse=True, dim=True))
        name_style = base + (Style() if codable else self.get_component_rich_style("codes--uncodable"))
        return Strip([
            Segment(indent, base),
            Segment("■ ", base + Style.parse(colour) if colour else base),
            Segment(name, name_style),
            Segment(tail, base + self.get_component_rich_style("codes--count")),
        ])  # fmt: skip

    # ------------------------------------------------------------------ keys

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._rows):
            if index == self._highlighted and event.chain > 1:
                self.action_retrieve()
            self.highlighted = index

    def action_down(self) -> None:
        if self._rows:
            self.highlighted = 0 if self._highlighted is None else self._highlighted + 1

    def action_up(self) -> None:
        if self._rows:
            self.highlighted = 0 if self._highlighted is None else self._highlighted - 1

    def action_top(self) -> None:
        self.highlighted = 0

    def action_bottom(self) -> None:
        self.highlighted = len(self._rows) - 1

    def action_cursor_down(self) -> None:
        self.action_down()

    def action_cursor_up(self) -> None:
        self.action_up()

    def action_page_down(self) -> None:
        self.highlighted = (self._highlighted or 0) + max(1, self.scrollable_content_region.height - 1)

    def action_page_up(self) -> None:
        self.highlighted = (self._highlighted or 0) - max(1, self.scrollable_content_region.height - 1)

    def _run(self, what: str) -> None:
        if self.code is None:
            self.app.notify("The codebook is empty: press a to add a code", severity="warning")
            return
        getattr(self.app, f"code_{what}")(self.code)

    def action_retrieve(self) -> None:
        self._run("retrieve")

    def action_add(self) -> None:
        self.app.code_add(self.code)

    def action_rename(self) -> None:
        self._run("rename")

    def action_move(self) -> None:
        self._run("move")

    def action_merge(self) -> None:
        self._run("merge")

    def action_delete(self) -> None:
        self._run("delete")

    def action_describe(self) -> None:
        self._run("describe")

    def action_colour(self) -> None:
        self._run("colour")
