"""The iCalendar (RFC 5545) file of a status page's scheduled maintenances.

The ``icalendar`` package writes the file: it escapes commas, semicolons,
backslashes and line breaks in text and folds lines at 75 octets. Editor
text passes through :func:`strip_control_characters` first, because RFC
5545 allows no control characters but tab in text values.

Every time is written in UTC, so no VTIMEZONE is needed. ``UID`` is built
from the maintenance's id and the canonical host, and ``DTSTAMP`` is the
maintenance's last change, so the bytes change only when a maintenance
does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event

from statuscms.addresses import page_address
from statuscms.controlchars import strip_control_characters
from statuscore.models import Maintenance, MaintenanceStatus, MaintenanceUpdate

__all__ = [
    "CALENDAR_EVENTS",
    "CALENDAR_PAST_DAYS",
    "build_maintenance_calendar",
    "maintenance_uid",
]

CALENDAR_PAST_DAYS = 30
"""Maintenances that ended longer ago than this are left out."""

CALENDAR_EVENTS = 200
"""Maximum number of maintenances in one calendar, the earliest first."""

PRODUCT_ID = "-//statuspage//Maintenance calendar//EN"


def maintenance_uid(host: str, maintenance: Maintenance) -> str:
    """Return the permanent ``UID`` of ``maintenance`` on a page on ``host``."""
    return f"maintenance-{maintenance.pk}@{host}"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _description(maintenance: Maintenance) -> str:
    """Return the maintenance's description followed by its updates, newest first."""
    parts = [maintenance.body.strip()] if maintenance.body.strip() else []
    for update in maintenance.timeline:
        stamp = _utc(update.display_at).strftime("%Y-%m-%d %H:%M UTC")
        parts.append(f"{update.get_status_display()} ({stamp}): {update.body.strip()}")
    return strip_control_characters("\n\n".join(parts))


def _event(address: str, maintenance: Maintenance) -> Event:
    event = Event()
    host = urlsplit(address).hostname or "localhost"
    event.add("uid", maintenance_uid(host, maintenance))
    event.add("dtstamp", _utc(maintenance.updated_at))
    event.add("last-modified", _utc(maintenance.updated_at))
    event.add("created", _utc(maintenance.created_at))
    event.add("dtstart", _utc(maintenance.scheduled_for))
    event.add("dtend", _utc(maintenance.scheduled_until))
    event.add("summary", strip_control_characters(maintenance.name))

    description = _description(maintenance)
    if description:
        event.add("description", description)
    if maintenance.status == MaintenanceStatus.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    event.add("url", address)
    return event


def _listed_maintenances(status_page, now: datetime) -> list[Maintenance]:
    updates = MaintenanceUpdate.objects.order_by("-display_at", "-id")
    return list(
        Maintenance.objects.filter(
            page=status_page.core_page,
            scheduled_until__gte=now - timedelta(days=CALENDAR_PAST_DAYS),
        )
        .order_by("scheduled_for", "id")
        .prefetch_related(Prefetch("updates", updates, to_attr="timeline"))[
            :CALENDAR_EVENTS
        ]
    )


def build_maintenance_calendar(status_page, *, now: datetime | None = None) -> bytes:
    """Return the calendar of the page's maintenances as iCalendar bytes.

    It lists those whose window ends after ``now`` less
    ``CALENDAR_PAST_DAYS``, cancelled ones included with ``STATUS:CANCELLED``,
    so that a subscribed calendar removes them. The calendar's name and the
    status labels are written in the active language.
    """
    return _calendar(status_page, now or timezone.now()).to_ical()


def _calendar(status_page, now: datetime) -> Calendar:
    page_name = strip_control_characters(status_page.title)
    name = gettext("%(page)s maintenance") % {"page": page_name}

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    address = page_address(status_page)
    calendar.add("url", address)

    for maintenance in _listed_maintenances(status_page, now):
        calendar.add_component(_event(address, maintenance))
    return calendar
