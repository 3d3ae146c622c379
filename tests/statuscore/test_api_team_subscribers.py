"""/api/v1/subscribers: the team lists, adds, removes and imports."""

# ruff: noqa: F811

from __future__ import annotations

import pytest

from statuscore.exceptions import ValidationFailed
from statuscore.models import OutboxEvent, Subscriber
from statuscore.subscriptions import subscribe
from statuscore.subscriptions.imports import import_subscribers
from tests.statuscore.api_fixtures import (  # noqa: F401
    error_fields,
    post_json,
    tenant_a,
)

pytestmark = pytest.mark.django_db


def test_list_subscribers(tenant_a):
    response = tenant_a.user_client().get("/api/v1/subscribers", {"state": "active"})

    assert response.json()["count"] == 1
    # Addresses are shown as the notifier describes them, partly masked.
    assert response.json()["results"][0]["address"] == "r•••@alpha.example"


def test_add_subscriber_pending(tenant_a):
    body = {
        "page_id": tenant_a.page.pk,
        "config": {"to": "new@alpha.example"},
        "components": [tenant_a.component.pk],
    }

    response = post_json(tenant_a.user_client(), "/api/v1/subscribers", body)

    assert response.status_code == 201
    assert response.json()["state"] == "pending"
    assert response.json()["components"] == [tenant_a.component.pk]


def test_add_subscriber_confirmed(tenant_a):
    body = {
        "page_id": tenant_a.page.pk,
        "config": {"to": "moved@alpha.example"},
        "confirmed": True,
    }

    response = post_json(tenant_a.user_client(), "/api/v1/subscribers", body)

    assert response.json()["state"] == "active"


def test_add_invalid_address_names_field(tenant_a):
    body = {"page_id": tenant_a.page.pk, "config": {"to": "not an address"}}

    response = post_json(tenant_a.user_client(), "/api/v1/subscribers", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.config.to"]


def test_remove_subscriber(tenant_a):
    url = f"/api/v1/subscribers/{tenant_a.subscriber.pk}"

    response = tenant_a.user_client().delete(url)

    assert response.status_code == 204
    assert not Subscriber.objects.filter(pk=tenant_a.subscriber.pk).exists()
    assert OutboxEvent.objects.filter(kind="subscriber.removed").exists()


def test_import_csv(tenant_a):
    body = {
        "page_id": tenant_a.page.pk,
        "csv": "address,components\none@x.example,API\nreader@alpha.example,\n",
        "confirmed": True,
    }

    response = post_json(tenant_a.user_client(), "/api/v1/subscribers/import", body)

    assert response.status_code == 200
    assert response.json() == {"created": 1, "unchanged": 1, "skipped_unsubscribed": 0}
    assert Subscriber.objects.filter(page=tenant_a.page, state="active").count() == 2


def test_import_bad_row_names_line(tenant_a):
    body = {
        "page_id": tenant_a.page.pk,
        "csv": "address,components\nok@x.example,\nbroken,Nope\n",
    }

    response = post_json(tenant_a.user_client(), "/api/v1/subscribers/import", body)

    assert response.status_code == 422
    assert sorted(error_fields(response)) == [
        "body.csv.line_3.address",
        "body.csv.line_3.components",
    ]
    assert Subscriber.objects.filter(page=tenant_a.page).count() == 1


def test_import_failing_while_storing_leaves_no_rows(tenant_a, monkeypatch):
    stored = subscribe_failing_on_call(3, monkeypatch)
    body = {
        "page_id": tenant_a.page.pk,
        "csv": "address\none@x.example\ntwo@x.example\nthree@x.example\n",
        "confirmed": True,
    }

    response = post_json(tenant_a.user_client(), "/api/v1/subscribers/import", body)

    assert response.status_code == 422
    assert stored == ["one@x.example", "two@x.example"]
    assert Subscriber.objects.filter(page=tenant_a.page).count() == 1


def test_import_service_is_all_or_nothing(tenant_a, monkeypatch):
    subscribe_failing_on_call(2, monkeypatch, error=RuntimeError("disk full"))
    events = OutboxEvent.objects.filter(kind__startswith="subscriber.")
    events_before = events.count()

    with pytest.raises(RuntimeError):
        import_subscribers(
            tenant_a.page, "address\none@x.example\ntwo@x.example\n", confirmed=False
        )

    assert Subscriber.objects.filter(page=tenant_a.page).count() == 1
    assert events.count() == events_before


def subscribe_failing_on_call(
    failing_call: int, monkeypatch, error: Exception | None = None
) -> list[str]:
    """Make the import's ``subscribe`` store rows until call ``failing_call``,
    which raises ``error`` (by default a validation error on the address).
    Return the list of addresses stored before the failure."""
    stored: list[str] = []

    def subscribe_or_fail(page, notifier, config, *args, **kwargs):
        if len(stored) + 1 == failing_call:
            raise error or ValidationFailed.for_field("config.to", "Refused.")
        subscriber = subscribe(page, notifier, config, *args, **kwargs)
        stored.append(config["to"])
        return subscriber

    monkeypatch.setattr("statuscore.subscriptions.imports.subscribe", subscribe_or_fail)
    return stored


def test_import_without_header_names_csv(tenant_a):
    body = {"page_id": tenant_a.page.pk, "csv": "one@x.example\n"}

    response = post_json(tenant_a.user_client(), "/api/v1/subscribers/import", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.csv"]
