"""Format instants for the public pages: local wall time with its UTC offset.

Instants are stored in UTC. A visitor reads them in the page's time zone,
and the offset is always written out, so a reader in another zone, or one
who copies the text, can still tell the instant. The server's ``TIME_ZONE``
plays no part: every function here takes the zone to use.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

from django.utils import timezone

__all__ = ["format_local", "format_offset", "iso_utc", "month_bounds", "to_zone"]


def to_zone(zone: zoneinfo.ZoneInfo | str) -> zoneinfo.ZoneInfo:
    """Return ``zone`` as a ``ZoneInfo``, accepting an IANA name."""
    if isinstance(zone, zoneinfo.ZoneInfo):
        return zone
    return zoneinfo.ZoneInfo(zone)


def format_offset(offset: timedelta | None) -> str:
    """Format a UTC offset as ``UTC``, ``UTC+05:30`` or ``UTC-04:00``."""
    if not offset:
        return "UTC"

    sign = "+" if offset >= timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_local(value: datetime, zone: zoneinfo.ZoneInfo | str) -> str:
    """Format an aware datetime in ``zone``, as ``4 Dec 2026, 18:31 UTC+01:00``.

    A zero offset is written ``UTC``, which is as explicit as ``UTC+00:00``.
    A time too close to the calendar's edge to move into ``zone``, such as
    one stored in year 1 before the services refused such years, is shown
    in UTC rather than failing the page.
    """
    try:
        local = timezone.localtime(value, to_zone(zone))
    except OverflowError:
        local = value.astimezone(UTC)
    return f"{local.day} {local:%b %Y, %H:%M} {format_offset(local.utcoffset())}"


def iso_utc(value: datetime) -> str:
    """Format an aware datetime as ISO 8601 in UTC with a ``Z``, to the second.

    This is the machine-readable ``datetime`` attribute of ``<time>``.
    """
    utc = value.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return f"{utc.isoformat()}Z"


def month_bounds(
    year: int, month: int, zone: zoneinfo.ZoneInfo
) -> tuple[datetime, datetime]:
    """Return the first instant of a local month and of the month after it.

    Both are midnight in ``zone``. Where the clocks skip midnight, the
    boundary is the moment of the change, because ``zoneinfo`` reads a
    skipped wall time with the offset in force before it.
    """
    start = datetime(year, month, 1, tzinfo=zone)
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return start, datetime(next_year, next_month, 1, tzinfo=zone)
