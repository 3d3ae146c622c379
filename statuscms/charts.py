"""Line charts drawn on the server as inline SVG, for response times.

The public pages ship no chart library, so a chart is plain SVG markup
that the page embeds. A value of ``None`` is a gap: the line stops before
it and starts again after it, so a bucket without data is never drawn as
zero. A run of one value between two gaps is drawn as a dot.

Colours are not written here. Every element has a class, and the page's
stylesheet colours them with the theme's custom properties, so the chart
follows the light and dark themes. The few presentation attributes set
here only keep the chart readable where that stylesheet is missing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["ChartPoint", "Layout", "line_chart", "nice_maximum"]


@dataclass(frozen=True)
class ChartPoint:
    """One bucket of a series: where it sits in time and its value, if any."""

    at: datetime
    value: float | None


@dataclass(frozen=True)
class Layout:
    """Size of the SVG's coordinate system and the margins around the plot.

    The margins leave room for the axis labels. The SVG scales to its box
    through ``viewBox``, so these are units, not pixels.
    """

    width: int = 640
    height: int = 200
    left: int = 64
    right: int = 12
    top: int = 12
    bottom: int = 28

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def nice_maximum(value: float) -> float:
    """Return the smallest of 1, 2, 2.5 or 5 times a power of ten that is
    at least ``value``, so the axis ticks are round numbers."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _number(value: float) -> str:
    """Format a coordinate with at most one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _segments(points: Sequence[tuple[float, float] | None]) -> list[list]:
    """Split coordinates into runs without gaps."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def line_chart(
    points: Sequence[ChartPoint],
    *,
    start: datetime,
    end: datetime,
    x_ticks: Sequence[tuple[datetime, str]],
    title: str,
    description: str,
    element_id: str,
    unit: str = "ms",
    no_data_text: str = "No data",
    layout: Layout | None = None,
) -> SafeString:
    """Return an SVG line chart of ``points`` over the time range ``[start, end)``.

    ``x_ticks`` are the instants to label on the time axis and their text.
    ``title`` and ``description`` become the SVG's ``<title>`` and
    ``<desc>``, which name the image for screen readers, and
    ``element_id`` prefixes their ids, so it must be unique in the page.
    The value axis starts at zero and ends at a round number above the
    largest value. Text is escaped here; callers pass plain text.
    """
    layout = layout or Layout()
    span = (end - start).total_seconds()
    if span <= 0:
        raise ValueError("The chart's end must be after its start.")

    values = [point.value for point in points if point.value is not None]
    maximum = nice_maximum(max(values)) if values else 1.0

    def x_of(moment: datetime) -> float:
        share = (moment - start).total_seconds() / span
        return layout.left + min(max(share, 0.0), 1.0) * layout.plot_width

    def y_of(value: float) -> float:
        return layout.top + layout.plot_height * (1 - value / maximum)

    title_id = f"{element_id}-title"
    desc_id = f"{element_id}-desc"
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart"'
        f' id="{escape(element_id)}"'
        f' viewBox="0 0 {layout.width} {layout.height}" role="img"'
        f' aria-labelledby="{escape(title_id)} {escape(desc_id)}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    parts.extend(_value_axis(layout, maximum, unit, y_of, bool(values)))
    parts.extend(_time_axis(layout, x_ticks, x_of))

    if not values:
        middle_x = layout.left + layout.plot_width / 2
        middle_y = layout.top + layout.plot_height / 2
        parts.append(
            f'<text class="chart__empty" x="{_number(middle_x)}"'
            f' y="{_number(middle_y)}"'
            f' text-anchor="middle">{escape(no_data_text)}</text>'
        )
    coordinates = [
        None if point.value is None else (x_of(point.at), y_of(point.value))
        for point in points
    ]
    for run in _segments(coordinates):
        if len(run) == 1:
            x, y = run[0]
            parts.append(
                f'<circle class="chart__dot" cx="{_number(x)}" cy="{_number(y)}"'
                ' r="2.5" fill="currentColor"/>'
            )
        else:
            joined = " ".join(f"{_number(x)},{_number(y)}" for x, y in run)
            parts.append(
                f'<polyline class="chart__line" points="{joined}" fill="none"'
                ' stroke="currentColor" stroke-width="2"/>'
            )

    parts.append("</svg>")
    return mark_safe("".join(parts))


def _value_axis(layout, maximum, unit, y_of, has_values) -> list[str]:
    """Return the horizontal grid lines and labels at 0, half and the maximum."""
    parts = []
    ticks = (0.0, maximum / 2, maximum) if has_values else (0.0,)
    for value in ticks:
        y = _number(y_of(value))
        parts.append(
            f'<line class="chart__grid" x1="{layout.left}" y1="{y}"'
            f' x2="{layout.width - layout.right}" y2="{y}" stroke="#8888"/>'
        )
        label = f"{value:g} {unit}"
        parts.append(
            f'<text class="chart__label chart__label--value" x="{layout.left - 6}"'
            f' y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(label)}</text>"
        )
    return parts


def _time_axis(layout, x_ticks, x_of) -> list[str]:
    """Return the tick marks and labels of the time axis."""
    parts = []
    baseline = layout.top + layout.plot_height
    for moment, label in x_ticks:
        x = _number(x_of(moment))
        parts.append(
            f'<line class="chart__tick" x1="{x}" y1="{baseline}" x2="{x}"'
            f' y2="{baseline + 4}" stroke="#8888"/>'
        )
        parts.append(
            f'<text class="chart__label chart__label--time" x="{x}"'
            f' y="{layout.height - 6}" text-anchor="middle">{escape(label)}</text>'
        )
    return parts
