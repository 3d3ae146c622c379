"""Repeated alerts are coalesced before they reach the team's channels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from statuscore import dispatch
from statuscore.checkers import Outcome
from statuscore.events import EventKind
from statuscore.models import AlertChannel, Delivery
from statuscore.services.checks import create_check, record_result
from statuscore.tasks import process_outbox
from statuscore.testing import fake_plugin, temporary_plugin
from tests.statuscore.notifying import RecordingNotifier

UP = Outcome("up", 12.0)
DOWN = Outcome("down", 3.0, "connection refused")


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def channel(page, notifier):
    return AlertChannel.objects.create(
        page=page,
        name="on-call",
        notifier="recording",
        config={"to": "oncall@team.test"},
        event_kinds=[
            EventKind.CHECK_STATE_CHANGED,
            EventKind.CHECK_FLAPPING,
            EventKind.CHECK_FLAPPING_ENDED,
            EventKind.CERTIFICATE_EXPIRING,
        ],
    )


def record_at(check, start, *outcomes, step=60):
    for index, outcome in enumerate(outcomes):
        record_result(check.pk, outcome, start + timedelta(seconds=step * index))
        process_outbox()


def channel_messages(channel):
    return [sent for sent in RecordingNotifier.sent if sent[0] == channel.config["to"]]


def channel_kinds(channel) -> list[str]:
    rows = Delivery.objects.filter(channel=channel).order_by("id")
    return [row.event.kind for row in rows]


def test_flapping_check_alerts_once_and_summarises_once(page, channel, settings):
    settings.STATUSCORE_FLAP_THRESHOLD = 4
    settings.STATUSCORE_FLAP_WINDOW = 1800
    check = create_check(page, "API", "fake", {}, failure_threshold=1)
    start = timezone.now()

    record_at(check, start, *([UP, DOWN] * 25))
    quiet = start + timedelta(seconds=60 * 50)
    record_at(check, quiet, *([UP] * 31))

    kinds = channel_kinds(channel)
    flapping_at = kinds.index(EventKind.CHECK_FLAPPING)
    # Changes before the fifth could not be known to be flapping yet.
    assert kinds[:flapping_at] == [EventKind.CHECK_STATE_CHANGED] * 5
    assert kinds[flapping_at:] == [
        EventKind.CHECK_FLAPPING,
        EventKind.CHECK_FLAPPING_ENDED,
    ]


def test_state_change_while_flapping_reaches_no_channel(page, channel):
    check = create_check(page, "API", "fake", {}, failure_threshold=1)
    check.flapping_since = timezone.now()
    check.save(update_fields=["flapping_since"])
    row = page.outbox_events.create(
        kind=EventKind.CHECK_STATE_CHANGED,
        payload={"check_id": check.pk, "new_state": "down"},
    )

    process_outbox()

    assert Delivery.objects.filter(event=row).count() == 0


def test_certificate_reminders_one_message_per_threshold(page, channel):
    check = create_check(page, "TLS of tls.test", "fake", {})
    start = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    not_after = start + timedelta(days=45, hours=1)

    for day in range(0, 40):
        checked_at = start + timedelta(days=day)
        details = {
            "server_name": "tls.test",
            "fingerprint_sha256": "a" * 64,
            "not_after": not_after.isoformat(),
            "days_left": (not_after - checked_at) // timedelta(days=1),
            "reminder_days": [40, 30, 20],
        }
        record_result(check.pk, Outcome("up", 5.0, "", details), checked_at)
        process_outbox()
        dispatch.deliver_due()

    reminders = [
        message
        for _, message in channel_messages(channel)
        if message.event_kind == EventKind.CERTIFICATE_EXPIRING
    ]
    rows = Delivery.objects.filter(
        channel=channel, event__kind=EventKind.CERTIFICATE_EXPIRING
    ).order_by("id")
    assert [row.event.payload["threshold_days"] for row in rows] == [40, 30, 20]
    assert len(reminders) == 3
    assert {row.state for row in rows} == {"sent"}
