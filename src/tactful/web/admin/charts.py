"""Charts drawn as SVG on the server: no script, readable without colour, each with a title.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies); every
chart is also offered as a table and a CSV file by the page that shows it.

An SVG scales its text with its width, so one drawing cannot read well both in a 940-px card
and on a 390-px phone. `twin` draws a chart twice, laid out for a wide figure and for a narrow
one (a phone, a half-width card); the stylesheet shows the one that fits its figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
BLUE, ORANGE, GREEN, VERMILION = OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[3]
INK, MUTED, GRID = "#1f2933", "#52606d", "#e4e7eb"
FONT = 'font-family="inherit" font-size="12"'
Layout = Literal["any", "wide", "narrow"]
"""Which figures a drawing is for: every one, or the wide or narrow ones (see `twin`)."""
NARROW = 360
"""The width of a narrow drawing: shown at about its own size on a phone."""


@dataclass(frozen=True)
class Band:
    """One x position of a line with its interval."""

    label: str
    value: float
    low: float
    high: float


def twin(draw: Callable[..., str], /, **options: Any) -> str:
    """`draw(**options)` laid out for wide figures, then for narrow ones."""
    return draw(**options, layout="wide") + draw(**options, layout="narrow")


def _svg(
    title: str,
    width: int,
    height: int,
    body: str,
    chart_id: str,
    *,
    natural: bool = False,
    layout: Layout = "any",
) -> str:
    classes = "chart" + (" chart-natural" if natural else "")
    if layout != "any":
        classes += f" chart-{layout}"
    size = f'width="{width}" height="{height}" ' if natural else ""
    if layout == "narrow":
        chart_id += "-narrow"  # its twin is on the same page
    return (
        f'<svg {size}class="{classes}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="{chart_id}-title">{escape(title)}</title>{body}</svg>'
    )


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def line_with_band(
    points: Sequence[Band],
    *,
    title: str,
    chart_id: str,
    fmt: Callable[[float], str],
    width: int = 760,
    height: int = 260,
    layout: Layout = "any",
) -> str:
    """A line with its shaded 95% interval, and a dashed zero line when zero is in range."""
    if not points:
        return ""
    narrow = layout == "narrow"
    if narrow:
        width, height = NARROW, 220
    left, right, top, bottom = 64, 16, 12, 32
    span = min(min(p.low for p in points), 0.0), max(max(p.high for p in points), 0.0)
    ticks = _ticks(*span, count=4 if narrow else 5)
    y_min, y_max = ticks[0], ticks[-1]
    inner_w, inner_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (inner_w * i / (len(points) - 1) if len(points) > 1 else inner_w / 2)

    def y(v: float) -> float:
        return top + inner_h * (1 - (v - y_min) / (y_max - y_min))

    parts = [_y_grid(ticks, y, left, width - right, fmt)]
    upper = " ".join(f"{x(i):.1f},{y(p.high):.1f}" for i, p in enumerate(points))
    lower = " ".join(f"{x(i):.1f},{y(p.low):.1f}" for i, p in reversed(list(enumerate(points))))
    parts.append(f'<polygon points="{upper} {lower}" fill="{BLUE}" fill-opacity="0.18"/>')
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
        f'stroke="{INK}" stroke-dasharray="4 3"/>'
    )
    line = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    for i in _label_positions(len(points), 4 if narrow else 7):
        anchor = "end" if i == len(points) - 1 and i else "start" if i == 0 else "middle"
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="{anchor}" fill="{MUTED}">'
            f"{escape(points[i].label)}</text>"
        )
    return _svg(title, width, height, "".join(parts), chart_id, layout=layout)


def _y_grid(
    ticks: Sequence[float],
    y: Callable[[float], float],
    x0: int,
    x1: int,
    fmt: Callable[[float], str],
) -> str:
    out = []
    for tick in ticks:
        out.append(
            f'<line x1="{x0}" x2="{x1}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{GRID}"/>'
            f'<text x="{x0 - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{escape(fmt(tick))}</text>"
        )
    return "".join(out)


def _label_positions(count: int, most: int) -> list[int]:
    """`most` positions spread evenly from the first to the last (every one if fewer)."""
    if count <= most:
        return list(range(count))
    return sorted({round(k * (count - 1) / (most - 1)) for k in range(most)})


def bars(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    chart_id: str,
    fmt: Callable[[float], str],
    colour: str = BLUE,
    width: int = 760,
    label_width: int = 320,
    layout: Layout = "any",
) -> str:
    """Horizontal bars, one per label, each with its value written at its end; narrow, each
    label stands on its own line above its bar, so it need not be cut short."""
    if not rows:
        return ""
    narrow = layout == "narrow"
    if narrow:
        width, label_width = NARROW, 0
    label_h = 16 if narrow else 0
    bar_h, gap, right = 22, 10, 80
    row_h = label_h + bar_h + gap
    top = max(max(value for _, value in rows), 0.0) or 1.0
    inner = width - label_width - right
    parts = []
    for i, (label, value) in enumerate(rows):
        y = gap + i * row_h + label_h
        length = max(inner * max(value, 0.0) / top, 1.0)
        text_y = y - 5 if narrow else y + bar_h * 0.7
        anchor = "start" if narrow else "end"
        parts.append(
            f'<text x="{max(label_width - 8, 0)}" y="{text_y:.1f}" text-anchor="{anchor}" '
            f'fill="{INK}">{escape(_clip(label, 54 if narrow else 48))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_h}" rx="3" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_h * 0.7:.1f}" fill="{INK}">'
            f"{escape(fmt(value))}</text>"
        )
    height = len(rows) * row_h + gap
    return _svg(title, width, height, "".join(parts), chart_id, layout=layout)


def intervals(
    rows: Sequence[tuple[str, float, float, float]],
    *,
    title: str,
    chart_id: str,
    fmt: Callable[[float], str],
    width: int = 760,
    label_width: int = 240,
    layout: Layout = "any",
) -> str:
    """Each (label, estimate, low, high) as a dot on its 95% interval against a dashed zero
    line, the estimate written at the right; negative ones go left of zero."""
    if not rows:
        return ""
    narrow = layout == "narrow"
    if narrow:
        width, label_width = NARROW, 0
    label_h, row_h, right = (16 if narrow else 0), 30, 84
    low = min(min(r[2] for r in rows), 0.0)
    high = max(max(r[3] for r in rows), 0.0)
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return label_width + 6 + (width - label_width - right - 12) * (value - low) / span

    step = label_h + row_h
    height = len(rows) * step + 8
    parts = [
        f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="4" y2="{height - 4}" '
        f'stroke="{INK}" stroke-dasharray="4 3"/>'
    ]
    for i, (label, estimate, ci_low, ci_high) in enumerate(rows):
        y = 4 + i * step + label_h + row_h / 2
        label_x, label_y = (0, y - 13) if narrow else (label_width - 8, y + 4)
        parts.append(
            f'<text x="{label_x}" y="{label_y:.1f}" text-anchor="{"start" if narrow else "end"}" '
            f'fill="{INK}">{escape(_clip(label, 54 if narrow else 36))}</text>'
            f'<line x1="{x(ci_low):.1f}" x2="{x(ci_high):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{BLUE}" stroke-width="3" stroke-linecap="round" stroke-opacity="0.45"/>'
            f'<circle cx="{x(estimate):.1f}" cy="{y:.1f}" r="5" fill="{BLUE}"/>'
            f'<text x="{width - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"{escape(fmt(estimate))}</text>"
        )
    return _svg(title, width, height, "".join(parts), chart_id, layout=layout)


def funnel(
    steps: Sequence[tuple[str, int]],
    *,
    title: str,
    chart_id: str,
    width: int = 720,
    layout: Layout = "any",
    last_lost: bool = False,
) -> str:
    """Steps as shrinking bars with counts and the share kept from the first step; with
    `last_lost` the last step is what was lost of the one before (refunds of the paid), and
    its share is of that step."""
    if not steps or steps[0][1] <= 0:
        return ""
    if layout == "narrow":
        width = NARROW
    colours = (BLUE, GREEN, ORANGE, VERMILION)
    bar_h, gap, label_w = 30, 8, 100
    height = len(steps) * (bar_h + gap) + gap
    first = steps[0][1]
    inner = width - label_w - 120
    parts = []
    for i, (label, count) in enumerate(steps):
        y = gap + i * (bar_h + gap)
        length = max(inner * count / first, 1.0)
        share = f"{count / first:.1%}" if i else "100%"
        if last_lost and i == len(steps) - 1 and i:
            before, of = steps[i - 1][1], steps[i - 1][0].lower()
            share = f"{count / before:.1%} of {of}" if before else f"none {of}"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 20}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" rx="3" '
            f'fill="{colours[i % len(colours)]}"/>'
            f'<text x="{label_w + length + 8:.1f}" y="{y + 20}" fill="{INK}">'
            f"{count:,} ({share})</text>"
        )
    return _svg(title, width, height, "".join(parts), chart_id, layout=layout)


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    chart_id: str,
) -> str:
    """A grid of shares (0-1) shaded in one hue, each cell printed; empty cells left blank."""
    if not rows or not columns:
        return ""
    label_w, cell_w, cell_h, top = 80, 46, 24, 24
    width = label_w + cell_w * len(columns) + 8
    height = top + cell_h * len(rows) + 4
    parts = []
    for j, column in enumerate(columns):
        parts.append(
            f'<text x="{label_w + cell_w * j + cell_w / 2:.1f}" y="16" text-anchor="middle" '
            f'fill="{MUTED}">{escape(column)}</text>'
        )
    for i, row in enumerate(rows):
        y = top + cell_h * i
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" fill="{INK}">'
            f"{escape(row)}</text>"
        )
        for j, value in enumerate(values[i]):
            if value is None:
                continue
            x = label_w + cell_w * j
            strength = min(max(value, 0.0), 1.0) ** 0.5
            text_fill = "#ffffff" if strength > 0.55 else INK
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{BLUE}" fill-opacity="{0.06 + 0.94 * strength:.2f}"/>'
                f'<text x="{x + cell_w / 2:.1f}" y="{y + 16}" text-anchor="middle" '
                f'fill="{text_fill}">{value:.0%}</text>'
            )
    return _svg(title, width, height, "".join(parts), chart_id, natural=True)


def histogram(
    bins: Sequence[tuple[float, float, int]],
    *,
    title: str,
    chart_id: str,
    fmt: Callable[[float], str],
    width: int = 760,
    height: int = 240,
    layout: Layout = "any",
) -> str:
    """Vertical bars of counts over value ranges, every other one labelled (every third when
    narrow)."""
    if not bins:
        return ""
    every = 2
    if layout == "narrow":
        width, every = NARROW, 3
    left, bottom, top = 56, 36, 12
    ticks = _ticks(0.0, float(max(count for _, _, count in bins)))
    inner_w, inner_h = width - left - 12, height - top - bottom
    slot = inner_w / len(bins)

    def y(v: float) -> float:
        return top + inner_h * (1 - v / ticks[-1])

    parts = [_y_grid(ticks, y, left, width - 12, lambda v: f"{v:,.0f}")]
    for i, (low, _high, count) in enumerate(bins):
        x = left + slot * i
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y(count):.1f}" width="{slot - 4:.1f}" '
            f'height="{inner_h + top - y(count):.1f}" fill="{GREEN}"/>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" fill="{MUTED}">'
                f"{escape(fmt(low))}</text>"
            )
    return _svg(title, width, height, "".join(parts), chart_id, layout=layout)


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
