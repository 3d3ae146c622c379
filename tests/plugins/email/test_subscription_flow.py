"""Subscribing by email end to end, through a real SMTP server.

A visitor subscribes through the API, the confirmation arrives at the SMTP
sink, a mail scanner fetches its links, and only the person's POST
confirms. Then an incident email's List-Unsubscribe header is scanned and
used for the RFC 8058 one-click POST.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from statuscore import services
from statuscore.models import Subscriber
from statuscore.subscriptions import subscribe

ADDRESS = "victim@example.test"
SCANNER = {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; SafeLinks-Checker/1.0)"}


@pytest.fixture
def email_page(page):
    page.url = "https://status.acme.test/"
    page.subscriber_notifiers = ["email"]
    page.save()
    return page


def path_of(url: str) -> str:
    return urlsplit(url).path


def scan(url: str) -> None:
    scanner = Client(enforce_csrf_checks=True)
    assert scanner.head(path_of(url), **SCANNER).status_code == 200
    assert scanner.get(path_of(url), **SCANNER).status_code == 200


def test_email_subscription_confirms_only_on_post(
    email_page, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v2/subscribers?page=acme",
            {"notifier": "email", "config": {"to": ADDRESS}},
            content_type="application/json",
        )
    assert response.status_code == 202

    [received] = smtp_sink.messages_to(ADDRESS)
    [link] = re.findall(r"https://\S+", received.part("text/plain"))
    assert link.startswith("https://status.acme.test/subscriptions/confirm/")

    scan(link)
    assert Subscriber.objects.get().state == "pending"

    browser = Client(enforce_csrf_checks=True)
    browser.get(path_of(link))
    confirmed = browser.post(
        path_of(link), {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    )
    assert confirmed.status_code == 200
    assert Subscriber.objects.get().state == "active"


def test_incident_email_one_click_unsubscribe(
    email_page, smtp_sink, django_capture_on_commit_callbacks
):
    subscriber = subscribe(email_page, "email", {"to": ADDRESS}, confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_incident(email_page, "API outage", body="Looking into it.")

    [received] = smtp_sink.messages_to(ADDRESS)
    header = received.message["List-Unsubscribe"]
    [one_click] = re.fullmatch(r"\s*<(https://\S+)>\s*", header).groups()
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    scan(one_click)
    subscriber.refresh_from_db()
    assert subscriber.state == "active"

    response = Client(enforce_csrf_checks=True).post(
        path_of(one_click),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        **SCANNER,
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == "unsubscribed"
