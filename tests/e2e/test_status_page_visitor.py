"""A visitor opens the status page in Chromium and reads a day's uptime."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from wagtail.models import Collection, Locale
from wagtail.models import Page as WagtailPage

from statuscms.setup import ensure_status_page
from statuscore import services
from statuscore.models import CheckRollupDay, Organization, Page
from statuscore.rollups import local_day_bounds
from statuscore.testing import fake_plugin, temporary_plugin

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("orm_beside_playwright"),
]


@pytest.fixture
def wagtail_tree(transactional_db):
    """Create the Wagtail roots that an earlier transactional test emptied."""
    locale, _ = Locale.objects.get_or_create(language_code="en")
    if WagtailPage.get_first_root_node() is None:
        WagtailPage.add_root(
            instance=WagtailPage(title="Root", slug="root", locale=locale)
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture
def scene(wagtail_tree):
    """A page with a group, a checked component, a down day and an incident."""
    organization = Organization.objects.create(name="Acme", slug="acme")
    page = Page.objects.create(organization=organization, name="Acme", slug="acme")
    ensure_status_page(page)
    group = services.create_component_group(page, "Core services")
    component = services.create_component(page, "Public API", group=group)
    with temporary_plugin(fake_plugin):
        check = services.create_check(page, "API", "fake", {}, component=component)

    down_day = timezone.now().astimezone(UTC).date() - timedelta(days=3)
    start, end = local_day_bounds(down_day, UTC)
    CheckRollupDay.objects.create(
        uptime_check=check,
        bucket_start=start,
        bucket_end=end,
        known_seconds=86400.0,
        down_seconds=864.0,
        computed_at=timezone.now(),
    )
    services.create_incident(
        page,
        "Database failover",
        body="Looking.",
        started_at=start + timedelta(hours=12),
        component_statuses={component: "partial_outage"},
    )
    website = services.create_component(page, "Website", group=group)
    with temporary_plugin(fake_plugin):
        web_check = services.create_check(page, "Web", "fake", {}, component=website)
    today = timezone.now().astimezone(UTC).date()
    up_days = []
    for days_ago in range(90):
        start, end = local_day_bounds(today - timedelta(days=days_ago), UTC)
        up_days.append(
            CheckRollupDay(
                uptime_check=web_check,
                bucket_start=start,
                bucket_end=end,
                known_seconds=86400.0,
                computed_at=timezone.now(),
            )
        )
    CheckRollupDay.objects.bulk_create(up_days)
    return component, down_day, website


def component_tab_stops(browser_page) -> list[str]:
    """Tab through the whole page once, from its start.

    Each stop inside the components section is named by the id of its
    component row, or by "" when it is outside any row (a group summary).
    """
    stops = []
    for _ in range(300):
        browser_page.keyboard.press("Tab")
        stop = browser_page.evaluate(
            "() => {"
            " const element = document.activeElement;"
            " if (element === document.body) return null;"
            " if (!element.closest('section.components')) return '-';"
            " const row = element.closest('li.component');"
            " return row ? row.dataset.componentId : '';"
            "}"
        )
        if stop is None and stops:
            break
        if stop is not None and stop != "-":
            stops.append(stop)
        elif stop == "-" and stops:
            break
    return stops


def tooltip_box(day) -> dict:
    return day.locator("div").bounding_box()


def tooltip_width(day) -> float:
    return day.locator("div").bounding_box()["width"]


def test_visitor_opens_the_page(browser_page, live_server, scene):
    component, down_day, _website = scene

    browser_page.goto(live_server.url + "/", wait_until="load")

    banner = browser_page.locator(".banner")
    group = browser_page.locator("details.component-group")
    row = browser_page.locator(f'li.component[data-component-id="{component.pk}"]')
    days = row.locator("ol.uptime__bars > li")
    assert banner.is_visible()
    assert "Partial System Outage" in banner.inner_text()
    assert group.get_attribute("open") is not None
    assert group.locator("summary").inner_text().startswith("Core services")
    assert days.count() == 90

    # Hidden until the day is focused: the tooltip is clipped to 1 px.
    day = days.nth(86)
    assert day.get_attribute("class") == "down"
    assert tooltip_width(day) <= 1

    # The down day is the first notable day, so one Tab from the name.
    row.locator("a.component__name").focus()
    browser_page.keyboard.press("Tab")
    focused = browser_page.evaluate("document.activeElement.getAttribute('href')")
    assert focused.endswith(f"#day-{down_day:%Y-%m-%d}")
    assert tooltip_width(day) > 50
    text = day.locator("div").inner_text()
    assert "99.00% uptime" in text
    assert "Database failover" in text

    # Hovering another day shows its tooltip, with "No data" for a grey day.
    other = days.nth(10)
    other.hover()
    assert other.get_attribute("class") == "nodata"
    assert tooltip_width(other) > 50
    assert "No data" in other.locator("div").inner_text()


def test_bars_cost_few_tab_stops(browser_page, live_server, scene):
    component, _down_day, website = scene

    browser_page.goto(live_server.url + "/", wait_until="load")
    stops = component_tab_stops(browser_page)

    # The name and the link to the table of days; none of the 90 up days.
    assert stops.count(str(website.pk)) == 2
    # The down day and the three days of the open incident since then,
    # but not the incident's link in each of their tooltips.
    assert stops.count(str(component.pk)) == 6
    # With the group's summary, that is all the section asks of the keyboard.
    assert len(stops) == 9


@pytest.mark.parametrize("width", [320, 480, 481, 800])
def test_edge_tooltips_stay_inside_viewport(browser_page, live_server, scene, width):
    component, _down_day, _website = scene
    browser_page.set_viewport_size({"width": width, "height": 800})
    browser_page.goto(live_server.url + "/", wait_until="load")
    days = browser_page.locator(
        f'li.component[data-component-id="{component.pk}"] ol.uptime__bars > li'
    )
    first_visible = 60 if width <= 480 else 0

    for index in (first_visible, 89):
        day = days.nth(index)
        day.hover()
        box = tooltip_box(day)
        assert box["width"] > 50, index
        assert box["x"] >= 0, index
        assert box["x"] + box["width"] <= width, index
