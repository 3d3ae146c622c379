"""Services for the team's alert channels.

A channel's configuration is validated by its notifier's pydantic
``Config`` model and stored in full, secrets included, in the encrypted
``config`` column. Callers that show a configuration back to a person
mask the secret fields, and may then leave them out of an update:
:func:`update_alert_channel` keeps the stored value of every secret field
the new configuration does not mention.

Channel settings are the team's own plumbing, not facts that visitors or
subscribers see, so these functions write no outbox event.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Iterable

import pydantic
from django.db import transaction

from statuscore.events import EventKind, emit
from statuscore.exceptions import ValidationFailed
from statuscore.models import AlertChannel, Page
from statuscore.notifiers import Notifier, stored_config
from statuscore.plugins import get_notifiers
from statuscore.services.validation import full_clean, pydantic_errors

__all__ = [
    "create_alert_channel",
    "delete_alert_channel",
    "enable_alert_channel",
    "secret_fields",
    "update_alert_channel",
]

logger = logging.getLogger(__name__)

EDITABLE_CHANNEL_FIELDS = ("name", "config", "event_kinds", "enabled")


def secret_fields(notifier: type[Notifier]) -> set[str]:
    """Return the names of the top-level ``Config`` fields typed ``SecretStr``.

    ``SecretStr | None`` counts too, so optional secrets stay masked.
    """
    secret_types = (pydantic.SecretStr, pydantic.SecretBytes)
    names = set()
    for name, info in notifier.Config.model_fields.items():
        annotation = info.annotation
        if annotation in secret_types or any(
            arg in secret_types for arg in typing.get_args(annotation)
        ):
            names.add(name)
    return names


def _notifier(name: str) -> type[Notifier]:
    notifier = get_notifiers().get(name)
    if notifier is None:
        installed = ", ".join(sorted(get_notifiers())) or "none"
        raise ValidationFailed.for_field(
            "notifier",
            f"No notifier named {name!r} is installed; choose one of: {installed}.",
        )
    return notifier


def _validated_config(notifier: type[Notifier], config) -> dict:
    """Return ``config`` normalised by the notifier's model, secrets in clear.

    Raises ``ValidationFailed`` naming ``config.<field>`` for each bad field.
    """
    if not isinstance(config, dict):
        raise ValidationFailed.for_field(
            "config", "Invalid configuration: expected a JSON object of settings."
        )
    try:
        model = notifier.Config.model_validate(config)
    except pydantic.ValidationError as error:
        raise pydantic_errors(error, "config") from None
    return stored_config(model)


def _validated_event_kinds(event_kinds: Iterable[str]) -> list[str]:
    """Return the event kinds in ``EventKind`` order, each once."""
    chosen = set(event_kinds)
    unknown = sorted(chosen - {kind.value for kind in EventKind})
    if unknown:
        raise ValidationFailed.for_field(
            "event_kinds",
            f"Unknown event kinds: {', '.join(unknown)}. "
            f"Choose from: {', '.join(kind.value for kind in EventKind)}.",
        )
    return [kind.value for kind in EventKind if kind.value in chosen]


@transaction.atomic
def create_alert_channel(
    page: Page,
    name: str,
    notifier: str,
    config: dict,
    *,
    event_kinds: Iterable[str] = (),
    enabled: bool = True,
) -> AlertChannel:
    """Create an alert channel for ``page`` sending through ``notifier``.

    Raises ``ValidationFailed`` naming each bad field and stores nothing.
    The names are ``notifier`` when no notifier of that name is installed,
    ``config.<field>`` for each field the notifier's model rejects,
    ``event_kinds`` for an unknown kind, and model fields such as ``name``.
    """
    notifier_class = _notifier(notifier)
    channel = AlertChannel(
        page=page,
        name=name.strip(),
        notifier=notifier,
        config=_validated_config(notifier_class, config),
        event_kinds=_validated_event_kinds(event_kinds),
        enabled=enabled,
    )
    full_clean(channel, exclude=["config"])
    channel.save()
    logger.info(
        "Alert channel %s (%s) created for page %s", channel.pk, notifier, page.pk
    )
    return channel


@transaction.atomic
def update_alert_channel(channel: AlertChannel, **changes) -> AlertChannel:
    """Change a channel's name, config, event kinds or enabled flag.

    A secret field that ``changes["config"]`` leaves out keeps its stored
    value, so a form that never shows secrets can still save the rest. To
    clear an optional secret, pass it as None. Raises ``ValidationFailed``
    for any other field or an invalid value, and then changes nothing.
    Returns a fresh copy of the channel.
    """
    unknown = set(changes) - set(EDITABLE_CHANNEL_FIELDS)
    if unknown:
        raise ValidationFailed(
            {field: ["This field cannot be changed here."] for field in sorted(unknown)}
        )

    channel = AlertChannel.objects.select_for_update().get(pk=channel.pk)
    if "config" in changes:
        notifier_class = _notifier(channel.notifier)
        config = changes["config"]
        if isinstance(config, dict):
            kept = {
                name: channel.config[name]
                for name in secret_fields(notifier_class) - set(config)
                if name in channel.config
            }
            config = {**config, **kept}
        changes["config"] = _validated_config(notifier_class, config)
    if "event_kinds" in changes:
        changes["event_kinds"] = _validated_event_kinds(changes["event_kinds"])
    if "name" in changes:
        changes["name"] = changes["name"].strip()

    for field, value in changes.items():
        setattr(channel, field, value)
    full_clean(channel, exclude=["config"])
    channel.save(update_fields=[*changes, "updated_at"])
    logger.info("Alert channel %s updated: %s", channel.pk, ", ".join(sorted(changes)))
    return channel


@transaction.atomic
def enable_alert_channel(channel: AlertChannel) -> AlertChannel:
    """Turn a channel back on after it was disabled or switched off.

    Clears the failure count and the disabled time and reason, so the
    channel receives the next matching event. Returns a fresh copy.
    """
    channel = AlertChannel.objects.select_for_update().get(pk=channel.pk)
    was_disabled = channel.disabled_at is not None
    channel.enabled = True
    channel.consecutive_failures = 0
    channel.disabled_at = None
    channel.disabled_reason = ""
    channel.save(
        update_fields=[
            "enabled",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "updated_at",
        ]
    )
    logger.info(
        "Alert channel %s enabled (was disabled after failures: %s)",
        channel.pk,
        was_disabled,
    )
    return channel


@transaction.atomic
def delete_alert_channel(channel: AlertChannel) -> None:
    """Delete a channel, with its queued deliveries, and emit
    ``alert_channel.deleted`` so the team's other channels can hear of it."""
    payload = {
        "channel_id": channel.pk,
        "channel_name": channel.name,
        "notifier": channel.notifier,
    }
    page = channel.page
    channel.delete()
    emit(EventKind.ALERT_CHANNEL_DELETED, page, payload)
    logger.info("Alert channel %s deleted from page %s", payload["channel_id"], page.pk)
