"""Domain events and the outbox they travel through.

A service function calls :func:`emit` inside the transaction that makes
the change, so the event exists exactly when the change does. After commit
a huey task drains the outbox; nothing is sent inside the request or the
check loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction

from statuscore.models import OutboxEvent, Page

__all__ = ["Event", "EventKind", "emit"]

logger = logging.getLogger(__name__)


class EventKind(StrEnum):
    COMPONENT_STATUS_CHANGED = "component.status_changed"
    COMPONENT_DELETED = "component.deleted"
    COMPONENT_GROUP_DELETED = "component_group.deleted"
    CHECK_DELETED = "check.deleted"
    CHECK_STATE_CHANGED = "check.state_changed"
    CERTIFICATE_EXPIRING = "certificate.expiring"
    CHECK_FLAPPING = "check.flapping"
    CHECK_FLAPPING_ENDED = "check.flapping_ended"
    INCIDENT_CREATED = "incident.created"
    INCIDENT_UPDATED = "incident.updated"
    INCIDENT_RESOLVED = "incident.resolved"
    INCIDENT_PUBLISHED = "incident.published"
    INCIDENT_EDITED = "incident.edited"
    INCIDENT_DELETED = "incident.deleted"
    INCIDENT_UPDATE_EDITED = "incident.update_edited"
    INCIDENT_UPDATE_DELETED = "incident.update_deleted"
    MAINTENANCE_SCHEDULED = "maintenance.scheduled"
    MAINTENANCE_UPDATED = "maintenance.updated"
    MAINTENANCE_REMINDER = "maintenance.reminder"
    MAINTENANCE_STARTED = "maintenance.started"
    MAINTENANCE_COMPLETED = "maintenance.completed"
    MAINTENANCE_CANCELLED = "maintenance.cancelled"
    MAINTENANCE_UPDATE_POSTED = "maintenance.update_posted"
    MAINTENANCE_DELETED = "maintenance.deleted"
    MAINTENANCE_SERIES_CREATED = "maintenance_series.created"
    MAINTENANCE_SERIES_UPDATED = "maintenance_series.updated"
    MAINTENANCE_SERIES_ENDED = "maintenance_series.ended"
    SUBSCRIBER_CREATED = "subscriber.created"
    SUBSCRIBER_CONFIRMED = "subscriber.confirmed"
    SUBSCRIBER_UNSUBSCRIBED = "subscriber.unsubscribed"
    SUBSCRIBER_RESUBSCRIBED = "subscriber.resubscribed"
    SUBSCRIBER_COMPONENTS_CHANGED = "subscriber.components_changed"
    SUBSCRIBER_DISABLED = "subscriber.disabled"
    SUBSCRIBER_REMOVED = "subscriber.removed"
    ALERT_CHANNEL_DISABLED = "alert_channel.disabled"
    ALERT_CHANNEL_DELETED = "alert_channel.deleted"
    PAGE_UPDATED = "page.updated"


@dataclass(frozen=True)
class Event:
    """A committed domain event as plugins see it."""

    id: int
    kind: str
    page_id: int | None
    payload: dict
    created_at: datetime

    @classmethod
    def from_row(cls, row: OutboxEvent) -> "Event":
        return cls(
            id=row.pk,
            kind=row.kind,
            page_id=row.page_id,
            payload=row.payload,
            created_at=row.created_at,
        )


def emit(kind: EventKind, page: Page | None, payload: dict) -> OutboxEvent:
    """Write an event to the outbox and queue a drain for after commit.

    Must be called inside the ``transaction.atomic`` block that makes the
    change, so that the change and its event commit or roll back together.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("emit() must be called inside transaction.atomic().")

    row = OutboxEvent.objects.create(kind=str(kind), page=page, payload=payload)
    logger.debug(
        "Event %s #%s written for page %s", kind, row.pk, getattr(page, "pk", None)
    )

    from statuscore.tasks import drain_outbox

    transaction.on_commit(drain_outbox)
    return row
