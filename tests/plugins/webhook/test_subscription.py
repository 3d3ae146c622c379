"""Subscribing a webhook: the verification call to a real HTTP receiver
decides whether the subscriber becomes active."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from statuscore.subscriptions import subscribe
from tests.plugins.stubs import Reply, Request, stub_server


@pytest.fixture
def webhook_page(page):
    cache.clear()
    page.url = "https://status.acme.test/"
    page.subscriber_notifiers = ["webhook"]
    page.save()
    return page


def accept(request: Request) -> Reply:
    return Reply(200, {"ok": True})


def reject(request: Request) -> Reply:
    return Reply(404, {"error": "no such hook"})


def test_verified_webhook_becomes_active(
    webhook_page, django_capture_on_commit_callbacks
):
    with stub_server(accept) as server:
        with django_capture_on_commit_callbacks(execute=True):
            subscriber = subscribe(
                webhook_page, "webhook", {"url": f"{server.base_url}/hooks/status"}
            )

    [request] = server.requests
    subscriber.refresh_from_db()
    assert request.json()["type"] == "webhook.verification"
    assert subscriber.state == "active"


def test_rejecting_webhook_stays_pending(
    webhook_page, django_capture_on_commit_callbacks
):
    with stub_server(reject) as server:
        with django_capture_on_commit_callbacks(execute=True):
            subscriber = subscribe(
                webhook_page, "webhook", {"url": f"{server.base_url}/hooks/status"}
            )

    subscriber.refresh_from_db()
    assert len(server.requests) == 1
    assert subscriber.state == "pending"
