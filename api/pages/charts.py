"""Small SVG bar charts drawn on the server for the statistics pages (no script, no CDN).

The charts use only SVG presentation attributes and CSS classes (the page CSP forbids inline
styles); `viewBox` plus `width="100%"` makes them shrink to a phone's width. Every chart has a
`<title>`/`aria-label`, and the page shows the numbers behind it in a table right after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_W = 170
VALUE_W = 70
BAR_H = 18
GAP = 8
SERIES_CLASSES = ("s0", "s1", "s2", "s3", "s4", "s5")


@dataclass(frozen=True)
class Series:
    """One named row of values in a grouped chart (e.g. one funnel stage across tracks)."""

    name: str
    values: Sequence[float]


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _svg(height: int, title: str, body: str) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg class="chart" role="img" aria-label="{label}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{label}</title>{body}</svg>"
    )


def bar_chart(title: str, rows: Sequence[tuple[str, float]], note: Sequence[str] = ()) -> Markup:
    """Horizontal bars, one per (label, value); `note` adds text after each value (e.g. a rate)."""
    top = max([v for _, v in rows] + [1.0])
    span = WIDTH - LABEL_W - VALUE_W - 10
    parts: list[str] = []
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR_H + GAP)
        width = max(0.0, span * value / top)
        extra = f" {note[i]}" if i < len(note) and note[i] else ""
        parts.append(
            f'<text class="chart-label" x="{LABEL_W - 6}" y="{y + BAR_H - 5}" '
            f'text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar s0" x="{LABEL_W}" y="{y}" width="{width:.1f}" height="{BAR_H}">'
            f"<title>{escape(label)}: {_fmt(value)}{escape(extra)}</title></rect>"
            f'<text class="chart-value" x="{LABEL_W + width + 4:.1f}" y="{y + BAR_H - 5}">'
            f"{_fmt(value)}{escape(extra)}</text>"
        )
    height = GAP + len(rows) * (BAR_H + GAP) + 4
    return _svg(height, title, "".join(parts))


def grouped_chart(title: str, categories: Sequence[str], series: Sequence[Series]) -> Markup:
    """For each category a group of thin horizontal bars, one per series, with a legend."""
    top = max([v for s in series for v in s.values] + [1.0])
    span = WIDTH - LABEL_W - VALUE_W - 10
    bar = 10
    legend_h = 22
    parts: list[str] = []
    x = 0
    for k, s in enumerate(series):
        cls = SERIES_CLASSES[k % len(SERIES_CLASSES)]
        parts.append(
            f'<rect class="bar {cls}" x="{x}" y="4" width="12" height="12"></rect>'
            f'<text class="chart-legend" x="{x + 16}" y="14">{escape(s.name)}</text>'
        )
        x += 24 + 13 * len(s.name) + 10
    group_h = len(series) * (bar + 2) + GAP
    for i, category in enumerate(categories):
        y0 = legend_h + GAP + i * group_h
        parts.append(
            f'<text class="chart-label" x="{LABEL_W - 6}" y="{y0 + group_h / 2:.1f}" '
            f'text-anchor="end">{escape(category)}</text>'
        )
        for k, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            width = max(0.0, span * value / top)
            y = y0 + k * (bar + 2)
            cls = SERIES_CLASSES[k % len(SERIES_CLASSES)]
            parts.append(
                f'<rect class="bar {cls}" x="{LABEL_W}" y="{y}" width="{width:.1f}" '
                f'height="{bar}"><title>{escape(category)} · {escape(s.name)}: '
                f"{_fmt(value)}</title></rect>"
                f'<text class="chart-value small" x="{LABEL_W + width + 4:.1f}" y="{y + bar - 1}">'
                f"{_fmt(value)}</text>"
            )
    height = legend_h + GAP + len(categories) * group_h + 4
    return _svg(height, title, "".join(parts))
