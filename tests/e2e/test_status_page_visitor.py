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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread, and Django
    refuses ORM calls from a thread with a running loop. The test's own
    reads and writes are plain synchronous code, so they may go ahead."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


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
    return component, down_day


def tooltip_width(day) -> float:
    return day.locator("div").bounding_box()["width"]


def test_visitor_opens_the_page(browser_page, live_server, scene):
    component, down_day = scene

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

    row.locator("a.component__name").focus()
    for _ in range(87):
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
