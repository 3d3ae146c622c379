"""Turn Django and pydantic validation errors into ``ValidationFailed``."""

from __future__ import annotations

import pydantic
from django.core.exceptions import ValidationError
from django.db import models

from statuscore.exceptions import ValidationFailed


def full_clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Run Django's model validation and raise ``ValidationFailed`` by field."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as error:
        raise ValidationFailed(
            {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
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
