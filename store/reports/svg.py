"""Charts as inline SVG for the HTML report: no script, no font or image to fetch, and they
print as sharp as the text. Labels are escaped; sizes follow the data. Inline SVG in HTML5
needs no namespace, so the report holds no URL at all."""

from __future__ import annotations

from html import escape

from store.reports.model import Chart

ROW = 18  # pixels per bar or heat-map row
LABEL = 260  # pixels for the labels on the left
WIDTH = 640


def svg(chart: Chart) -> str:
    return _bars(chart) if chart.kind == "bars" else _heat(chart)


def _bars(chart: Chart) -> str:
    values = chart.values[0] if chart.values else ()
    top = max(values, default=0) or 1
    span = WIDTH - LABEL - 50
    height = ROW * len(values) + 10
    parts = [_open(chart.title, height)]
    for n, (label, value) in enumerate(zip(chart.labels, values)):
        y = 5 + n * ROW
        width = span * value / top
        parts.append(_label(label, y))
        parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}" fill="#4a6fa5"/>')
        parts.append(f'<text x="{LABEL + width + 4:.1f}" y="{y + ROW - 5}" font-size="11">{value:g}</text>')
    return "".join(parts) + "</svg>"


def _heat(chart: Chart) -> str:
    columns = chart.columns or ("",)
    cell = max(24, min(60, (WIDTH - LABEL) // len(columns)))
    top = max((v for row in chart.values for v in row), default=0) or 1
    height = ROW * (len(chart.labels) + 1) + 10
    parts = [_open(chart.title, height, LABEL + cell * len(columns) + 10)]
    for m, column in enumerate(columns):
        x = LABEL + m * cell + cell / 2
        parts.append(f'<text x="{x:.1f}" y="{ROW - 4}" font-size="11" text-anchor="middle">{escape(_short(column, 8))}</text>')
    for n, (label, row) in enumerate(zip(chart.labels, chart.values)):
        y = ROW + 5 + n * ROW
        parts.append(_label(label, y))
        for m, value in enumerate(row):
            shade = 0.08 + 0.92 * value / top if value else 0
            ink = "#fff" if shade > 0.55 else "#222"
            x = LABEL + m * cell
            parts.append(f'<rect x="{x}" y="{y + 1}" width="{cell - 2}" height="{ROW - 2}" fill="#1f4e79" fill-opacity="{shade:.2f}" stroke="#ccc" stroke-width="0.5"/>')
            parts.append(f'<text x="{x + cell / 2:.1f}" y="{y + ROW - 5}" font-size="10" text-anchor="middle" fill="{ink}">{value:g}</text>')
    return "".join(parts) + "</svg>"


def _open(title: str, height: int, width: int = WIDTH) -> str:
    return (
        f'<svg role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" font-family="sans-serif"><title>{escape(title)}</title>'
    )


def _label(label: str, y: int) -> str:
    return f'<text x="{LABEL - 6}" y="{y + ROW - 5}" font-size="11" text-anchor="end"><title>{escape(label)}</title>{escape(_short(label, 40))}</text>'


def _short(text: str, longest: int) -> str:
    return text if len(text) <= longest else "…" + text[-(longest - 1):]
