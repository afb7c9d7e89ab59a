"""Partial screen updates that render only the lines around what changed.

Textual's compositor renders a partial update through one crop, the rectangle around every
changed region, and has every widget under that rectangle render its lines before it keeps
only the changed ones. A coded turn near the top of the reader and the status line at the
bottom made that rectangle the whole screen: an apply at 200x50 had every pane, scroll bar
and container render all 49 lines between them (120 widget renders, most of the key's cost).
(Textual hands each widget its whole visible region, not the crop, so even a one-line
crop has every widget under it render every line.) Here each band of changed lines that
touch is its own crop, and a widget renders only its lines inside the band. The screen
drawn is the same (tests/tui/test_speed.py compares it with a full repaint). Textual is
pinned: this replaces the compositor's `render_partial_update` and `_get_renders` on the
screens given to `render_in_bands`.
"""

from __future__ import annotations

from functools import partial

from textual._compositor import ChopsUpdate
from textual.geometry import Region


def render_in_bands(compositor) -> None:
    """Make `compositor` (a Screen's) render its partial updates band by band."""
    compositor.render_partial_update = partial(banded_update, compositor)
    compositor._get_renders = partial(renders_in, compositor)


def bands(regions) -> list[Region]:
    """The regions grouped where their lines overlap or touch, each group as the rectangle
    around it; the groups are apart by at least one line, top to bottom."""
    grouped: list[Region] = []
    for region in sorted(regions, key=lambda r: r.y):
        if grouped and region.y <= grouped[-1].bottom:
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
    `crop` (all of them when there is none): (region, clip, strips) per visible widget."""
    crop = crop or compositor.size.region
    for widget, (region, clip) in compositor.visible_widgets.items():
        if not crop.overlaps(clip):
            continue
        clip = clip.intersection(Region(clip.x, crop.y, clip.width, crop.height))  # whole lines: the cuts stay
        x, y, width, height = region.intersection(clip)
        if width and height:
            yield region, clip, widget.render_lines(Region(x - region.x, y - region.y, width, height))
