"""Turn Django and pydantic validation errors into ``ValidationFailed``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pydantic
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from statuscore.exceptions import ValidationFailed
from statuscore.models.pages import validate_time_zone

CLOCK_TOLERANCE = timedelta(minutes=1)
"""How far after this process's clock a time required to be in the past
may lie. The monitor and web processes read their own clocks, which may
differ a little."""


MAX_BODY_LENGTH = 20_000
"""Characters allowed in the text of an incident, a maintenance or one of
their updates: the admin's limit, so the API accepts no text that the
admin could not show or edit."""

EARLIEST_YEAR = 1970
LATEST_YEAR = 2200
"""Years an incident, a maintenance window, a series or an update may fall
in. Dates outside them are typing mistakes, and year 1 or 9999 break time
zone arithmetic."""


def full_clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Run Django's model validation and raise ``ValidationFailed`` by field.

    A ``name`` is stripped of surrounding white space first, so a name of
    spaces only is rejected as blank, as the admin's forms reject it. A
    ``body`` longer than ``MAX_BODY_LENGTH`` is rejected naming ``body``.
    """
    name = getattr(instance, "name", None)
    if isinstance(name, str):
        instance.name = name.strip()
    body = getattr(instance, "body", None)
    if isinstance(body, str) and len(body) > MAX_BODY_LENGTH:
        raise ValidationFailed.for_field(
            "body", f"Ensure the text has at most {MAX_BODY_LENGTH} characters."
        )

    try:
        instance.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as error:
        raise ValidationFailed(
            {
                field: [str(m) for m in messages]
                for field, messages in error.message_dict.items()
            }
        ) from None


def pydantic_errors(error: pydantic.ValidationError, prefix: str) -> ValidationFailed:
    """Name each bad field as ``prefix.path.to.field``."""
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        path = ".".join(str(part) for part in (prefix, *item["loc"]))
        errors.setdefault(path, []).append(_readable(item))
    return ValidationFailed(errors)


def _readable(item: dict) -> str:
    """Return pydantic's message without the "Value error, " it puts before
    messages raised by validators, which reads as noise to a visitor."""
    message = item["msg"]
    if item.get("type") == "value_error":
        message = message.removeprefix("Value error, ")
    return message


def require_choice(field: str, value: str, choices: type[models.TextChoices]) -> None:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ValidationFailed.for_field(
            field, f"{value!r} is not valid; expected one of {allowed}."
        )


def require_aware(field: str, value: datetime | None) -> None:
    """Raise ``ValidationFailed`` on ``field`` unless ``value`` is None or a
    datetime with a UTC offset in the years ``EARLIEST_YEAR`` to
    ``LATEST_YEAR``.

    Every time of an incident, a maintenance or an update is shown in its
    page's zone, and a time in year 1 or 9999 cannot be moved to a zone
    west or east of UTC.
    """
    if value is None:
        return
    if not isinstance(value, datetime):
        raise ValidationFailed.for_field(field, "Give a date and time.")
    if timezone.is_naive(value):
        raise ValidationFailed.for_field(
            field, "The time has no UTC offset; give one, such as 2026-08-06T18:31:37Z."
        )
    require_year_in_range(field, value)


def require_year_in_range(field: str, value: date | datetime | None) -> None:
    """Raise ``ValidationFailed`` on ``field`` unless ``value`` is None or
    falls in the years ``EARLIEST_YEAR`` to ``LATEST_YEAR``."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationFailed.for_field(
            field, f"Give a date from {EARLIEST_YEAR} to {LATEST_YEAR}."
        )


def require_past(field: str, value: datetime | None, now: datetime) -> None:
    """Raise ``ValidationFailed`` on ``field`` when ``value`` lies in the
    future, beyond ``CLOCK_TOLERANCE``."""
    if value is not None and value > now + CLOCK_TOLERANCE:
        raise ValidationFailed.for_field(
            field, "The time lies in the future; give a time up to now."
        )


def require_time_zone(field: str, value: str) -> None:
    """Raise ``ValidationFailed`` on ``field`` unless ``value`` is an IANA
    time zone name, such as ``Europe/Berlin``."""
    try:
        validate_time_zone(value)
    except ValidationError as error:
        raise ValidationFailed.for_field(field, " ".join(error.messages)) from None
