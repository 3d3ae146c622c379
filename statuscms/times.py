"""Format instants for the public pages: local wall time with its UTC offset.

Instants are stored in UTC. A visitor reads them in the page's time zone,
and the offset is always written out, so a reader in another zone, or one
who copies the text, can still tell the instant. The server's ``TIME_ZONE``
plays no part: every function here takes the zone to use.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

from django.utils import dateformat, timezone, translation

__all__ = [
    "format_day",
    "format_local",
    "format_month",
    "format_offset",
    "iso_utc",
    "month_bounds",
    "to_zone",
]

# Django date format strings per shipped language, with month names that
# Django translates into the active language. English keeps the short
# month, which is unambiguous there; the others write the month out the
# way their readers expect it.
DATETIME_FORMATS = {
    "en": "j M Y, H:i",
    "de": "j. F Y, H:i",
    "fr": "j F Y, H:i",
    "es": r"j \d\e F \d\e Y, H:i",
}
DAY_FORMATS = {
    "en": "j F Y",
    "de": "j. F Y",
    "fr": "j F Y",
    "es": r"j \d\e F \d\e Y",
}
MONTH_FORMATS = {
    "en": "F Y",
    "de": "F Y",
    "fr": "F Y",
    "es": r"F \d\e Y",
}


def _pattern(patterns: dict[str, str], language: str | None) -> str:
    language = (language or translation.get_language() or "en").split("-")[0]
    return patterns.get(language, patterns["en"])


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


def format_local(
    value: datetime, zone: zoneinfo.ZoneInfo | str, language: str | None = None
) -> str:
    """Format an aware datetime in ``zone``, as ``4 Dec 2026, 18:31 UTC+01:00``.

    The date is written in ``language``, by default the active one, such as
    ``4. Dezember 2026, 18:31 UTC+01:00`` in German. A zero offset is
    written ``UTC``, which is as explicit as ``UTC+00:00``. A time too
    close to the calendar's edge to move into ``zone``, such as one stored
    in year 1 before the services refused such years, is shown in UTC
    rather than failing the page.
    """
    try:
        local = timezone.localtime(value, to_zone(zone))
    except OverflowError:
        local = value.astimezone(UTC)

    with translation.override(_language_of(language)):
        text = dateformat.format(local, _pattern(DATETIME_FORMATS, language))
    return f"{text} {format_offset(local.utcoffset())}"


def format_day(value: date, language: str | None = None) -> str:
    """Format a calendar day, as ``4 December 2026`` or ``4. Dezember 2026``."""
    with translation.override(_language_of(language)):
        return dateformat.format(value, _pattern(DAY_FORMATS, language))


def format_month(value: date, language: str | None = None) -> str:
    """Format a month, as ``December 2026`` or ``diciembre de 2026``."""
    with translation.override(_language_of(language)):
        return dateformat.format(value, _pattern(MONTH_FORMATS, language))


def _language_of(language: str | None) -> str | None:
    # None keeps the active language, since override(None) deactivates.
    return language or translation.get_language()


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
