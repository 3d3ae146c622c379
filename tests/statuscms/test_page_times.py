"""Times on the public pages follow the page's zone, never the server's.

The server runs with ``TIME_ZONE=Europe/Berlin`` and the page shows UTC.
An instant given as ``...Z`` and the same instant given as ``+05:30`` must
read the same everywhere, with the offset written out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from statuscore import services

SAME_INSTANT = ["2026-08-06T18:31:37Z", "2026-08-07T00:01:37+05:30"]
SHOWN = 'datetime="2026-08-06T18:31:37Z">6 Aug 2026, 18:31 UTC</time>'


@pytest.fixture
def berlin_server(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.fixture
def utc_page(page, status_page, berlin_server):
    page.time_zone = "UTC"
    page.save()
    return page


def render(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def open_incident(page, instant_text: str):
    instant = datetime.fromisoformat(instant_text)
    incident = services.create_incident(
        page, "Checkout failing", body="Looking.", started_at=instant
    )
    services.post_incident_update(
        incident, status="identified", body="Found it.", display_at=instant
    )
    return incident


@pytest.mark.parametrize("instant_text", SAME_INSTANT)
def test_incident_page_shows_instant_in_page_zone(client, utc_page, instant_text):
    incident = open_incident(utc_page, instant_text)

    html = render(client, f"/incidents/{incident.pk}/")

    started = html[html.index('<time class="incident__started"') :]
    assert started.index(SHOWN) == started.index("datetime=")
    assert "16:31" not in html
    assert "20:31" not in html


@pytest.mark.parametrize("instant_text", SAME_INSTANT)
def test_main_page_shows_instant_in_page_zone(client, utc_page, instant_text):
    open_incident(utc_page, instant_text)

    html = render(client, "/")

    open_html = html[html.index('<section class="open-incidents"') :]
    assert SHOWN in open_html[: open_html.index("</section>")]
    assert "20:31" not in html


@pytest.mark.parametrize("instant_text", SAME_INSTANT)
def test_history_shows_instant_in_page_zone(client, utc_page, instant_text):
    open_incident(utc_page, instant_text)

    html = render(client, "/history/2026/08/")

    day = html[html.index('data-date="2026-08-06"') :]
    assert SHOWN in day[: day.index("</section>")]
    assert 'data-date="2026-08-07"' not in html


@pytest.mark.parametrize("offset", ["Z", "+05:30"])
def test_maintenance_window_in_page_zone(client, utc_page, offset):
    next_year = timezone.now().year + 1
    instant_text = {
        "Z": f"{next_year}-08-06T18:31:37Z",
        "+05:30": f"{next_year}-08-07T00:01:37+05:30",
    }[offset]
    starts_at = datetime.fromisoformat(instant_text)
    services.schedule_maintenance(
        utc_page, "Upgrade", starts_at, starts_at + timedelta(hours=1)
    )

    html = render(client, "/")

    expected = f'datetime="{next_year}-08-06T18:31:37Z">6 Aug {next_year}, 18:31 UTC'
    assert expected in html
