"""Services for incidents and their timeline of updates."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import transaction
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
from statuscore.services.validation import full_clean, require_choice

logger = logging.getLogger(__name__)


def _require_aware(field: str, value: datetime | None) -> None:
    if value is not None and timezone.is_naive(value):
        raise ValidationFailed.for_field(
            field, "The time has no UTC offset; give one, such as 2026-08-06T18:31:37Z."
        )


def _check_same_page(incident: Incident, components: Iterable[Component]) -> None:
    for component in components:
        if component.page_id != incident.page_id:
            raise ValidationFailed.for_field(
                "components", f"Component {component.pk} belongs to another page."
            )


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
    incident: Incident, component_statuses: Mapping[Component, str]
) -> list[dict]:
    """Set each component's status and return the update's record of them."""
    affected = []
    _check_same_page(incident, component_statuses)
    for component, status in component_statuses.items():
        require_choice("components.status", status, ComponentStatus)
        old_status = component.status
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
    actor=None,
) -> Incident:
    """Open an incident with its first update and emit ``incident.created``.

    The event's ``component_ids`` lists the affected components, which
    decide the subscribers it reaches.

    ``component_statuses`` maps each affected component to the status it
    moves to. ``started_at`` defaults to now and must carry an offset.
    """
    require_choice("status", status, IncidentStatus)
    require_choice("impact", impact, IncidentImpact)
    _require_aware("started_at", started_at)
    if not body.strip():
        raise ValidationFailed.for_field("body", "The first update needs a message.")

    now = timezone.now()
    incident = Incident(
        page=page, name=name, status=status, impact=impact, started_at=started_at or now
    )
    if status == IncidentStatus.MONITORING:
        incident.monitoring_at = now
    if status == IncidentStatus.RESOLVED:
        incident.resolved_at = now
    full_clean(incident)
    incident.save()

    affected = _apply_component_statuses(incident, component_statuses or {})
    update = IncidentUpdate(
        incident=incident,
        status=status,
        body=body,
        display_at=incident.started_at,
        affected_components=affected,
        created_by=actor,
    )
    full_clean(update, exclude=["created_by"])
    update.save()

    emit(
        EventKind.INCIDENT_CREATED,
        page,
        {
            "incident_id": incident.pk,
            "name": incident.name,
            "status": status,
            "impact": impact,
            "update_id": update.pk,
            "component_ids": _component_ids(incident),
        },
    )
    logger.info("Incident %s opened on page %s (%s)", incident.pk, page.pk, impact)
    return incident


@transaction.atomic
def post_incident_update(
    incident: Incident,
    *,
    status: str,
    body: str,
    component_statuses: Mapping[Component, str] | None = None,
    components: Iterable[Component] | None = None,
    impact: str | None = None,
    actor=None,
) -> IncidentUpdate:
    """Add an update to the timeline, moving the incident to ``status``.

    ``component_statuses`` maps components to the status each moves to,
    and adds them to the incident's affected components. ``components``,
    when given, replaces the affected set: components left out of it are
    removed from the incident and keep their current status. Every key of
    ``component_statuses`` must then be in ``components``.

    Emits ``incident.resolved`` when the update resolves the incident and
    ``incident.updated`` otherwise. The event's ``component_ids`` lists the
    affected components after the update, and ``removed_component_ids`` the
    components this update removed.
    """
    require_choice("status", status, IncidentStatus)
    if impact is not None:
        require_choice("impact", impact, IncidentImpact)
        incident.impact = impact
    if not body.strip():
        raise ValidationFailed.for_field("body", "An update needs a message.")

    now = timezone.now()
    incident.status = status
    if status == IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = now
    if status == IncidentStatus.RESOLVED:
        incident.resolved_at = incident.resolved_at or now
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
        display_at=now,
        affected_components=affected,
        created_by=actor,
    )

    kind = (
        EventKind.INCIDENT_RESOLVED
        if status == IncidentStatus.RESOLVED
        else EventKind.INCIDENT_UPDATED
    )
    emit(
        kind,
        incident.page,
        {
            "incident_id": incident.pk,
            "name": incident.name,
            "status": status,
            "impact": incident.impact,
            "update_id": update.pk,
            "component_ids": _component_ids(incident),
            "removed_component_ids": removed_ids,
        },
    )
    logger.info("Incident %s updated to %s", incident.pk, status)
    return update
