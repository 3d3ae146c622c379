"""A password-protected status page in Chromium: the visitor is asked for
the password, a wrong one is refused, the right one opens the page."""

from __future__ import annotations

import pytest
from wagtail.models import Collection, Locale
from wagtail.models import Page as WagtailPage

from statuscms.setup import ensure_status_page
from statuscore import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("orm_beside_playwright"),
]

PASSWORD = "correct horse battery"


@pytest.fixture
def private_page(transactional_db):
    """A status page readable with ``PASSWORD``, at the site's root."""
    locale, _ = Locale.objects.get_or_create(language_code="en")
    if WagtailPage.get_first_root_node() is None:
        WagtailPage.add_root(
            instance=WagtailPage(title="Root", slug="root", locale=locale)
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")

    organization = services.create_organization("Acme", "acme")
    page = services.create_page(
        organization, "Acme Status", "acme", access="password", password=PASSWORD
    )
    services.create_component(page, "Billing API")
    return ensure_status_page(page)


def test_private_page_asks_for_password(browser_page, live_server, private_page):
    browser_page.goto(live_server.url + "/")

    assert browser_page.get_by_label("Password").is_visible()
    assert "Billing API" not in browser_page.locator("body").inner_text()


def test_wrong_password_is_refused(browser_page, live_server, private_page):
    browser_page.goto(live_server.url + "/")

    browser_page.get_by_label("Password").fill("not the password")
    browser_page.get_by_role("button", name="Open the page").click()

    alert = browser_page.get_by_role("alert")
    assert alert.inner_text() == "This password is not correct."
    assert "Billing API" not in browser_page.locator("body").inner_text()


def test_right_password_shows_page(browser_page, live_server, private_page):
    browser_page.goto(live_server.url + "/history/")

    browser_page.get_by_label("Password").fill(PASSWORD)
    browser_page.get_by_role("button", name="Open the page").click()
    browser_page.wait_for_url(live_server.url + "/history/")
    browser_page.goto(live_server.url + "/")

    assert "Billing API" in browser_page.locator("body").inner_text()
    assert browser_page.get_by_label("Password").count() == 0
