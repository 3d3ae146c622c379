"""Certificate expiry reminders: one per certificate and threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from statuscore.checkers import Outcome
from statuscore.models import CertificateReminder, OutboxEvent
from statuscore.services.certificates import remind_of_expiry
from statuscore.services.checks import create_check, record_result
from statuscore.testing import fake_plugin, temporary_plugin

START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
THRESHOLDS = [40, 30, 20]
FIRST = "a" * 64
RENEWED = "b" * 64
OTHER = "c" * 64


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def check(page):
    return create_check(page, "TLS of tls.test", "fake", {})


def certificate_outcome(
    fingerprint: str, not_after: datetime, checked_at: datetime
) -> Outcome:
    return Outcome(
        "up",
        5.0,
        "",
        {
            "server_name": "tls.test",
            "subject": "CN=tls.test",
            "fingerprint_sha256": fingerprint,
            "not_after": not_after.isoformat(),
            "days_left": (not_after - checked_at) // timedelta(days=1),
            "reminder_days": THRESHOLDS,
        },
    )


def record_day(check, fingerprint: str, not_after: datetime, day: int) -> list[dict]:
    """Record the check's result on day ``day`` and return the reminders sent."""
    checked_at = START + timedelta(days=day)
    before = OutboxEvent.objects.filter(kind="certificate.expiring").count()
    record_result(
        check.pk, certificate_outcome(fingerprint, not_after, checked_at), checked_at
    )
    events = OutboxEvent.objects.filter(kind="certificate.expiring").order_by("id")
    return [event.payload for event in events[before:]]


def test_first_check_sends_tightest_reminder(check):
    not_after = START + timedelta(days=19, hours=1)

    sent = record_day(check, FIRST, not_after, 0)

    assert len(sent) == 1
    assert sent[0]["days_left"] == 19
    assert sent[0]["threshold_days"] == 20
    assert sent[0]["server_name"] == "tls.test"
    assert "tls.test" in sent[0]["message"]
    assert "19 days" in sent[0]["message"]


def test_daily_checks_send_nothing_more(check):
    not_after = START + timedelta(days=19, hours=1)
    record_day(check, FIRST, not_after, 0)

    later = [record_day(check, FIRST, not_after, day) for day in range(1, 12)]

    assert later == [[]] * 11


def test_renewed_certificate_starts_fresh(check):
    first_expiry = START + timedelta(days=19, hours=1)
    for day in range(0, 12):
        record_day(check, FIRST, first_expiry, day)

    renewed = record_day(check, RENEWED, START + timedelta(days=12 + 90), 12)
    other = record_day(check, OTHER, START + timedelta(days=13 + 19, hours=1), 13)

    assert renewed == []
    assert len(other) == 1
    assert other[0]["fingerprint_sha256"] == OTHER
    assert other[0]["days_left"] == 19
    assert other[0]["threshold_days"] == 20


def test_each_threshold_fires_once(check):
    not_after = START + timedelta(days=45, hours=1)

    sent = [record_day(check, FIRST, not_after, day) for day in range(0, 30)]
    thresholds = [payload["threshold_days"] for day in sent for payload in day]
    days_left = [payload["days_left"] for day in sent for payload in day]

    assert thresholds == [40, 30, 20]
    assert days_left == [40, 30, 20]


def test_state_survives_in_database(check):
    not_after = START + timedelta(days=19, hours=1)
    record_day(check, FIRST, not_after, 0)

    rows = CertificateReminder.objects.filter(
        uptime_check=check, fingerprint_sha256=FIRST
    ).values_list("threshold_days", flat=True)

    assert sorted(rows) == [20, 30, 40]


def test_expired_certificate_rows_pruned(check):
    first_expiry = START + timedelta(days=19, hours=1)
    record_day(check, FIRST, first_expiry, 0)

    record_day(check, RENEWED, START + timedelta(days=30 + 90), 30)

    assert not CertificateReminder.objects.filter(fingerprint_sha256=FIRST).exists()


def test_results_without_certificate_ignored(check):
    record_result(check.pk, Outcome("up", 5.0), START)

    assert not OutboxEvent.objects.filter(kind="certificate.expiring").exists()
    assert not CertificateReminder.objects.exists()


def test_malformed_certificate_details_ignored(check):
    details = {
        "fingerprint_sha256": FIRST,
        "not_after": "soon",
        "days_left": 3,
        "reminder_days": THRESHOLDS,
    }

    with transaction.atomic():
        event = remind_of_expiry(check, details, START)

    assert event is None
    assert not CertificateReminder.objects.exists()


def test_expired_certificate_message(check):
    not_after = START - timedelta(days=3)

    sent = record_day(check, FIRST, not_after, 0)

    assert len(sent) == 1
    assert sent[0]["days_left"] == -3
    assert sent[0]["message"] == (
        f"The TLS certificate for tls.test expired on {not_after:%Y-%m-%d}."
    )
