"""``/api/v1/incidents``: incidents, their timeline of updates, resolving.

Every change goes through ``statuscore.services``, which validates, writes
and emits the event in one transaction. Reads and writes are scoped to the
caller's organisations by ``statuscore.api.v1.access``: another
organisation's incident is 404, and a viewer or read-only key gets 403 on
writes to its own organisation's incidents.
"""

from __future__ import annotations

import logging

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from statuscore import services
from statuscore.api.errors import error_responses
from statuscore.api.v1.access import (
    get_for_read,
    get_for_write,
    readable,
    writable_reference,
)
from statuscore.api.v1.incident_schemas import (
    AffectedComponentIn,
    IncidentCreate,
    IncidentFilters,
    IncidentOut,
    IncidentPatch,
    IncidentResolve,
    IncidentUpdateCreate,
    IncidentUpdateOut,
    IncidentUpdatePatch,
)
from statuscore.api.v1.pagination import ListQuery, paginate, paginated
from statuscore.api.v1.schemas import ObjectId
from statuscore.exceptions import ValidationFailed
from statuscore.models import Component, Incident, IncidentUpdate, Page

__all__ = ["TAG", "TAG_DESCRIPTION", "router"]

logger = logging.getLogger(__name__)

TAG = "Incidents"
TAG_DESCRIPTION = """\
Incidents of your pages with their timeline of updates. Opening,
updating and resolving an incident moves the affected components and
notifies subscribers, unless `notify_subscribers` is false. An incident
created with `is_public` false stays off the public page until approved.
Times need an offset, such as `2026-08-06T18:31:37Z`.
"""

router = Router(tags=[TAG])

ERRORS = error_responses(400, 404, 409)


def _incidents() -> QuerySet[Incident]:
    return Incident.objects.select_related("page").prefetch_related(
        Prefetch("updates", queryset=IncidentUpdate.objects.all()),
        "components",
    )


def _component_statuses(
    page: Page, components: list[AffectedComponentIn], field: str
) -> dict[Component, str]:
    """Map each requested component of ``page`` to its new status.

    Raises ``ValidationFailed`` on ``field.N.id`` for the first id that is
    no component of the page, so another page's component is never moved,
    and for an id listed twice, whose new status would be ambiguous.
    """
    requested = {item.id: item.status for item in components}
    found = {c.pk: c for c in Component.objects.filter(page=page, pk__in=requested)}
    seen: set[int] = set()
    for position, item in enumerate(components):
        if item.id in seen:
            raise ValidationFailed.for_field(
                f"{field}.{position}.id",
                f"Component {item.id} is listed twice; give each component once.",
            )
        seen.add(item.id)
        if item.id not in found:
            raise ValidationFailed.for_field(
                f"{field}.{position}.id",
                f"Component {item.id} was not found on page {page.pk}.",
            )
    return {found[pk]: status for pk, status in requested.items()}


def _user(request: HttpRequest):
    """Return the user acting, or None for an API key."""
    return request.auth.user


@router.get(
    "/incidents",
    response={200: paginated(IncidentOut), **ERRORS},
    summary="List incidents",
)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]):
    """List the incidents of the caller's organisations, newest first by
    default, with their updates and affected components."""
    incidents = readable(request, _incidents())
    if filters.page is not None:
        incidents = incidents.filter(page_id=filters.page)
    if filters.status:
        incidents = incidents.filter(status__in=filters.status)
    if filters.component is not None:
        incidents = incidents.filter(components=filters.component)
    if filters.unresolved is True:
        incidents = incidents.unresolved()
    if filters.unresolved is False:
        incidents = incidents.filter(status="resolved")
    if filters.started_after is not None:
        incidents = incidents.filter(started_at__gte=filters.started_after)
    if filters.started_before is not None:
        incidents = incidents.filter(started_at__lt=filters.started_before)

    return paginate(request, incidents.distinct(), filters, filters.ordering)


@router.post(
    "/incidents",
    response={201: IncidentOut, **ERRORS},
    summary="Open an incident",
)
def create_incident(request: HttpRequest, payload: IncidentCreate):
    """Open an incident on a page with its first update. With
    ``resolved_at`` it records a past incident, created resolved."""
    page = writable_reference(request, Page.objects.all(), payload.page_id, "page_id")
    component_statuses = _component_statuses(page, payload.components, "components")

    incident = services.create_incident(
        page,
        payload.name,
        body=payload.body,
        status=payload.status,
        impact=payload.impact,
        component_statuses=component_statuses,
        started_at=payload.started_at,
        resolved_at=payload.resolved_at,
        is_public=payload.is_public,
        notify_subscribers=payload.notify_subscribers,
        actor=_user(request),
    )
    logger.info("Incident %s opened through the API on page %s", incident.pk, page.pk)
    return Status(201, _incidents().get(pk=incident.pk))


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentOut, **ERRORS},
    summary="Read an incident",
)
def read_incident(request: HttpRequest, incident_id: ObjectId):
    """Return one incident with its updates, newest first."""
    return get_for_read(request, _incidents(), incident_id)


@router.patch(
    "/incidents/{incident_id}",
    response={200: IncidentOut, **ERRORS},
    summary="Change an incident",
)
def patch_incident(request: HttpRequest, incident_id: ObjectId, payload: IncidentPatch):
    """Change the name, impact or times of an incident. Fields left out or
    null keep their value; post an update to change the status."""
    incident = get_for_write(request, _incidents(), incident_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)

    services.update_incident(incident, **changes, actor=_user(request))
    return _incidents().get(pk=incident.pk)


@router.delete(
    "/incidents/{incident_id}",
    response={204: None, **ERRORS},
    summary="Delete an incident",
)
def delete_incident(request: HttpRequest, incident_id: ObjectId):
    """Delete an incident with its timeline."""
    incident = get_for_write(request, _incidents(), incident_id)

    services.delete_incident(incident, actor=_user(request))
    return Status(204, None)


@router.post(
    "/incidents/{incident_id}/resolve",
    response={200: IncidentOut, **ERRORS},
    summary="Resolve an incident",
)
def resolve_incident(
    request: HttpRequest, incident_id: ObjectId, payload: IncidentResolve
):
    """Post the resolving update. With ``restore_components`` (the default)
    every affected component returns to operational."""
    incident = get_for_write(request, _incidents(), incident_id)

    services.resolve_incident(
        incident,
        body=payload.body,
        restore_components=payload.restore_components,
        notify_subscribers=payload.notify_subscribers,
        actor=_user(request),
    )
    return _incidents().get(pk=incident.pk)


@router.post(
    "/incidents/{incident_id}/approve",
    response={200: IncidentOut, **ERRORS},
    summary="Approve an incident",
)
def approve_incident(request: HttpRequest, incident_id: ObjectId):
    """Make an incident that waits for approval public, and notify
    subscribers of it."""
    incident = get_for_write(request, _incidents(), incident_id)

    services.approve_incident(incident, actor=_user(request))
    return _incidents().get(pk=incident.pk)


# Updates


def _updates(incident: Incident) -> QuerySet[IncidentUpdate]:
    return IncidentUpdate.objects.filter(incident=incident)


@router.get(
    "/incidents/{incident_id}/updates",
    response={200: paginated(IncidentUpdateOut), **ERRORS},
    summary="List an incident's updates",
)
def list_updates(request: HttpRequest, incident_id: ObjectId, query: Query[ListQuery]):
    """List the incident's updates, newest first."""
    incident = get_for_read(request, _incidents(), incident_id)
    return paginate(request, _updates(incident), query)


@router.post(
    "/incidents/{incident_id}/updates",
    response={201: IncidentUpdateOut, **ERRORS},
    summary="Post an update",
)
def create_update(
    request: HttpRequest, incident_id: ObjectId, payload: IncidentUpdateCreate
):
    """Add an update to the timeline and move the incident to its status;
    listed components move to their new status."""
    incident = get_for_write(request, _incidents(), incident_id)
    component_statuses = _component_statuses(
        incident.page, payload.components, "components"
    )

    update = services.post_incident_update(
        incident,
        status=payload.status,
        body=payload.body,
        component_statuses=component_statuses,
        impact=payload.impact,
        notify_subscribers=payload.notify_subscribers,
        display_at=payload.display_at,
        actor=_user(request),
    )
    return Status(201, update)


@router.patch(
    "/incidents/{incident_id}/updates/{update_id}",
    response={200: IncidentUpdateOut, **ERRORS},
    summary="Edit an update",
)
def patch_update(
    request: HttpRequest,
    incident_id: ObjectId,
    update_id: ObjectId,
    payload: IncidentUpdatePatch,
):
    """Correct an update's message, status or time; ``edited_at`` records
    the change."""
    incident = get_for_write(request, _incidents(), incident_id)
    update = get_for_write(request, _updates(incident), update_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)

    return services.edit_incident_update(update, **changes, actor=_user(request))


@router.delete(
    "/incidents/{incident_id}/updates/{update_id}",
    response={204: None, **ERRORS},
    summary="Delete an update",
)
def delete_update(request: HttpRequest, incident_id: ObjectId, update_id: ObjectId):
    """Remove an update from the timeline. The incident's only update
    cannot be deleted; delete the incident instead."""
    incident = get_for_write(request, _incidents(), incident_id)
    update = get_for_write(request, _updates(incident), update_id)

    services.delete_incident_update(update, actor=_user(request))
    return Status(204, None)
