from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import AlertChannel
from statuscore.services.channels import secret_fields


def make_channel(page, **changes) -> AlertChannel:
    arguments = {
        "config": {"to": "ops@acme.test", "token": "s3cret-token-value"},
        "event_kinds": ["incident.created"],
    }
    arguments.update(changes)
    return services.create_alert_channel(
        page, "On call", "recording", arguments.pop("config"), **arguments
    )


def stored_config_column(channel) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT config FROM statuscore_alertchannel WHERE id = %s", [channel.pk]
        )
        return cursor.fetchone()[0]


def test_create_alert_channel_stores_secret_encrypted(page, notifier):
    channel = make_channel(page)

    channel.refresh_from_db()
    assert channel.config == {"to": "ops@acme.test", "token": "s3cret-token-value"}
    assert "s3cret" not in stored_config_column(channel)


def test_create_alert_channel_orders_event_kinds(page, notifier):
    channel = make_channel(
        page, event_kinds=["incident.resolved", "incident.created", "incident.created"]
    )

    assert channel.event_kinds == ["incident.created", "incident.resolved"]


def test_create_alert_channel_rejects_bad_config(page, notifier):
    with pytest.raises(ValidationFailed) as caught:
        make_channel(page, config={"token": "x"})

    assert list(caught.value.errors) == ["config.to"]
    assert not AlertChannel.objects.exists()


def test_create_alert_channel_rejects_unknown_notifier(page):
    with pytest.raises(ValidationFailed) as caught:
        services.create_alert_channel(page, "On call", "carrier-pigeon", {})

    assert list(caught.value.errors) == ["notifier"]


def test_create_alert_channel_rejects_unknown_event_kind(page, notifier):
    with pytest.raises(ValidationFailed) as caught:
        make_channel(page, event_kinds=["incident.created", "moon.landed"])

    assert caught.value.errors["event_kinds"][0].startswith(
        "Unknown event kinds: moon.landed."
    )


def test_create_alert_channel_requires_name(page, notifier):
    with pytest.raises(ValidationFailed) as caught:
        services.create_alert_channel(page, "  ", "recording", {"to": "a@b.test"})

    assert list(caught.value.errors) == ["name"]


def test_update_alert_channel_keeps_secret_left_out(page, notifier):
    channel = make_channel(page)

    services.update_alert_channel(channel, config={"to": "night@acme.test"})

    channel.refresh_from_db()
    assert channel.config == {"to": "night@acme.test", "token": "s3cret-token-value"}


def test_update_alert_channel_replaces_secret_given(page, notifier):
    channel = make_channel(page)

    services.update_alert_channel(
        channel, config={"to": "ops@acme.test", "token": "new-token"}
    )

    channel.refresh_from_db()
    assert channel.config["token"] == "new-token"


def test_update_alert_channel_bad_config_changes_nothing(page, notifier):
    channel = make_channel(page)

    with pytest.raises(ValidationFailed) as caught:
        services.update_alert_channel(channel, name="Renamed", config={"to": 5})

    assert list(caught.value.errors) == ["config.to"]
    channel.refresh_from_db()
    assert channel.name == "On call"
    assert channel.config["to"] == "ops@acme.test"


def test_update_alert_channel_refuses_counters(page, notifier):
    channel = make_channel(page)

    with pytest.raises(ValidationFailed) as caught:
        services.update_alert_channel(channel, consecutive_failures=0)

    assert list(caught.value.errors) == ["consecutive_failures"]


def test_enable_alert_channel_resets_failures(page, notifier):
    channel = make_channel(page, enabled=False)
    AlertChannel.objects.filter(pk=channel.pk).update(
        consecutive_failures=5,
        disabled_at=timezone.now(),
        disabled_reason="5 deliveries in a row failed",
    )

    services.enable_alert_channel(channel)

    channel.refresh_from_db()
    assert channel.enabled
    assert channel.consecutive_failures == 0
    assert channel.disabled_at is None
    assert channel.disabled_reason == ""


def test_secret_fields_names_secret_fields(notifier):
    assert secret_fields(notifier) == {"token"}
