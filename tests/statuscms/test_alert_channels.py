from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from statuscore import services
from statuscore.models import AlertChannel, Organization, Page, Role

CHANNELS_ADD = reverse("status_alert_channels:add")
CHANNELS_INDEX = reverse("status_alert_channels:index")
WEBHOOK_SECRET = "whsec-0123456789abcdef"
SLACK_URL = "https://hooks.slack.com/services/T0ACME/B0OPS/s3cr3tT0ken"


def edit_url(channel) -> str:
    return reverse("status_alert_channels:edit", args=[channel.pk])


def enable_url(channel) -> str:
    return reverse("status_alert_channels:enable", args=[channel.pk])


def webhook_config(**changes) -> dict:
    config = {"url": "https://hooks.acme.test/status", "secret": WEBHOOK_SECRET}
    config.update(changes)
    return config


def channel_form(page, **changes) -> dict:
    data = {
        "page": page.pk,
        "name": "Ops webhook",
        "notifier": "webhook",
        "config": json.dumps(webhook_config()),
        "event_kinds": ["incident.created", "check.state_changed"],
        "enabled": "on",
    }
    data.update(changes)
    return data


def edit_form(channel, **changes) -> dict:
    data = {
        "name": channel.name,
        "config": json.dumps(webhook_config(secret="********")),
        "event_kinds": channel.event_kinds,
        "enabled": "on",
    }
    data.update(changes)
    return data


@pytest.fixture
def webhook_channel(page) -> AlertChannel:
    return services.create_alert_channel(
        page,
        "Ops webhook",
        "webhook",
        webhook_config(),
        event_kinds=["incident.created"],
    )


@pytest.fixture
def member_client(client, db):
    """A client signed in as an editor of organisation B only."""
    other = Organization.objects.create(name="Globex", slug="globex")
    Page.objects.create(organization=other, name="Globex Status", slug="globex")
    user = get_user_model().objects.create_user(
        username="globex-editor", password="password"
    )
    services.add_member(other, user, Role.EDITOR)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "access_admin",
                "add_alertchannel",
                "change_alertchannel",
                "view_alertchannel",
                "view_delivery",
            ]
        )
    )
    client.force_login(user)
    return client


def test_channel_create_with_webhook(admin_client, page):
    response = admin_client.post(CHANNELS_ADD, channel_form(page))

    assert response.status_code == 302
    channel = AlertChannel.objects.get()
    assert channel.page == page
    assert channel.notifier == "webhook"
    assert channel.config == webhook_config()
    assert channel.event_kinds == ["check.state_changed", "incident.created"]
    assert channel.enabled


def test_channel_create_with_slack(admin_client, page):
    data = channel_form(
        page, notifier="slack", config=json.dumps({"webhook_url": SLACK_URL})
    )

    response = admin_client.post(CHANNELS_ADD, data)

    assert response.status_code == 302
    assert AlertChannel.objects.get().config == {"webhook_url": SLACK_URL}


def test_channel_create_bad_config_names_field(admin_client, page):
    data = channel_form(page, config=json.dumps(webhook_config(url="not a url")))

    response = admin_client.post(CHANNELS_ADD, data)

    assert response.status_code == 200
    errors = response.context["form"].errors["config"]
    assert errors[0].startswith("url: ")
    assert not AlertChannel.objects.exists()


def test_channel_create_short_secret_names_field(admin_client, page):
    data = channel_form(page, config=json.dumps(webhook_config(secret="short")))

    response = admin_client.post(CHANNELS_ADD, data)

    assert response.status_code == 200
    errors = response.context["form"].errors["config"]
    assert errors[0].startswith("secret: ")
    assert "short" not in errors[0].removeprefix("secret: ").split()
    assert not AlertChannel.objects.exists()


def test_channel_create_missing_secret_names_field(admin_client, page):
    data = channel_form(
        page, notifier="slack", config=json.dumps({"webhook_url": ""})
    )

    response = admin_client.post(CHANNELS_ADD, data)

    assert response.status_code == 200
    assert response.context["form"].errors["config"] == ["webhook_url: Field required"]
    assert not AlertChannel.objects.exists()


def test_channel_create_invalid_json(admin_client, page):
    response = admin_client.post(CHANNELS_ADD, channel_form(page, config="{url"))

    assert response.status_code == 200
    assert response.context["form"].errors["config"][0].startswith("Invalid JSON")
    assert not AlertChannel.objects.exists()


def test_channel_create_deeply_nested_json(admin_client, page):
    nested = "[" * 5000 + "]" * 5000

    response = admin_client.post(CHANNELS_ADD, channel_form(page, config=nested))

    assert response.status_code == 200
    assert response.context["form"].errors["config"][0].startswith("Invalid JSON")
    assert not AlertChannel.objects.exists()


def test_channel_add_form_lists_notifiers_and_events(admin_client, page):
    response = admin_client.get(CHANNELS_ADD)

    choices = dict(response.context["form"].fields["notifier"].choices)
    assert choices["webhook"] == "Webhook"
    assert choices["slack"] == "Slack"
    assert 'value="incident.created"' in response.content.decode()
    assert 'type="checkbox"' in response.content.decode()


def test_channel_edit_masks_secret(admin_client, webhook_channel):
    response = admin_client.get(edit_url(webhook_channel))

    html = response.content.decode()
    assert response.status_code == 200
    assert WEBHOOK_SECRET not in html
    assert "********" in html
    assert "https://hooks.acme.test/status" in html


@pytest.mark.parametrize("sent_back", ["********", ""])
def test_channel_edit_keeps_secret_left_blank(admin_client, webhook_channel, sent_back):
    config = json.dumps(webhook_config(secret=sent_back, url="https://b.acme.test/"))

    response = admin_client.post(
        edit_url(webhook_channel), edit_form(webhook_channel, config=config)
    )

    assert response.status_code == 302
    webhook_channel.refresh_from_db()
    assert webhook_channel.config["secret"] == WEBHOOK_SECRET
    assert webhook_channel.config["url"] == "https://b.acme.test/"


def test_channel_edit_null_clears_optional_secret(admin_client, webhook_channel):
    config = json.dumps(webhook_config(secret=None))

    admin_client.post(
        edit_url(webhook_channel), edit_form(webhook_channel, config=config)
    )

    webhook_channel.refresh_from_db()
    assert webhook_channel.config["secret"] is None


def test_channel_edit_changes_event_kinds(admin_client, webhook_channel):
    data = edit_form(webhook_channel, event_kinds=["incident.resolved"], enabled="")

    response = admin_client.post(edit_url(webhook_channel), data)

    assert response.status_code == 302
    webhook_channel.refresh_from_db()
    assert webhook_channel.event_kinds == ["incident.resolved"]
    assert not webhook_channel.enabled


def test_channel_edit_bad_config_stores_nothing(admin_client, webhook_channel):
    data = edit_form(
        webhook_channel,
        name="Renamed",
        config=json.dumps(webhook_config(url="ftp://x.acme.test/")),
    )

    response = admin_client.post(edit_url(webhook_channel), data)

    assert response.status_code == 200
    assert response.context["form"].errors["config"][0].startswith("url: ")
    webhook_channel.refresh_from_db()
    assert webhook_channel.name == "Ops webhook"
    assert webhook_channel.config == webhook_config()


def test_channel_edit_shows_disabled_reason(admin_client, webhook_channel):
    AlertChannel.objects.filter(pk=webhook_channel.pk).update(
        consecutive_failures=5,
        disabled_at=timezone.now(),
        disabled_reason="webhook answered HTTP 410",
    )

    response = admin_client.get(edit_url(webhook_channel))

    html = response.content.decode()
    assert "Disabled after failures: webhook answered HTTP 410" in html
    assert '<span data-consecutive-failures>5</span>' in html
    assert enable_url(webhook_channel) in html


def test_channel_reenable_resets_failures(admin_client, webhook_channel):
    AlertChannel.objects.filter(pk=webhook_channel.pk).update(
        enabled=False,
        consecutive_failures=5,
        disabled_at=timezone.now(),
        disabled_reason="webhook answered HTTP 410",
    )

    response = admin_client.post(enable_url(webhook_channel))

    assert response.status_code == 302
    assert response["Location"] == edit_url(webhook_channel)
    webhook_channel.refresh_from_db()
    assert webhook_channel.enabled
    assert webhook_channel.consecutive_failures == 0
    assert webhook_channel.disabled_at is None
    assert webhook_channel.disabled_reason == ""


def test_channel_reenable_rejects_get(admin_client, webhook_channel):
    response = admin_client.get(enable_url(webhook_channel))

    assert response.status_code == 405


def test_channel_listing_shows_state(admin_client, webhook_channel):
    response = admin_client.get(CHANNELS_INDEX)

    html = response.content.decode()
    assert "Ops webhook" in html
    assert "Active" in html
    assert WEBHOOK_SECRET not in html


def test_member_of_other_organisation_gets_404(member_client, webhook_channel):
    for url in (
        edit_url(webhook_channel),
        reverse("status_alert_channels:history", args=[webhook_channel.pk]),
        reverse("status_alert_channels:usage", args=[webhook_channel.pk]),
    ):
        assert member_client.get(url).status_code == 404, url
    assert member_client.post(enable_url(webhook_channel)).status_code == 404


def test_member_listing_hides_other_organisation(member_client, webhook_channel):
    response = member_client.get(CHANNELS_INDEX)

    assert response.status_code == 200
    assert "Ops webhook" not in response.content.decode()
    assert "Acme Status" not in response.content.decode()


def test_member_page_choice_lists_own_pages(member_client, page):
    response = member_client.get(CHANNELS_ADD)

    pages = [str(p) for p in response.context["form"].fields["page"].queryset]
    assert pages == ["Globex Status"]


def test_member_cannot_create_on_other_page(member_client, page):
    response = member_client.post(CHANNELS_ADD, channel_form(page))

    assert response.status_code == 200
    assert "page" in response.context["form"].errors
    assert not AlertChannel.objects.exists()


def test_member_edits_own_channel(member_client):
    own = services.create_alert_channel(
        Page.objects.get(slug="globex"), "Globex hook", "webhook", webhook_config()
    )

    response = member_client.post(edit_url(own), edit_form(own, name="Renamed"))

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Renamed"
