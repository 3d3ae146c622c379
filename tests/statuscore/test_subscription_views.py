"""The public subscription pages, and what mail scanners can do to them.

Security gateways fetch every link of a message with HEAD and GET, without
cookies. Those requests must change nothing; only a person's POST does.
"""

# The shared fixtures are imported by name, and pytest passes them back as
# parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.test import Client

from statuscore import services
from statuscore.models import OutboxEvent, Subscriber
from statuscore.subscriptions import (
    confirm,
    confirmation_url,
    subscribe,
    subscriber_links,
)
from tests.statuscore.subscription_fixtures import (  # noqa: F401
    committed,
    last_sent_text,
    links_in,
    notifiers,
    subscription_page,
)

SCANNER = {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; LinkScanner/2.1; +safe)"}


def path_of(url: str) -> str:
    return urlsplit(url).path


def scan(url: str) -> list[int]:
    """Fetch ``url`` like a mail scanner: HEAD, then GET, no cookies."""
    scanner = Client(enforce_csrf_checks=True)
    return [
        scanner.head(path_of(url), **SCANNER).status_code,
        scanner.get(path_of(url), **SCANNER).status_code,
    ]


def human_post(url: str, data: dict | None = None):
    """Open ``url`` in a browser and press its button, with the CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path_of(url))
    token = page.cookies["csrftoken"].value
    return browser.post(path_of(url), {"csrfmiddlewaretoken": token, **(data or {})})


@pytest.fixture
def pending(subscription_page, committed):
    with committed():
        return subscribe(subscription_page, "recmail", {"to": "victim@example.test"})


@pytest.fixture
def active(pending):
    confirm(pending)
    pending.refresh_from_db()
    return pending


def test_scanner_does_not_confirm(pending, committed):
    [link] = links_in(last_sent_text())

    assert scan(link) == [200, 200]
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_confirm_page_shows_button(pending):
    [link] = links_in(last_sent_text())

    response = Client().get(path_of(link))

    assert b'<button type="submit">Confirm subscription</button>' in response.content
    assert b"victim@example.test" in response.content
    assert response["Referrer-Policy"] == "same-origin"


def test_human_post_confirms_after_scan(pending):
    [link] = links_in(last_sent_text())
    scan(link)

    response = human_post(link)

    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.state == "active"
    assert OutboxEvent.objects.filter(kind="subscriber.confirmed").count() == 1


def test_confirm_post_without_csrf_token_is_rejected(pending):
    [link] = links_in(last_sent_text())

    response = Client(enforce_csrf_checks=True).post(path_of(link), **SCANNER)

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_used_confirmation_link_shows_clear_page(pending):
    [link] = links_in(last_sent_text())
    human_post(link)

    response = Client().get(path_of(link))

    assert response.status_code == 404
    assert b"already used" in response.content


def test_expired_confirmation_link_shows_clear_page(pending):
    with mock.patch("time.time", return_value=time.time() - 49 * 3600):
        link = confirmation_url(pending)

    get = Client().get(path_of(link))
    post = Client().post(path_of(link))

    assert get.status_code == 410
    assert b"expired" in get.content
    assert post.status_code == 410
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_forged_token_is_not_found(subscription_page):
    response = Client().get("/subscriptions/confirm/eyJzIjoxfQ:forged:sig/")

    assert response.status_code == 404


def test_scanner_does_not_unsubscribe(active):
    links = subscriber_links(active)

    assert scan(links["unsubscribe_url"]) == [200, 200]
    assert scan(links["unsubscribe_post_url"]) == [200, 200]
    assert scan(links["manage_url"]) == [200, 200]
    active.refresh_from_db()
    assert active.state == "active"


def test_human_post_unsubscribes(active):
    link = subscriber_links(active)["unsubscribe_url"]

    response = human_post(link)

    assert response.status_code == 200
    assert b"will receive no more updates" in response.content
    active.refresh_from_db()
    assert active.state == "unsubscribed"


def test_unsubscribe_link_stays_valid_after_months(active):
    with mock.patch("time.time", return_value=time.time() - 400 * 86400):
        link = subscriber_links(active)["unsubscribe_url"]

    assert Client().get(path_of(link)).status_code == 200


def test_one_click_post_unsubscribes_without_cookies(active):
    link = subscriber_links(active)["unsubscribe_post_url"]
    scan(link)

    response = Client(enforce_csrf_checks=True).post(
        path_of(link),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        **SCANNER,
    )

    assert response.status_code == 200
    active.refresh_from_db()
    assert active.state == "unsubscribed"
    event = OutboxEvent.objects.get(kind="subscriber.unsubscribed")
    assert event.payload["method"] == "one-click"


def test_one_click_post_without_body_changes_nothing(active):
    link = subscriber_links(active)["unsubscribe_post_url"]

    response = Client().post(path_of(link))

    assert response.status_code == 400
    active.refresh_from_db()
    assert active.state == "active"


def test_one_click_get_shows_unsubscribe_button(active):
    links = subscriber_links(active)

    response = Client().get(path_of(links["unsubscribe_post_url"]))

    assert f'action="{path_of(links["unsubscribe_url"])}"'.encode() in response.content


def test_manage_page_saves_components(active, subscription_page):
    component = services.create_component(subscription_page, "Billing <API>")
    link = subscriber_links(active)["manage_url"]

    response = human_post(link, {"action": "components", "components": [component.pk]})

    assert response.status_code == 302
    assert list(active.components.all()) == [component]
    page = Client().get(response["Location"])
    assert b"Billing &lt;API&gt;" in page.content
    assert b"is saved" in page.content


def test_manage_page_unsubscribes_and_resubscribes(active):
    link = subscriber_links(active)["manage_url"]

    human_post(link, {"action": "unsubscribe"})
    active.refresh_from_db()
    assert active.state == "unsubscribed"

    human_post(link, {"action": "resubscribe"})
    active.refresh_from_db()
    assert active.state == "active"


def test_manage_page_rejects_unknown_action(active):
    link = subscriber_links(active)["manage_url"]

    response = human_post(link, {"action": "delete"})

    assert response.status_code == 400
    assert b"action" in response.content


def test_manage_page_escapes_address(subscription_page, committed):
    with committed():
        subscriber = subscribe(
            subscription_page, "recfeed", {"topic": "<script>alert(1)</script>"}
        )

    response = Client().get(path_of(subscriber_links(subscriber)["manage_url"]))

    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)" in response.content


def test_unsubscribe_after_removal_is_not_found(active):
    link = subscriber_links(active)["unsubscribe_url"]
    Subscriber.objects.filter(pk=active.pk).delete()

    assert Client().get(path_of(link)).status_code == 404


def sms_code() -> str:
    return last_sent_text().split()[-1].rstrip(".")


@pytest.fixture
def sms_pending(subscription_page, committed):
    with committed():
        return subscribe(subscription_page, "recsms", {"to": "+15550100200"})


def test_code_page_confirms_with_sent_code(sms_pending, subscription_page):
    url = f"/subscriptions/{subscription_page.slug}/code/"

    response = human_post(url, {"to": "+15550100200", "code": sms_code()})

    assert response.status_code == 200
    sms_pending.refresh_from_db()
    assert sms_pending.state == "active"


def test_code_page_shows_error_by_field(sms_pending, subscription_page):
    url = f"/subscriptions/{subscription_page.slug}/code/"

    response = human_post(url, {"to": "+15550100200", "code": "000000x"})

    assert response.status_code == 400
    assert b'id="code-error"' in response.content
    sms_pending.refresh_from_db()
    assert sms_pending.state == "pending"


def test_code_page_limits_requests(sms_pending, subscription_page, settings):
    settings.STATUSCORE_SUBSCRIBE_LIMIT_PER_CLIENT = 1
    url = f"/subscriptions/{subscription_page.slug}/code/"
    human_post(url, {"to": "+15550100200", "code": "000000x"})

    response = human_post(url, {"to": "+15550100200", "code": sms_code()})

    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    assert b"Too many requests" in response.content
