"""The theme toggle and narrow screens, in Chromium.

The pages are served by pytest-django's live server, with a scene of long
names, 90-day uptime bars, an open incident with a postmortem, a
maintenance and a history.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from wagtail.models import Collection, Locale
from wagtail.models import Page as WagtailPage

from statuscms.models import FooterLink
from statuscms.postmortems import IncidentPostmortem
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

LIGHT_BACKGROUND = "rgb(246, 248, 250)"
DARK_BACKGROUND = "rgb(13, 17, 23)"

LONG_WORD = "Authentication-gateway-for-single-sign-on-across-customer-applications"
LONG_URL = "https://status.example.com/" + "very-long-path-segment/" * 8


@pytest.fixture
def wagtail_tree(transactional_db):
    """Create the locale, page root and collection root that Wagtail's
    migrations add, when an earlier transactional test emptied the tables."""
    locale, _ = Locale.objects.get_or_create(language_code="en")
    if WagtailPage.get_first_root_node() is None:
        WagtailPage.add_root(
            instance=WagtailPage(title="Root", slug="root", locale=locale)
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


def add_day_rollup(check, days_ago: int, down_seconds: float = 0.0) -> None:
    day = timezone.now().astimezone(UTC).date() - timedelta(days=days_ago)
    start, end = local_day_bounds(day, UTC)
    CheckRollupDay.objects.create(
        uptime_check=check,
        bucket_start=start,
        bucket_end=end,
        checks_count=1440,
        computed_at=timezone.now(),
        known_seconds=86_400.0,
        down_seconds=down_seconds,
    )


@pytest.fixture
def scene(wagtail_tree, fake_checker):
    """A status page with long names, bars, incidents and a maintenance.

    Returns the status page and the paths to open.
    """
    organization = Organization.objects.create(name="Acme", slug="acme")
    page = Page.objects.create(
        organization=organization,
        name="Acme Corporation International Holdings Status",
        slug="acme",
    )
    status_page = ensure_status_page(page)
    status_page.intro = f"Read more at {LONG_URL}"
    status_page.footer_text = "Run by the Acme Corporation operations team."
    status_page.save_revision().publish()
    FooterLink.objects.create(page=status_page, label="Help centre", url=LONG_URL)

    group = services.create_component_group(
        page, "Payment processing and settlement for the European region"
    )
    component = services.create_component(
        page, LONG_WORD, group=group, description=f"Serves {LONG_WORD}"
    )
    services.create_component(page, "Search", description="Full-text search")
    check = services.create_check(page, "Gateway", "fake", {}, component=component)
    for days_ago in range(1, 90):
        add_day_rollup(check, days_ago, down_seconds=3600.0 if days_ago == 5 else 0.0)

    incident = services.create_incident(
        page,
        f"Logins fail for {LONG_WORD}",
        body=f"We are investigating. Details: {LONG_URL}",
        component_statuses={component: "major_outage"},
    )
    starts_at = timezone.now() + timedelta(days=1)
    services.schedule_maintenance(
        page,
        f"Database upgrade of {LONG_WORD}",
        starts_at,
        starts_at + timedelta(hours=2),
        components=[component],
        body="Short interruptions are expected.",
    )
    postmortem = IncidentPostmortem(
        title=f"What broke {LONG_WORD}",
        slug="postmortem",
        incident=incident,
        summary=f"A full disk on {LONG_URL} stopped the gateway.",
    )
    status_page.add_child(instance=postmortem)
    postmortem.save_revision().publish()
    return status_page, [
        "/",
        f"/incidents/{incident.pk}/",
        "/history/",
        f"/components/{component.pk}/",
        postmortem.url,
    ]


@pytest.fixture
def light_context(browser):
    context = browser.new_context(color_scheme="light")
    yield context
    context.close()


def background_of(tab) -> str:
    return tab.evaluate("getComputedStyle(document.documentElement).backgroundColor")


def theme_of(tab) -> str | None:
    return tab.evaluate("document.documentElement.getAttribute('data-theme')")


@pytest.mark.parametrize("width", [375, 320])
def test_pages_fit_narrow_viewport(browser, live_server, scene, width):
    _status_page, paths = scene
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    try:
        for path in paths:
            response = tab.goto(live_server.url + path, wait_until="load")
            assert response.status == 200, path

            widths = tab.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert widths[1] == width, path
            assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths}"
    finally:
        context.close()


def test_main_page_shows_ninety_bars(light_context, live_server, scene):
    tab = light_context.new_page()

    tab.goto(live_server.url + "/", wait_until="load")

    assert tab.locator("ol.uptime__bars").first.locator("> li").count() == 90


def test_toggle_switches_to_dark_and_remembers(light_context, live_server, scene):
    tab = light_context.new_page()
    tab.goto(live_server.url + "/", wait_until="load")
    toggle = tab.locator("[data-theme-toggle]")
    light_background = background_of(tab)

    toggle.click()

    assert light_background == LIGHT_BACKGROUND
    assert theme_of(tab) == "dark"
    assert background_of(tab) == DARK_BACKGROUND
    assert toggle.get_attribute("aria-pressed") == "true"

    tab.reload(wait_until="load")

    assert theme_of(tab) == "dark"
    assert background_of(tab) == DARK_BACKGROUND
    assert tab.locator("[data-theme-toggle]").get_attribute("aria-pressed") == "true"


def test_toggle_back_to_light_remembered(light_context, live_server, scene):
    tab = light_context.new_page()
    tab.goto(live_server.url + "/", wait_until="load")
    toggle = tab.locator("[data-theme-toggle]")

    toggle.click()
    toggle.click()
    tab.reload(wait_until="load")

    assert theme_of(tab) == "light"
    assert background_of(tab) == LIGHT_BACKGROUND


def test_choice_carries_to_other_pages(light_context, live_server, scene):
    _status_page, paths = scene
    tab = light_context.new_page()
    tab.goto(live_server.url + "/", wait_until="load")

    tab.locator("[data-theme-toggle]").click()
    tab.goto(live_server.url + paths[1], wait_until="load")

    assert background_of(tab) == DARK_BACKGROUND


def test_automatic_theme_follows_system_without_script(browser, live_server, scene):
    context = browser.new_context(color_scheme="dark", java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(live_server.url + "/", wait_until="load")

        assert background_of_without_script(tab) == DARK_BACKGROUND
        assert tab.locator("[data-theme-toggle]").is_hidden()
    finally:
        context.close()


def test_page_default_theme_applies_without_script(browser, live_server, scene):
    status_page, _paths = scene
    status_page.theme = "dark"
    status_page.save_revision().publish()
    context = browser.new_context(color_scheme="light", java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(live_server.url + "/", wait_until="load")

        assert background_of_without_script(tab) == DARK_BACKGROUND
    finally:
        context.close()


def background_of_without_script(tab) -> str:
    """Read the computed background although the page's scripts are off.

    Playwright's ``evaluate`` still runs in a context whose scripts are
    disabled, because it uses the browser's debugging protocol."""
    return background_of(tab)


@pytest.mark.parametrize(
    ("system", "page_theme"),
    [("light", "auto"), ("dark", "auto"), ("light", "dark"), ("dark", "light")],
)
def test_brand_colour_fills_header_in_every_theme(
    browser, live_server, scene, system, page_theme
):
    status_page, _paths = scene
    status_page.brand_color = "#ffcc00"
    status_page.theme = page_theme
    status_page.save_revision().publish()
    context = browser.new_context(color_scheme=system)
    tab = context.new_page()
    try:
        tab.goto(live_server.url + "/", wait_until="load")
        header = tab.locator(".site-header")

        background = header.evaluate("element => getComputedStyle(element).background")
        color = header.evaluate("element => getComputedStyle(element).color")

        assert "rgb(255, 204, 0)" in background
        assert color == "rgb(0, 0, 0)"
    finally:
        context.close()


def test_dark_brand_colour_used_after_toggle(light_context, live_server, scene):
    status_page, _paths = scene
    status_page.brand_color_dark = "#112233"
    status_page.save_revision().publish()
    tab = light_context.new_page()
    tab.goto(live_server.url + "/", wait_until="load")
    header = tab.locator(".site-header")

    tab.locator("[data-theme-toggle]").click()

    background = header.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background == "rgb(17, 34, 51)"
