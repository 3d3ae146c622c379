"""Services that correct or remove one entry of an incident's timeline.

The incident's status follows its latest update (by ``display_at``), so
editing or deleting the latest entry can change the incident's status and
resolution time. Subscribers are not notified of corrections; alert
channels and live updates receive ``incident.update_edited`` and
``incident.update_deleted``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from statuscore.events import EventKind
from statuscore.exceptions import ValidationFailed
from statuscore.models import Incident, IncidentStatus, IncidentUpdate
from statuscore.services.incidents import (
    _check_display_at,
    _check_times,
    _emit,
    _require_body,
)
from statuscore.services.validation import require_aware, require_choice, require_past

__all__ = ["delete_incident_update", "edit_incident_update"]

logger = logging.getLogger(__name__)


def _follow_latest_update(
    incident: Incident, moved: IncidentUpdate | None = None
) -> None:
    """Give the incident the status of its latest update.

    A resolved incident keeps its resolution time unless the latest update
    changes, or is ``moved``, the update whose time an editor changed. An
    incident no longer resolved loses its resolution time.
    """
    latest = incident.updates.order_by("-display_at", "-id").first()
    if latest is None:
        return
    if latest.status == incident.status:
        if moved is not None and moved.pk == latest.pk and incident.is_resolved:
            incident.resolved_at = latest.display_at
            _check_times(incident.started_at, incident.resolved_at)
            incident.save()
        return

    incident.status = latest.status
    if latest.status == IncidentStatus.RESOLVED:
        incident.resolved_at = latest.display_at
    else:
        incident.resolved_at = None
    if latest.status == IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = latest.display_at
    _check_times(incident.started_at, incident.resolved_at)
    incident.save()


def _touch(incident: Incident, now: datetime) -> None:
    """Move the incident's ``updated_at``, which the public JSON reports as
    the time the page last changed."""
    Incident.objects.filter(pk=incident.pk).update(updated_at=now)
    incident.updated_at = now


@transaction.atomic
def edit_incident_update(
    update: IncidentUpdate,
    *,
    body: str | None = None,
    status: str | None = None,
    display_at: datetime | None = None,
    actor=None,
) -> IncidentUpdate:
    """Correct an update's message, status or time; emit
    ``incident.update_edited``.

    Only the arguments given change, and ``edited_at`` records when. A
    ``display_at`` must carry an offset and lie between the incident's
    start and now.
    Emits nothing when nothing changed.
    """
    if body is not None:
        _require_body(body, "An update needs a message.")
    if status is not None:
        require_choice("status", status, IncidentStatus)
    require_aware("display_at", display_at)
    now = timezone.now()
    require_past("display_at", display_at, now)

    update = IncidentUpdate.objects.select_for_update().get(pk=update.pk)
    _check_display_at(update.incident, display_at)
    changed = []
    for field, value in (
        ("body", body),
        ("status", status),
        ("display_at", display_at),
    ):
        if value is not None and value != getattr(update, field):
            setattr(update, field, value)
            changed.append(field)
    if not changed:
        return update

    update.edited_at = now
    update.save()
    incident = Incident.objects.select_for_update().get(pk=update.incident_id)
    _follow_latest_update(incident, update if "display_at" in changed else None)
    _touch(incident, now)

    _emit(
        EventKind.INCIDENT_UPDATE_EDITED,
        incident,
        update=update,
        notify_subscribers=False,
        actor=actor,
        changed=changed,
    )
    logger.info("Update %s of incident %s edited", update.pk, incident.pk)
    return update


@transaction.atomic
def delete_incident_update(update: IncidentUpdate, *, actor=None) -> None:
    """Remove an update from the timeline; emit ``incident.update_deleted``.

    Raises ``ValidationFailed`` on ``update`` for the incident's only
    update, because an incident without a timeline has nothing to show;
    delete the incident instead.
    """
    update = IncidentUpdate.objects.select_for_update().get(pk=update.pk)
    incident = Incident.objects.select_for_update().get(pk=update.incident_id)
    if not incident.updates.exclude(pk=update.pk).exists():
        raise ValidationFailed.for_field(
            "update",
            "This is the incident's only update; delete the incident instead.",
        )

    update_id = update.pk
    update.delete()
    _follow_latest_update(incident)
    _touch(incident, timezone.now())

    _emit(
        EventKind.INCIDENT_UPDATE_DELETED,
        incident,
        notify_subscribers=False,
        actor=actor,
        deleted_update_id=update_id,
    )
    logger.info("Update %s of incident %s deleted", update_id, incident.pk)
