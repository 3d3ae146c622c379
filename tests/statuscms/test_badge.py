"""The SVG status badge."""

from __future__ import annotations

import defusedxml.ElementTree as SafeET
import pytest

from statuscms.badge import BADGE_COLORS, LABEL_COLOR, build_badge
from statuscore import services

SVG = "{http://www.w3.org/2000/svg}"

CASES = [
    ("operational", "none", "All Systems Operational"),
    ("degraded_performance", "minor", "Partially Degraded Service"),
    ("partial_outage", "major", "Partial System Outage"),
    ("major_outage", "critical", "Major System Outage"),
    ("under_maintenance", "maintenance", "Service Under Maintenance"),
]


def relative_luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(color: str) -> float:
    return 1.05 / (relative_luminance(color) + 0.05)


def status_rect(svg):
    return svg.find(f"{SVG}rect[@class='status']")


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "indicator", "text"), CASES)
def test_badge_shows_status(client, status_page, component, status, indicator, text):
    services.set_component_status(component, status, source="user:1")

    response = client.get("/badge.svg")
    svg = SafeET.fromstring(response.content)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert status_rect(svg).get("fill") == BADGE_COLORS[indicator]
    assert svg.findall(f"{SVG}g/{SVG}text")[1].text == text
    assert svg.findtext(f"{SVG}title") == f"Acme Status: {text}"


@pytest.mark.django_db
def test_badge_follows_open_incident(client, status_page, page):
    services.create_incident(page, "Outage", body="Down.", impact="critical")

    svg = SafeET.fromstring(client.get("/badge.svg").content)

    assert status_rect(svg).get("fill") == BADGE_COLORS["critical"]


@pytest.mark.parametrize("indicator", sorted(BADGE_COLORS))
def test_badge_colour_contrast_meets_aa(indicator):
    assert contrast_with_white(BADGE_COLORS[indicator]) >= 4.5


def test_badge_label_contrast_meets_aa():
    assert contrast_with_white(LABEL_COLOR) >= 4.5


def test_badge_escapes_page_name():
    svg = SafeET.fromstring(
        build_badge('R&D <API> "down" ]]>\x0b 🚨', "none", "All Systems Operational")
    )

    assert svg.findtext(f"{SVG}title") == (
        'R&D <API> "down" ]]> 🚨: All Systems Operational'
    )
    assert svg.get("aria-label") == svg.findtext(f"{SVG}title")


def test_badge_is_accessible_image():
    svg = SafeET.fromstring(build_badge("Acme", "none", "All Systems Operational"))

    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title") is not None


def test_badge_widens_for_long_text():
    short = SafeET.fromstring(build_badge("Acme", "none", "Up"))
    long = SafeET.fromstring(build_badge("Acme", "none", "Up " * 20))

    assert int(long.get("width")) > int(short.get("width"))


@pytest.mark.django_db
def test_badge_forbids_script(client, status_page):
    response = client.get("/badge.svg")

    assert response["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.django_db
def test_badge_answers_if_none_match_with_304(client, status_page):
    etag = client.get("/badge.svg")["ETag"]

    assert client.get("/badge.svg", HTTP_IF_NONE_MATCH=etag).status_code == 304
