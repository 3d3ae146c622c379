"""The public page in Chromium: local times on hover and keyboard use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from wagtail.models import Collection, Locale
from wagtail.models import Page as WagtailPage

from statuscms.setup import ensure_status_page
from statuscore import services
from statuscore.models import Organization, Page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("orm_beside_playwright"),
]

STARTED = datetime(2026, 12, 4, 17, 31, tzinfo=UTC)


@pytest.fixture
def berlin_page(transactional_db):
    """A status page in Europe/Berlin with a component, an incident and a form.

    Wagtail's root page and collection are created again when an earlier
    transactional test emptied the tables.
    """
    locale, _ = Locale.objects.get_or_create(language_code="en")
    if WagtailPage.get_first_root_node() is None:
        WagtailPage.add_root(
            instance=WagtailPage(title="Root", slug="root", locale=locale)
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")

    organization = Organization.objects.create(name="Acme", slug="acme")
    page = Page.objects.create(
        organization=organization,
        name="Acme",
        slug="acme",
        time_zone="Europe/Berlin",
        url="https://status.acme.test/",
        subscriber_notifiers=["email"],
    )
    ensure_status_page(page)
    services.create_component(page, "API")
    incident = services.create_incident(
        page, "Checkout failing", body="Looking into it.", started_at=STARTED
    )
    return page, incident


@pytest.fixture
def tokyo_tab(browser):
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    yield context.new_page()
    context.close()


def test_hover_shows_visitor_local_time(tokyo_tab, live_server, berlin_page):
    _page, incident = berlin_page
    tokyo_tab.goto(f"{live_server.url}/incidents/{incident.pk}/", wait_until="load")
    started = tokyo_tab.locator("time.incident__started")

    started.hover()

    title = started.get_attribute("title")
    assert started.inner_text() == "4 Dec 2026, 18:31 UTC+01:00"
    assert "5 December 2026" in title
    assert "02:31" in title
    assert "Asia/Tokyo" in title


def test_local_time_follows_page_language(browser, live_server, berlin_page):
    _page, incident = berlin_page
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="de-DE")
    tab = context.new_page()
    tab.goto(f"{live_server.url}/incidents/{incident.pk}/", wait_until="load")

    started = tab.locator("time.incident__started")
    text = started.inner_text()
    title = started.get_attribute("title")
    context.close()

    assert text == "4. Dezember 2026, 18:31 UTC+01:00"
    assert "5. Dezember 2026" in title
    assert "02:31" in title


def focused(tab) -> dict:
    """Describe the focused element and whether its focus can be seen."""
    return tab.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            const outline = style.outlineStyle !== "none"
                && parseFloat(style.outlineWidth) > 0;
            const shadow = style.boxShadow && style.boxShadow !== "none";
            const box = element.getBoundingClientRect();
            return {
                tag: element.tagName.toLowerCase(),
                className: element.className,
                href: element.getAttribute("href") || "",
                name: element.getAttribute("name") || "",
                text: element.innerText || "",
                visible: outline || shadow,
                onScreen: box.width > 0 && box.height > 0 && box.left >= 0,
            };
        }"""
    )


def tab_through(tab, limit: int = 60) -> list[dict]:
    stops = []
    for _ in range(limit):
        tab.keyboard.press("Tab")
        stop = focused(tab)
        if stop["tag"] == "body":
            break
        stops.append(stop)
    return stops


def test_keyboard_reaches_page_controls(browser_page, live_server, berlin_page):
    browser_page.goto(live_server.url + "/", wait_until="load")

    stops = tab_through(browser_page)

    classes = [stop["className"] for stop in stops]
    assert classes[0] == "skip-link"
    assert any(stop["name"] == "email-to" for stop in stops)
    assert any("subscribe__button" in name for name in classes)
    assert any(stop["href"].endswith("/history/") for stop in stops)


def test_skip_link_is_visible_on_focus(browser_page, live_server, berlin_page):
    browser_page.goto(live_server.url + "/", wait_until="load")

    browser_page.keyboard.press("Tab")
    stop = focused(browser_page)

    assert stop["className"] == "skip-link"
    assert stop["onScreen"] is True
    assert stop["visible"] is True


def test_skip_link_moves_focus_to_main(browser_page, live_server, berlin_page):
    browser_page.goto(live_server.url + "/", wait_until="load")

    browser_page.keyboard.press("Tab")
    browser_page.keyboard.press("Enter")
    browser_page.keyboard.press("Tab")
    stop = focused(browser_page)

    in_main = browser_page.evaluate(
        "() => document.querySelector('main').contains(document.activeElement)"
    )
    assert in_main is True
    assert stop["className"] != "skip-link"


def test_every_focus_stop_is_visible(browser_page, live_server, berlin_page):
    browser_page.goto(live_server.url + "/", wait_until="load")

    stops = tab_through(browser_page)

    hidden = [stop for stop in stops if not stop["visible"]]
    assert stops != []
    assert hidden == []
