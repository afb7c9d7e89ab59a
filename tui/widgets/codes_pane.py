"""The codes pane: the codebook as an indented tree, one line per code.

Each line is the code's colour mark and name, indented by depth, the name cut with … and
the coding count (sub-codes included) right-aligned, so nothing wraps at any width. It is
a Line API ScrollView over a list of plain tuples, and only the lines on screen are
rendered (kept in an LRU cache keyed by the line's content, so it outlives rebuilds). A
change to codings only (applying, uncoding, undoing those) updates the counts of the codes
whose own count changed and their parents, and repaints those lines; a new colour,
definition or codability repaints that code's line; any other codebook change rebuilds the
list in one pass over the codes (about 20 ms at 5,000), so coding with a 5,000-code
codebook costs what it touches.
"""

from __future__ import annotations

from bisect import insort
from itertools import compress
from operator import is_not, ne

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.keys import bindings, clean
from tui.widgets.steady import SteadyScrollBars

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
    up costs 2 ms)."""
    if len(old) == len(new) and [*old] == [*new]:
        return list(compress(new, map(is_not, new.values(), old.values())))
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
        if old is None or not (self._restyle(old, changed, own) or self._renamed(old, changed, own)):
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

    def _renamed(self, old: dict, changed_ids: list[str], own: dict[str, int]) -> bool:
        """A rename, the one change: move the code's lines (it and its sub-codes) to its
        new place among its siblings, and repaint only the lines on screen that now show
        something else; False when the change is anything else."""
        codes = self._codes
        if len(changed_ids) != 1 or changed_ids[0] not in old or changed_ids[0] not in codes:
            return False
        code = codes[changed_ids[0]]
        if code.parent != old[code.id].parent or code.id not in self._index:
            return False
        kept = self._ids[self._highlighted] if self._highlighted is not None else None
        shown = self._shown_lines()
        self._retree(old, changed_ids)
        start = self._index[code.id]
        end = self._block_end(start)
        rows, ids = self._rows[start:end], self._ids[start:end]
        depth, _, _, _, total = rows[0]
        rows[0] = (depth, code.color, clean(code.name), code.codable, total)
        del self._rows[start:end], self._ids[start:end]
        siblings = self._tree[code.parent]
        after = next(i for i, c in enumerate(siblings) if c.id == code.id) + 1
        if after < len(siblings):
            at = self._index[siblings[after].id]
            at -= end - start if at > start else 0  # its index before the block was taken out
        else:  # the last sibling: at the end of its parent's lines
            at = len(self._ids) if code.parent is None else self._block_end(self._ids.index(code.parent))
        self._rows[at:at], self._ids[at:at] = rows, ids
        for index in range(min(start, at), max(start, at) + len(ids)):  # only the lines that moved
            self._index[self._ids[index]] = index
        self._recount(own)
        self._highlighted = self._index.get(kept, self._highlighted)
        self._repaint_changed(shown)
        return True

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
