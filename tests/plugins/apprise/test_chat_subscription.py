"""Visitors subscribing a chat channel prove they can read it."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import Subscriber
from statuscore.subscriptions import confirm_code, subscribe
from tests.plugins.apprise.test_channels import SLACK_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def slack_page(page):
    cache.clear()
    services.update_page(page, subscriber_notifiers=["email", "slack"])
    page.refresh_from_db()
    return page


def sent_code(slack_api) -> str:
    [request] = slack_api.requests
    text = request.json()["attachments"][0]["text"]
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_slack_subscriber_waits_for_the_code(
    slack_page, slack_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(slack_page, "slack", {"webhook_url": SLACK_URL})

    assert Subscriber.objects.get().state == "pending"
    assert len(slack_api.requests) == 1


def test_slack_code_typed_back_activates(
    slack_page, slack_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(slack_page, "slack", {"webhook_url": SLACK_URL})

    confirm_code(slack_page, "slack", {"webhook_url": SLACK_URL}, sent_code(slack_api))

    assert Subscriber.objects.get().state == "active"


def test_slack_wrong_code_keeps_pending(
    slack_page, slack_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(slack_page, "slack", {"webhook_url": SLACK_URL})
    wrong = "000000" if sent_code(slack_api) != "000000" else "111111"

    with pytest.raises(ValidationFailed) as raised:
        confirm_code(slack_page, "slack", {"webhook_url": SLACK_URL}, wrong)

    assert "code" in raised.value.errors
    assert Subscriber.objects.get().state == "pending"
