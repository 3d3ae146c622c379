"""The 90-day uptime bars, their tooltips and the collapsible groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from statuscms.uptime_bars import bar_state
from statuscore import services
from statuscore.history import DayBar
from statuscore.models import CheckRollupDay
from statuscore.rollups import local_day_bounds
from statuscore.testing import fake_plugin, temporary_plugin

HOUR = 3600.0


@pytest.fixture
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


def soup_of(client, path: str = "/") -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def bars_of(soup: BeautifulSoup, component) -> list:
    row = soup.find("li", attrs={"data-component-id": str(component.pk)})
    return row.select("ol.uptime__bars > li")


def day_bar(soup: BeautifulSoup, component, day) -> BeautifulSoup:
    """The bar of ``day``: the bars run oldest first and end today."""
    bars = bars_of(soup, component)
    return bars[len(bars) - 1 - (local_today() - day).days]


def local_today():
    return timezone.now().astimezone(UTC).date()


def add_day_rollup(check, days_ago: int, **seconds) -> None:
    """Store a day roll-up ``days_ago`` days before today, in UTC days."""
    day = local_today() - timedelta(days=days_ago)
    start, end = local_day_bounds(day, UTC)
    values = {"known_seconds": 24 * HOUR, **seconds}
    CheckRollupDay.objects.create(
        uptime_check=check,
        bucket_start=start,
        bucket_end=end,
        checks_count=1440,
        computed_at=timezone.now(),
        **values,
    )


@pytest.fixture
def checked(page, fake_checker):
    """A component with one check and no results yet."""
    component = services.create_component(page, "API", description="The public API")
    check = services.create_check(page, "API check", "fake", {}, component=component)
    return component, check


def test_component_has_ninety_bars(client, status_page, checked):
    component, _check = checked

    bars = bars_of(soup_of(client), component)

    assert len(bars) == 90


def test_days_without_data_are_grey(client, status_page, checked):
    component, _check = checked

    bars = bars_of(soup_of(client), component)

    assert {bar["class"][0] for bar in bars} == {"nodata"}
    assert all("No data" in bar.get_text() for bar in bars)
    assert not any(bar.select("b") for bar in bars)


@pytest.mark.parametrize(
    ("seconds", "state"),
    [
        ({}, "up"),
        ({"degraded_seconds": HOUR}, "degraded"),
        ({"down_seconds": 600.0}, "down"),
        ({"down_seconds": 600.0, "degraded_seconds": HOUR}, "down"),
        ({"maintenance_seconds": HOUR}, "maintenance"),
        ({"maintenance_seconds": HOUR, "degraded_seconds": 60.0}, "degraded"),
        ({"known_seconds": 0.0, "maintenance_seconds": 24 * HOUR}, "maintenance"),
    ],
)
def test_day_colour_is_worst_state(client, status_page, checked, seconds, state):
    component, check = checked
    add_day_rollup(check, days_ago=3, **seconds)

    bar = day_bar(soup_of(client), component, local_today() - timedelta(days=3))

    assert bar["class"][0] == state


def test_day_before_data_stays_grey(client, status_page, checked):
    component, check = checked
    add_day_rollup(check, days_ago=3, down_seconds=HOUR)

    bar = day_bar(soup_of(client), component, local_today() - timedelta(days=4))

    assert bar["class"][0] == "nodata"


def test_tooltip_shows_date_state_and_uptime(client, status_page, checked):
    component, check = checked
    add_day_rollup(check, days_ago=2, down_seconds=864.0)
    day = local_today() - timedelta(days=2)

    tip = day_bar(soup_of(client), component, day).select_one(":scope > div")

    assert tip.select_one("a").get_text() == f"{day.day} {day:%B %Y}"
    assert tip.select_one("b").get_text() == "Down"
    assert tip.get_text() == f"{day.day} {day:%B %Y} Down 99.00% uptime"


def test_tooltip_lists_incidents_of_that_day(client, status_page, page, checked):
    component, check = checked
    started = timezone.now() - timedelta(days=2)
    incident = services.create_incident(
        page,
        "Slow <b>queries</b>",
        body="Looking.",
        started_at=started,
        component_statuses={component: "degraded_performance"},
    )
    services.post_incident_update(incident, status="resolved", body="Fixed.")
    day = started.astimezone(UTC).date()

    soup = soup_of(client)
    tip = day_bar(soup, component, day).select_one(":scope > div")
    before = day_bar(soup, component, day - timedelta(days=1))

    links = tip.select(":scope > ul a")
    assert [link.get_text() for link in links] == ["Slow <b>queries</b>"]
    assert links[0]["href"] == f"/incidents/{incident.pk}/"
    assert before.select(":scope > div > ul a") == []


def test_open_incident_listed_every_day_since_start(client, status_page, page, checked):
    component, _check = checked
    services.create_incident(
        page,
        "Ongoing outage",
        body="Looking.",
        started_at=timezone.now() - timedelta(days=3),
        component_statuses={component: "major_outage"},
    )

    bars = bars_of(soup_of(client), component)

    with_incident = [bar for bar in bars if "Ongoing outage" in bar.get_text()]
    assert len(with_incident) == 4
    assert with_incident[-1] is bars[-1]


def test_incident_of_other_component_not_listed(client, status_page, page, checked):
    component, _check = checked
    other = services.create_component(page, "Web")
    services.create_incident(
        page, "Web is down", body="Looking.", component_statuses={other: "major_outage"}
    )

    bars = bars_of(soup_of(client), component)

    assert not any("Web is down" in bar.get_text() for bar in bars)


def test_unapproved_incident_not_in_tooltip(client, status_page, page, checked):
    component, _check = checked
    services.create_incident(
        page,
        "Awaiting approval",
        body="Check failed.",
        component_statuses={component: "major_outage"},
        is_public=False,
    )

    bars = bars_of(soup_of(client), component)

    assert not any("Awaiting approval" in bar.get_text() for bar in bars)


def test_overall_uptime_shown(client, status_page, checked):
    component, check = checked
    add_day_rollup(check, days_ago=1, down_seconds=864.0)
    add_day_rollup(check, days_ago=2)

    soup = soup_of(client)
    row = soup.find("li", attrs={"data-component-id": str(component.pk)})

    summary = row.select_one(".uptime__percent").get_text()
    assert summary == "99.50% uptime over the last 90 days"


def test_down_day_links_to_component_page(client, status_page, checked):
    component, check = checked
    add_day_rollup(check, days_ago=2, down_seconds=HOUR)
    day = local_today() - timedelta(days=2)

    link = day_bar(soup_of(client), component, day).select_one(":scope > div > a")

    assert link["href"] == f"/components/{component.pk}/#day-{day:%Y-%m-%d}"


def test_full_up_day_has_no_link(client, status_page, checked):
    component, check = checked
    add_day_rollup(check, days_ago=2)
    day = local_today() - timedelta(days=2)

    tip = day_bar(soup_of(client), component, day).select_one(":scope > div")

    assert tip.select_one("a") is None
    assert tip.get_text() == f"{day.day} {day:%B %Y} Up 100% uptime"


def test_day_without_data_has_no_link(client, status_page, checked):
    component, _check = checked

    tip = day_bar(soup_of(client), component, local_today()).select_one(":scope > div")

    assert tip.select_one("a") is None


def test_bars_link_once_to_table_of_days(client, status_page, checked):
    component, _check = checked
    row = soup_of(client).find("li", attrs={"data-component-id": str(component.pk)})

    links = row.select(".uptime__all a")

    assert [link["href"] for link in links] == [
        f"/components/{component.pk}/#uptime-days"
    ]


def test_table_of_days_is_the_link_target(client, status_page, checked):
    component, _check = checked

    soup = soup_of(client, f"/components/{component.pk}/")

    assert soup.select_one("table#uptime-days") is not None


def test_bars_have_accessible_name(client, status_page, checked):
    component, _check = checked
    row = soup_of(client).find("li", attrs={"data-component-id": str(component.pk)})

    bars = row.select_one("ol.uptime__bars")

    assert bars["aria-label"] == "Daily uptime of API over the last 90 days"


def test_component_without_checks_has_no_bars(client, status_page, page):
    component = services.create_component(page, "Docs")

    row = soup_of(client).find("li", attrs={"data-component-id": str(component.pk)})

    assert row.select("ol.uptime__bars") == []


def test_component_name_links_to_its_page(client, status_page, checked):
    component, _check = checked
    row = soup_of(client).find("li", attrs={"data-component-id": str(component.pk)})

    link = row.select_one("a.component__name")

    assert link["href"] == f"/components/{component.pk}/"
    assert link.get_text() == "API"


def test_component_description_shown(client, status_page, checked):
    component, _check = checked
    row = soup_of(client).find("li", attrs={"data-component-id": str(component.pk)})

    description = row.select_one(".component__description").get_text()

    assert description == "The public API"


def test_empty_day_state_is_no_data():
    now = datetime(2026, 12, 4, tzinfo=UTC)
    bar = DayBar(
        day=now.date(),
        start=now,
        end=now + timedelta(days=1),
        uptime_percent=None,
        worst_status=None,
        coverage=0.0,
        known_seconds=0.0,
        down_seconds=0.0,
        maintenance_seconds=0.0,
        period_seconds=86400.0,
    )

    assert bar_state(bar) == "nodata"


def add_checked_components(page, group, count: int) -> None:
    for number in range(count):
        component = services.create_component(
            page, f"Component {count}-{number}", group=group
        )
        check = services.create_check(
            page, f"Check {count}-{number}", "fake", {}, component=component
        )
        add_day_rollup(check, days_ago=1, down_seconds=60.0)
        services.create_incident(
            page,
            f"Incident {count}-{number}",
            body="Looking.",
            started_at=timezone.now() - timedelta(days=5),
            component_statuses={component: "partial_outage"},
        )


def test_bar_queries_do_not_grow_with_components(
    client, status_page, page, fake_checker
):
    group = services.create_component_group(page, "Core")
    add_checked_components(page, group, 5)
    soup_of(client)
    with CaptureQueriesContext(connection) as few:
        soup_of(client)

    add_checked_components(page, group, 45)
    with CaptureQueriesContext(connection) as many:
        soup = soup_of(client)

    assert len(soup.select("ol.uptime__bars")) == 50
    assert len(soup.select("ol.uptime__bars > li")) == 50 * 90
    assert len(many) == len(few)


def test_bar_query_budget(
    client, status_page, page, fake_checker, django_assert_max_num_queries
):
    group = services.create_component_group(page, "Core")
    add_checked_components(page, group, 50)
    soup_of(client)

    with django_assert_max_num_queries(20):
        soup_of(client)


# Groups


def test_group_is_collapsible_and_open(client, status_page, page):
    group = services.create_component_group(page, "Core services")
    services.create_component(page, "API", group=group)

    details = soup_of(client).find("details", attrs={"data-group-id": str(group.pk)})

    assert details.has_attr("open")
    assert details.summary.h3.get_text() == "Core services"


def test_group_summary_shows_worst_status(client, status_page, page):
    group = services.create_component_group(page, "Core services")
    services.create_component(page, "API", group=group, status="degraded_performance")
    services.create_component(page, "Web", group=group, status="major_outage")
    services.create_component(page, "Jobs", group=group)

    details = soup_of(client).find("details", attrs={"data-group-id": str(group.pk)})

    assert details["data-status"] == "major_outage"
    status = details.summary.select_one(".component-group__status").get_text()
    assert status == "Major outage"


def test_operational_group_summary(client, status_page, page):
    group = services.create_component_group(page, "Core services")
    services.create_component(page, "API", group=group)

    details = soup_of(client).find("details", attrs={"data-group-id": str(group.pk)})

    status = details.summary.select_one(".component-group__status").get_text()
    assert status == "Operational"


def test_group_lists_its_components(client, status_page, page):
    group = services.create_component_group(page, "Core services")
    api = services.create_component(page, "API", group=group)
    docs = services.create_component(page, "Docs")

    details = soup_of(client).find("details", attrs={"data-group-id": str(group.pk)})

    ids = [row["data-component-id"] for row in details.select("li.component")]
    assert ids == [str(api.pk)]
    assert str(docs.pk) not in ids


def test_group_description_shown(client, status_page, page):
    group = services.create_component_group(
        page, "Core services", description="Everything customers call"
    )
    services.create_component(page, "API", group=group)

    details = soup_of(client).find("details", attrs={"data-group-id": str(group.pk)})

    text = details.select_one(".component-group__description").get_text()
    assert text == "Everything customers call"


def test_tooltip_in_visitor_language(client, status_page, checked):
    component, check = checked
    add_day_rollup(check, days_ago=2, down_seconds=864.0)
    day = local_today() - timedelta(days=2)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    tip = day_bar(soup, component, day).select_one(":scope > div")

    assert tip.select_one("b").get_text() == "Ausfall"
    assert tip.get_text().endswith(" Ausfall 99,00 % Verfügbarkeit")
