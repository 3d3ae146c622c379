"""The buttons of the pages that emailed links open, clicked in Chromium.

A browser sends an Origin header with a form's POST that depends on the
page's Referrer-Policy, and Django's CSRF check reads it, so only a real
browser shows whether these buttons work.
"""

from __future__ import annotations

import pytest

from statuscore import services
from statuscore.models import Organization, Subscriber
from statuscore.secrets import digest
from statuscore.subscriptions import confirmation_url, subscriber_links

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("orm_beside_playwright"),
]


@pytest.fixture
def subscriber(live_server):
    organization = Organization.objects.create(name="Acme", slug="acme")
    page = services.create_page(
        organization, "Acme Status", "acme", url=live_server.url
    )
    return Subscriber.objects.create(
        page=page,
        notifier="email",
        address="ada@example.test",
        address_key=digest("email:ada@example.test"),
        config={"to": "ada@example.test"},
    )


def test_confirm_button_confirms_in_browser(browser_page, subscriber):
    browser_page.goto(confirmation_url(subscriber))
    browser_page.get_by_role("button", name="Confirm subscription").click()
    browser_page.wait_for_load_state()

    subscriber.refresh_from_db()
    assert subscriber.state == "active"


def test_unsubscribe_button_unsubscribes_in_browser(browser_page, subscriber):
    Subscriber.objects.filter(pk=subscriber.pk).update(state="active")
    subscriber.refresh_from_db()

    browser_page.goto(subscriber_links(subscriber)["unsubscribe_url"])
    browser_page.get_by_role("button", name="Unsubscribe").click()
    browser_page.wait_for_load_state()

    subscriber.refresh_from_db()
    assert subscriber.state == "unsubscribed"


def test_subscribe_form_subscribes_in_browser(browser_page, live_server):
    from wagtail.models import Locale
    from wagtail.models import Page as WagtailPage

    from statuscms.setup import ensure_status_page

    # An earlier transactional test may have emptied Wagtail's tree.
    locale, _ = Locale.objects.get_or_create(language_code="en")
    if WagtailPage.get_first_root_node() is None:
        WagtailPage.add_root(
            instance=WagtailPage(title="Root", slug="root", locale=locale)
        )
    organization = Organization.objects.create(name="Acme", slug="acme")
    page = services.create_page(
        organization, "Acme Status", "acme", url=live_server.url
    )
    services.update_page(page, subscriber_notifiers=["email"])
    ensure_status_page(page)

    browser_page.goto(f"{live_server.url}/")
    browser_page.get_by_label("Email address").fill("ada@example.test")
    browser_page.get_by_role("button", name="Subscribe").first.click()
    browser_page.wait_for_load_state()

    assert "subscribed=email" in browser_page.url
    assert Subscriber.objects.get().state == "pending"
