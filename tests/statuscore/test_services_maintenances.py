"""Scheduled maintenance: validation, the scheduler's steps and who hears of them.

The scheduler takes the time as an argument, so these tests move the clock
by passing ``now`` rather than by sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuscore import dispatch, services
from statuscore.events import Event, EventKind
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    ComponentStatus,
    Delivery,
    Maintenance,
    MaintenanceStatus,
    OutboxEvent,
)
from statuscore.services.maintenances import run_due_maintenances
from tests.statuscore.notifying import make_subscriber

START = datetime(2030, 5, 4, 22, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


@pytest.fixture
def api(page):
    return services.create_component(page, "API")


@pytest.fixture
def web(page):
    return services.create_component(page, "Web")


@pytest.fixture
def maintenance(page, api):
    return services.schedule_maintenance(
        page, "Database upgrade", START, END, components=[api], body="Read-only."
    )


def events(kind: EventKind) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(kind=kind).order_by("id"))


def last_event(kind: EventKind) -> Event:
    return Event.from_row(OutboxEvent.objects.filter(kind=kind).latest("id"))


# -- Validation ------------------------------------------------------------------


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_naive_time_is_rejected_naming_the_field(page, field):
    times = {"starts_at": START, "ends_at": END}
    times[field] = times[field].replace(tzinfo=None)

    with pytest.raises(ValidationFailed) as caught:
        services.schedule_maintenance(
            page, "Upgrade", times["starts_at"], times["ends_at"]
        )

    assert list(caught.value.errors) == [field]
    assert not Maintenance.objects.exists()


def test_end_before_start_is_rejected(page):
    with pytest.raises(ValidationFailed) as caught:
        services.schedule_maintenance(page, "Upgrade", END, START)

    assert list(caught.value.errors) == ["ends_at"]


def test_component_of_another_page_is_rejected(page, organization):
    other = services.create_page(organization, "Other", "other")
    foreign = services.create_component(other, "Foreign")

    with pytest.raises(ValidationFailed) as caught:
        services.schedule_maintenance(page, "Upgrade", START, END, components=[foreign])

    assert list(caught.value.errors) == ["components"]


# -- Scheduling and editing ------------------------------------------------------------


def test_scheduling_emits_times_with_offset_and_components(maintenance, api):
    payload = last_event(EventKind.MAINTENANCE_SCHEDULED).payload

    assert payload["component_ids"] == [api.pk]
    assert payload["name"] == "Database upgrade"
    assert payload["starts_at"] == "2030-05-04T22:00:00+00:00"
    assert payload["ends_at"] == "2030-05-05T00:00:00+00:00"


def test_update_emits_the_changed_fields(maintenance, api, web):
    services.update_maintenance(
        maintenance, ends_at=END + timedelta(hours=1), components=[api, web]
    )

    payload = last_event(EventKind.MAINTENANCE_UPDATED).payload
    assert payload["changed"] == ["ends_at", "components"]
    assert payload["component_ids"] == sorted([api.pk, web.pk])


def test_update_without_change_emits_nothing(maintenance):
    services.update_maintenance(maintenance, name="Database upgrade")

    assert events(EventKind.MAINTENANCE_UPDATED) == []


def test_update_rejects_end_before_start(maintenance):
    with pytest.raises(ValidationFailed) as caught:
        services.update_maintenance(maintenance, ends_at=START - timedelta(hours=1))

    assert list(caught.value.errors) == ["ends_at"]


# -- The scheduler ----------------------------------------------------------------


def test_tick_before_start_changes_nothing(maintenance, api):
    run_due_maintenances(now=START - timedelta(seconds=1))

    maintenance.refresh_from_db()
    api.refresh_from_db()
    assert maintenance.status == MaintenanceStatus.SCHEDULED
    assert api.status == ComponentStatus.OPERATIONAL


def test_tick_starts_due_maintenance(
    maintenance, api, web
):
    done = run_due_maintenances(now=START)

    maintenance.refresh_from_db()
    api.refresh_from_db()
    web.refresh_from_db()
    assert done.started == [maintenance.pk]
    assert maintenance.status == MaintenanceStatus.IN_PROGRESS
    assert api.status == ComponentStatus.UNDER_MAINTENANCE
    assert web.status == ComponentStatus.OPERATIONAL


def test_second_tick_does_not_start_it_again(maintenance):
    run_due_maintenances(now=START)
    again = run_due_maintenances(now=START + timedelta(minutes=1))

    assert again.started == []
    assert len(events(EventKind.MAINTENANCE_STARTED)) == 1


def test_start_on_a_stale_copy_emits_nothing(maintenance):
    stale = Maintenance.objects.get(pk=maintenance.pk)
    assert services.start_maintenance(maintenance, now=START)

    assert not services.start_maintenance(stale, now=START)
    assert len(events(EventKind.MAINTENANCE_STARTED)) == 1


def test_tick_at_end_completes_it_and_restores_components(maintenance, api):
    run_due_maintenances(now=START)
    done = run_due_maintenances(now=END)

    maintenance.refresh_from_db()
    api.refresh_from_db()
    assert done.completed == [maintenance.pk]
    assert maintenance.status == MaintenanceStatus.COMPLETED
    assert api.status == ComponentStatus.OPERATIONAL
    assert len(events(EventKind.MAINTENANCE_COMPLETED)) == 1


def test_completion_restores_the_status_from_before_the_work(maintenance, api):
    services.set_component_status(api, ComponentStatus.DEGRADED_PERFORMANCE, source="t")
    run_due_maintenances(now=START)
    run_due_maintenances(now=END)

    api.refresh_from_db()
    assert api.status == ComponentStatus.DEGRADED_PERFORMANCE


def test_editor_status_on_completion_wins(maintenance, api):
    services.set_component_status(api, ComponentStatus.DEGRADED_PERFORMANCE, source="t")
    services.start_maintenance(maintenance, now=START)

    services.complete_maintenance(
        maintenance, component_statuses={api: ComponentStatus.OPERATIONAL}
    )

    api.refresh_from_db()
    assert api.status == ComponentStatus.OPERATIONAL


def test_completion_without_restore_leaves_components(maintenance, api):
    services.start_maintenance(maintenance, now=START)

    services.complete_maintenance(maintenance, restore_components=False)

    api.refresh_from_db()
    assert api.status == ComponentStatus.UNDER_MAINTENANCE


def test_component_in_an_overlapping_window_stays_under_maintenance(
    page, maintenance, api
):
    later = services.schedule_maintenance(
        page,
        "Network",
        START + timedelta(hours=1),
        END + timedelta(hours=1),
        components=[api],
    )
    run_due_maintenances(now=START)
    run_due_maintenances(now=START + timedelta(hours=1))
    run_due_maintenances(now=END)

    api.refresh_from_db()
    assert api.status == ComponentStatus.UNDER_MAINTENANCE

    run_due_maintenances(now=END + timedelta(hours=1))

    api.refresh_from_db()
    later.refresh_from_db()
    assert later.status == MaintenanceStatus.COMPLETED
    assert api.status == ComponentStatus.OPERATIONAL


def test_cancelling_a_running_maintenance_restores_components(maintenance, api):
    services.start_maintenance(maintenance, now=START)

    assert services.cancel_maintenance(maintenance)

    api.refresh_from_db()
    assert api.status == ComponentStatus.OPERATIONAL
    assert len(events(EventKind.MAINTENANCE_CANCELLED)) == 1
    assert not services.cancel_maintenance(maintenance)


def test_cancelled_maintenance_is_not_started(maintenance):
    services.cancel_maintenance(maintenance)

    assert run_due_maintenances(now=START).started == []


# -- Reminders --------------------------------------------------------------------


def test_reminder_is_emitted_once(settings, maintenance):
    settings.STATUSCORE_MAINTENANCE_REMINDER = 3600
    before = START - timedelta(hours=1)

    run_due_maintenances(now=before - timedelta(minutes=1))
    assert events(EventKind.MAINTENANCE_REMINDER) == []

    run_due_maintenances(now=before)
    run_due_maintenances(now=before + timedelta(minutes=1))
    assert len(events(EventKind.MAINTENANCE_REMINDER)) == 1


def test_reminder_once_survives_reloading_the_maintenance(settings, maintenance):
    settings.STATUSCORE_MAINTENANCE_REMINDER = 3600
    run_due_maintenances(now=START - timedelta(minutes=30))

    maintenance.refresh_from_db()
    assert maintenance.reminded_at == START - timedelta(minutes=30)
    assert not services.maintenances.remind_maintenance(maintenance)


def test_reminder_zero_sends_none(settings, maintenance):
    settings.STATUSCORE_MAINTENANCE_REMINDER = 0

    run_due_maintenances(now=START - timedelta(minutes=5))

    assert events(EventKind.MAINTENANCE_REMINDER) == []


def test_late_schedule_gets_no_reminder(
    settings, page
):
    settings.STATUSCORE_MAINTENANCE_REMINDER = 3600
    soon = datetime.now(UTC) + timedelta(minutes=10)
    services.schedule_maintenance(page, "Hotfix", soon, soon + timedelta(hours=1))

    run_due_maintenances(now=soon - timedelta(minutes=5))

    assert events(EventKind.MAINTENANCE_REMINDER) == []


def test_moving_the_start_allows_a_new_reminder(settings, maintenance):
    settings.STATUSCORE_MAINTENANCE_REMINDER = 3600
    run_due_maintenances(now=START - timedelta(minutes=30))

    later = START + timedelta(days=1)
    services.update_maintenance(
        maintenance, starts_at=later, ends_at=later + timedelta(hours=2)
    )
    run_due_maintenances(now=later - timedelta(minutes=30))

    assert len(events(EventKind.MAINTENANCE_REMINDER)) == 2


# -- Who hears of it ---------------------------------------------------------------


def test_started_reaches_subscribers_of_affected_components_only(
    notifier, page, maintenance, api, web
):
    affected = make_subscriber(page, "api@example.test", components=[api])
    unaffected = make_subscriber(page, "web@example.test", components=[web])
    run_due_maintenances(now=START)

    event = last_event(EventKind.MAINTENANCE_STARTED)
    dispatch.fan_out(event)

    assert Delivery.objects.filter(event_id=event.id, subscriber=affected).count() == 1
    assert not Delivery.objects.filter(
        event_id=event.id, subscriber=unaffected
    ).exists()


def test_start_status_events_skip_subscribers(
    notifier, page, maintenance, api
):
    make_subscriber(page, "api@example.test", components=[api])
    run_due_maintenances(now=START)

    event = last_event(EventKind.COMPONENT_STATUS_CHANGED)

    assert event.payload["source"] == f"maintenance:{maintenance.pk}"
    assert list(dispatch.recipients_for(event)) == []


def test_alert_channel_choosing_started_receives_it(notifier, page, maintenance):
    channel = services.create_alert_channel(
        page,
        "ops",
        "recording",
        {"to": "ops@team.test"},
        event_kinds=[EventKind.MAINTENANCE_STARTED],
    )
    run_due_maintenances(now=START)

    scheduled = last_event(EventKind.MAINTENANCE_SCHEDULED)
    started = last_event(EventKind.MAINTENANCE_STARTED)

    assert dispatch.channels_for(started) == [channel]
    assert dispatch.channels_for(scheduled) == []
    dispatch.fan_out(started)
    assert Delivery.objects.filter(event_id=started.id, channel=channel).count() == 1
