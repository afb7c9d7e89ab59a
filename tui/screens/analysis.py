"""The analysis screen: what the coding says, as bars and heat maps, down to the passages.

Four views (frequencies, co-occurrence, matrix, rounds) over one Scope, the researcher's
filters, shown in the header. Each view is built from the store's analysis functions, on
the project's live columns (store/analysis/live.py), in the builder's thread
(analysis_build.py), and kept by (view, its options, scope, project version): the app
builds every view and the shown view's options ahead, at idle, so a key only draws; a
view not built yet says "Counting…" until it is, and coding anything builds them again. Every figure is a `Cell` holding its codings: Enter opens the retrieval
view of exactly those, and Enter there jumps to the text (this screen closes with the
coding, and the app opens it in the reader).

What was chosen (view, options, filters, cursor) lives in `Settings`, kept by the app, so
the screen opens again where it was left.
"""

from __future__ import annotations

import shlex
import threading
from collections import defaultdict
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field
from functools import partial


from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label

from store.analysis.cell import EMPTY, Cell
from store.analysis.scope import EVERYTHING, Scope, codings_in, named_scope
from store.errors import BadInput
from store.text import plural
from tui.screens.prompt import Prompt
from tui.screens.retrieval import Retrieval
from tui.cells import width as cell_width
from tui.widgets.bars import Bar, Bars, Lazy, Measures, Rows
from tui.widgets.heatmap import Grid, GridRow, Heatmap, Mark, level
from tui.widgets.keys import bindings, clean

VIEWS = ("frequencies", "cooccurrence", "matrix", "rounds")
TITLES = {"frequencies": "Frequencies", "cooccurrence": "Co-occurrence", "matrix": "Matrix", "rounds": "Rounds"}
WITHIN = ("overlap", "turn", "document")
MEASURES = ("together", "c_coefficient", "jaccard")
COUNTS = ("codings", "documents", "cases", "words")
CACHED = 24  # built views kept (each is a few lists of plain rows), all of the project's current version


@dataclass
class Settings:
    """What the researcher chose on the screen; the app keeps one per session."""

    view: str = "frequencies"
    scope: Scope = EVERYTHING
    sort: str = "count"  # or "codebook"
    rollup: bool = False
    by: str | None = None  # frequencies split by: document, case, coder, speaker, attr.KEY
    within: str = "overlap"
    measure: str = "together"
    cols: str = "document"  # matrix columns
    count: str = "codings"  # what a matrix cell counts
    case: str = "case"  # rounds: the attribute naming the participant
    round_by: str | None = None  # rounds: the ordered attribute; None: "round" if it exists
    query: str = ""  # the last query typed with /
    cursors: dict = field(default_factory=dict)  # view -> (row, column)
    cache: dict = field(default_factory=dict)

    def options(self, view: str) -> tuple:
        return {
            "frequencies": (self.sort, self.rollup, self.by),
            "cooccurrence": (self.within, self.measure),
            "matrix": (self.cols, self.count),
            "rounds": (self.case, self.round_by),
        }[view]


@dataclass
class View:
    """A built view: bars or a grid, and per row (and column) what its figure means."""

    bars: Sequence[Bar] | None = None  # a list, or Rows made as drawn (with their `measures`)
    measures: Measures | None = None
    columns: tuple[str, ...] = ()
    corner: str = ""
    grid: Grid | None = None
    describe: object = None  # (row, column) -> one line about the figure
    empty: str = ""  # shown when there is nothing to draw, saying what to do


# ---------------------------------------------------------------------- building the views


def groupings(project) -> list[str | None]:
    """What frequencies can be split by: nothing, document, case, coder, speaker, each attribute."""
    keys = [f"attr.{k}" for k in project.documents.attribute_keys() if k != "case"]
    return [None, "document", "case", "coder", "speaker", *keys]


def matrix_columns(project) -> list[str]:
    return ["document", "case", "coder", *(f"attr.{k}" for k in project.documents.attribute_keys() if k != "case")]


def _depths(project) -> dict[str, int]:
    return {code.id: project.codebook.depth(code) for code in project.codebook.all()}


def _order(project) -> dict[str, int]:
    return {code.id: i for i, code in enumerate(project.codebook.all())}


def build_frequencies(project, s: Settings) -> View:
    """The bars as `Rows` made when drawn: here only the order (sorting by count needs the
    totals, not the bars) and the measures the widget lays out by, from the store's rows."""
    from store.analysis.frequencies import frequencies

    rows = frequencies(project, s.scope, by=s.by, rollup=s.rollup)
    order, depths = _order(project), _depths(project)
    by_code: dict[str, list] = defaultdict(list)
    for row in rows:
        by_code[row.code.id].append(row)
    totals = {code_id: sum(r.codings.value for r in found) for code_id, found in by_code.items()}
    codes = sorted(by_code, key=lambda c: order.get(c, len(order)))
    if s.sort == "count":
        codes.sort(key=lambda c: -totals[c])
    tree = s.sort == "codebook"
    flat: list = []  # per line: its store row (a heading's: its code's first row)
    headings: set[int] = set()
    longest = 0
    group_width: dict[str, int] = {}
    for code_id in codes:
        found = by_code[code_id]
        first = found[0]
        depth = depths.get(code_id, 0) if tree else 0
        label = first.code.name if tree else first.path
        if s.by is None:
            longest = max(longest, cell_width(clean(label)) + 2 * depth)
            flat.append(first)
            continue
        longest = max(longest, cell_width(label) + 2 * depth)
        headings.add(len(flat))
        flat.append(first)
        flat.extend(found)
        for row in found:
            w = group_width.get(row.group)
            if w is None:
                w = group_width[row.group] = cell_width(clean(row.group) or "(none)")
            longest = max(longest, w + 2 * (depth + 1))

    def make(i: int) -> Bar:
        row = flat[i]
        depth = depths.get(row.code.id, 0) if tree else 0
        label = row.code.name if tree else row.path
        if s.by is None:
            return _frequency_bar(row, label, depth)
        if i in headings:
            return Bar(label, 0, depth=depth)
        return _frequency_bar(row, clean(row.group) or "(none)", depth + 1)

    shown = [r for i, r in enumerate(flat) if i not in headings] if headings else flat
    measures = Measures(
        max((r.codings.value for r in shown), default=0),
        (_widest(r.codings.value for r in shown), _widest(r.documents for r in shown), _widest(r.cases for r in shown),
         _widest(r.words for r in shown), len(f"{max((r.share for r in shown), default=0):.1%}")),
        longest)
    columns = ("codings", "docs", "cases", "words", "share")
    corner = "code" + (f" by {_by_name(s.by)}" if s.by else "")

    def describe(r: int, c: int) -> str:
        return "" if r in headings else _frequency_meaning(flat[r])

    return View(bars=Rows(len(flat), make), measures=measures if flat else None, columns=columns, corner=corner,
                describe=describe, empty="No codings in scope: code some passages, or change the filters (f)")


def _widest(counts) -> int:
    """The cells of the widest of these counts (whole numbers, none below 0) as `str` writes them."""
    return len(str(max(counts, default=0)))


def _frequency_bar(row, label: str, depth: int) -> Bar:
    numbers = (str(row.codings.value), str(row.documents), str(row.cases), str(row.words), f"{row.share:.1%}")
    return Bar(clean(label), row.codings.value, numbers, row.codings, depth, row.code.color)


def _frequency_meaning(row) -> str:
    group = f" · {row.group}" if row.group else ""
    return (f"{row.path}{group}: {plural(row.codings.value, 'coding')} in {plural(row.documents, 'document')}, "
            f"{plural(row.cases, 'case')}, {plural(row.words, 'word')} ({row.share:.1%} of the words)")


def _by_name(by: str | None) -> str:
    return "nothing" if by is None else by.removeprefix("attr.")


def build_cooccurrence(project, s: Settings) -> View:
    from store.analysis.cooccurrence import table

    pairs, counts = table(project, s.scope, within=s.within)  # counts: every code in scope, 0 without codings
    own = _own_codings(project, s.scope)
    codes = [c for c in project.codebook.all() if counts.get(c.id)]
    index = {c.id: i for i, c in enumerate(codes)}
    together: dict[tuple[int, int], object] = {}
    for pair in pairs:
        a, b = index.get(pair.code_a.id), index.get(pair.code_b.id)
        if a is not None and b is not None:
            together[a, b] = together[b, a] = pair
    values = {key: _measure(pair, s.measure) for key, pair in together.items()}
    top = max(values.values(), default=0)
    texts = {key: _number(value) for key, value in values.items()}
    widths = [cell_width(str(counts.get(code.id, 0))) for code in codes]
    for (_, j), text in texts.items():
        if len(text) > widths[j]:
            widths[j] = len(text)
    labels = [f"{i + 1} {clean(project.codebook.path(code))}" for i, code in enumerate(codes)]

    def mark(i: int, j: int) -> Mark:
        if i == j:
            cell = Cell.lazy(counts.get(codes[i].id, 0), partial(lambda code_id: own().get(code_id, ()), codes[i].id))
            return Mark(cell, str(cell.value), -1)
        pair = together.get((i, j))
        if pair is None:
            return NOTHING
        value = values[i, j]
        return Mark(Cell.lazy(value, lambda: pair.together.codings), texts[i, j], level(value, top))

    def make(i: int) -> GridRow:  # its marks made as drawn too: a row is 110 of them, 30 on screen
        return GridRow(labels[i], Lazy(len(codes), partial(mark, i)), colour=codes[i].color)

    rows = Rows(len(codes), make)
    grid = Grid(tuple(str(i + 1) for i in range(len(codes))), rows, corner=f"code ({_measure_name(s.measure)}, {s.within})")
    grid.measured_as(widths, max((cell_width(label) for label in labels), default=0), 0)

    def describe(r: int, c: int) -> str:
        a, b = codes[r], codes[c]
        if r == c:
            return f"{project.codebook.path(a)}: {rows[r].marks[c].text} on its own ({s.within}); enter shows its codings"
        pair = together.get((r, c))
        if pair is None:
            return f"{project.codebook.path(a)} × {project.codebook.path(b)}: never together ({s.within})"
        return (f"{project.codebook.path(a)} × {project.codebook.path(b)}: {pair.together.value} together ({s.within}) · "
                f"{pair.count_a}/{pair.count_b} each · c {pair.c_coefficient:.2f} · Jaccard {pair.jaccard:.2f}")

    return View(grid=grid, describe=describe, empty="No codings in scope: code some passages, or change the filters (f)")


def _own_codings(project, scope: Scope):
    """A function giving each code's codings in scope (what its diagonal cell opens),
    listed once, when a diagonal cell is first opened: building the view reads no coding."""
    found: dict[str, tuple[str, ...]] = {}

    def listed() -> dict[str, tuple[str, ...]]:
        if not found:
            by_code: dict[str, list[str]] = defaultdict(list)
            for coding in codings_in(project, scope):
                by_code[coding.code].append(coding.id)
            found.update({code: tuple(ids) for code, ids in by_code.items()})
            found[""] = ()  # listed (a scope without codings has none)
        return found

    return listed


def _measure(pair, measure: str) -> float:
    return pair.together.value if measure == "together" else getattr(pair, measure)


def _measure_name(measure: str) -> str:
    return {"together": "together", "c_coefficient": "c-coefficient", "jaccard": "Jaccard"}[measure]


def _number(value: float) -> str:
    """A count as it is; a coefficient in two decimals, without the leading 0 (".25")."""
    if type(value) is int:
        return str(value)
    if isinstance(value, int) or value == 0:
        return str(int(value)) if float(value).is_integer() else str(value)
    text = f"{value:.2f}"
    return text[1:] if text.startswith("0.") else text


def build_matrix(project, s: Settings) -> View:
    from store.analysis.matrix import matrix

    m = matrix(project, s.scope, cols=s.cols, count=s.count)
    top = max((cell.value for cell in m.cells.values()), default=0)
    top_total = max((cell.value for cell in m.totals.values()), default=0)  # the total column is shaded on its own scale
    cells, columns = m.cells, m.columns
    where = {column: j for j, column in enumerate(columns)}
    widths = [1] * (len(columns) + 1)  # "·" where nothing is
    for (_, column), cell in cells.items():
        j = where.get(column)
        if j is not None and cell is not EMPTY and len(text := _number(cell.value)) > widths[j]:
            widths[j] = len(text)
    widths[-1] = max([1, *(len(_number(cell.value)) for cell in m.totals.values())])
    labels = [clean(project.codebook.path(code)) for code in m.codes]

    def mark(code_id: str, j: int) -> Mark:
        if j == len(columns):
            return _mark(m.total(code_id), top_total)
        return _mark(cells.get((code_id, columns[j]), EMPTY), top)

    def make(i: int) -> GridRow:  # its marks made as drawn too: a row is 201 of them, 40 on screen
        code = m.codes[i]
        return GridRow(labels[i], Lazy(len(columns) + 1, partial(mark, code.id)), colour=code.color)

    grid = Grid((*(clean(c) for c in columns), "(total)"), Rows(len(m.codes), make), corner=f"code × {_by_name(s.cols)} ({s.count})")
    grid.measured_as(widths, max((cell_width(label) for label in labels), default=0), 0)

    def describe(r: int, c: int) -> str:
        code = m.codes[r]
        cell = m.cell(code.id, m.columns[c]) if c < len(m.columns) else m.total(code.id)
        where = f"{_by_name(s.cols)} {m.columns[c]}" if c < len(m.columns) else f"every {_by_name(s.cols)}"
        behind = "" if s.count == "codings" else f" ({plural(len(cell.codings), 'coding')})"
        return f"{project.codebook.path(code)} · {where}: {plural(cell.value, s.count[:-1])}{behind}"

    return View(grid=grid, describe=describe, empty="No codes or no columns in scope: change the filters (f) or the columns (b)")


def _mark(cell, top) -> Mark:
    """A matrix cell's mark: a cell holds codings unless it is EMPTY (0 words can still be
    codings), so its codings are not listed to tell."""
    if cell is EMPTY:
        return NOTHING
    return Mark(cell, _number(cell.value), level(cell.value, top))


NOTHING = Mark(EMPTY, "·", 0)  # a cell with no codings behind it


def round_attribute(project, s: Settings) -> str | None:
    if s.round_by is not None:
        return s.round_by
    return "round" if "round" in project.documents.attribute_keys() else None


def build_rounds(project, s: Settings) -> View:
    from store.analysis.frequencies import natural_order
    from store.analysis.rounds import rounds

    keys = project.documents.attribute_keys()
    by = round_attribute(project, s)
    if by is None or s.case not in keys:
        missing = "round" if by is None else s.case
        return View(grid=Grid((), []), empty=(
            f"No {missing} attribute: set it on each interview (margin attrs set DOC {missing}=1), "
            f"or pick another with {'b' if by is None else 'c'}"))
    found = rounds(project, s.scope, case=s.case, by=by)
    values = natural_order({v for row in found for v in row.present})
    top = max((cell.value for row in found for cell in row.present.values()), default=0)
    flat: list = []  # per line: its store row (a heading's: the first row of its case)
    headings: set[int] = set()
    where = {value: j for j, value in enumerate(values)}
    widths, longest, notes = [1] * len(values), 0, 0
    measured: dict[str, int] = {}

    def measure(text: str) -> int:
        found_ = measured.get(text)
        if found_ is None:
            found_ = measured[text] = cell_width(text)
        return found_

    current = None
    for row in found:
        if row.case != current:
            current = row.case
            headings.add(len(flat))
            flat.append(row)
            longest = max(longest, measure(f"{s.case} {clean(row.case)}"))
        flat.append(row)
        longest, notes = max(longest, measure(clean(row.path))), max(notes, measure(row.change))
        for value, cell in row.present.items():
            if cell.value and len(text := _number(cell.value)) > widths[where[value]]:
                widths[where[value]] = len(text)

    def make(i: int) -> GridRow:
        row = flat[i]
        if i in headings:
            return GridRow(f"{s.case} {clean(row.case)}", heading=True)
        marks = []
        for value in values:
            cell = row.present.get(value)
            if cell is None or not cell.value:
                marks.append(NOTHING)
            else:
                marks.append(Mark(cell, _number(cell.value), level(cell.value, top)))
        return GridRow(clean(row.path), tuple(marks), note=row.change, colour=row.code.color)

    grid = Grid(tuple(f"{by} {v}" for v in values), Rows(len(flat), make), corner=f"{s.case}, code", note_title="change")
    grid.measured_as(widths, longest, notes)

    def describe(r: int, c: int) -> str:
        row = flat[r]
        cell = row.present.get(values[c]) if values else None
        where = f"{s.case} {row.case} · {row.path} · {by} {values[c]}" if values else row.path
        return f"{where}: {plural(cell.value if cell else 0, 'coding')} · {row.change}"

    return View(grid=grid, describe=describe, empty=f"No codings by {s.case} and {by} in scope: change the filters (f)")


OPTIONS = {  # the option keys of each view (their actions), as option_change reads them
    "frequencies": ("sort", "rollup", "by"),
    "cooccurrence": ("within", "measure"),
    "matrix": ("by", "measure"),
    "rounds": ("by", "case"),
}


def option_change(project, s: Settings, name: str) -> dict | None:
    """What the option key `name` changes in the settings of the view shown, or None
    when it changes nothing there (the screen builds what it gives; so does `ahead`)."""
    view, keys = s.view, project.documents.attribute_keys()
    if name not in OPTIONS[view]:
        return None
    if name == "sort":
        return {"sort": "codebook" if s.sort == "count" else "count"}
    if name == "rollup":
        return {"rollup": not s.rollup}
    if name == "within":
        return {"within": _next(list(WITHIN), s.within)}
    if name == "measure":
        return {"measure": _next(list(MEASURES), s.measure)} if view == "cooccurrence" else {"count": _next(list(COUNTS), s.count)}
    if name == "by" and view == "frequencies":
        return {"by": _next(groupings(project), s.by)}
    if name == "by" and view == "matrix":
        return {"cols": _next(matrix_columns(project), s.cols)}
    others = [k for k in keys if k != (s.case if name == "by" else round_attribute(project, s))]
    if not others:
        return None
    return {"round_by": _next(others, round_attribute(project, s))} if name == "by" else {"case": _next(others, s.case)}


def ahead(project, s: Settings) -> list[Settings]:
    """The settings of what a key on the screen could show next, the likeliest first:
    each view as it was left, then each option key's change of the view shown."""
    found = []
    for view in (s.view, *(v for v in VIEWS if v != s.view)):
        found.append(replace_settings(s, view=view))
    for name in OPTIONS[s.view]:
        changes = option_change(project, s, name)
        if changes:
            found.append(replace_settings(s, **changes))
    return found


def replace_settings(s: Settings, **changes) -> Settings:
    """A copy sharing the cache (and cursors), with `changes` made."""
    found = copy(s)
    for name, value in changes.items():
        setattr(found, name, value)
    return found


VIEW_KEYS = {  # the option keys each view's help line names
    "frequencies": (("sort", "sort"), ("rollup", "roll up"), ("by", "split")),
    "cooccurrence": (("within", "within"), ("measure", "number")),
    "matrix": (("by", "columns"), ("measure", "count")),
    "rounds": (("by", "by"), ("case", "case")),
}
_CACHE_LOCK = threading.Lock()
_RETIRED: list[View] = []  # views of an older state, left for release_retired to free


def release_retired() -> None:
    """Free the views an apply made stale. Freeing a full set at 50,000 codings takes
    about 30 ms, which `view_of` paid inside the build a key waits for (the first view
    asked for after an apply); the builder calls this before a build no key waits for."""
    with _CACHE_LOCK:
        retired = _RETIRED[:]
        _RETIRED.clear()
    del retired  # freed here, outside the lock
BUILDERS = {"frequencies": build_frequencies, "cooccurrence": build_cooccurrence, "matrix": build_matrix,
            "rounds": build_rounds}


class Stale(Exception):
    """The project changed while a view was being built: its figures may mix two states."""


def view_key(project, s: Settings, view: str) -> tuple:
    """What a built view depends on: the view, its options, the filters, the project's state."""
    return (view, s.options(view), s.scope, project.state.version)


def view_of(project, s: Settings, view: str) -> View:
    """The view built for these settings and this state of the project (cached). Built
    in a thread while the app may change the project: a build that saw a change (the
    version moved, or a dict changed size under it) raises Stale and is not kept."""
    key = view_key(project, s, view)
    built = s.cache.get(key)
    if built is None:
        try:
            built = BUILDERS[view](project, s)
        except RuntimeError as error:  # a dict "changed size during iteration": the app changed the project
            if "during iteration" not in str(error):
                raise
            raise Stale from None
        if project.state.version != key[-1]:
            raise Stale
        if built.grid is not None and not built.grid.measured:
            built.grid.measure()  # here, in the builder's thread, not on the key that shows it
        with _CACHE_LOCK:  # two builds can finish at once, each in its own thread
            for old in [k for k in s.cache if k[-1] != key[-1]]:  # counted before the last change
                _RETIRED.append(s.cache.pop(old))
            while len(s.cache) >= CACHED:
                _RETIRED.append(s.cache.pop(next(iter(s.cache))))
            s.cache[key] = built
    return built


# ---------------------------------------------------------------------- filters


def parse_filters(project, text: str) -> Scope:
    """`round=2 coder=alice speaker=Nurse -speaker=Interviewer doc=NAME code=PATH` as a
    Scope (quotes for values with spaces); raises BadInput or NotFound with one line."""
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise BadInput(f"filters: {error} (close the quote)") from None
    given: dict[str, list[str]] = defaultdict(list)
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key or not value:
            raise BadInput(f"{word!r} is not key=value (for example round=2, coder=NAME, speaker=NAME)")
        given[key].append(value)
    attrs = [f"{k}={v}" for k, vs in given.items() if k not in FILTER_WORDS for v in vs]
    for key in ("coder", "code"):
        if len(given.get(key, ())) > 1:
            raise BadInput(f"one {key}= at a time")
    return named_scope(
        project,
        documents=tuple(given.get("doc", ())),
        code=(given.get("code") or [None])[0],
        coder_name=(given.get("coder") or [None])[0],
        attrs=tuple(attrs),
        speakers=tuple(given.get("speaker", ())),
        not_speakers=tuple(given.get("-speaker", ())),
    )


FILTER_WORDS = ("doc", "code", "coder", "speaker", "-speaker")


def filters_text(project, scope: Scope) -> str:
    """The Scope as the filter prompt takes it, to edit."""
    words = [f"doc={project.state.documents[d].name}" for d in sorted(scope.documents or ()) if d in project.state.documents]
    words += [f"{k}={v}" for k, v in scope.attributes]
    if scope.code is not None and scope.code in project.state.codes:
        words.append(f"code={project.codebook.path(project.state.codes[scope.code])}")
    if scope.coder is not None and scope.coder in project.state.coders:
        words.append(f"coder={project.state.coders[scope.coder].name}")
    words += [f"speaker={s}" for s in sorted(scope.speakers or ())]
    words += [f"-speaker={s}" for s in sorted(scope.not_speakers)]
    return " ".join(shlex.quote(w) if " " in w or "'" in w or '"' in w else w for w in words)


# ---------------------------------------------------------------------- the screen


class Analysis(ModalScreen):
    BINDINGS = bindings("analysis")

    def __init__(self, project, settings: Settings | None = None):
        super().__init__()
        self.project = project
        self.settings = settings or Settings()
        self._asked: tuple | None = None  # the cache key of what is shown or being built
        self._view: View | None = None  # None while it is being built
        self.bars, self.heatmap = Bars(id="analysis-bars"), Heatmap(id="analysis-grid")

    def compose(self):
        with Vertical(id="analysis", classes="fullscreen"):
            yield Label("", markup=False, id="analysis-title", classes="dialog-title")
            yield Label("", markup=False, id="analysis-options")
            yield self.bars
            yield self.heatmap
            yield Label("", markup=False, id="analysis-empty")
            yield Label("", markup=False, id="analysis-detail")
            yield Label("", markup=False, id="analysis-help", classes="dialog-help")

    def on_mount(self) -> None:
        from tui.screens.analysis_build import builder_of

        self.builder = builder_of(self.app, self.project)
        self.builder.listener = self._built_elsewhere
        self.refresh_view()

    def on_unmount(self) -> None:
        if self.builder.listener == self._built_elsewhere:
            self.builder.listener = None
        # A closed screen can outlive its closing, held in the frozen heap (its widgets make
        # cycles): it lets go of its view, which its reference count then frees once stale.
        self._view = None
        self.bars.rows, self.heatmap.grid = [], Grid((), [])

    def _built_elsewhere(self, key: tuple, view: View | None, error: str) -> None:
        """From the builder's thread: a message, which never waits for the app (as
        call_from_thread would, and the app may be closing)."""
        self.post_message(self.Built(key, view, error))

    def on_screen_resume(self) -> None:
        """Back from the retrieval (or the journal): rebuild if the project changed."""
        if self.is_mounted and self._asked is not None and self._key() != self._asked:
            self.refresh_view()

    # ------------------------------------------------------------------ showing

    def _key(self) -> tuple:
        s = self.settings
        return (s.view, s.options(s.view), s.scope, self.project.state.version)

    def refresh_view(self) -> None:
        """Draw the current view: from the cache at once (the builder builds ahead), else
        built in the builder's thread while the screen says so."""
        key = self._asked = self._key()
        self._headers()
        view = self.settings.cache.get(key)
        if view is not None:
            self._draw(view)
            self.call_after_refresh(self._build_ahead)
            return
        self._view = None
        self.bars.display = self.heatmap.display = False
        self._say(f"Counting {plural(sum(self.project.state.coding_counts_by_document().values()), 'coding')}…")
        self.query_one("#analysis-detail", Label).update("")
        self.builder.want([copy(self.settings)], "asked")

    def _build_ahead(self) -> None:
        """After the frame: what the keys of the view shown could ask for next."""
        self.builder.want([s for s in ahead(self.project, self.settings) if view_key(self.project, s, s.view) not in s.cache])

    class Built(Message):
        """A view built in the thread (or the one-line error that stopped it)."""

        def __init__(self, key: tuple, view: View | None, error: str = ""):
            super().__init__()
            self.key, self.view, self.error = key, view, error

    def on_analysis_built(self, message: Built) -> None:
        if message.key != self._key():
            if self._view is None and message.key[:-1] == self._key()[:-1]:
                self.refresh_view()  # built for a state the project has left: build it again
            return  # else the researcher moved on; the view stays in the cache
        if self._view is not None:
            return  # already drawn (built ahead, and asked for again)
        if message.view is not None:
            self._draw(message.view)
            self.call_after_refresh(self._build_ahead)
        else:
            self._say(message.error)
            self.app.notify(clean(message.error), severity="error", timeout=8)

    def _say(self, text: str) -> None:
        label = self.query_one("#analysis-empty", Label)
        label.display = True
        label.update(clean(text))

    def _draw(self, view: View) -> None:
        s = self.settings
        self._view = view
        row, column = s.cursors.get(s.view, (0, 0))
        is_bars = view.bars is not None
        empty = not (view.bars if is_bars else view.grid.rows)
        self.bars.display = is_bars and not empty
        self.heatmap.display = not is_bars and not empty
        self.query_one("#analysis-empty", Label).display = empty
        if empty:
            self._say(view.empty)
        if is_bars:
            self.bars.show(view.bars, view.columns, view.corner, row, view.measures)
        else:
            self.heatmap.show(view.grid, row, column)
        (self.bars if is_bars else self.heatmap).focus()
        self._moved()

    def _headers(self) -> None:
        s, keymap = self.settings, self.app.keymap
        tabs = "  ".join(f"[{keymap.actions['analysis.' + v].keys[0]} {TITLES[v]}]" if v == s.view
                         else f"{keymap.actions['analysis.' + v].keys[0]} {TITLES[v]}" for v in VIEWS)
        scope = s.scope.describe(self.project)
        self.query_one("#analysis-title", Label).update(clean(f"Analysis  {tabs}"))
        filters = f"filter: {scope}" if scope else "no filter"
        self.query_one("#analysis-options", Label).update(clean(f"{self._options()} · {filters}"))
        self.query_one("#analysis-help", Label).update(self._help())

    def _options(self) -> str:
        s = self.settings
        if s.view == "frequencies":
            return (f"sorted by {'count' if s.sort == 'count' else 'codebook'} · "
                    f"{'rolled up' if s.rollup else 'not rolled up'} · split by {_by_name(s.by)}")
        if s.view == "cooccurrence":
            return f"within {s.within} · showing {_measure_name(s.measure)}"
        if s.view == "matrix":
            return f"columns {_by_name(s.cols)} · counting {s.count}"
        return f"case {s.case} · by {round_attribute(self.project, s) or '(no round attribute)'}"

    def _help(self) -> str:
        """The keys of this view, as the keymap has them now (their first key each)."""
        first = {a.name: a.keys[0] for a in self.app.keymap.scope("analysis")}
        keys = [("open", "open"), *VIEW_KEYS[self.settings.view], ("filter", "filter"), ("query", "find"),
                ("next_view", "next"), ("close", "")]
        return " · ".join(f"{first[name]} {word}".strip() for name, word in keys).replace("escape", "esc")

    def _moved(self) -> None:
        """Remember the cursor and say what the figure under it is."""
        s, view = self.settings, self._view
        where = self._cursor() if view is not None else None
        detail = ""
        if where is not None:
            s.cursors[s.view] = where
            detail = view.describe(*where) if view.describe else ""
        self.query_one("#analysis-detail", Label).update(clean(detail))

    def _cursor(self) -> tuple[int, int] | None:
        if self._view.bars is not None:
            return None if self.bars.cursor is None else (self.bars.cursor, 0)
        return None if self.heatmap.row is None else (self.heatmap.row, self.heatmap.column)

    def _set(self, **changes) -> None:
        for name, value in changes.items():
            setattr(self.settings, name, value)
        self.refresh_view()

    # ------------------------------------------------------------------ keys: views and options

    def _view_to(self, view: str) -> None:
        if view != self.settings.view:
            self._set(view=view)

    def action_frequencies(self) -> None:
        self._view_to("frequencies")

    def action_cooccurrence(self) -> None:
        self._view_to("cooccurrence")

    def action_matrix(self) -> None:
        self._view_to("matrix")

    def action_rounds(self) -> None:
        self._view_to("rounds")

    def action_next_view(self) -> None:
        self._set(view=VIEWS[(VIEWS.index(self.settings.view) + 1) % len(VIEWS)])

    def action_previous_view(self) -> None:
        self._set(view=VIEWS[(VIEWS.index(self.settings.view) - 1) % len(VIEWS)])

    def _only(self, *views: str) -> bool:
        if self.settings.view in views:
            return True
        names = " or ".join(TITLES[v].lower() for v in views)
        self.app.notify(f"That key changes the {names} view", severity="warning", timeout=3)
        return False

    def _option(self, name: str) -> None:
        if self._only(*(v for v, names in OPTIONS.items() if name in names)):
            changes = option_change(self.project, self.settings, name)
            if changes:
                self._set(**changes)
            else:  # the rounds' case or order with no other attribute to take: say so
                what = "order the rounds by" if name == "by" else "name the participants by"
                self.app.notify(f"No other attribute to {what}: set one with `margin attrs set DOCUMENT KEY=VALUE`",
                                severity="warning", timeout=4)

    def action_sort(self) -> None:
        if self.settings.view == "frequencies":
            self.settings.cursors.pop("frequencies", None)
        self._option("sort")

    def action_rollup(self) -> None:
        self._option("rollup")

    def action_by(self) -> None:
        """Cycle what the view is split by: frequencies' groups, the matrix's columns or
        the rounds' ordering attribute."""
        self._option("by")

    def action_case(self) -> None:
        self._option("case")

    def action_within(self) -> None:
        self._option("within")

    def action_measure(self) -> None:
        self._option("measure")

    def action_filter(self) -> None:
        self.app.ask(
            Prompt("Filter every view (round=2 coder=NAME speaker=NAME -speaker=NAME doc=NAME code=PATH; empty clears)",
                   filters_text(self.project, self.settings.scope)),
            self._set_filter,
        )

    def _set_filter(self, text: str | None) -> None:
        if text is None:
            return
        scope = self.app.store(parse_filters, self.project, text)
        if scope is not None:
            self.settings.cursors.clear()
            self._set(scope=scope)

    def action_query(self) -> None:
        self.app.ask(
            Prompt("Find passages (Trust AND \"Role > Boundaries\", OR, NOT, NEAR/5, parentheses), within the filters",
                   self.settings.query),
            self._find,
        )

    def _find(self, text: str | None) -> None:
        from store.analysis.query import find

        if not text or not text.strip():
            return
        self.settings.query = text
        found = self.app.store(find, self.project, text, self.settings.scope)
        if found is None:
            return
        if not found:
            self.app.notify(f"No passages match {clean(text)}", severity="warning", timeout=4)
            return
        header = self.settings.scope.describe(self.project)
        self.app.push_screen(Retrieval(self.project, codings=found, title=f"find {text}", header=header), self._retrieved)

    def action_close(self) -> None:
        self.dismiss(None)

    # ------------------------------------------------------------------ keys: the cursor

    def _move(self, rows: int = 0, columns: int = 0) -> None:
        if self._view is None:
            return
        if self._view.bars is not None:
            if rows:
                self.bars.move(rows)
        else:
            self.heatmap.move(rows, columns)
        self._moved()

    def action_down(self) -> None:
        self._move(rows=1)

    def action_up(self) -> None:
        self._move(rows=-1)

    def action_right(self) -> None:
        self._move(columns=1)

    def action_left(self) -> None:
        self._move(columns=-1)

    def action_first_column(self) -> None:
        self._move(columns=-len(self.heatmap.grid.columns))

    def action_last_column(self) -> None:
        self._move(columns=len(self.heatmap.grid.columns))

    def action_page_down(self) -> None:
        self._move(rows=self._widget().page)

    def action_page_up(self) -> None:
        self._move(rows=-self._widget().page)

    def action_top(self) -> None:
        if self._view is None:
            return
        self._widget().go(0)
        self._moved()

    def action_bottom(self) -> None:
        if self._view is None:
            return
        widget = self._widget()
        widget.go(len(widget.rows if widget is self.bars else widget.grid.rows) - 1, -1)
        self._moved()

    def _widget(self):
        return self.heatmap if self._view is not None and self._view.bars is None else self.bars

    # ------------------------------------------------------------------ keys: the passages

    def action_open(self) -> None:
        """The retrieval view of exactly the codings behind the figure under the cursor."""
        where = self._cursor() if self._view is not None else None
        if where is None:
            return
        if self._view.bars is not None:
            cell = self.bars.current.cell
        else:
            mark = self.heatmap.current[1]
            cell = mark.cell if mark is not None else None
        state = self.project.state.codings
        codings = [state[i] for i in (cell.codings if cell else ()) if i in state]
        if not codings:
            self.app.notify("No passages behind this figure", severity="warning", timeout=3)
            return
        title = self._view.describe(*where).split(": ", 1)[0]
        scope = self.settings.scope.describe(self.project)
        self.app.push_screen(Retrieval(self.project, codings=codings, title=title, header=scope), self._retrieved)

    def _retrieved(self, coding) -> None:
        if coding is not None:
            self.dismiss(coding)


def _next(values: list, current):
    """The value after `current` in `values`, round (the first when `current` is not there)."""
    if not values:
        return current
    return values[(values.index(current) + 1) % len(values)] if current in values else values[0]
