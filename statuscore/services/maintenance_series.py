"""Services for recurring maintenance windows and their occurrences.

A ``MaintenanceSeries`` contains the rule; each occurrence is an ordinary
``Maintenance`` linked by ``series``, which the scheduler then reminds,
starts and completes like any other. :func:`create_series_occurrences`,
called by the once-a-minute scheduler pass, creates the occurrences that
start within ``STATUSCORE_MAINTENANCE_SERIES_AHEAD`` days. The unique
constraint on ``(series, scheduled_for)`` and the lock on the series row
make it safe to run twice or in two processes at once, and
``generated_until`` keeps an occurrence an editor deleted from coming back.

Occurrences are scheduled without a notice to subscribers, who would
otherwise get one message per day of a daily series; the reminder and the
start and completion notices still reach them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from statuscore.conf import get_settings
from statuscore.events import EventKind, emit
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    Component,
    Maintenance,
    MaintenanceFrequency,
    MaintenanceSeries,
    MaintenanceStatus,
    Page,
)
from statuscore.recurrence import occurrences
from statuscore.services.maintenances import (
    _check_components,
    _emit,
    delete_maintenance,
)
from statuscore.services.validation import (
    full_clean,
    require_choice,
    require_time_zone,
    require_year_in_range,
)

__all__ = [
    "create_maintenance_series",
    "create_series_occurrences",
    "end_maintenance_series",
    "update_maintenance_series",
]

logger = logging.getLogger(__name__)

MAX_DURATION = {
    MaintenanceFrequency.DAILY: timedelta(days=1),
    MaintenanceFrequency.WEEKLY: timedelta(days=7),
    MaintenanceFrequency.MONTHLY: timedelta(days=28),
}
"""Maximum window length per frequency, so that one occurrence ends before
the next one can start."""

WEEKS_OF_MONTH = (1, 2, 3, 4, -1)

# -- Validation ----------------------------------------------------------------


def _check_rule(series: MaintenanceSeries) -> None:
    """Raise ``ValidationFailed`` naming the field the rule gets wrong."""
    require_choice("frequency", series.frequency, MaintenanceFrequency)
    require_time_zone("time_zone", series.time_zone)
    if not isinstance(series.start_time, time) or series.start_time.tzinfo:
        raise ValidationFailed.for_field(
            "start_time",
            "Give a local time of day without an offset, such as 02:30; "
            "the series' time zone applies.",
        )
    if not isinstance(series.duration, timedelta) or series.duration <= timedelta(0):
        raise ValidationFailed.for_field("duration", "The duration must be positive.")
    longest = MAX_DURATION[series.frequency]
    if series.duration > longest:
        raise ValidationFailed.for_field(
            "duration",
            f"A {series.frequency} window lasts at most {longest}, so that it "
            "ends before the next one starts.",
        )
    for field in ("starts_on", "ends_on"):
        value = getattr(series, field)
        if value is not None and (
            not isinstance(value, date) or isinstance(value, datetime)
        ):
            raise ValidationFailed.for_field(field, "Give a date, such as 2026-03-29.")
        require_year_in_range(field, value)
    if series.ends_on is not None and series.ends_on < series.starts_on:
        raise ValidationFailed.for_field(
            "ends_on", "The last day must not come before the first."
        )
    _check_weekday_fields(series)


def _check_weekday_fields(series: MaintenanceSeries) -> None:
    daily = series.frequency == MaintenanceFrequency.DAILY
    monthly = series.frequency == MaintenanceFrequency.MONTHLY
    if daily and series.weekday is not None:
        raise ValidationFailed.for_field(
            "weekday", "A daily series takes no weekday; leave it empty."
        )
    if not daily and series.weekday not in range(7):
        raise ValidationFailed.for_field(
            "weekday", "Give the weekday as a number from 0 (Monday) to 6 (Sunday)."
        )
    if monthly and series.week_of_month not in WEEKS_OF_MONTH:
        raise ValidationFailed.for_field(
            "week_of_month", "Give the week as 1, 2, 3, 4, or -1 for the last."
        )
    if not monthly and series.week_of_month is not None:
        raise ValidationFailed.for_field(
            "week_of_month", "Only a monthly series takes a week; leave it empty."
        )


# -- Events --------------------------------------------------------------------


def _emit_series(kind: EventKind, series: MaintenanceSeries, **extra) -> None:
    emit(
        kind,
        series.page,
        {
            "series_id": series.pk,
            "name": series.name,
            "frequency": series.frequency,
            "time_zone": series.time_zone,
            "is_active": series.is_active,
            "component_ids": sorted(series.components.values_list("pk", flat=True)),
            **extra,
        },
    )
    logger.info("Maintenance series %s: %s", series.pk, kind)


# -- Editing -------------------------------------------------------------------


@transaction.atomic
def create_maintenance_series(
    page: Page,
    name: str,
    *,
    frequency: str,
    start_time: time,
    duration: timedelta,
    time_zone: str,
    starts_on: date,
    weekday: int | None = None,
    week_of_month: int | None = None,
    ends_on: date | None = None,
    components: Iterable[Component] = (),
    body: str = "",
) -> MaintenanceSeries:
    """Create a recurring window, its first occurrences, and emit
    ``maintenance_series.created``.

    ``start_time`` is a wall-clock time in ``time_zone``; ``duration`` is
    elapsed time. ``weekday`` (0 is Monday) is required for weekly and
    monthly series, ``week_of_month`` (1 to 4, or -1 for the last) for
    monthly ones, and each is rejected where it does not apply. A window
    may not outlast its period (a day, a week, or 28 days). Raises
    ``ValidationFailed`` naming the field.
    """
    components = _check_components(page.pk, components)
    series = MaintenanceSeries(
        page=page,
        name=name,
        body=body,
        frequency=frequency,
        start_time=start_time,
        duration=duration,
        time_zone=time_zone,
        starts_on=starts_on,
        weekday=weekday,
        week_of_month=week_of_month,
        ends_on=ends_on,
    )
    _check_rule(series)
    full_clean(series)
    series.save()
    series.components.set(components)

    _emit_series(EventKind.MAINTENANCE_SERIES_CREATED, series)
    _extend_series(series, timezone.now())
    return series


@transaction.atomic
def update_maintenance_series(
    series: MaintenanceSeries,
    *,
    name: str | None = None,
    body: str | None = None,
    components: Iterable[Component] | None = None,
    frequency: str | None = None,
    start_time: time | None = None,
    duration: timedelta | None = None,
    time_zone: str | None = None,
    starts_on: date | None = None,
    weekday: int | None = None,
    week_of_month: int | None = None,
    ends_on: date | None = None,
    clear_ends_on: bool = False,
) -> MaintenanceSeries:
    """Change a series and emit ``maintenance_series.updated``.

    Only the arguments given change; ``clear_ends_on`` makes the series
    open-ended. A new frequency clears the weekday fields it does not use,
    unless they are given. The occurrences not yet started are deleted and
    created again under the new rule; a running one is left as it is.
    Emits nothing when nothing changed.
    """
    series = MaintenanceSeries.objects.select_for_update().get(pk=series.pk)
    if not series.is_active:
        raise ValidationFailed.for_field("is_active", "The series has ended.")

    requested = {
        "name": name,
        "body": body,
        "frequency": frequency,
        "start_time": start_time,
        "duration": duration,
        "time_zone": time_zone,
        "starts_on": starts_on,
        "weekday": weekday,
        "week_of_month": week_of_month,
        "ends_on": ends_on,
    }
    changed = [
        field
        for field, value in requested.items()
        if value is not None and value != getattr(series, field)
    ]
    if clear_ends_on and series.ends_on is not None:
        requested["ends_on"] = None
        changed.append("ends_on")
    for field in changed:
        setattr(series, field, requested[field])
    _clear_unused_weekday_fields(series, changed)
    _check_rule(series)
    full_clean(series)

    if components is not None:
        components = set(_check_components(series.page_id, components))
        if components != set(series.components.all()):
            series.components.set(components)
            changed.append("components")
    if not changed:
        return series

    series.save()
    now = timezone.now()
    _delete_future_occurrences(series, now)
    series.generated_until = None
    series.save(update_fields=["generated_until"])
    _emit_series(EventKind.MAINTENANCE_SERIES_UPDATED, series, changed=changed)
    _extend_series(series, now)
    return series


def _clear_unused_weekday_fields(series: MaintenanceSeries, changed: list[str]) -> None:
    if "frequency" not in changed:
        return
    if series.frequency == MaintenanceFrequency.DAILY and "weekday" not in changed:
        series.weekday = None
    if series.frequency != MaintenanceFrequency.MONTHLY:
        if "week_of_month" not in changed:
            series.week_of_month = None


@transaction.atomic
def end_maintenance_series(series: MaintenanceSeries) -> MaintenanceSeries:
    """Stop a series and emit ``maintenance_series.ended``.

    Occurrences not yet started are deleted; a running one completes as
    scheduled. Raises ``ValidationFailed`` on ``is_active`` when the
    series has already ended.
    """
    series = MaintenanceSeries.objects.select_for_update().get(pk=series.pk)
    if not series.is_active:
        raise ValidationFailed.for_field("is_active", "The series has already ended.")

    now = timezone.now()
    series.is_active = False
    series.save(update_fields=["is_active", "updated_at"])
    _delete_future_occurrences(series, now)
    _emit_series(EventKind.MAINTENANCE_SERIES_ENDED, series)
    return series


def _delete_future_occurrences(series: MaintenanceSeries, now: datetime) -> None:
    """Delete the series' occurrences that are scheduled and start after
    ``now``."""
    future = Maintenance.objects.filter(
        series=series, status=MaintenanceStatus.SCHEDULED, scheduled_for__gt=now
    )
    for maintenance in future:
        delete_maintenance(maintenance)


# -- Occurrences ---------------------------------------------------------------


def create_series_occurrences(now: datetime | None = None) -> list[int]:
    """Create the occurrences of every active series that start within
    ``STATUSCORE_MAINTENANCE_SERIES_AHEAD`` days; return the new ids.

    Each series is extended in its own transaction, so one broken series
    does not hold back the others.
    """
    now = now or timezone.now()
    created: list[int] = []
    for series_id in MaintenanceSeries.objects.filter(is_active=True).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            series = (
                MaintenanceSeries.objects.select_for_update()
                .filter(pk=series_id, is_active=True)
                .first()
            )
            if series is not None:
                created.extend(_extend_series(series, now))
    return created


def _extend_series(series: MaintenanceSeries, now: datetime) -> list[int]:
    """Create the occurrences from ``generated_until`` (or ``now``) to the
    horizon, and move ``generated_until`` there. The caller holds the lock
    on the series row."""
    horizon = now + timedelta(days=get_settings().maintenance_series_ahead)
    begin = max(series.generated_until or now, now)
    if begin >= horizon:
        return []

    created = []
    components = list(series.components.all())
    for starts_at, ends_at in occurrences(series, begin, horizon):
        if Maintenance.objects.filter(series=series, scheduled_for=starts_at).exists():
            continue
        maintenance = Maintenance.objects.create(
            page=series.page,
            series=series,
            name=series.name,
            body=series.body,
            scheduled_for=starts_at,
            scheduled_until=ends_at,
            time_zone=series.time_zone,
        )
        maintenance.components.set(components)
        _emit(
            EventKind.MAINTENANCE_SCHEDULED,
            maintenance,
            notify_subscribers=False,
        )
        created.append(maintenance.pk)

    series.generated_until = horizon
    MaintenanceSeries.objects.filter(pk=series.pk).update(generated_until=horizon)
    if created:
        logger.info(
            "Maintenance series %s: %s occurrences created up to %s",
            series.pk,
            len(created),
            horizon.isoformat(),
        )
    return created
