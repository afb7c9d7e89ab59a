"""Partial screen updates that render only the lines around what changed.

Textual's compositor renders a partial update through one crop, the rectangle around every
changed region, and has every widget under that rectangle render its lines before it keeps
only the changed ones. A coded turn near the top of the reader and the status line at the
bottom made that rectangle the whole screen: an apply at 200x50 had every pane, scroll bar
and container render all 49 lines between them (120 widget renders for one apply).
(Textual hands each widget its whole visible region, not the crop, so even a one-line
crop has every widget under it render every line.) Here each band of changed lines that
touch is its own crop, and a widget renders only its lines inside the band. The screen
drawn is the same (tests/tui/test_speed.py compares it with a full repaint). Textual is
pinned: this replaces the compositor's `render_partial_update`, `_get_renders` and
`reflow` on the screens given to `render_in_bands`.

A layout marks dirty the whole region of every widget whose place changed, and its place
includes its z-order: showing the code picker put it in the map ahead of every other widget,
so every pane was repainted whole though none moved. A change of order alone, with the
order among the widgets that stay the same, changes nothing drawn (the shown or hidden
widget's own region is repainted), so `reflow_by_place` leaves those widgets alone.

Textual's reflow builds the full map but leaves it marked invalid when a hidden widget
asked to be repainted before the layout (the picker's parts, on every opening), so the
next look-up of a widget's region laid the whole screen out a second time (1 ms of each
opening at 200x50); `reflow_by_place` marks the map it just made as valid.
"""

from __future__ import annotations

from functools import partial

from textual._compositor import ChopsUpdate
from textual.geometry import Region


def render_in_bands(compositor) -> None:
    """Make `compositor` (a Screen's) render its partial updates band by band."""
    compositor.render_partial_update = partial(banded_update, compositor)
    compositor._get_renders = partial(renders_in, compositor)
    compositor.reflow = partial(reflow_by_place, compositor)


def bands(regions) -> list[Region]:
    """The regions grouped where their lines overlap, each group as the rectangle around
    it; the groups share no line, top to bottom. Regions that only touch stay apart: the
    reader's lines and the status line below them made one band the screen's width, and
    every pane beside the reader rendered all its lines for a page down."""
    grouped: list[Region] = []
    for region in sorted(regions, key=lambda r: r.y):
        if grouped and region.y < grouped[-1].bottom:
            grouped[-1] = grouped[-1].union(region)
        else:
            grouped.append(region)
    return grouped


def banded_update(compositor) -> ChopsUpdate | None:
    """Textual's Compositor.render_partial_update, one crop per band instead of one for all."""
    screen = compositor.size.region
    regions = compositor._dirty_regions.copy()
    crops = [crop for band in bands(regions) if (crop := band.intersection(screen)).area]
    if not crops:  # nothing on the screen changed: Textual's own handling
        return type(compositor).render_partial_update(compositor)
    compositor._dirty_regions.clear()
    spans = list(compositor._regions_to_spans(regions))
    rendered = {y for y, _, _ in spans}.__contains__
    chops = compositor._render_chops(crops[0], rendered)
    for crop in crops[1:]:
        band = compositor._render_chops(crop, rendered)
        for y in crop.line_range:
            chops[y] = band[y]
    return ChopsUpdate(chops, spans, [cut_set[1:] for cut_set in compositor.cuts])


def renders_in(compositor, crop: Region | None = None):
    """Textual's Compositor._get_renders with each widget rendering only its lines inside
    `crop` (all of them when there is none): (region, clip, strips) per visible widget,
    front to back, ending at a widget that covers the whole crop (the first strip drawn at
    a place is the one shown, so nothing behind it would show: the picker's opening had
    every pane beneath it render the lines it covers)."""
    crop = crop or compositor.size.region
    for widget, (region, clip) in compositor.visible_widgets.items():
        visible = region.intersection(clip)  # a clip is its container's: wider than the widget
        if not crop.overlaps(visible):
            continue
        clip = clip.intersection(Region(clip.x, crop.y, clip.width, crop.height))  # whole lines: the cuts stay
        x, y, width, height = region.intersection(clip)
        yield region, clip, widget.render_lines(Region(x - region.x, y - region.y, width, height))
        if visible.contains_region(crop):
            return


def reflow_by_place(compositor, parent, size):
    """Textual's Compositor.reflow, without marking dirty the widgets whose only change is
    their z-order when the order among the widgets in both layouts is the same."""
    old, dirty = compositor._full_map, set(compositor._dirty_regions)
    result = type(compositor).reflow(compositor, parent, size)
    compositor._full_map_invalidated = False  # the map reflow just made is the full map: see below
    new = compositor._full_map
    both = old.keys() & new.keys()
    if size.region in dirty or sorted(both, key=lambda w: old[w].order) != sorted(both, key=lambda w: new[w].order):
        return result
    moved = [g for w in both if old[w]._replace(order=()) != new[w]._replace(order=()) for g in (old[w], new[w])]
    moved += [geometry for w, geometry in old.items() if w not in new]
    moved += [geometry for w, geometry in new.items() if w not in old]
    compositor._dirty_regions.clear()
    compositor._dirty_regions.update(dirty)
    for geometry in moved:
        if region := geometry.clip.intersection(geometry.region):
            compositor._dirty_regions.add(region)
    return result
