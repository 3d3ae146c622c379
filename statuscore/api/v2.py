"""The public, read-only v2 JSON, compatible with Atlassian Statuspage.

Clients written for Statuspage's ``/api/v2/summary.json``,
``status.json`` and ``components.json`` read these as they are. The page
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
    StatusResponse,
    SummaryResponse,
)
from statuscore.summary import build_components, build_status, build_summary

__all__ = ["router"]

router = Router(tags=["Public v2"])


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
    response={200: SummaryResponse, 404: Error},
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
    response={200: StatusResponse, 404: Error},
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
    response={200: ComponentsResponse, 404: Error},
    summary="Page components",
    url_name="v2-components",
)
@decorate_view(public_read)
def components(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Return the page's components, each group followed by its members."""
    return build_components(resolve_page(request, query.page))
