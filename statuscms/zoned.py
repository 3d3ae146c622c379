"""Times entered and shown in a status page's IANA time zone.

Editors type wall-clock times as they read them on the page, such as
"2026-03-29 14:30" for a page in Europe/Berlin. The form reads such a
naive time in the page's zone, never in the server's ``TIME_ZONE``, and
the services store the UTC instant. A time that the zone skips (the spring
gap) or passes twice (the autumn overlap) is rejected with a message that
names the field, because guessing would move the window by an hour. An
input with an explicit offset, such as "2026-10-25 02:30+01:00", is taken
as given.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, tzinfo

from django import forms

__all__ = [
    "LocalDateTimeField",
    "PageZoneFormMixin",
    "format_in_zone",
    "page_zone",
    "read_in_zone",
]

INPUT_EXAMPLE = "2026-03-29 14:30"


def page_zone(zone_name: str | None) -> tzinfo:
    """Return the zone called ``zone_name``, or UTC for an empty or unknown name."""
    try:
        return zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def read_in_zone(value: datetime, zone_name: str) -> datetime:
    """Return the instant that the wall-clock time ``value`` names in the zone.

    An aware ``value`` is returned unchanged. Raises ``ValidationError``
    when the zone skips the time or passes it twice on that day.
    """
    if value.tzinfo is not None:
        _check_in_range(value, value)
        return value

    zone = page_zone(zone_name)
    earlier = value.replace(tzinfo=zone, fold=0)
    later = value.replace(tzinfo=zone, fold=1)
    _check_in_range(earlier, value)
    _check_in_range(later, value)
    if earlier.utcoffset() == later.utcoffset():
        return earlier

    shown = value.strftime("%Y-%m-%d %H:%M")
    wall_clock_again = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if wall_clock_again != value:
        raise forms.ValidationError(
            f"{shown} does not exist in {zone_name}: the clocks skip that hour. "
            "Enter a time after the change.",
            code="nonexistent_time",
        )
    raise forms.ValidationError(
        f"{shown} happens twice in {zone_name}, because the clocks go back that "
        f"night. Add the offset, such as {shown}{_offset(earlier)} for the first "
        f"time or {shown}{_offset(later)} for the second.",
        code="ambiguous_time",
    )


def _check_in_range(instant: datetime, typed: datetime) -> None:
    """Raise ``ValidationError`` when ``instant`` has no UTC equivalent.

    A time in the first or last hours of year 1 or year 9999 can fall
    outside the range of ``datetime`` once moved to UTC.
    """
    try:
        instant.astimezone(UTC)
    except OverflowError:
        raise forms.ValidationError(
            f"{typed:%Y-%m-%d %H:%M} is out of range. Enter a date such as "
            f"{INPUT_EXAMPLE}.",
            code="out_of_range",
        ) from None


def _offset(value: datetime) -> str:
    text = value.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def format_in_zone(value: datetime | None, zone_name: str) -> str:
    """Return ``value`` as wall-clock time in the zone with its UTC offset.

    The result reads like "2026-03-29 14:30 +02:00 (Europe/Berlin)", so the
    instant is exact even for a reader in another zone.
    """
    if value is None:
        return ""
    local = value.astimezone(page_zone(zone_name))
    return f"{local:%Y-%m-%d %H:%M} {_offset(local)} ({zone_name or 'UTC'})"


class LocalDateTimeField(forms.Field):
    """A date and time typed as the page's wall-clock time.

    ``clean`` returns a naive ``datetime``, or an aware one when the input
    carries an offset. The form turns it into an instant with
    :func:`read_in_zone` once the page is chosen. ``zone_name``, when set,
    shows a stored instant in that zone.
    """

    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local", "step": "60"}, format="%Y-%m-%dT%H:%M"
    )
    default_error_messages = {
        "invalid": f"Enter a date and time such as {INPUT_EXAMPLE}.",
    }

    def __init__(self, *args, zone_name: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name

    def to_python(self, value) -> datetime | None:
        if isinstance(value, datetime):
            return value
        text = (value or "").strip()
        if not text:
            return None
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None

    def prepare_value(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            local = value.astimezone(page_zone(self.zone_name))
            return local.replace(tzinfo=None)
        return value


class PageZoneFormMixin:
    """Read the form's :class:`LocalDateTimeField` values in the page's zone.

    The form sets the stored instants as ``initial``, bound or not. A
    submitted value that is the stored instant as the widget shows it (to
    the minute) keeps the stored instant with its seconds, so saving an
    unchanged form moves no time.

    ``zoned_fields`` names the fields. ``zone_name()`` returns the page's
    zone, or None while the page is unknown (such as an invalid page
    choice), in which case the values are left for the other errors to
    stop the save.
    """

    zoned_fields: tuple[str, ...] = ()

    def zone_name(self) -> str | None:
        raise NotImplementedError

    def show_zone(self, zone_name: str) -> None:
        """Name the zone in each zoned field's label and show stored times in it."""
        for name in self.zoned_fields:
            field = self.fields[name]
            field.zone_name = zone_name
            field.label = f"{field.label} ({zone_name})"

    def clean(self):
        cleaned_data = super().clean()
        zone_name = self.zone_name()
        if zone_name is None:
            return cleaned_data

        for name in self.zoned_fields:
            value = cleaned_data.get(name)
            if value is None:
                continue
            stored = self._stored_if_unchanged(name, value, zone_name)
            if stored is not None:
                cleaned_data[name] = stored
                continue
            try:
                cleaned_data[name] = read_in_zone(value, zone_name)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned_data

    def _stored_if_unchanged(
        self, name: str, value: datetime, zone_name: str
    ) -> datetime | None:
        """Return the stored instant when ``value`` is it as shown, else None."""
        # Read ``initial`` itself: ``get_initial_for_field`` drops microseconds.
        stored = self.initial.get(name)
        if not isinstance(stored, datetime) or stored.tzinfo is None:
            return None
        if value.tzinfo is not None:
            return stored if value == stored else None

        shown = stored.astimezone(page_zone(zone_name)).replace(tzinfo=None)
        if value in (
            shown,
            shown.replace(microsecond=0),
            shown.replace(second=0, microsecond=0),
        ):
            return stored
        return None
