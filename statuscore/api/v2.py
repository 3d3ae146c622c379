"""The public, read-only v2 JSON, compatible with Atlassian Statuspage.

Clients written for Statuspage's ``/api/v2/summary.json``, ``status.json``,
``components.json``, ``incidents.json``, ``incidents/unresolved.json`` and
the three ``scheduled-maintenances`` lists read these as they are.
``uptime.json`` is this project's own addition. The page
is chosen by the request's host, with ``?page=<slug>`` as a fallback; see
``statuscore.api.pages.resolve_page``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.decorators import decorate_view
from pydantic import BaseModel, Field

from statuscore.api.caching import public_read
from statuscore.api.pages import resolve_page
from statuscore.api.statuspage import (
    ComponentsResponse,
    Error,
    IncidentsResponse,
    ScheduledMaintenancesResponse,
    StatusResponse,
    SummaryResponse,
)
from statuscore.api.uptime import UptimeResponse
from statuscore.summary import (
    build_active_maintenances,
    build_components,
    build_incidents,
    build_scheduled_maintenances,
    build_status,
    build_summary,
    build_unresolved_incidents,
    build_upcoming_maintenances,
)
from statuscore.uptime_summary import build_uptime

__all__ = ["TAG", "TAG_DESCRIPTION", "router"]

TAG = "Public v2"
TAG_DESCRIPTION = """\
Read-only JSON in the format of Atlassian Statuspage's public `/api/v2/`,
open to any site (`Access-Control-Allow-Origin: *`).

- **Which page.** The page whose custom domain is the request's host
  (ignoring case, port and a trailing dot). Otherwise the page named by
  `?page=<slug>`. Otherwise the only page, if there is exactly one.
  Anything else is 404.
- **Ids** are strings. Component groups are listed among the components
  with `"group": true`, and their ids start with `group-`.
- **Timestamps** are ISO 8601 in the page's time zone, with milliseconds
  and an explicit offset, such as `2026-08-06T20:31:37.000+02:00`, or `Z`
  when the offset is zero.
- **Caching.** Responses may be reused for 10 seconds and carry an
  `ETag`. A request with a matching `If-None-Match` gets 304.
- **Private pages.** A page readable only with a password, by members of
  its organisation or from listed addresses returns 403 to other
  visitors. Its JSON is `Cache-Control: private, no-store` and has no
  `Access-Control-Allow-Origin`.
"""

router = Router(tags=[TAG])


class PageQuery(BaseModel):
    page: str | None = Field(
        None,
        description=(
            "Slug of the page, used when the request's host is no page's domain. "
            "Optional when the site has a single page."
        ),
    )


@router.get(
    "/summary.json",
    response={200: SummaryResponse, 403: Error, 404: Error},
    summary="Page summary",
    url_name="v2-summary",
)
@decorate_view(public_read)
def summary(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return the page with its overall status, its components and groups,
    its unresolved incidents with their updates, and the maintenances in
    progress or to come."""
    return build_summary(resolve_page(request, query.page))


@router.get(
    "/status.json",
    response={200: StatusResponse, 403: Error, 404: Error},
    summary="Page status",
    url_name="v2-status",
)
@decorate_view(public_read)
def status(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return the page's overall indicator and its sentence, such as
    ``none`` and "All Systems Operational"."""
    return build_status(resolve_page(request, query.page))


@router.get(
    "/components.json",
    response={200: ComponentsResponse, 403: Error, 404: Error},
    summary="Page components",
    url_name="v2-components",
)
@decorate_view(public_read)
def components(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return the page's components, each group followed by its members."""
    return build_components(resolve_page(request, query.page))


@router.get(
    "/incidents.json",
    response={200: IncidentsResponse, 403: Error, 404: Error},
    summary="Recent incidents",
    url_name="v2-incidents",
)
@decorate_view(public_read)
def incidents(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return the page's 50 most recent incidents, resolved or not, newest
    first, each with its updates."""
    return build_incidents(resolve_page(request, query.page))


@router.get(
    "/incidents/unresolved.json",
    response={200: IncidentsResponse, 403: Error, 404: Error},
    summary="Unresolved incidents",
    url_name="v2-incidents-unresolved",
)
@decorate_view(public_read)
def unresolved_incidents(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return the page's incidents still investigating, identified or
    monitoring, newest first."""
    return build_unresolved_incidents(resolve_page(request, query.page))


@router.get(
    "/scheduled-maintenances.json",
    response={200: ScheduledMaintenancesResponse, 403: Error, 404: Error},
    summary="Recent scheduled maintenances",
    url_name="v2-scheduled-maintenances",
)
@decorate_view(public_read)
def scheduled_maintenances(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return the page's 50 most recent maintenances, scheduled, in
    progress, verifying or completed, latest start first."""
    return build_scheduled_maintenances(resolve_page(request, query.page))


@router.get(
    "/scheduled-maintenances/upcoming.json",
    response={200: ScheduledMaintenancesResponse, 403: Error, 404: Error},
    summary="Upcoming scheduled maintenances",
    url_name="v2-scheduled-maintenances-upcoming",
)
@decorate_view(public_read)
def upcoming_maintenances(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return the maintenances still scheduled whose window has not passed,
    soonest first."""
    return build_upcoming_maintenances(resolve_page(request, query.page))


@router.get(
    "/scheduled-maintenances/active.json",
    response={200: ScheduledMaintenancesResponse, 403: Error, 404: Error},
    summary="Active scheduled maintenances",
    url_name="v2-scheduled-maintenances-active",
)
@decorate_view(public_read)
def active_maintenances(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return the maintenances in progress or being verified, soonest first."""
    return build_active_maintenances(resolve_page(request, query.page))


@router.get(
    "/uptime.json",
    response={200: UptimeResponse, 403: Error, 404: Error},
    summary="Component uptime",
    url_name="v2-uptime",
)
@decorate_view(public_read)
def uptime(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return each component's uptime and coverage over the last 24 hours,
    7, 30 and 90 days, and for each of the last 90 days. Time without
    check results is left out of the uptime and lowers the coverage.
    This endpoint is not part of Statuspage's format."""
    return build_uptime(resolve_page(request, query.page))


# HEAD is answered like GET, without a body, for monitors and link checkers.
# It stays out of the schema, where it would repeat each GET's operationId.
for _path, _view, _response in [
    ("/summary.json", summary, SummaryResponse),
    ("/status.json", status, StatusResponse),
    ("/components.json", components, ComponentsResponse),
    ("/incidents.json", incidents, IncidentsResponse),
    ("/incidents/unresolved.json", unresolved_incidents, IncidentsResponse),
    (
        "/scheduled-maintenances.json",
        scheduled_maintenances,
        ScheduledMaintenancesResponse,
    ),
    (
        "/scheduled-maintenances/upcoming.json",
        upcoming_maintenances,
        ScheduledMaintenancesResponse,
    ),
    (
        "/scheduled-maintenances/active.json",
        active_maintenances,
        ScheduledMaintenancesResponse,
    ),
    ("/uptime.json", uptime, UptimeResponse),
]:
    router.add_api_operation(
        _path,
        ["HEAD"],
        _view,
        response={200: _response, 403: Error, 404: Error},
        include_in_schema=False,
    )
