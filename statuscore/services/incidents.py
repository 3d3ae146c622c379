"""Services for incidents: opening, updating, resolving, approving, deleting.

Every function validates, writes and emits its event in one transaction.
The payload of each incident event carries ``is_public`` and
``notify_subscribers``. ``statuscore.dispatch.recipients_for`` sends
subscribers nothing when either is False, while alert channels and live
updates still receive the event. Editing and deleting single updates lives
in ``statuscore.services.incident_updates``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from statuscore.events import EventKind, emit
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    Component,
    ComponentStatus,
    Incident,
    IncidentImpact,
    IncidentStatus,
    IncidentUpdate,
    Page,
)
from statuscore.services.components import set_component_status
from statuscore.services.validation import (
    MAX_BODY_LENGTH,
    full_clean,
    require_aware,
    require_choice,
    require_past,
)

__all__ = [
    "approve_incident",
    "create_incident",
    "delete_incident",
    "post_incident_update",
    "resolve_incident",
    "update_incident",
]

logger = logging.getLogger(__name__)


# -- Validation ----------------------------------------------------------------


def _check_same_page(incident: Incident, components: Iterable[Component]) -> None:
    for component in components:
        if component.page_id != incident.page_id:
            raise ValidationFailed.for_field(
                "components", f"Component {component.pk} belongs to another page."
            )


def _check_times(started_at: datetime, resolved_at: datetime | None) -> None:
    """Raise ``ValidationFailed`` unless the resolution follows the start."""
    if resolved_at is not None and resolved_at <= started_at:
        raise ValidationFailed.for_field(
            "resolved_at", "The resolution must come after the start."
        )


def _check_display_at(incident: Incident, display_at: datetime | None) -> None:
    """Raise ``ValidationFailed`` when an update would show before the
    incident started."""
    if display_at is not None and display_at < incident.started_at:
        raise ValidationFailed.for_field(
            "display_at", "An update cannot come before the incident started."
        )


def _require_body(body: str, message: str) -> None:
    """Raise ``ValidationFailed`` on ``body`` with ``message`` when the text
    is blank, and when it is longer than ``MAX_BODY_LENGTH``."""
    if not isinstance(body, str) or not body.strip():
        raise ValidationFailed.for_field("body", message)
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationFailed.for_field(
            "body", f"Ensure the text has at most {MAX_BODY_LENGTH} characters."
        )


# -- Components ----------------------------------------------------------------


def _replace_components(
    incident: Incident,
    components: Iterable[Component],
    component_statuses: Mapping[Component, str],
) -> list[int]:
    """Make ``components`` the incident's affected set; return the removed ids.

    Raises ``ValidationFailed`` on ``components`` when ``component_statuses``
    names a component outside the new set, because moving a component that
    the incident no longer affects would hide who moved it.
    """
    components = set(components)
    _check_same_page(incident, components)
    outside = sorted(c.pk for c in component_statuses if c not in components)
    if outside:
        listed = ", ".join(str(pk) for pk in outside)
        raise ValidationFailed.for_field(
            "components",
            f"Components {listed} have a new status but are not among the "
            "affected components; add them to the affected components.",
        )

    current = set(incident.components.all())
    removed = current - components
    incident.components.remove(*removed)
    incident.components.add(*(components - current))
    return sorted(component.pk for component in removed)


def _apply_component_statuses(
    incident: Incident,
    component_statuses: Mapping[Component, str],
    *,
    move: bool = True,
) -> list[dict]:
    """Set each component's status and return the update's record of them.

    With ``move`` False the statuses are only recorded: a backfilled
    incident describes the past and must not change what components show
    now.
    """
    affected = []
    _check_same_page(incident, component_statuses)
    for component, status in component_statuses.items():
        require_choice("components.status", status, ComponentStatus)
        old_status = component.status
        if move:
            set_component_status(component, status, source=f"incident:{incident.pk}")
        affected.append(
            {
                "code": str(component.pk),
                "name": component.name,
                "old_status": old_status,
                "new_status": status,
            }
        )
    incident.components.add(*component_statuses.keys())
    return affected


def _component_ids(incident: Incident) -> list[int]:
    return sorted(incident.components.values_list("pk", flat=True))


# -- Events --------------------------------------------------------------------


def _emit(
    kind: EventKind,
    incident: Incident,
    *,
    update: IncidentUpdate | None = None,
    notify_subscribers: bool = True,
    actor=None,
    **extra,
) -> None:
    """Emit ``kind`` for ``incident`` with the payload every incident event
    shares: ids, name, status, impact, times, visibility and components."""
    payload = {
        "incident_id": incident.pk,
        "name": incident.name,
        "status": incident.status,
        "impact": incident.impact,
        "started_at": incident.started_at.isoformat(),
        "resolved_at": (
            incident.resolved_at.isoformat() if incident.resolved_at else None
        ),
        "update_id": update.pk if update is not None else None,
        "component_ids": _component_ids(incident),
        "is_public": incident.is_public,
        "notify_subscribers": notify_subscribers,
        "actor_id": getattr(actor, "pk", None),
        **extra,
    }
    emit(kind, incident.page, payload)


# -- Opening -------------------------------------------------------------------


@transaction.atomic
def create_incident(
    page: Page,
    name: str,
    *,
    body: str,
    status: str = IncidentStatus.INVESTIGATING,
    impact: str = IncidentImpact.MINOR,
    component_statuses: Mapping[Component, str] | None = None,
    started_at: datetime | None = None,
    resolved_at: datetime | None = None,
    is_public: bool = True,
    notify_subscribers: bool = True,
    actor=None,
) -> Incident:
    """Open an incident with its first update and emit ``incident.created``.

    ``component_statuses`` maps each affected component to the status it
    moves to. ``started_at`` defaults to now; it must carry an offset and
    may not lie in the future.

    ``resolved_at`` backfills a past incident: it needs ``started_at``, must
    come after it and may not lie in the future. The incident is created
    resolved, its one update is shown at ``resolved_at``, and the
    components are recorded as affected without changing their current
    status.

    ``is_public`` False keeps the incident from visitors and subscribers
    until :func:`approve_incident`; alert channels still receive the event.
    ``notify_subscribers`` False sends subscribers nothing for it.
    """
    require_choice("status", status, IncidentStatus)
    require_choice("impact", impact, IncidentImpact)
    require_aware("started_at", started_at)
    require_aware("resolved_at", resolved_at)
    _require_body(body, "The first update needs a message.")

    now = timezone.now()
    require_past("started_at", started_at, now)
    backfill = resolved_at is not None
    if backfill:
        if started_at is None:
            raise ValidationFailed.for_field(
                "started_at", "A past incident needs the time it started."
            )
        require_past("resolved_at", resolved_at, now)
        _check_times(started_at, resolved_at)
        status = IncidentStatus.RESOLVED

    incident = Incident(
        page=page,
        name=name,
        status=status,
        impact=impact,
        started_at=started_at or now,
        is_public=bool(is_public),
    )
    if status == IncidentStatus.MONITORING:
        incident.monitoring_at = now
    if status == IncidentStatus.RESOLVED:
        incident.resolved_at = resolved_at or now
    full_clean(incident, exclude=["approved_by"])
    incident.save()

    affected = _apply_component_statuses(
        incident, component_statuses or {}, move=not backfill
    )
    update = IncidentUpdate(
        incident=incident,
        status=status,
        body=body,
        display_at=resolved_at if backfill else incident.started_at,
        affected_components=affected,
        notify_subscribers=bool(notify_subscribers),
        created_by=actor,
    )
    full_clean(update, exclude=["created_by"])
    update.save()

    _emit(
        EventKind.INCIDENT_CREATED,
        incident,
        update=update,
        notify_subscribers=update.notify_subscribers,
        actor=actor,
    )
    logger.info(
        "Incident %s opened on page %s (%s, public=%s)",
        incident.pk,
        page.pk,
        impact,
        incident.is_public,
    )
    return incident


# -- Timeline ------------------------------------------------------------------


@transaction.atomic
def post_incident_update(
    incident: Incident,
    *,
    status: str,
    body: str,
    component_statuses: Mapping[Component, str] | None = None,
    components: Iterable[Component] | None = None,
    impact: str | None = None,
    notify_subscribers: bool = True,
    display_at: datetime | None = None,
    actor=None,
) -> IncidentUpdate:
    """Add an update to the timeline, moving the incident to ``status``.

    ``component_statuses`` maps components to the status each moves to,
    and adds them to the incident's affected components. ``components``,
    when given, replaces the affected set: components left out of it are
    removed from the incident and keep their current status. Every key of
    ``component_statuses`` must then be in ``components``.

    ``display_at`` is the time the update shows, now by default. It must
    carry an offset and lie between the incident's start and now, and it
    becomes the resolution time when the update resolves the incident.
    ``notify_subscribers`` False sends subscribers nothing for this update.

    Emits ``incident.resolved`` when the update resolves the incident and
    ``incident.updated`` otherwise. The event's ``component_ids`` lists the
    affected components after the update, and ``removed_component_ids`` the
    components this update removed.
    """
    require_choice("status", status, IncidentStatus)
    if impact is not None:
        require_choice("impact", impact, IncidentImpact)
    _require_body(body, "An update needs a message.")
    require_aware("display_at", display_at)
    now = timezone.now()
    require_past("display_at", display_at, now)
    _check_display_at(incident, display_at)
    shown_at = display_at or now

    incident.status = status
    if impact is not None:
        incident.impact = impact
    if status == IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = shown_at
    if status == IncidentStatus.RESOLVED:
        incident.resolved_at = incident.resolved_at or shown_at
        _check_times(incident.started_at, incident.resolved_at)
    else:
        incident.resolved_at = None
    incident.save()

    removed_ids: list[int] = []
    if components is not None:
        removed_ids = _replace_components(
            incident, components, component_statuses or {}
        )
    affected = _apply_component_statuses(incident, component_statuses or {})
    update = IncidentUpdate.objects.create(
        incident=incident,
        status=status,
        body=body,
        display_at=shown_at,
        affected_components=affected,
        notify_subscribers=bool(notify_subscribers),
        created_by=actor,
    )

    kind = (
        EventKind.INCIDENT_RESOLVED
        if status == IncidentStatus.RESOLVED
        else EventKind.INCIDENT_UPDATED
    )
    _emit(
        kind,
        incident,
        update=update,
        notify_subscribers=update.notify_subscribers,
        actor=actor,
        removed_component_ids=removed_ids,
    )
    logger.info("Incident %s updated to %s", incident.pk, status)
    return update


@transaction.atomic
def resolve_incident(
    incident: Incident,
    *,
    body: str,
    restore_components: bool = True,
    notify_subscribers: bool = True,
    actor=None,
) -> IncidentUpdate:
    """Resolve the incident with a last update and emit ``incident.resolved``.

    With ``restore_components`` every affected component returns to
    operational, except one under maintenance, which the maintenance gives
    back when it completes. Raises ``ValidationFailed`` on ``status`` when
    the incident is already resolved.
    """
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.is_resolved:
        raise ValidationFailed.for_field("status", "The incident is already resolved.")

    component_statuses: dict[Component, str] = {}
    if restore_components:
        component_statuses = {
            component: ComponentStatus.OPERATIONAL
            for component in incident.components.exclude(
                status__in=[
                    ComponentStatus.OPERATIONAL,
                    ComponentStatus.UNDER_MAINTENANCE,
                ]
            )
        }
    return post_incident_update(
        incident,
        status=IncidentStatus.RESOLVED,
        body=body,
        component_statuses=component_statuses,
        notify_subscribers=notify_subscribers,
        actor=actor,
    )


# -- Editing -------------------------------------------------------------------


@transaction.atomic
def update_incident(
    incident: Incident,
    *,
    name: str | None = None,
    impact: str | None = None,
    started_at: datetime | None = None,
    resolved_at: datetime | None = None,
    actor=None,
) -> Incident:
    """Correct the incident's name, impact or times; emit ``incident.edited``.

    Only the arguments given change, and nothing is emitted when nothing
    changed. Times must carry an offset and may not lie in the future, and
    the resolution must follow the start. ``resolved_at`` applies only to a
    resolved incident; resolving goes through :func:`resolve_incident`.
    Subscribers are not notified of corrections.
    """
    require_aware("started_at", started_at)
    require_aware("resolved_at", resolved_at)
    if impact is not None:
        require_choice("impact", impact, IncidentImpact)
    now = timezone.now()
    require_past("started_at", started_at, now)
    require_past("resolved_at", resolved_at, now)

    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if resolved_at is not None and not incident.is_resolved:
        raise ValidationFailed.for_field(
            "resolved_at",
            "The incident is not resolved; resolve it with an update instead.",
        )
    changed = []
    for field, value in (
        ("name", name),
        ("impact", impact),
        ("started_at", started_at),
        ("resolved_at", resolved_at),
    ):
        if value is not None and value != getattr(incident, field):
            setattr(incident, field, value)
            changed.append(field)
    _check_times(incident.started_at, incident.resolved_at)
    full_clean(incident, exclude=["approved_by"])
    if not changed:
        return incident

    incident.save()
    _emit(
        EventKind.INCIDENT_EDITED,
        incident,
        notify_subscribers=False,
        actor=actor,
        changed=changed,
    )
    logger.info("Incident %s edited: %s", incident.pk, ", ".join(changed))
    return incident


@transaction.atomic
def approve_incident(incident: Incident, *, actor) -> Incident:
    """Make a waiting incident public and emit ``incident.published``.

    Subscribers hear of the incident now, with its latest update, as if it
    had just been opened. The UPDATE is conditional on ``is_public`` being
    False, so of two editors who approve at once only one publishes it.
    The other gets ``ValidationFailed`` on ``is_public``, and so does
    anyone approving a public incident.
    """
    now = timezone.now()
    approved = Incident.objects.filter(pk=incident.pk, is_public=False).update(
        is_public=True, approved_at=now, approved_by=actor, updated_at=now
    )
    if not approved:
        raise ValidationFailed.for_field("is_public", "The incident is already public.")

    incident.refresh_from_db()
    latest = incident.updates.order_by("-display_at", "-id").first()
    _emit(EventKind.INCIDENT_PUBLISHED, incident, update=latest, actor=actor)
    logger.info(
        "Incident %s approved by user %s", incident.pk, getattr(actor, "pk", None)
    )
    return incident


@transaction.atomic
def delete_incident(incident: Incident, *, actor=None) -> None:
    """Delete the incident and its updates; emit ``incident.deleted``.

    Components keep their current status: an editor who deletes an
    incident opened by mistake sets them separately. Subscribers are not
    notified, but alert channels and live updates receive the event so
    that open pages drop the incident.

    Raises ``ValidationFailed`` naming ``incident``, and deletes nothing,
    while another object protects the incident from deletion, such as its
    postmortem page.
    """
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _emit(EventKind.INCIDENT_DELETED, incident, notify_subscribers=False, actor=actor)
    incident_id = incident.pk
    try:
        incident.delete()
    except ProtectedError:
        logger.info("Incident %s not deleted: it is protected", incident_id)
        raise ValidationFailed.for_field(
            "incident", "Delete the incident's postmortem page first."
        ) from None
    if incident.is_public:
        Page.objects.filter(pk=incident.page_id).update(updated_at=timezone.now())
    logger.info(
        "Incident %s deleted by user %s", incident_id, getattr(actor, "pk", None)
    )
