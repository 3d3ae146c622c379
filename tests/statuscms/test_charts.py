"""The inline SVG line charts of ``statuscms.charts``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from statuscms.charts import ChartPoint, Layout, line_chart, nice_maximum

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 12, 4, tzinfo=UTC)
LAYOUT = Layout(width=200, height=120, left=40, right=0, top=0, bottom=20)


def hours(values: list[float | None]) -> list[ChartPoint]:
    """One point per hour from ``START``, at the start of its hour."""
    return [
        ChartPoint(at=START + timedelta(hours=index), value=value)
        for index, value in enumerate(values)
    ]


def draw(points, **options) -> ET.Element:
    defaults = {
        "start": START,
        "end": START + timedelta(hours=4),
        "x_ticks": [],
        "title": "Response time of API",
        "description": "Average response time per hour.",
        "element_id": "chart-1-24h",
        "layout": LAYOUT,
    }
    defaults.update(options)
    return ET.fromstring(str(line_chart(points, **defaults)))


def polyline_points(svg: ET.Element) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
        for line in svg.iter(f"{SVG}polyline")
    ]


def test_points_for_known_data():
    svg = draw(hours([100.0, 200.0, 50.0, 0.0]))

    # Plot: x from 40 to 200 over 4 hours, y from 100 (0 ms) to 0 (200 ms).
    assert polyline_points(svg) == [
        [(40.0, 50.0), (80.0, 0.0), (120.0, 75.0), (160.0, 100.0)]
    ]


def test_gap_splits_the_line():
    svg = draw(hours([100.0, None, 200.0, 100.0]))

    assert polyline_points(svg) == [[(120.0, 0.0), (160.0, 50.0)]]
    dots = list(svg.iter(f"{SVG}circle"))
    assert len(dots) == 1
    assert (float(dots[0].get("cx")), float(dots[0].get("cy"))) == (40.0, 50.0)


def test_gap_is_not_drawn_as_zero():
    svg = draw(hours([100.0, None, None, 100.0]))

    drawn = [point for line in polyline_points(svg) for point in line]
    dots = [(float(c.get("cx")), float(c.get("cy"))) for c in svg.iter(f"{SVG}circle")]
    assert drawn == []
    assert dots == [(40.0, 0.0), (160.0, 0.0)]


def test_no_data_says_so():
    svg = draw(hours([None, None]))

    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "No data" in texts
    assert list(svg.iter(f"{SVG}polyline")) == []
    assert list(svg.iter(f"{SVG}circle")) == []


def test_title_and_description_name_the_image():
    svg = draw(hours([1.0, 2.0]))

    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-1-24h-title chart-1-24h-desc"
    assert title.get("id") == "chart-1-24h-title"
    assert title.text == "Response time of API"
    assert desc.text == "Average response time per hour."


def test_text_is_escaped():
    svg = draw(hours([1.0]), title='<script>"x"</script>', description="a & b")

    assert svg.find(f"{SVG}title").text == '<script>"x"</script>'
    assert svg.find(f"{SVG}desc").text == "a & b"
    assert list(svg.iter(f"{SVG}script")) == []


def test_value_axis_labels():
    svg = draw(hours([100.0, 180.0]))

    labels = [
        text.text
        for text in svg.iter(f"{SVG}text")
        if "chart__label--value" in text.get("class")
    ]
    assert labels == ["0 ms", "100 ms", "200 ms"]


def test_time_axis_labels_at_their_instant():
    ticks = [(START, "00:00"), (START + timedelta(hours=2), "02:00")]

    svg = draw(hours([1.0]), x_ticks=ticks)

    labels = [
        (float(text.get("x")), text.text)
        for text in svg.iter(f"{SVG}text")
        if "chart__label--time" in text.get("class")
    ]
    assert labels == [(40.0, "00:00"), (120.0, "02:00")]


def test_viewbox_is_the_layout():
    svg = draw(hours([1.0]))

    assert svg.get("viewBox") == "0 0 200 120"


def test_end_before_start_rejected():
    with pytest.raises(ValueError, match="end must be after its start"):
        line_chart(
            [],
            start=START,
            end=START,
            x_ticks=[],
            title="t",
            description="d",
            element_id="c",
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, 1.0), (0.3, 0.5), (1.0, 1.0), (180.0, 200.0), (201.0, 250.0), (4200, 5000)],
)
def test_nice_maximum(value, expected):
    assert nice_maximum(value) == expected
