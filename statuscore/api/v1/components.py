"""Components of status pages, and the groups that arrange them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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
    principal,
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
    Position,
    example,
)
from statuscore.exceptions import ValidationFailed
from statuscore.models import Component, ComponentGroup, ComponentStatus, Page

__all__ = ["TAG", "router"]

TAG = "Components"

router = Router(tags=[TAG])

StatusName = Literal[tuple(ComponentStatus.values)]  # type: ignore[valid-type]


class ComponentGroupOut(Schema):
    model_config = example(
        {
            "id": 2,
            "page_id": 1,
            "name": "Backend",
            "description": "",
            "position": 0,
            "created_at": "2026-03-01T12:00:00Z",
            "updated_at": "2026-03-01T12:00:00Z",
        }
    )

    id: int
    page_id: int
    name: str
    description: str
    position: int
    created_at: datetime
    updated_at: datetime


class ComponentGroupIn(InputSchema):
    model_config = example({"page_id": 1, "name": "Backend"})

    page_id: ObjectId
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    position: Position | None = Field(
        None, description="Place among the page's groups; empty for last."
    )


class ComponentGroupPatch(InputSchema):
    """The fields to change; fields left out keep their value."""

    model_config = example({"name": "Core services", "position": 1})

    name: str = Field(None, min_length=1, max_length=200)
    description: str = None
    position: Position = None


class ComponentGroupFilters(CreatedListQuery):
    page: ObjectId | None = Field(None, description="Only this page's groups.")
    ordering: ordering_choices("position", "name", "created_at") = "position"


class ComponentOut(Schema):
    model_config = example(
        {
            "id": 5,
            "page_id": 1,
            "group_id": 2,
            "name": "API",
            "description": "The public REST API.",
            "status": "operational",
            "position": 0,
            "showcase": True,
            "only_show_if_degraded": False,
            "created_at": "2026-03-01T12:00:00Z",
            "updated_at": "2026-03-01T12:00:00Z",
        }
    )

    id: int
    page_id: int
    group_id: int | None
    name: str
    description: str
    status: StatusName
    position: int
    showcase: bool
    only_show_if_degraded: bool
    created_at: datetime
    updated_at: datetime


class ComponentIn(InputSchema):
    model_config = example({"page_id": 1, "name": "API", "group_id": 2})

    page_id: ObjectId
    name: str = Field(min_length=1, max_length=200)
    status: StatusName = "operational"
    group_id: ObjectId | None = None
    description: str = ""
    position: Position | None = Field(
        None, description="Place within its group; empty for last."
    )
    showcase: bool = True


class ComponentPatch(InputSchema):
    """The fields to change; fields left out keep their value. A new
    ``status`` is recorded as a ``component.status_changed`` event."""

    model_config = example({"status": "partial_outage"})

    name: str = Field(None, min_length=1, max_length=200)
    description: str = None
    status: StatusName = None
    group_id: ObjectId | None = Field(
        None, description="A group of the same page, or null."
    )
    position: Position = None
    showcase: bool = None
    only_show_if_degraded: bool = None


class ComponentFilters(CreatedListQuery):
    page: ObjectId | None = Field(None, description="Only this page's components.")
    group: ObjectId | None = Field(None, description="Only this group's components.")
    status: StatusName | None = Field(
        None, description="Only components in this status."
    )
    ordering: ordering_choices("position", "name", "status", "created_at") = "position"


def actor_source(request: HttpRequest) -> str:
    """Name the caller as a status change's source: ``user:3`` or ``api_key:4``."""
    caller = principal(request)
    if caller.api_key is not None:
        return f"api_key:{caller.api_key.pk}"
    return f"user:{caller.user.pk}"


@router.get(
    "/component-groups",
    response={200: paginated(ComponentGroupOut), **error_responses()},
    summary="List component groups",
)
def list_component_groups(request: HttpRequest, filters: Query[ComponentGroupFilters]):
    """List the component groups of the caller's pages."""
    groups = readable(request, ComponentGroup.objects.all())
    if filters.page is not None:
        groups = groups.filter(page_id=filters.page)
    return paginate(request, groups, filters, filters.ordering)


@router.post(
    "/component-groups",
    response={201: ComponentGroupOut, **error_responses(400, 409)},
    summary="Create a component group",
)
def create_component_group(request: HttpRequest, payload: ComponentGroupIn):
    """Create a group on a page; components join it through their group_id."""
    page = writable_reference(request, Page.objects.all(), payload.page_id, "page_id")
    group = services.create_component_group(
        page, payload.name, description=payload.description, position=payload.position
    )
    return Status(201, group)


@router.get(
    "/component-groups/{group_id}",
    response={200: ComponentGroupOut, **error_responses(404)},
    summary="Get a component group",
)
def get_component_group(request: HttpRequest, group_id: ObjectId):
    """Return one component group."""
    return get_for_read(request, ComponentGroup.objects.all(), group_id)


@router.patch(
    "/component-groups/{group_id}",
    response={200: ComponentGroupOut, **error_responses(400, 404)},
    summary="Change a component group",
)
def update_component_group(
    request: HttpRequest, group_id: ObjectId, payload: ComponentGroupPatch
):
    """Change a group's name, description or position."""
    group = get_for_write(request, ComponentGroup.objects.all(), group_id)
    return services.update_component_group(group, **payload.dict(exclude_unset=True))


@router.delete(
    "/component-groups/{group_id}",
    response={204: None, **error_responses(404)},
    summary="Delete a component group",
)
def delete_component_group(request: HttpRequest, group_id: ObjectId):
    """Delete a group; its components stay on the page without a group."""
    group = get_for_write(request, ComponentGroup.objects.all(), group_id)
    services.delete_component_group(group)
    return Status(204, None)


def _group_of_page(page_id: int, group_id: int | None) -> ComponentGroup | None:
    if group_id is None:
        return None
    group = ComponentGroup.objects.filter(pk=group_id, page_id=page_id).first()
    if group is None:
        raise ValidationFailed.for_field(
            "group_id", f"No component group with id {group_id} on this page."
        )
    return group


@router.get(
    "/components",
    response={200: paginated(ComponentOut), **error_responses()},
    summary="List components",
)
def list_components(request: HttpRequest, filters: Query[ComponentFilters]):
    """List the components of the caller's pages, filtered by page, group or
    status."""
    components = readable(request, Component.objects.all())
    if filters.page is not None:
        components = components.filter(page_id=filters.page)
    if filters.group is not None:
        components = components.filter(group_id=filters.group)
    if filters.status is not None:
        components = components.filter(status=filters.status)
    return paginate(request, components, filters, filters.ordering)


@router.post(
    "/components",
    response={201: ComponentOut, **error_responses(400, 409)},
    summary="Create a component",
)
def create_component(request: HttpRequest, payload: ComponentIn):
    """Create a component on a page, optionally in one of its groups."""
    page = writable_reference(request, Page.objects.all(), payload.page_id, "page_id")
    component = services.create_component(
        page,
        payload.name,
        status=payload.status,
        group=_group_of_page(page.pk, payload.group_id),
        description=payload.description,
        position=payload.position,
        showcase=payload.showcase,
    )
    return Status(201, component)


@router.get(
    "/components/{component_id}",
    response={200: ComponentOut, **error_responses(404)},
    summary="Get a component",
)
def get_component(request: HttpRequest, component_id: ObjectId):
    """Return one component with its current status."""
    return get_for_read(request, Component.objects.all(), component_id)


@router.patch(
    "/components/{component_id}",
    response={200: ComponentOut, **error_responses(400, 404)},
    summary="Change a component",
)
def update_component(
    request: HttpRequest, component_id: ObjectId, payload: ComponentPatch
):
    """Change a component's fields or status. Status and the other fields
    are saved in one transaction."""
    component = get_for_write(request, Component.objects.all(), component_id)
    changes = payload.dict(exclude_unset=True)
    status = changes.pop("status", None)
    if "group_id" in changes:
        changes["group"] = _group_of_page(component.page_id, changes.pop("group_id"))

    with transaction.atomic():
        if changes:
            services.update_component(component, **changes)
        if status is not None:
            services.set_component_status(
                component, status, source=actor_source(request)
            )
    return Component.objects.get(pk=component.pk)


@router.delete(
    "/components/{component_id}",
    response={204: None, **error_responses(404)},
    summary="Delete a component",
)
def delete_component(request: HttpRequest, component_id: ObjectId):
    """Delete a component. Its checks stay, without a component."""
    component = get_for_write(request, Component.objects.all(), component_id)
    services.delete_component(component)
    return Status(204, None)
