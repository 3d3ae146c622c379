"""``/api/v1/maintenances`` and ``/api/v1/maintenance-series``.

A maintenance is one window of planned work; a series is a recurring rule
whose occurrences the maintenance task creates ahead as ordinary
maintenances. Every change goes through ``statuscore.services``, and access
is scoped to the caller's organisations as for incidents.
"""

from __future__ import annotations

import logging

from django.db.models import QuerySet
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
from statuscore.api.v1.maintenance_schemas import (
    MaintenanceComplete,
    MaintenanceCreate,
    MaintenanceFilters,
    MaintenanceOut,
    MaintenancePatch,
    MaintenanceUpdateCreate,
    MaintenanceUpdateOut,
    SeriesCreate,
    SeriesFilters,
    SeriesOut,
    SeriesPatch,
)
from statuscore.api.v1.pagination import ListQuery, paginate, paginated
from statuscore.api.v1.schemas import ObjectId
from statuscore.exceptions import ValidationFailed
from statuscore.models import (
    Component,
    Maintenance,
    MaintenanceSeries,
    MaintenanceUpdate,
    Page,
)

__all__ = ["TAG", "TAG_DESCRIPTION", "router"]

logger = logging.getLogger(__name__)

TAG = "Maintenances"
TAG_DESCRIPTION = """\
Scheduled maintenance windows and recurring series of them. A window
starts and completes on time by itself; cancel or complete it early here.
A series creates its occurrences as ordinary maintenances ahead of time
(30 days by default). Times need an offset; `time_zone` only sets how a window is shown.
"""

router = Router(tags=[TAG])

ERRORS = error_responses(400, 404, 409)


def _maintenances() -> QuerySet[Maintenance]:
    return Maintenance.objects.select_related("page").prefetch_related(
        "components", "updates"
    )


def _series() -> QuerySet[MaintenanceSeries]:
    return MaintenanceSeries.objects.select_related("page").prefetch_related(
        "components"
    )


def _components(page: Page, ids: list[int], field: str) -> list[Component]:
    """Return the components of ``page`` with these ids, in the given order.

    Raises ``ValidationFailed`` on ``field.N`` for the first id that is no
    component of the page.
    """
    found = {c.pk: c for c in Component.objects.filter(page=page, pk__in=ids)}
    for position, pk in enumerate(ids):
        if pk not in found:
            raise ValidationFailed.for_field(
                f"{field}.{position}",
                f"Component {pk} was not found on page {page.pk}.",
            )
    return [found[pk] for pk in ids]


def _user(request: HttpRequest):
    return request.auth.user


# Maintenances


@router.get(
    "/maintenances",
    response={200: paginated(MaintenanceOut), **ERRORS},
    summary="List maintenances",
)
def list_maintenances(request: HttpRequest, filters: Query[MaintenanceFilters]):
    """List the maintenances of the caller's organisations, soonest first
    by default."""
    maintenances = readable(request, _maintenances())
    if filters.page is not None:
        maintenances = maintenances.filter(page_id=filters.page)
    if filters.status:
        maintenances = maintenances.filter(status__in=filters.status)
    if filters.component is not None:
        maintenances = maintenances.filter(components=filters.component)
    if filters.starts_after is not None:
        maintenances = maintenances.filter(scheduled_for__gte=filters.starts_after)
    if filters.starts_before is not None:
        maintenances = maintenances.filter(scheduled_for__lt=filters.starts_before)

    return paginate(request, maintenances.distinct(), filters, filters.ordering)


@router.post(
    "/maintenances",
    response={201: MaintenanceOut, **ERRORS},
    summary="Schedule a maintenance",
)
def create_maintenance(request: HttpRequest, payload: MaintenanceCreate):
    """Schedule a window of planned work. It starts and completes on time
    by itself; the components go under maintenance while it runs."""
    page = writable_reference(request, Page.objects.all(), payload.page_id, "page_id")
    components = _components(page, payload.components, "components")

    maintenance = services.schedule_maintenance(
        page,
        payload.name,
        payload.starts_at,
        payload.ends_at,
        components=components,
        body=payload.body,
        time_zone=payload.time_zone,
        notify_subscribers=payload.notify_subscribers,
    )
    logger.info("Maintenance %s scheduled through the API", maintenance.pk)
    return Status(201, _maintenances().get(pk=maintenance.pk))


@router.get(
    "/maintenances/{maintenance_id}",
    response={200: MaintenanceOut, **ERRORS},
    summary="Read a maintenance",
)
def read_maintenance(request: HttpRequest, maintenance_id: ObjectId):
    """Return one maintenance with its updates, newest first."""
    return get_for_read(request, _maintenances(), maintenance_id)


@router.patch(
    "/maintenances/{maintenance_id}",
    response={200: MaintenanceOut, **ERRORS},
    summary="Change a maintenance",
)
def patch_maintenance(
    request: HttpRequest, maintenance_id: ObjectId, payload: MaintenancePatch
):
    """Change a scheduled or running maintenance. Fields left out or null
    keep their value; ``components`` replaces the affected set."""
    maintenance = get_for_write(request, _maintenances(), maintenance_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    if "components" in changes:
        changes["components"] = _components(
            maintenance.page, changes["components"], "components"
        )

    services.update_maintenance(maintenance, **changes)
    return _maintenances().get(pk=maintenance.pk)


@router.delete(
    "/maintenances/{maintenance_id}",
    response={204: None, **ERRORS},
    summary="Delete a maintenance",
)
def delete_maintenance(request: HttpRequest, maintenance_id: ObjectId):
    """Delete a maintenance. Cancel it instead to tell subscribers."""
    maintenance = get_for_write(request, _maintenances(), maintenance_id)

    services.delete_maintenance(maintenance, actor=_user(request))
    return Status(204, None)


@router.post(
    "/maintenances/{maintenance_id}/cancel",
    response={200: MaintenanceOut, **ERRORS},
    summary="Cancel a maintenance",
)
def cancel_maintenance(request: HttpRequest, maintenance_id: ObjectId):
    """Call off a scheduled or running maintenance."""
    maintenance = get_for_write(request, _maintenances(), maintenance_id)
    _require_open(maintenance)

    services.cancel_maintenance(maintenance)
    return _maintenances().get(pk=maintenance.pk)


@router.post(
    "/maintenances/{maintenance_id}/complete",
    response={200: MaintenanceOut, **ERRORS},
    summary="Complete a maintenance",
)
def complete_maintenance(
    request: HttpRequest, maintenance_id: ObjectId, payload: MaintenanceComplete
):
    """Finish the work now, before its planned end."""
    maintenance = get_for_write(request, _maintenances(), maintenance_id)
    _require_open(maintenance)

    services.complete_maintenance(
        maintenance, restore_components=payload.restore_components
    )
    return _maintenances().get(pk=maintenance.pk)


def _require_open(maintenance: Maintenance) -> None:
    """Raise ``ValidationFailed`` on ``status`` for a finished maintenance,
    because the services leave it unchanged and only return False."""
    if maintenance.status in ("completed", "cancelled"):
        raise ValidationFailed.for_field(
            "status", f"The maintenance is already {maintenance.status}."
        )


@router.get(
    "/maintenances/{maintenance_id}/updates",
    response={200: paginated(MaintenanceUpdateOut), **ERRORS},
    summary="List a maintenance's updates",
)
def list_maintenance_updates(
    request: HttpRequest, maintenance_id: ObjectId, query: Query[ListQuery]
):
    """List the maintenance's updates, newest first."""
    maintenance = get_for_read(request, _maintenances(), maintenance_id)
    updates = MaintenanceUpdate.objects.filter(maintenance=maintenance)
    return paginate(request, updates, query)


@router.post(
    "/maintenances/{maintenance_id}/updates",
    response={201: MaintenanceUpdateOut, **ERRORS},
    summary="Post a maintenance update",
)
def create_maintenance_update(
    request: HttpRequest, maintenance_id: ObjectId, payload: MaintenanceUpdateCreate
):
    """Add an entry to the maintenance's timeline, optionally moving it to
    another status."""
    maintenance = get_for_write(request, _maintenances(), maintenance_id)

    update = services.post_maintenance_update(
        maintenance,
        body=payload.body,
        status=payload.status,
        notify_subscribers=payload.notify_subscribers,
        actor=_user(request),
    )
    return Status(201, update)


# Recurring series


@router.get(
    "/maintenance-series",
    response={200: paginated(SeriesOut), **ERRORS},
    summary="List maintenance series",
)
def list_series(request: HttpRequest, filters: Query[SeriesFilters]):
    """List the recurring maintenance windows of the caller's organisations."""
    series = readable(request, _series())
    if filters.page is not None:
        series = series.filter(page_id=filters.page)
    if filters.is_active is not None:
        series = series.filter(is_active=filters.is_active)
    return paginate(request, series, filters)


@router.post(
    "/maintenance-series",
    response={201: SeriesOut, **ERRORS},
    summary="Create a maintenance series",
)
def create_series(request: HttpRequest, payload: SeriesCreate):
    """Create a recurring window. Its occurrences appear as maintenances
    ahead of time, 30 days by default."""
    page = writable_reference(request, Page.objects.all(), payload.page_id, "page_id")
    # Attributes, not model_dump(): dumping would turn start_time into text.
    fields = {
        name: getattr(payload, name)
        for name in type(payload).model_fields
        if name not in ("page_id", "name", "components")
    }
    components = _components(page, payload.components, "components")

    series = services.create_maintenance_series(
        page, payload.name, components=components, **fields
    )
    logger.info("Maintenance series %s created through the API", series.pk)
    return Status(201, _series().get(pk=series.pk))


@router.get(
    "/maintenance-series/{series_id}",
    response={200: SeriesOut, **ERRORS},
    summary="Read a maintenance series",
)
def read_series(request: HttpRequest, series_id: ObjectId):
    """Return one recurring window."""
    return get_for_read(request, _series(), series_id)


@router.patch(
    "/maintenance-series/{series_id}",
    response={200: SeriesOut, **ERRORS},
    summary="Change a maintenance series",
)
def patch_series(request: HttpRequest, series_id: ObjectId, payload: SeriesPatch):
    """Change the rule or text of a series; occurrences not yet started
    follow the new rule. Fields left out or null keep their value, except
    ``ends_on``: null makes the series open-ended."""
    series = get_for_write(request, _series(), series_id)
    submitted = {name: getattr(payload, name) for name in payload.model_fields_set}
    changes = {name: value for name, value in submitted.items() if value is not None}
    if "ends_on" in submitted and submitted["ends_on"] is None:
        changes["clear_ends_on"] = True
    if "components" in changes:
        changes["components"] = _components(
            series.page, changes["components"], "components"
        )

    services.update_maintenance_series(series, **changes)
    return _series().get(pk=series.pk)


@router.post(
    "/maintenance-series/{series_id}/end",
    response={200: SeriesOut, **ERRORS},
    summary="End a maintenance series",
)
def end_series(request: HttpRequest, series_id: ObjectId):
    """Stop the series: no new occurrences are created."""
    series = get_for_write(request, _series(), series_id)

    services.end_maintenance_series(series)
    return _series().get(pk=series.pk)
