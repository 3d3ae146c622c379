"""The component page: status, bars, response-time charts and incidents."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from statuscore import services
from statuscore.models import CheckResult, CheckRollupDay, CheckRollupHour, Page
from statuscore.rollups import local_day_bounds
from statuscore.testing import fake_plugin, temporary_plugin

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def checked(page, fake_checker):
    group = services.create_component_group(page, "Core services")
    component = services.create_component(
        page, "API", group=group, description="The public API", status="partial_outage"
    )
    check = services.create_check(page, "API health", "fake", {}, component=component)
    return component, check


def get_page(client, component) -> BeautifulSoup:
    response = client.get(f"/components/{component.pk}/")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def chart(soup: BeautifulSoup, check, key: str) -> ET.Element:
    tabs = soup.select_one(f'.chart-tabs[data-check-id="{check.pk}"]')
    panel = tabs.select_one(f'.chart-tabs__panel[data-range="{key}"]')
    return ET.fromstring(str(panel.svg))


def drawn_points(svg: ET.Element) -> list[tuple[float, float]]:
    points = []
    for line in svg.iter(f"{SVG}polyline"):
        for pair in line.get("points").split():
            x, y = pair.split(",")
            points.append((float(x), float(y)))
    for dot in svg.iter(f"{SVG}circle"):
        points.append((float(dot.get("cx")), float(dot.get("cy"))))
    return sorted(points)


def add_hour_rollup(check, hours_ago: int, average: float) -> None:
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    start -= timedelta(hours=hours_ago)
    CheckRollupHour.objects.create(
        uptime_check=check,
        bucket_start=start,
        bucket_end=start + timedelta(hours=1),
        checks_count=60,
        known_seconds=3600.0,
        latency_count=60,
        latency_avg_ms=average,
        computed_at=timezone.now(),
    )


def add_day_rollup(check, days_ago: int, average: float) -> None:
    day = timezone.now().astimezone(UTC).date() - timedelta(days=days_ago)
    start, end = local_day_bounds(day, UTC)
    CheckRollupDay.objects.create(
        uptime_check=check,
        bucket_start=start,
        bucket_end=end,
        checks_count=1440,
        known_seconds=86400.0,
        latency_count=1440,
        latency_avg_ms=average,
        computed_at=timezone.now(),
    )


def test_page_shows_name_status_and_description(client, status_page, checked):
    component, _check = checked

    soup = get_page(client, component)

    assert soup.select_one(".component-detail__name").get_text() == "API"
    assert soup.select_one(".component-detail__status").get_text() == "Partial outage"
    assert soup.select_one(".component-detail__group").get_text() == "Core services"
    description = soup.select_one(".component-detail__description").get_text()
    assert description == "The public API"


def test_page_shows_ninety_bars(client, status_page, checked):
    component, _check = checked

    soup = get_page(client, component)

    assert len(soup.select("ol.uptime__bars > li")) == 90


def test_day_table_is_target_of_bar_links(client, status_page, checked):
    component, _check = checked
    today = timezone.now().astimezone(UTC).date()

    soup = get_page(client, component)

    rows = soup.select("table.uptime-days tbody tr")
    assert len(rows) == 90
    assert rows[0]["id"] == f"day-{today:%Y-%m-%d}"
    assert rows[0]["data-state"] == "nodata"


def test_three_charts_per_check(client, status_page, checked):
    component, check = checked

    soup = get_page(client, component)

    tabs = soup.select_one(f'.chart-tabs[data-check-id="{check.pk}"]')
    ranges = [panel["data-range"] for panel in tabs.select(".chart-tabs__panel")]
    labels = [label.get_text() for label in tabs.select(".chart-tabs__label")]
    assert tabs.select_one(".chart-tabs__name").get_text() == "API health"
    assert ranges == ["24h", "7d", "30d"]
    assert labels == ["24 hours", "7 days", "30 days"]


def test_range_radios_switch_without_script(client, status_page, checked):
    component, check = checked

    soup = get_page(client, component)

    radios = soup.select(f'input[type="radio"][name="range-{check.pk}"]')
    assert [radio["value"] for radio in radios] == ["24h", "7d", "30d"]
    assert [radio.has_attr("checked") for radio in radios] == [True, False, False]
    for radio in radios:
        assert soup.select_one(f'label[for="{radio["id"]}"]') is not None
    inline = [
        script
        for script in soup.select("script")
        if not script.get("src", "").startswith("/static/")
    ]
    assert inline == []


def test_day_chart_from_hourly_rollups(client, status_page, checked):
    component, check = checked
    add_hour_rollup(check, hours_ago=3, average=120.0)
    add_hour_rollup(check, hours_ago=2, average=240.0)

    svg = chart(get_page(client, component), check, "24h")

    # Default layout: the plot spans y 12 to 172; 250 ms is its top.
    assert [y for _x, y in drawn_points(svg)] == [95.2, 18.4]
    assert len(list(svg.iter(f"{SVG}polyline"))) == 1


def test_hours_without_data_are_gaps(client, status_page, checked):
    component, check = checked
    add_hour_rollup(check, hours_ago=5, average=100.0)
    add_hour_rollup(check, hours_ago=2, average=100.0)

    svg = chart(get_page(client, component), check, "24h")

    assert list(svg.iter(f"{SVG}polyline")) == []
    assert len(list(svg.iter(f"{SVG}circle"))) == 2
    assert "22 periods without data" in svg.find(f"{SVG}desc").text


def test_open_hour_from_raw_results(client, status_page, checked):
    component, check = checked
    now = timezone.now()
    CheckResult.objects.bulk_create(
        [
            CheckResult(
                uptime_check=check,
                checked_at=now - timedelta(seconds=1),
                status="up",
                response_time_ms=100.0,
            ),
            CheckResult(
                uptime_check=check,
                checked_at=now - timedelta(seconds=2),
                status="down",
                response_time_ms=10000.0,
            ),
        ]
    )

    svg = chart(get_page(client, component), check, "24h")

    # The down result's time is left out, so the axis tops at 100 ms.
    assert [y for _x, y in drawn_points(svg)] == [12.0]
    assert "highest 100 ms" in svg.find(f"{SVG}desc").text


def test_month_chart_from_daily_rollups(client, status_page, checked):
    component, check = checked
    add_day_rollup(check, days_ago=2, average=50.0)
    add_day_rollup(check, days_ago=1, average=100.0)

    svg = chart(get_page(client, component), check, "30d")

    assert [y for _x, y in drawn_points(svg)] == [92.0, 12.0]
    assert "per day" in svg.find(f"{SVG}desc").text


def test_week_chart_labels_days(client, status_page, checked):
    component, check = checked

    svg = chart(get_page(client, component), check, "7d")

    labels = [
        text.text
        for text in svg.iter(f"{SVG}text")
        if "chart__label--time" in text.get("class")
    ]
    today = timezone.now().astimezone(UTC).date()
    assert len(labels) == 7
    assert labels[-1] == f"{today.day} {today:%b}"


def test_recent_incidents_link_to_their_pages(client, status_page, page, checked):
    component, _check = checked
    incident = services.create_incident(
        page,
        "Errors on login",
        body="Looking.",
        component_statuses={component: "partial_outage"},
    )
    services.create_incident(
        page,
        "Not yet approved",
        body="Check failed.",
        component_statuses={component: "major_outage"},
        is_public=False,
    )
    services.create_incident(page, "Unrelated", body="Elsewhere.")

    soup = get_page(client, component)

    links = soup.select(".component-detail__incident-list a")
    assert [link.get_text() for link in links] == ["Errors on login"]
    assert links[0]["href"] == f"/incidents/{incident.pk}/"


def test_unknown_component_is_404(client, status_page, checked):
    response = client.get("/components/999999/")

    assert response.status_code == 404


def test_component_of_other_page_is_404(client, status_page, organization):
    other = Page.objects.create(organization=organization, name="Other", slug="other")
    foreign = services.create_component(other, "Foreign API")

    response = client.get(f"/components/{foreign.pk}/")

    assert response.status_code == 404


def test_hidden_component_is_404(client, status_page, page):
    hidden = services.create_component(page, "Internal queue", showcase=False)

    response = client.get(f"/components/{hidden.pk}/")

    assert response.status_code == 404


def test_component_page_rejects_post(client, status_page, checked):
    component, _check = checked

    response = client.post(f"/components/{component.pk}/")

    assert response.status_code == 405


def test_component_page_sets_content_security_policy(client, status_page, checked):
    component, _check = checked

    response = client.get(f"/components/{component.pk}/")

    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_component_page_queries_do_not_grow_with_checks(
    client, status_page, page, checked
):
    component, check = checked
    add_hour_rollup(check, hours_ago=1, average=10.0)
    get_page(client, component)
    with CaptureQueriesContext(connection) as few:
        get_page(client, component)

    for number in range(5):
        extra = services.create_check(
            page, f"Extra {number}", "fake", {}, component=component
        )
        add_hour_rollup(extra, hours_ago=1, average=10.0)
        add_day_rollup(extra, days_ago=1, average=10.0)
    with CaptureQueriesContext(connection) as many:
        soup = get_page(client, component)

    assert len(soup.select(".chart-tabs")) == 6
    assert len(many) == len(few)


def test_component_pages_are_not_snapshotted(status_page, page, checked):
    from statuscms.snapshots.builder import page_targets

    component, _check = checked

    paths = [target.path for target in page_targets(page, "localhost", "http")]

    # Django serves them; rendering each in every rebuild cost too much.
    assert f"/components/{component.pk}/" not in paths
