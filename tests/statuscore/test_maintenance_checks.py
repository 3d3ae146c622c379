"""Checks on components under maintenance: no downtime, no alerts, no
incidents during the window, and the outage applied when the window ends.

The scheduler and ``record_result`` take the time as an argument, so the
window is driven by passing times rather than by sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuscore import dispatch, services
from statuscore.checkers import Outcome
from statuscore.events import Event, EventKind
from statuscore.models import (
    AlertChannel,
    CheckResult,
    CheckRollupDay,
    ComponentStatus,
    Incident,
    OutboxEvent,
)
from statuscore.rollups import rollup_results
from statuscore.services.checks import create_check, record_result
from statuscore.services.maintenances import run_due_maintenances
from statuscore.testing import fake_plugin, temporary_plugin
from tests.statuscore.notifying import make_subscriber

DAY_START = datetime(2026, 3, 10, tzinfo=UTC)
WINDOW_START = DAY_START + timedelta(hours=10)
WINDOW_END = DAY_START + timedelta(hours=11)
UP = Outcome("up", 12.0)
DOWN = Outcome("down", 3.0, "connection refused")
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def check(page, component):
    return create_check(
        page,
        "API health",
        "fake",
        {},
        component=component,
        failure_threshold=1,
        open_incident=True,
    )


@pytest.fixture
def channel(page):
    return AlertChannel.objects.create(
        page=page,
        name="ops",
        notifier="recording",
        config={"to": "ops@team.test"},
        event_kinds=[
            EventKind.CHECK_STATE_CHANGED,
            EventKind.INCIDENT_CREATED,
            EventKind.COMPONENT_STATUS_CHANGED,
        ],
    )


@pytest.fixture
def window(page, component):
    maintenance = services.schedule_maintenance(
        page, "Database upgrade", WINDOW_START, WINDOW_END, components=[component]
    )
    run_due_maintenances(now=WINDOW_START)
    return maintenance


def state_changes() -> list[Event]:
    rows = OutboxEvent.objects.filter(kind=EventKind.CHECK_STATE_CHANGED)
    return [Event.from_row(row) for row in rows.order_by("id")]


def status_of(component) -> str:
    component.refresh_from_db()
    return component.status


# -- During the window ---------------------------------------------------------


def test_down_during_window_keeps_component_under_maintenance(check, component, window):
    record_result(check.pk, DOWN, WINDOW_START + 5 * MINUTE)

    check.refresh_from_db()
    assert check.state == "down"
    assert status_of(component) == ComponentStatus.UNDER_MAINTENANCE


def test_down_during_window_opens_no_incident(check, window):
    record_result(check.pk, DOWN, WINDOW_START + 5 * MINUTE)

    assert not Incident.objects.exists()


def test_down_during_window_reaches_no_alert_channel(check, channel, window):
    record_result(check.pk, DOWN, WINDOW_START + 5 * MINUTE)

    event = state_changes()[-1]
    assert event.payload["in_maintenance"] is True
    assert dispatch.channels_for(event) == []


def test_down_outside_window_reaches_alert_channel(check, channel):
    record_result(check.pk, DOWN, WINDOW_START - 30 * MINUTE)

    event = state_changes()[-1]
    assert event.payload["in_maintenance"] is False
    assert dispatch.channels_for(event) == [channel]


def test_component_set_under_maintenance_by_hand_also_silences(
    check, channel, component
):
    services.set_component_status(
        component, ComponentStatus.UNDER_MAINTENANCE, source="editor"
    )

    record_result(check.pk, DOWN, WINDOW_START)

    assert dispatch.channels_for(state_changes()[-1]) == []
    assert not Incident.objects.exists()


def test_flapping_during_window_reaches_no_alert_channel(check, page, settings, window):
    settings.STATUSCORE_FLAP_THRESHOLD = 2
    AlertChannel.objects.create(
        page=page,
        name="flaps",
        notifier="recording",
        config={"to": "flaps@team.test"},
        event_kinds=[EventKind.CHECK_FLAPPING],
    )
    moment = WINDOW_START + MINUTE
    for outcome in (UP, DOWN, UP, DOWN):
        record_result(check.pk, outcome, moment)
        moment += MINUTE

    row = OutboxEvent.objects.get(kind=EventKind.CHECK_FLAPPING)
    event = Event.from_row(row)
    assert event.payload["in_maintenance"] is True
    assert dispatch.channels_for(event) == []


# -- When the window ends ------------------------------------------------------


def test_check_still_down_moves_component_when_window_ends(check, component, window):
    record_result(check.pk, DOWN, WINDOW_START + 5 * MINUTE)

    run_due_maintenances(now=WINDOW_END)

    assert status_of(component) == ComponentStatus.MAJOR_OUTAGE


def test_check_still_down_opens_incident_when_window_ends(check, channel, window):
    record_result(check.pk, DOWN, WINDOW_START + 5 * MINUTE)

    run_due_maintenances(now=WINDOW_END)

    incident = Incident.objects.get()
    check.refresh_from_db()
    created = Event.from_row(OutboxEvent.objects.get(kind=EventKind.INCIDENT_CREATED))
    assert check.auto_incident == incident
    assert "connection refused" in incident.updates.get().body
    assert dispatch.channels_for(created) == [channel]


def test_check_recovered_in_window_leaves_component_operational(
    check, component, window
):
    record_result(check.pk, DOWN, WINDOW_START + 5 * MINUTE)
    record_result(check.pk, UP, WINDOW_START + 30 * MINUTE)

    run_due_maintenances(now=WINDOW_END)

    assert status_of(component) == ComponentStatus.OPERATIONAL
    assert not Incident.objects.exists()


def test_up_after_window_resolves_the_late_incident(check, component, window):
    record_result(check.pk, DOWN, WINDOW_START + 5 * MINUTE)
    run_due_maintenances(now=WINDOW_END)

    record_result(check.pk, UP, WINDOW_END + 5 * MINUTE)

    assert Incident.objects.get().status == "resolved"
    assert status_of(component) == ComponentStatus.OPERATIONAL


# -- Downtime ------------------------------------------------------------------


def add_results(check, start, end, outcome: str) -> None:
    count = int((end - start) / MINUTE)
    CheckResult.objects.bulk_create(
        CheckResult(
            uptime_check=check, checked_at=start + index * MINUTE, status=outcome
        )
        for index in range(count)
    )


def test_results_in_window_count_no_downtime(check, window):
    day_end = DAY_START + timedelta(days=1)
    add_results(check, DAY_START, WINDOW_START, "up")
    add_results(check, WINDOW_START, WINDOW_END, "down")
    add_results(check, WINDOW_END, day_end, "up")
    run_due_maintenances(now=WINDOW_END)

    rollup_results(since=DAY_START, until=day_end, now=day_end + timedelta(hours=1))

    day = CheckRollupDay.objects.get(uptime_check=check)
    assert day.down_seconds == 0
    assert day.maintenance_seconds == 3600
    assert day.known_seconds == 86400 - 3600


# -- Reminders -----------------------------------------------------------------


@pytest.mark.parametrize("lead_minutes", [15, 120])
def test_reminder_goes_out_the_configured_time_before(
    settings, page, component, lead_minutes
):
    settings.STATUSCORE_MAINTENANCE_REMINDER = lead_minutes * 60
    starts_at = datetime(2030, 5, 4, 22, 0, tzinfo=UTC)
    services.schedule_maintenance(
        page,
        "Database upgrade",
        starts_at,
        starts_at + timedelta(hours=1),
        components=[component],
    )
    lead = timedelta(minutes=lead_minutes)

    early = run_due_maintenances(now=starts_at - lead - MINUTE)
    due = run_due_maintenances(now=starts_at - lead)

    assert early.reminded == []
    assert len(due.reminded) == 1


def test_reminder_reaches_subscribers(notifier, settings, page, component):
    settings.STATUSCORE_MAINTENANCE_REMINDER = 900
    subscriber = make_subscriber(page, "api@example.test", components=[component])
    starts_at = datetime(2030, 5, 4, 22, 0, tzinfo=UTC)
    services.schedule_maintenance(
        page,
        "Upgrade",
        starts_at,
        starts_at + timedelta(hours=1),
        components=[component],
    )

    run_due_maintenances(now=starts_at - timedelta(minutes=15))

    event = Event.from_row(OutboxEvent.objects.get(kind=EventKind.MAINTENANCE_REMINDER))
    assert list(dispatch.recipients_for(event)) == [subscriber]
