"""Organisations and their members.

Every member reads; owners and editors write; only owners manage members
and change the organisation itself. API keys act within their own
organisation and never manage members.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from statuscore import services
from statuscore.api.errors import api_error, error_responses
from statuscore.api.v1.access import get_for_read, principal, readable
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
from statuscore.exceptions import PermissionDenied, ValidationFailed
from statuscore.models import Membership, Organization

__all__ = ["TAG", "router"]

TAG = "Organisations"

router = Router(tags=[TAG])

RoleName = Literal["owner", "editor", "viewer"]


class OrganizationOut(Schema):
    model_config = example(
        {"id": 1, "name": "Acme", "slug": "acme", "created_at": "2026-03-01T12:00:00Z"}
    )

    id: int
    name: str
    slug: str
    created_at: datetime


class OrganizationIn(InputSchema):
    model_config = example({"name": "Acme", "slug": "acme"})

    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=100)


class OrganizationPatch(InputSchema):
    """The fields to change; fields left out keep their value."""

    model_config = example({"name": "Acme Corporation"})

    name: str = Field(None, min_length=1, max_length=200)
    slug: str = Field(None, min_length=1, max_length=100)


class OrganizationFilters(CreatedListQuery):
    ordering: ordering_choices("name", "slug", "created_at") = "name"


class MemberOut(Schema):
    model_config = example(
        {
            "id": 3,
            "user_id": 7,
            "username": "ada",
            "email": "ada@acme.example",
            "role": "editor",
            "created_at": "2026-03-01T12:00:00Z",
        }
    )

    id: int = Field(description="Id of the membership, used in the member URLs.")
    user_id: int
    username: str
    email: str
    role: RoleName
    created_at: datetime

    @staticmethod
    def resolve_username(membership: Membership) -> str:
        return membership.user.get_username()

    @staticmethod
    def resolve_email(membership: Membership) -> str:
        return membership.user.email


class MemberIn(InputSchema):
    model_config = example({"email": "grace@acme.example", "role": "viewer"})

    email: str = Field(
        min_length=3,
        max_length=254,
        description="Email address of a registered user.",
    )
    role: RoleName = "editor"


class MemberPatch(InputSchema):
    model_config = example({"role": "owner"})

    role: RoleName


class MemberFilters(CreatedListQuery):
    role: RoleName | None = Field(None, description="Only members with this role.")
    ordering: ordering_choices("created_at", "role") = "created_at"


def _owned_organization(request: HttpRequest, organization_id: int) -> Organization:
    """Return the organisation if the principal owns it.

    Raises ``NotFound`` for an organisation the principal is not in, and
    ``PermissionDenied`` for a member who is not an owner.
    """
    organization = get_for_read(request, Organization.objects.all(), organization_id)
    if not principal(request).is_owner(organization.pk):
        raise PermissionDenied(
            "Only the organisation's owners may change it or manage its members."
        )
    return organization


@router.get(
    "/organizations",
    response={200: paginated(OrganizationOut), **error_responses()},
    summary="List organisations",
)
def list_organizations(request: HttpRequest, filters: Query[OrganizationFilters]):
    """List the organisations the caller is a member of (for an API key,
    its own organisation)."""
    organizations = readable(request, Organization.objects.all())
    return paginate(request, organizations, filters, filters.ordering)


@router.post(
    "/organizations",
    response={201: OrganizationOut, **error_responses(400, 409)},
    summary="Create an organisation",
)
def create_organization(request: HttpRequest, payload: OrganizationIn):
    """Create an organisation with the signed-in user as its owner. API keys
    belong to one organisation and cannot create another (403)."""
    user = principal(request).user
    if user is None:
        raise PermissionDenied("An API key cannot create organisations; sign in.")
    organization = services.create_organization(payload.name, payload.slug, owner=user)
    return Status(201, organization)


@router.get(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **error_responses(404)},
    summary="Get an organisation",
)
def get_organization(request: HttpRequest, organization_id: ObjectId):
    """Return one organisation the caller is a member of."""
    return get_for_read(request, Organization.objects.all(), organization_id)


@router.patch(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **error_responses(400, 404)},
    summary="Change an organisation",
)
def update_organization(
    request: HttpRequest, organization_id: ObjectId, payload: OrganizationPatch
):
    """Change the organisation's name or slug; owners only."""
    organization = _owned_organization(request, organization_id)
    return services.update_organization(
        organization, **payload.dict(exclude_unset=True)
    )


@router.get(
    "/organizations/{organization_id}/members",
    response={200: paginated(MemberOut), **error_responses(404)},
    summary="List members",
)
def list_members(
    request: HttpRequest, organization_id: ObjectId, filters: Query[MemberFilters]
):
    """List the members of an organisation and their roles."""
    organization = get_for_read(request, Organization.objects.all(), organization_id)
    members = Membership.objects.filter(organization=organization).select_related(
        "user"
    )
    if filters.role is not None:
        members = members.filter(role=filters.role)
    return paginate(request, members, filters, filters.ordering)


@router.post(
    "/organizations/{organization_id}/members",
    response={201: MemberOut, **error_responses(400, 404, 409)},
    summary="Add a member",
)
def add_member(request: HttpRequest, organization_id: ObjectId, payload: MemberIn):
    """Give a registered user a role in the organisation; owners only.
    A user who is already a member is a 409; change their role instead."""
    organization = _owned_organization(request, organization_id)
    user = get_user_model().objects.filter(email__iexact=payload.email).first()
    if user is None:
        raise ValidationFailed.for_field(
            "email", "No registered user has this email address; ask them to register."
        )
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise api_error(
            409, "already_member", "This user is already a member; change their role."
        )
    membership = services.add_member(organization, user, payload.role)
    return Status(201, Membership.objects.select_related("user").get(pk=membership.pk))


def _membership(
    request: HttpRequest, organization_id: int, member_id: int
) -> Membership:
    organization = _owned_organization(request, organization_id)
    membership = (
        Membership.objects.select_related("user")
        .filter(organization=organization, pk=member_id)
        .first()
    )
    if membership is None:
        raise api_error(404, "not_found", f"No member with id {member_id} was found.")
    return membership


@router.patch(
    "/organizations/{organization_id}/members/{member_id}",
    response={200: MemberOut, **error_responses(400, 404)},
    summary="Change a member's role",
)
def update_member(
    request: HttpRequest,
    organization_id: ObjectId,
    member_id: ObjectId,
    payload: MemberPatch,
):
    """Give a member another role; owners only. The last owner cannot step
    down (422 naming role)."""
    membership = _membership(request, organization_id, member_id)
    services.change_member_role(membership.organization, membership.user, payload.role)
    return Membership.objects.select_related("user").get(pk=membership.pk)


@router.delete(
    "/organizations/{organization_id}/members/{member_id}",
    response={204: None, **error_responses(404)},
    summary="Remove a member",
)
def remove_member(request: HttpRequest, organization_id: ObjectId, member_id: ObjectId):
    """Remove a member from the organisation; owners only. The last owner
    cannot be removed (422 naming role, as stepping down does: the fix is to
    give another member the owner role)."""
    membership = _membership(request, organization_id, member_id)
    try:
        services.remove_member(membership.organization, membership.user)
    except ValidationFailed as error:
        raise ValidationFailed(
            {
                "role" if field == "user" else field: messages
                for field, messages in error.errors.items()
            }
        ) from None
    return Status(204, None)
