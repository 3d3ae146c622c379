"""The "Subscribe to updates" form of the public status page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from statuscore import services
from statuscore.models import Subscriber


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def email_page(status_page, page):
    page.url = "https://status.acme.test/"
    page.subscriber_notifiers = ["email"]
    page.save()
    status_page.refresh_from_db()
    return status_page


def subscribe_url(status_page) -> str:
    return reverse("statuscms-subscribe", args=[status_page.pk])


def test_page_shows_email_form(client, email_page):
    html = client.get("/").content.decode()

    assert 'id="subscribe-heading"' in html
    assert '<label for="subscribe-email-to">' in html
    assert 'type="email" name="email-to"' in html
    assert f'action="{subscribe_url(email_page)}#subscribe"' in html


def test_page_with_form_is_the_same_for_everyone(client, email_page):
    response = client.get("/")

    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_page_without_notifiers_has_no_form(client, status_page, page):
    page.subscriber_notifiers = []
    page.save()

    html = client.get("/").content.decode()

    assert 'id="subscribe-heading"' not in html


def test_subscribe_redirects_and_sends_mail(
    client, email_page, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            subscribe_url(email_page),
            {"notifier": "email", "email-to": "ada@example.test"},
        )

    assert response.status_code == 302
    assert response["Location"].endswith("?subscribed=email#subscribe")
    assert Subscriber.objects.get().state == "pending"
    assert len(smtp_sink.messages_to("ada@example.test")) == 1


def test_notice_after_redirect(client, email_page):
    html = client.get("/?subscribed=email").content.decode()

    assert 'role="status"' in html
    assert "a message to confirm is on its way" in html


def test_invalid_address_shown_by_field(client, email_page):
    response = client.post(
        subscribe_url(email_page), {"notifier": "email", "email-to": "not-an-address"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html
    assert 'id="subscribe-email-to-error"' in html
    assert 'value="not-an-address"' in html
    assert Subscriber.objects.count() == 0


def test_unknown_notifier_is_rejected(client, email_page):
    response = client.post(
        subscribe_url(email_page), {"notifier": "sms", "sms-to": "+15550100200"}
    )

    assert response.status_code == 400
    assert b"Choose how to receive updates." in response.content


def test_component_of_other_page_is_rejected(client, email_page, organization):
    other = services.create_page(organization, "Other", "other")
    foreign = services.create_component(other, "Foreign")

    response = client.post(
        subscribe_url(email_page),
        {
            "notifier": "email",
            "email-to": "ada@example.test",
            "email-components": [str(foreign.pk)],
        },
    )

    assert response.status_code == 400
    assert b"No component of this page has the id" in response.content


def test_chosen_components_are_kept(
    client, email_page, component, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            subscribe_url(email_page),
            {
                "notifier": "email",
                "email-to": "ada@example.test",
                "email-components": [str(component.pk)],
            },
        )

    assert list(Subscriber.objects.get().components.all()) == [component]


def test_form_needs_no_csrf_token(email_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(enforce_csrf_checks=True).post(
            subscribe_url(email_page),
            {"notifier": "email", "email-to": "ada@example.test"},
        )

    assert response.status_code == 302
    assert Subscriber.objects.get().state == "pending"


def test_page_itself_takes_no_post(client, email_page):
    response = client.post("/", {"notifier": "email", "email-to": "ada@example.test"})

    assert response.status_code == 405
    assert Subscriber.objects.count() == 0


def test_subscribe_to_unpublished_page_is_404(client, email_page):
    email_page.unpublish()

    response = client.post(
        subscribe_url(email_page), {"notifier": "email", "email-to": "ada@example.test"}
    )

    assert response.status_code == 404
    assert Subscriber.objects.count() == 0


def test_subscribe_get_is_405(client, email_page):
    assert client.get(subscribe_url(email_page)).status_code == 405


def test_over_limit_is_429(
    client, email_page, settings, smtp_sink, django_capture_on_commit_callbacks
):
    settings.STATUSCORE_SUBSCRIBE_LIMIT_PER_CLIENT = 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            subscribe_url(email_page),
            {"notifier": "email", "email-to": "ada@example.test"},
        )

    response = client.post(
        subscribe_url(email_page), {"notifier": "email", "email-to": "bob@example.test"}
    )

    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    assert b"Too many requests" in response.content
