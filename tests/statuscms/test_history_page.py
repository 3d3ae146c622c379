"""The incident history: ``<status page>/history/`` one local month a page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from statuscms.history import current_month, load_history_month
from statuscore import services

MELBOURNE = ZoneInfo("Australia/Melbourne")


def render(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def day_section(html: str, day: str) -> str:
    start = html.index(f'data-date="{day}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def melbourne_page(page, status_page):
    page.time_zone = "Australia/Melbourne"
    page.save()
    return page


def test_history_month_uses_local_day(client, melbourne_page):
    # 07:00 on 1 August in Melbourne is 21:00 UTC on 31 July.
    started = datetime(2026, 8, 1, 7, 0, tzinfo=MELBOURNE)
    incident = services.create_incident(
        melbourne_page, "Early outage", body="x", started_at=started
    )

    august = render(client, "/history/2026/8/")
    july = render(client, "/history/2026/7/")

    day = day_section(august, "2026-08-01")
    assert "Early outage" in day
    assert f'href="/incidents/{incident.pk}/"' in day
    assert ">1 Aug 2026, 07:00 UTC+10:00</time>" in day
    assert 'datetime="2026-07-31T21:00:00Z"' in day
    assert "Early outage" not in july


def test_history_month_lists_days_newest_first(client, page, status_page):
    for day in (3, 17, 9):
        started = datetime(2026, 8, day, 12, 0, tzinfo=UTC)
        services.create_incident(page, f"Outage {day}", body="x", started_at=started)

    html = render(client, "/history/2026/08/")

    assert html.index('data-date="2026-08-17"') < html.index('data-date="2026-08-09"')
    assert html.index('data-date="2026-08-09"') < html.index('data-date="2026-08-03"')
    assert "Incident history: August 2026" in html


def test_history_hides_non_public_incident(client, page, status_page):
    started = datetime(2026, 8, 6, 18, 31, tzinfo=UTC)
    services.create_incident(
        page, "Awaiting approval", body="x", started_at=started, is_public=False
    )

    html = render(client, "/history/2026/08/")

    assert "Awaiting approval" not in html
    assert "No incidents reported in August 2026." in html


def test_history_hides_other_page_incident(client, page, status_page, organization):
    other = services.create_page(organization, "Other", "other")
    started = datetime(2026, 8, 6, 18, 31, tzinfo=UTC)
    services.create_incident(other, "Not ours", body="x", started_at=started)

    html = render(client, "/history/2026/08/")

    assert "Not ours" not in html


def test_history_paging_skips_empty_months(client, page, status_page):
    for month in (3, 8):
        started = datetime(2026, month, 10, 12, 0, tzinfo=UTC)
        services.create_incident(page, f"Month {month}", body="x", started_at=started)

    august = render(client, "/history/2026/08/")
    march = render(client, "/history/2026/03/")

    assert 'href="/history/2026/3/">Older: March 2026</a>' in august
    assert 'href="/history/2026/8/">Newer: August 2026</a>' in march
    assert "pagination__older" not in march


def test_history_latest_month_links_nothing_newer(client, status_page):
    html = render(client, "/history/")

    assert "pagination__newer" not in html


def test_history_old_month_links_back_to_latest(client, page, status_page):
    started = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    services.create_incident(page, "Spring outage", body="x", started_at=started)

    html = render(client, "/history/2026/03/")

    assert 'href="/history/">Newer: this month</a>' in html


def test_history_index_shows_current_month(client, page, status_page):
    incident = services.create_incident(page, "Happening now", body="x")
    month = timezone.localtime(incident.started_at, UTC)

    html = render(client, "/history/")

    assert f'data-month="{month:%Y-%m}"' in html
    assert "Happening now" in html


@pytest.mark.parametrize(
    "url",
    ["/history/2026/13/", "/history/2026/0/", "/history/1/1/", "/history/1969/12/"],
)
def test_history_invalid_month_is_404(client, status_page, url):
    response = client.get(url)

    assert response.status_code == 404


def test_history_future_month_is_404(client, status_page):
    next_year = timezone.now().year + 1

    response = client.get(f"/history/{next_year}/1/")

    assert response.status_code == 404


def test_main_page_links_to_history(client, status_page):
    html = render(client, "/")

    assert '<a href="/history/">Incident history</a>' in html


def test_current_month_follows_page_zone(page):
    page.time_zone = "Australia/Melbourne"
    # 20:00 UTC on 31 July is already 06:00 on 1 August in Melbourne.
    now = datetime(2026, 7, 31, 20, 0, tzinfo=UTC)

    assert current_month(page, now) == date(2026, 8, 1)


def test_load_history_month_query_count(page, django_assert_num_queries, organization):
    component = services.create_component(page, "API")
    for day in range(1, 11):
        services.create_incident(
            page,
            f"Outage {day}",
            body="x",
            started_at=datetime(2026, 8, day, tzinfo=UTC),
            resolved_at=datetime(2026, 8, day, tzinfo=UTC) + timedelta(hours=1),
            component_statuses={component: "major_outage"},
        )

    with django_assert_num_queries(4):
        history = load_history_month(page, date(2026, 8, 1))

        names = [
            component.name
            for day in history.days
            for incident in day.incidents
            for component in incident.components.all()
        ]
    assert history.incident_count == 10
    assert names == ["API"] * 10


@pytest.mark.parametrize("year", [10000, 99999])
def test_history_far_future_year_not_found(client, status_page, year):
    response = client.get(f"/history/{year}/01/")

    assert response.status_code == 404


def test_history_next_year_not_found(client, status_page):
    next_year = timezone.now().year + 1

    response = client.get(f"/history/{next_year}/01/")

    assert response.status_code == 404
