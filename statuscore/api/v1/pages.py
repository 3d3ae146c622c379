"""Status pages of the caller's organisations."""

from __future__ import annotations

from datetime import datetime

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
from statuscore.api.v1.pagination import (
    CreatedListQuery,
    ordering_choices,
    paginate,
    paginated,
)
from statuscore.api.v1.schemas import (
    InputSchema,
    ObjectId,
    example,
)
from statuscore.models import Organization, Page, PageAccess

__all__ = ["router"]

TAG = "Pages"

router = Router(tags=[TAG])

PAGE_EXAMPLE = {
    "id": 1,
    "organization_id": 1,
    "name": "Acme Status",
    "slug": "acme",
    "domain": "status.acme.example",
    "url": "https://status.acme.example/",
    "time_zone": "Europe/Berlin",
    "language": "en",
    "subscriber_notifiers": ["email"],
    "access": "public",
    "has_password": False,
    "ip_allowlist": [],
    "created_at": "2026-03-01T12:00:00Z",
    "updated_at": "2026-03-01T12:00:00Z",
}


class PageOut(Schema):
    model_config = example(PAGE_EXAMPLE)

    id: int
    organization_id: int
    name: str
    slug: str
    domain: str = Field(description="Custom host name that serves the page, or empty.")
    url: str = Field(description="Canonical public address, or empty.")
    time_zone: str = Field(description="IANA time zone the page shows times in.")
    language: str
    subscriber_notifiers: list[str] = Field(
        description="Notifiers visitors may subscribe through."
    )
    access: PageAccess = Field(
        description="Who may read the page: anyone (public), visitors who "
        "entered its password (password), or signed-in members of its "
        "organisation (members)."
    )
    has_password: bool = Field(
        description="Whether a password is set. The password is never returned."
    )
    ip_allowlist: list[str] = Field(
        description="Addresses and CIDR networks that may read the page; "
        "empty allows every address."
    )
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_has_password(page: Page) -> bool:
        return bool(page.access_password)


class PageIn(InputSchema):
    model_config = example(
        {
            "organization_id": 1,
            "name": "Acme Status",
            "slug": "acme",
            "domain": "status.acme.example",
            "time_zone": "Europe/Berlin",
        }
    )

    organization_id: ObjectId
    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=100)
    domain: str = ""
    url: str = ""
    time_zone: str = "UTC"
    access: str = Field(PageAccess.PUBLIC, description="public, password or members.")
    password: str = Field(
        None,
        description="Password of a page with access=password; write-only.",
        json_schema_extra={"writeOnly": True},
    )
    ip_allowlist: list[str] = Field(
        default_factory=list,
        description="IPv4 and IPv6 addresses and CIDR networks that may read "
        "the page; empty allows every address.",
    )


class PagePatch(InputSchema):
    """The fields to change; fields left out keep their value."""

    model_config = example({"name": "Acme Cloud Status", "time_zone": "UTC"})

    name: str = Field(None, min_length=1, max_length=200)
    slug: str = Field(None, min_length=1, max_length=100)
    domain: str = None
    url: str = None
    time_zone: str = None
    language: str = None
    subscriber_notifiers: list[str] = None
    access: str = Field(None, description="public, password or members.")
    password: str = Field(
        None,
        description="A new password; write-only. Visitors who entered the old "
        "one must enter the new one.",
        json_schema_extra={"writeOnly": True},
    )
    ip_allowlist: list[str] = None


class PageFilters(CreatedListQuery):
    organization: ObjectId | None = Field(
        None, description="Only this organisation's pages."
    )
    ordering: ordering_choices("name", "slug", "created_at") = "name"


@router.get(
    "/pages",
    response={200: paginated(PageOut), **error_responses()},
    summary="List pages",
)
def list_pages(request: HttpRequest, filters: Query[PageFilters]):
    """List the status pages of the caller's organisations."""
    pages = readable(request, Page.objects.all())
    if filters.organization is not None:
        pages = pages.filter(organization_id=filters.organization)
    return paginate(request, pages, filters, filters.ordering)


@router.post(
    "/pages",
    response={201: PageOut, **error_responses(400, 409)},
    summary="Create a page",
)
def create_page(request: HttpRequest, payload: PageIn):
    """Create a status page in an organisation the caller may write in."""
    organization = writable_reference(
        request, Organization.objects.all(), payload.organization_id, "organization_id"
    )
    page = services.create_page(
        organization,
        payload.name,
        payload.slug,
        domain=payload.domain,
        url=payload.url,
        time_zone=payload.time_zone,
        access=payload.access,
        password=payload.password,
        ip_allowlist=payload.ip_allowlist,
    )
    return Status(201, page)


@router.get(
    "/pages/{page_id}",
    response={200: PageOut, **error_responses(404)},
    summary="Get a page",
)
def get_page(request: HttpRequest, page_id: ObjectId):
    """Return one status page."""
    return get_for_read(request, Page.objects.all(), page_id)


@router.patch(
    "/pages/{page_id}",
    response={200: PageOut, **error_responses(400, 404)},
    summary="Change a page",
)
def update_page(request: HttpRequest, page_id: ObjectId, payload: PagePatch):
    """Change a page's name, slug, domain, address, time zone, language,
    subscriber notifiers or access rule; fields left out keep their value."""
    page = get_for_write(request, Page.objects.all(), page_id)
    return services.update_page(page, **payload.dict(exclude_unset=True))
