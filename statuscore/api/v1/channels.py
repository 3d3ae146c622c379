"""Alert channels: where the team's own alerts go.

A channel's ``config`` is validated by its notifier's ``Config`` model, so
an invalid value is a 422 naming ``body.config.<field>``. Secret fields
(webhook URLs, tokens) are shown as ``"**********"``; a change that leaves
a secret out, or sends the mask back, keeps the stored value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from statuscore import services
from statuscore.api.errors import error_responses
from statuscore.api.v1.access import (
    get_for_read,
    get_for_write,
    readable,
    writable_reference,
)
from statuscore.api.v1.masking import masked_config, restore_masked
from statuscore.api.v1.pagination import (
    CreatedListQuery,
    ordering_choices,
    paginate,
    paginated,
)
from statuscore.api.v1.schemas import InputSchema, ObjectId, example
from statuscore.events import EventKind
from statuscore.models import AlertChannel, Page
from statuscore.plugins import get_notifiers

__all__ = ["TAG", "router"]

TAG = "Alert channels"

router = Router(tags=[TAG])

EventKindName = Literal[tuple(kind.value for kind in EventKind)]  # type: ignore[valid-type]


class AlertChannelOut(Schema):
    model_config = example(
        {
            "id": 3,
            "page_id": 1,
            "name": "On-call Slack",
            "notifier": "slack",
            "config": {"webhook_url": "**********"},
            "event_kinds": ["check.state_changed", "incident.created"],
            "enabled": True,
            "consecutive_failures": 0,
            "disabled_at": None,
            "disabled_reason": "",
            "created_at": "2026-03-01T12:00:00Z",
            "updated_at": "2026-03-01T12:00:00Z",
        }
    )

    id: int
    page_id: int
    name: str
    notifier: str
    config: dict[str, Any] = Field(
        description="The notifier's settings, secrets masked."
    )
    event_kinds: list[str]
    enabled: bool
    consecutive_failures: int
    disabled_at: datetime | None = Field(
        description="When the channel was disabled after failed deliveries, or null."
    )
    disabled_reason: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_config(channel: AlertChannel) -> dict[str, Any]:
        notifier = get_notifiers().get(channel.notifier)
        return masked_config(notifier.Config if notifier else None, channel.config)


class AlertChannelIn(InputSchema):
    model_config = example(
        {
            "page_id": 1,
            "name": "On-call Slack",
            "notifier": "slack",
            "config": {"webhook_url": "https://hooks.slack.com/services/T0/B0/XXXX"},
            "event_kinds": ["check.state_changed", "incident.created"],
        }
    )

    page_id: ObjectId
    name: str = Field(min_length=1, max_length=200)
    notifier: str = Field(description="A notifier name from GET /api/v1/plugins.")
    config: dict[str, Any] = Field(description="Settings validated by the notifier.")
    event_kinds: list[EventKindName] = Field(
        default_factory=list,
        description="Event kinds the channel receives; empty receives nothing.",
    )
    enabled: bool = True


class AlertChannelPatch(InputSchema):
    """The fields to change; fields left out keep their value. Setting
    ``enabled`` to true also clears a channel disabled after failures."""

    model_config = example({"event_kinds": ["incident.created"], "enabled": True})

    name: str = Field(None, min_length=1, max_length=200)
    config: dict[str, Any] = None
    event_kinds: list[EventKindName] = None
    enabled: bool = None


class AlertChannelFilters(CreatedListQuery):
    page: ObjectId | None = Field(None, description="Only this page's channels.")
    notifier: str | None = Field(None, max_length=64)
    enabled: bool | None = None
    ordering: ordering_choices("name", "created_at") = "name"


@router.get(
    "/alert-channels",
    response={200: paginated(AlertChannelOut), **error_responses()},
    summary="List alert channels",
)
def list_alert_channels(request: HttpRequest, filters: Query[AlertChannelFilters]):
    """List the alert channels of the caller's pages; secrets are masked."""
    channels = readable(request, AlertChannel.objects.all())
    if filters.page is not None:
        channels = channels.filter(page_id=filters.page)
    if filters.notifier is not None:
        channels = channels.filter(notifier=filters.notifier)
    if filters.enabled is not None:
        channels = channels.filter(enabled=filters.enabled)
    return paginate(request, channels, filters, filters.ordering)


@router.post(
    "/alert-channels",
    response={201: AlertChannelOut, **error_responses(400, 409)},
    summary="Create an alert channel",
)
def create_alert_channel(request: HttpRequest, payload: AlertChannelIn):
    """Create a channel for a page. Its config is validated by the notifier;
    an invalid field is a 422 naming body.config.<field>."""
    page = writable_reference(request, Page.objects.all(), payload.page_id, "page_id")
    channel = services.create_alert_channel(
        page,
        payload.name,
        payload.notifier,
        payload.config,
        event_kinds=payload.event_kinds,
        enabled=payload.enabled,
    )
    return Status(201, channel)


@router.get(
    "/alert-channels/{channel_id}",
    response={200: AlertChannelOut, **error_responses(404)},
    summary="Get an alert channel",
)
def get_alert_channel(request: HttpRequest, channel_id: ObjectId):
    """Return one alert channel; secrets are masked."""
    return get_for_read(request, AlertChannel.objects.all(), channel_id)


@router.patch(
    "/alert-channels/{channel_id}",
    response={200: AlertChannelOut, **error_responses(400, 404)},
    summary="Change an alert channel",
)
def update_alert_channel(
    request: HttpRequest, channel_id: ObjectId, payload: AlertChannelPatch
):
    """Change a channel's name, config, event kinds or enabled flag."""
    channel = get_for_write(request, AlertChannel.objects.all(), channel_id)
    changes = payload.dict(exclude_unset=True)
    if isinstance(changes.get("config"), dict):
        changes["config"] = restore_masked(changes["config"], channel.config)

    with transaction.atomic():
        enable = changes.get("enabled") is True
        if enable:
            changes.pop("enabled")
        if changes:
            channel = services.update_alert_channel(channel, **changes)
        if enable:
            channel = services.enable_alert_channel(channel)
    return channel


@router.delete(
    "/alert-channels/{channel_id}",
    response={204: None, **error_responses(404)},
    summary="Delete an alert channel",
)
def delete_alert_channel(request: HttpRequest, channel_id: ObjectId):
    """Delete a channel; messages still queued for it are dropped."""
    channel = get_for_write(request, AlertChannel.objects.all(), channel_id)
    services.delete_alert_channel(channel)
    return Status(204, None)
