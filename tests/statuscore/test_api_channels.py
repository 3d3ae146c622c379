"""/api/v1/alert-channels: configuration validated by the notifier, secrets
masked."""

# ruff: noqa: F811

from __future__ import annotations

import pytest

from statuscore.models import AlertChannel, OutboxEvent
from statuscore.services import update_alert_channel
from tests.statuscore.api_fixtures import (  # noqa: F401
    error_fields,
    patch_json,
    post_json,
    tenant_a,
)

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.slack.com/services/T000/B000/secretpart"


def _slack_body(tenant) -> dict:
    return {
        "page_id": tenant.page.pk,
        "name": "On-call",
        "notifier": "slack",
        "config": {"webhook_url": HOOK},
        "event_kinds": ["incident.created"],
    }


def test_create_masks_secret(tenant_a):
    response = post_json(
        tenant_a.user_client(), "/api/v1/alert-channels", _slack_body(tenant_a)
    )

    assert response.status_code == 201
    assert response.json()["config"] == {"webhook_url": "**********"}
    assert "secretpart" not in response.content.decode()
    assert AlertChannel.objects.get(name="On-call").config["webhook_url"] == HOOK


def test_list_masks_secret(tenant_a):
    post_json(tenant_a.user_client(), "/api/v1/alert-channels", _slack_body(tenant_a))

    response = tenant_a.user_client().get(
        "/api/v1/alert-channels", {"notifier": "slack"}
    )

    assert response.json()["count"] == 1
    assert "secretpart" not in response.content.decode()


def test_invalid_config_names_field(tenant_a):
    body = {**_slack_body(tenant_a), "config": {"webhook_url": "https://evil.test/"}}

    response = post_json(tenant_a.user_client(), "/api/v1/alert-channels", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.config.webhook_url"]
    assert not AlertChannel.objects.filter(name="On-call").exists()


def test_missing_config_field_named(tenant_a):
    body = {**_slack_body(tenant_a), "config": {}}

    response = post_json(tenant_a.user_client(), "/api/v1/alert-channels", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.config.webhook_url"]


def test_unknown_notifier_names_field(tenant_a):
    body = {**_slack_body(tenant_a), "notifier": "fax"}

    response = post_json(tenant_a.user_client(), "/api/v1/alert-channels", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.notifier"]


def test_unknown_event_kind_names_field(tenant_a):
    body = {**_slack_body(tenant_a), "event_kinds": ["party.started"]}

    response = post_json(tenant_a.user_client(), "/api/v1/alert-channels", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.event_kinds.0"]


def test_update_keeps_secret_left_out(tenant_a):
    client = tenant_a.user_client()
    created = post_json(client, "/api/v1/alert-channels", _slack_body(tenant_a)).json()

    response = patch_json(
        client,
        f"/api/v1/alert-channels/{created['id']}",
        {"config": {"webhook_url": "**********"}, "name": "Pager"},
    )

    assert response.status_code == 200
    channel = AlertChannel.objects.get(pk=created["id"])
    assert channel.config["webhook_url"] == HOOK
    assert channel.name == "Pager"


def test_enable_clears_disabled_state(tenant_a):
    channel = tenant_a.channel
    AlertChannel.objects.filter(pk=channel.pk).update(
        consecutive_failures=5, disabled_reason="bounced"
    )
    update_alert_channel(channel, enabled=False)

    response = patch_json(
        tenant_a.user_client(),
        f"/api/v1/alert-channels/{channel.pk}",
        {"enabled": True},
    )

    assert response.json()["enabled"] is True
    assert response.json()["consecutive_failures"] == 0
    assert response.json()["disabled_reason"] == ""


def test_delete_channel(tenant_a):
    response = tenant_a.user_client().delete(
        f"/api/v1/alert-channels/{tenant_a.channel.pk}"
    )

    assert response.status_code == 204
    assert not AlertChannel.objects.filter(pk=tenant_a.channel.pk).exists()
    assert OutboxEvent.objects.filter(kind="alert_channel.deleted").exists()
