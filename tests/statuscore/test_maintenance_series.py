"""Recurring maintenance windows: validation, occurrences created ahead by
the scheduler, and changing or ending a series.

Series services read the clock, so these tests freeze
``django.utils.timezone.now`` where the time matters; the scheduler takes
the time as an argument.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from statuscore import dispatch, services
from statuscore.events import Event, EventKind
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    ComponentStatus,
    Maintenance,
    MaintenanceSeries,
    MaintenanceStatus,
    OutboxEvent,
)
from statuscore.services.maintenance_series import create_series_occurrences
from statuscore.services.maintenances import run_due_maintenances
from tests.statuscore.notifying import make_subscriber

CREATED = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SUNDAY = 6


@contextmanager
def frozen(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def nightly(page, components=(), **rule) -> MaintenanceSeries:
    rule.setdefault("frequency", "daily")
    rule.setdefault("start_time", time(2, 30))
    rule.setdefault("duration", HOUR)
    rule.setdefault("time_zone", "Europe/Berlin")
    rule.setdefault("starts_on", date(2026, 3, 1))
    with frozen(CREATED):
        return services.create_maintenance_series(
            page, "Nightly backup", components=components, body="Backups run.", **rule
        )


def occurrence_starts(series: MaintenanceSeries) -> list[datetime]:
    rows = Maintenance.objects.filter(series=series).order_by("scheduled_for")
    return list(rows.values_list("scheduled_for", flat=True))


# -- Validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"frequency": "hourly"}, "frequency"),
        ({"weekday": 2}, "weekday"),
        ({"frequency": "weekly"}, "weekday"),
        ({"frequency": "weekly", "weekday": 7}, "weekday"),
        ({"frequency": "monthly", "weekday": 6}, "week_of_month"),
        ({"frequency": "monthly", "weekday": 6, "week_of_month": 5}, "week_of_month"),
        ({"frequency": "weekly", "weekday": 6, "week_of_month": 1}, "week_of_month"),
        ({"duration": timedelta(0)}, "duration"),
        ({"duration": timedelta(hours=25)}, "duration"),
        ({"ends_on": date(2026, 2, 1)}, "ends_on"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"start_time": time(2, 30, tzinfo=UTC)}, "start_time"),
        ({"starts_on": datetime(2026, 3, 1, tzinfo=UTC)}, "starts_on"),
    ],
)
def test_invalid_rule_is_rejected_naming_the_field(page, rule, field):
    with pytest.raises(ValidationFailed) as error:
        nightly(page, **rule)

    assert list(error.value.errors) == [field]
    assert not MaintenanceSeries.objects.exists()


def test_blank_name_is_rejected(page):
    with pytest.raises(ValidationFailed) as error:
        services.create_maintenance_series(
            page,
            "",
            frequency="daily",
            start_time=time(2, 30),
            duration=HOUR,
            time_zone="UTC",
            starts_on=date(2026, 3, 1),
        )

    assert "name" in error.value.errors


def test_component_of_another_page_is_rejected(page, organization):
    other = services.create_page(organization, "Other", "other")
    foreign = services.create_component(other, "Foreign")

    with pytest.raises(ValidationFailed) as error:
        nightly(page, components=[foreign])

    assert list(error.value.errors) == ["components"]


# -- Occurrences ahead -----------------------------------------------------------


def test_creation_schedules_thirty_days_ahead(page):
    series = nightly(page)

    starts = occurrence_starts(series)
    assert len(starts) == 30
    assert starts[0] == utc(2026, 3, 1, 1, 30)
    assert starts[-1] == utc(2026, 3, 30, 0, 30)
    assert utc(2026, 3, 29, 1, 30) in starts


def test_ahead_setting_limits_the_horizon(page, settings):
    settings.STATUSCORE_MAINTENANCE_SERIES_AHEAD = 7

    series = nightly(page)

    assert len(occurrence_starts(series)) == 7


def test_occurrence_copies_the_series(page, component):
    series = nightly(page, components=[component])

    first = Maintenance.objects.filter(series=series).earliest("scheduled_for")
    assert first.name == "Nightly backup"
    assert first.body == "Backups run."
    assert first.time_zone == "Europe/Berlin"
    assert first.scheduled_until - first.scheduled_for == HOUR
    assert list(first.components.all()) == [component]
    assert first.status == MaintenanceStatus.SCHEDULED


def test_scheduler_extends_the_horizon_once(page):
    series = nightly(page)
    next_day = CREATED + timedelta(days=1)

    first = run_due_maintenances(now=next_day)
    again = run_due_maintenances(now=next_day)

    assert len(first.created) == 1
    assert again.created == []
    assert len(occurrence_starts(series)) == 31


def test_running_twice_creates_no_duplicate(page):
    series = nightly(page)
    MaintenanceSeries.objects.filter(pk=series.pk).update(generated_until=None)

    create_series_occurrences(now=CREATED)

    assert len(occurrence_starts(series)) == 30


def test_database_rejects_duplicate_occurrence(page):
    series = nightly(page)
    first = Maintenance.objects.filter(series=series).earliest("scheduled_for")

    with pytest.raises(IntegrityError), transaction.atomic():
        Maintenance.objects.create(
            page=page,
            series=series,
            name="Copy",
            scheduled_for=first.scheduled_for,
            scheduled_until=first.scheduled_until,
        )


def test_deleted_occurrence_is_not_created_again(page):
    series = nightly(page)
    first = Maintenance.objects.filter(series=series).earliest("scheduled_for")
    services.delete_maintenance(first)

    run_due_maintenances(now=CREATED + timedelta(minutes=1))

    assert first.scheduled_for not in occurrence_starts(series)


def test_occurrences_are_scheduled_without_notice(notifier, page, component):
    make_subscriber(page, "api@example.test", components=[component])

    nightly(page, components=[component])

    rows = OutboxEvent.objects.filter(kind=EventKind.MAINTENANCE_SCHEDULED)
    events = [Event.from_row(row) for row in rows]
    assert len(events) == 30
    assert not [event for event in events if dispatch.recipients_for(event)]


def test_series_ending_stops_occurrences_at_its_last_day(page):
    series = nightly(page, ends_on=date(2026, 3, 3))

    assert occurrence_starts(series) == [
        utc(2026, 3, 1, 1, 30),
        utc(2026, 3, 2, 1, 30),
        utc(2026, 3, 3, 1, 30),
    ]


# -- Lifecycle on the nights clocks change ------------------------------------------


def test_scheduler_starts_and_completes_occurrence_in_spring_gap(page, component):
    series = nightly(page, components=[component])
    gap_start = utc(2026, 3, 29, 1, 30)
    occurrence = Maintenance.objects.get(series=series, scheduled_for=gap_start)

    before = run_due_maintenances(now=gap_start - timedelta(minutes=1))
    started = run_due_maintenances(now=gap_start)
    component.refresh_from_db()
    running_status = component.status
    completed = run_due_maintenances(now=gap_start + HOUR)

    component.refresh_from_db()
    assert occurrence.pk not in before.started
    assert occurrence.pk in started.started
    assert running_status == ComponentStatus.UNDER_MAINTENANCE
    assert occurrence.pk in completed.completed
    assert component.status == ComponentStatus.OPERATIONAL


def test_weekly_overlap_starts_at_first_instant(page):
    with frozen(utc(2026, 10, 1)):
        series = services.create_maintenance_series(
            page,
            "Sunday patching",
            frequency="weekly",
            weekday=SUNDAY,
            start_time=time(2, 30),
            duration=HOUR,
            time_zone="Europe/Berlin",
            starts_on=date(2026, 10, 1),
        )
    overlap_start = utc(2026, 10, 25, 0, 30)
    occurrence = Maintenance.objects.get(series=series, scheduled_for=overlap_start)

    started = run_due_maintenances(now=overlap_start)

    assert occurrence.pk in started.started
    assert occurrence.scheduled_until == utc(2026, 10, 25, 1, 30)


def test_monthly_occurrence_in_new_york_spring_gap(page):
    with frozen(utc(2026, 3, 1)):
        series = services.create_maintenance_series(
            page,
            "Second Sunday",
            frequency="monthly",
            weekday=SUNDAY,
            week_of_month=2,
            start_time=time(2, 30),
            duration=HOUR,
            time_zone="America/New_York",
            starts_on=date(2026, 3, 1),
        )

    assert occurrence_starts(series) == [utc(2026, 3, 8, 7, 30)]


def test_occurrence_reminder_reaches_subscribers(notifier, settings, page, component):
    settings.STATUSCORE_MAINTENANCE_REMINDER = 900
    subscriber = make_subscriber(page, "api@example.test", components=[component])
    series = nightly(page, components=[component])
    first = utc(2026, 3, 2, 1, 30)

    due = run_due_maintenances(now=first - timedelta(minutes=15))

    reminded = Maintenance.objects.get(pk=due.reminded[0])
    event = Event.from_row(OutboxEvent.objects.get(kind=EventKind.MAINTENANCE_REMINDER))
    assert reminded.series == series
    assert reminded.scheduled_for == first
    assert list(dispatch.recipients_for(event)) == [subscriber]


# -- Changing and ending --------------------------------------------------------------


def test_new_start_time_recreates_future_occurrences(page):
    series = nightly(page)
    run_due_maintenances(now=utc(2026, 3, 1, 1, 30))
    running = Maintenance.objects.get(
        series=series, scheduled_for=utc(2026, 3, 1, 1, 30)
    )

    with frozen(utc(2026, 3, 1, 2, 0)):
        services.update_maintenance_series(series, start_time=time(4, 0))

    running.refresh_from_db()
    starts = occurrence_starts(series)
    assert running.status == MaintenanceStatus.IN_PROGRESS
    assert starts[0] == utc(2026, 3, 1, 1, 30)
    assert starts[1] == utc(2026, 3, 1, 3, 0)
    assert starts[2] == utc(2026, 3, 2, 3, 0)
    assert utc(2026, 3, 2, 1, 30) not in starts
    assert (
        OutboxEvent.objects.filter(kind=EventKind.MAINTENANCE_SERIES_UPDATED).count()
        == 1
    )


def test_switch_to_weekly_needs_a_weekday(page):
    series = nightly(page)

    with pytest.raises(ValidationFailed) as error, frozen(CREATED):
        services.update_maintenance_series(series, frequency="weekly")

    series.refresh_from_db()
    assert list(error.value.errors) == ["weekday"]
    assert series.frequency == "daily"


def test_switch_to_daily_clears_weekday(page):
    with frozen(CREATED):
        series = services.create_maintenance_series(
            page,
            "Sunday patching",
            frequency="monthly",
            weekday=SUNDAY,
            week_of_month=1,
            start_time=time(2, 30),
            duration=HOUR,
            time_zone="UTC",
            starts_on=date(2026, 3, 1),
        )
        services.update_maintenance_series(series, frequency="daily")

    series.refresh_from_db()
    assert series.weekday is None
    assert series.week_of_month is None


def test_update_without_change_emits_nothing(page):
    series = nightly(page)

    with frozen(CREATED):
        services.update_maintenance_series(series, name=series.name)

    assert not OutboxEvent.objects.filter(kind=EventKind.MAINTENANCE_SERIES_UPDATED)


def test_end_series_deletes_future_occurrences(page):
    series = nightly(page)

    with frozen(utc(2026, 3, 5)):
        services.end_maintenance_series(series)

    series.refresh_from_db()
    assert series.is_active is False
    assert occurrence_starts(series) == [
        utc(2026, 3, 1, 1, 30),
        utc(2026, 3, 2, 1, 30),
        utc(2026, 3, 3, 1, 30),
        utc(2026, 3, 4, 1, 30),
    ]
    assert (
        OutboxEvent.objects.filter(kind=EventKind.MAINTENANCE_SERIES_ENDED).count() == 1
    )


def test_ended_series_gets_no_new_occurrences(page):
    series = nightly(page)
    with frozen(utc(2026, 3, 5)):
        services.end_maintenance_series(series)

    created = run_due_maintenances(now=utc(2026, 4, 10)).created

    assert created == []


def test_ending_twice_is_rejected(page):
    series = nightly(page)
    with frozen(CREATED):
        services.end_maintenance_series(series)

    with pytest.raises(ValidationFailed) as error, frozen(CREATED):
        services.end_maintenance_series(series)

    assert list(error.value.errors) == ["is_active"]
