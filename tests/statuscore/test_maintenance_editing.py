"""Editing one maintenance: its time zone, updates on its timeline, status
moves through updates, and deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from statuscore import dispatch, services
from statuscore.events import Event, EventKind
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    ComponentStatus,
    Maintenance,
    MaintenanceStatus,
    MaintenanceUpdate,
    OutboxEvent,
)
from tests.statuscore.notifying import make_subscriber

START = datetime(2030, 5, 4, 22, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


@pytest.fixture
def maintenance(page, component):
    return services.schedule_maintenance(
        page, "Database upgrade", START, END, components=[component]
    )


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", password="x")


def last_event(kind: EventKind) -> Event:
    return Event.from_row(OutboxEvent.objects.filter(kind=kind).latest("id"))


def status_of(component) -> str:
    component.refresh_from_db()
    return component.status


def subscriber_addresses(event: Event) -> list[str]:
    return sorted(s.address for s in dispatch.recipients_for(event))


# -- Time zone -----------------------------------------------------------------


def test_time_zone_defaults_to_the_page_zone(page):
    page.time_zone = "Europe/Berlin"
    page.save()

    maintenance = services.schedule_maintenance(page, "Upgrade", START, END)

    assert maintenance.time_zone == "Europe/Berlin"
    assert last_event(EventKind.MAINTENANCE_SCHEDULED).payload["time_zone"] == (
        "Europe/Berlin"
    )


def test_given_time_zone_is_kept(page):
    maintenance = services.schedule_maintenance(
        page, "Upgrade", START, END, time_zone="America/New_York"
    )

    assert maintenance.time_zone == "America/New_York"
    assert maintenance.scheduled_for == START


def test_unknown_time_zone_is_rejected(page):
    with pytest.raises(ValidationFailed) as error:
        services.schedule_maintenance(page, "Upgrade", START, END, time_zone="Nowhere")

    assert list(error.value.errors) == ["time_zone"]
    assert not Maintenance.objects.exists()


def test_time_zone_can_be_changed(maintenance):
    services.update_maintenance(maintenance, time_zone="Asia/Tokyo")

    maintenance.refresh_from_db()
    assert maintenance.time_zone == "Asia/Tokyo"
    assert last_event(EventKind.MAINTENANCE_UPDATED).payload["changed"] == ["time_zone"]


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_naive_update_time_names_field(maintenance, field):
    naive = {"starts_at": START, "ends_at": END}[field].replace(tzinfo=None)

    with pytest.raises(ValidationFailed) as error:
        services.update_maintenance(maintenance, **{field: naive})

    maintenance.refresh_from_db()
    assert list(error.value.errors) == [field]
    assert maintenance.scheduled_for == START


def test_scheduling_without_notice_skips_subscribers(notifier, page, component):
    make_subscriber(page, "api@example.test", components=[component])

    services.schedule_maintenance(
        page, "Quiet", START, END, components=[component], notify_subscribers=False
    )

    assert subscriber_addresses(last_event(EventKind.MAINTENANCE_SCHEDULED)) == []


# -- Updates -------------------------------------------------------------------


def test_update_is_added_to_the_timeline(maintenance, editor):
    update = services.post_maintenance_update(
        maintenance, body="We will start on time.", actor=editor
    )

    payload = last_event(EventKind.MAINTENANCE_UPDATE_POSTED).payload
    assert list(maintenance.updates.all()) == [update]
    assert update.status == MaintenanceStatus.SCHEDULED
    assert update.created_by == editor
    assert payload["update_id"] == update.pk
    assert payload["actor_id"] == editor.pk


def test_update_reaches_subscribers(notifier, page, component, maintenance):
    make_subscriber(page, "api@example.test", components=[component])

    services.post_maintenance_update(maintenance, body="Starting soon.")

    event = last_event(EventKind.MAINTENANCE_UPDATE_POSTED)
    assert subscriber_addresses(event) == ["api@example.test"]


def test_update_without_notice_keeps_event_but_skips_subscribers(
    notifier, page, component, maintenance
):
    make_subscriber(page, "api@example.test", components=[component])

    update = services.post_maintenance_update(
        maintenance, body="Internal note.", notify_subscribers=False
    )

    event = last_event(EventKind.MAINTENANCE_UPDATE_POSTED)
    assert update.notify_subscribers is False
    assert event.payload["notify_subscribers"] is False
    assert subscriber_addresses(event) == []


def test_blank_update_is_rejected(maintenance):
    with pytest.raises(ValidationFailed) as error:
        services.post_maintenance_update(maintenance, body=" ")

    assert list(error.value.errors) == ["body"]
    assert not MaintenanceUpdate.objects.exists()


def test_update_can_start_the_work(maintenance, component):
    update = services.post_maintenance_update(
        maintenance, body="Started early.", status="in_progress"
    )

    maintenance.refresh_from_db()
    event = last_event(EventKind.MAINTENANCE_STARTED)
    assert maintenance.status == MaintenanceStatus.IN_PROGRESS
    assert maintenance.started_at is not None
    assert update.status == MaintenanceStatus.IN_PROGRESS
    assert event.payload["update_id"] == update.pk
    assert status_of(component) == ComponentStatus.UNDER_MAINTENANCE


def test_update_can_move_to_verifying_and_complete(maintenance, component):
    services.post_maintenance_update(maintenance, body="Go.", status="in_progress")

    services.post_maintenance_update(maintenance, body="Checking.", status="verifying")
    verifying_status = Maintenance.objects.get(pk=maintenance.pk).status
    services.post_maintenance_update(maintenance, body="Done.", status="completed")

    maintenance.refresh_from_db()
    assert verifying_status == MaintenanceStatus.VERIFYING
    assert maintenance.status == MaintenanceStatus.COMPLETED
    assert maintenance.completed_at is not None
    assert status_of(component) == ComponentStatus.OPERATIONAL
    assert last_event(EventKind.MAINTENANCE_COMPLETED).payload["update_id"]


def test_update_can_cancel_running_work(maintenance, component):
    services.post_maintenance_update(maintenance, body="Go.", status="in_progress")

    services.post_maintenance_update(
        maintenance, body="Rolled back.", status="cancelled"
    )

    maintenance.refresh_from_db()
    assert maintenance.status == MaintenanceStatus.CANCELLED
    assert status_of(component) == ComponentStatus.OPERATIONAL


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("completed", "in_progress"),
        ("cancelled", "completed"),
        (None, "verifying"),
    ],
)
def test_move_outside_the_lifecycle_is_rejected(maintenance, first, then):
    if first:
        services.post_maintenance_update(maintenance, body="Step.", status=first)

    with pytest.raises(ValidationFailed) as error:
        services.post_maintenance_update(maintenance, body="Again.", status=then)

    assert list(error.value.errors) == ["status"]


def test_unknown_status_is_rejected(maintenance):
    with pytest.raises(ValidationFailed) as error:
        services.post_maintenance_update(maintenance, body="Hm.", status="paused")

    assert list(error.value.errors) == ["status"]


# -- Deletion ------------------------------------------------------------------


def test_delete_scheduled_maintenance(maintenance, editor):
    maintenance_id = maintenance.pk
    services.post_maintenance_update(maintenance, body="Note.")

    services.delete_maintenance(maintenance, actor=editor)

    payload = last_event(EventKind.MAINTENANCE_DELETED).payload
    assert not Maintenance.objects.filter(pk=maintenance_id).exists()
    assert not MaintenanceUpdate.objects.exists()
    assert payload["maintenance_id"] == maintenance_id
    assert payload["actor_id"] == editor.pk


def test_delete_running_maintenance_restores_components(maintenance, component):
    services.start_maintenance(maintenance, now=START)

    services.delete_maintenance(maintenance)

    assert status_of(component) == ComponentStatus.OPERATIONAL


def test_deletion_is_not_for_subscribers(notifier, page, component, maintenance):
    make_subscriber(page, "api@example.test", components=[component])

    services.delete_maintenance(maintenance)

    assert subscriber_addresses(last_event(EventKind.MAINTENANCE_DELETED)) == []


def test_deletion_moves_page_time(page, maintenance):
    page.refresh_from_db()
    before = page.updated_at

    services.delete_maintenance(maintenance)

    page.refresh_from_db()
    assert page.updated_at > before
