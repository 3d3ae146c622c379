"""The public subscribe endpoint of the API."""

# The shared fixtures are imported by name, and pytest passes them back as
# parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.test import Client

from statuscore.models import Subscriber
from statuscore.subscriptions import confirm
from tests.statuscore.subscription_fixtures import (  # noqa: F401
    committed,
    last_sent_text,
    links_in,
    notifiers,
    subscription_page,
)

URL = "/api/v2/subscribers?page=acme"


def post(client: Client, body: dict, url: str = URL, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def test_subscribe_answers_202(subscription_page, committed, notifiers):
    with committed():
        response = post(Client(), {"notifier": "recmail", "config": {"to": "a@b.test"}})

    assert response.status_code == 202
    assert Subscriber.objects.get().state == "pending"
    assert len(notifiers.SENT) == 1
    assert response["Cache-Control"] == "no-store"


def test_subscribe_same_body_for_active_address(subscription_page, committed):
    body = {"notifier": "recmail", "config": {"to": "a@b.test"}}
    with committed():
        first = post(Client(), body)
    confirm(Subscriber.objects.get())

    with committed():
        second = post(Client(), body)

    assert second.status_code == first.status_code
    assert second.content == first.content
    assert Subscriber.objects.count() == 1


def test_subscribe_names_bad_config_field(subscription_page):
    response = post(Client(), {"notifier": "recmail", "config": {"to": "nope"}})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "config", "to"]


def test_subscribe_names_bad_notifier(subscription_page):
    response = post(Client(), {"notifier": "teamonly", "config": {"topic": "x"}})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "notifier"]


def test_subscribe_names_missing_config(subscription_page):
    response = post(Client(), {"notifier": "recmail"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body", "config"]


def test_subscribe_names_bad_component(subscription_page):
    body = {"notifier": "recmail", "config": {"to": "a@b.test"}, "components": ["x"]}

    response = post(Client(), body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "components"]


def test_subscribe_unknown_page_is_404(subscription_page):
    body = {"notifier": "recmail", "config": {"to": "a@b.test"}}

    response = post(Client(), body, url="/api/v2/subscribers?page=nosuch")

    assert response.status_code == 404


def test_subscribe_over_limit_is_429(subscription_page, committed, settings):
    settings.STATUSCORE_SUBSCRIBE_LIMIT_PER_CLIENT = 1
    with committed():
        post(Client(), {"notifier": "recmail", "config": {"to": "a@b.test"}})

    response = post(Client(), {"notifier": "recmail", "config": {"to": "c@d.test"}})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.json()["detail"]


def test_subscribe_limit_counts_remote_addr_not_forwarded_for(
    subscription_page, committed, settings
):
    settings.STATUSCORE_SUBSCRIBE_LIMIT_PER_CLIENT = 1
    with committed():
        post(Client(), {"notifier": "recmail", "config": {"to": "a@b.test"}})

    response = post(
        Client(),
        {"notifier": "recmail", "config": {"to": "c@d.test"}},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert response.status_code == 429


def test_code_confirmation_endpoint(subscription_page, committed):
    body = {"notifier": "recsms", "config": {"to": "+15550100200"}}
    with committed():
        post(Client(), body)
    code = last_sent_text().split()[-1].rstrip(".")

    wrong = post(
        Client(), {**body, "code": "1"}, url="/api/v2/subscribers/confirm?page=acme"
    )
    right = post(
        Client(), {**body, "code": code}, url="/api/v2/subscribers/confirm?page=acme"
    )

    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "code"]
    assert right.status_code == 200
    assert Subscriber.objects.get().state == "active"


@pytest.mark.parametrize("status", ["202", "422", "429"])
def test_schema_declares_responses(status):
    schema = Client().get("/api/openapi.json").json()

    operation = schema["paths"]["/api/v2/subscribers"]["post"]

    assert status in operation["responses"]


def test_subscribe_names_component_id_too_large(subscription_page):
    body = {
        "notifier": "recmail",
        "config": {"to": "a@b.test"},
        "components": ["99999999999999999999999999"],
    }

    response = post(Client(), body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "components"]
    assert not Subscriber.objects.exists()
