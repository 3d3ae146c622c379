"""API keys of an organisation, under
``/api/v1/organizations/{organization_id}/api-keys``.

Only owners of the organisation list, create and revoke keys. A caller who
is not a member gets 404, as for any object of another organisation. A
member who is not an owner, or an API key, gets 403. The key itself is in
the response to its creation only.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from statuscore.api.auth import Principal
from statuscore.api.errors import error_responses
from statuscore.api.v1.pagination import ListQuery, paginate, paginated
from statuscore.api.v1.schemas import InputSchema, ObjectId, example
from statuscore.exceptions import NotFound, PermissionDenied
from statuscore.models import ApiKey, ApiScope, Organization
from statuscore.services.api_keys import create_api_key, revoke_api_key

__all__ = ["TAG", "TAG_DESCRIPTION", "router"]

TAG = "API keys"
TAG_DESCRIPTION = """\
Keys for scripts, one organisation each, with the scopes `read` (read the
organisation's objects) and `write` (also change them; implies read). Send
a key as `Authorization: Bearer sk_...` or `X-API-Key: sk_...`. Only the
organisation's owners manage keys. The key is shown once, when it is
created; store it then. A revoked key gets 401.
"""

router = Router(tags=[TAG])

KEY_EXAMPLE = {
    "id": 3,
    "organization_id": 1,
    "name": "deploy pipeline",
    "prefix": "sk_Zk2m9Yd0",
    "scopes": ["read", "write"],
    "created_by_id": 7,
    "created_at": "2026-03-01T12:00:00Z",
    "last_used_at": "2026-03-02T08:15:00Z",
    "revoked_at": None,
}


class ApiKeyOut(Schema):
    model_config = example(KEY_EXAMPLE)

    id: int
    organization_id: int
    name: str
    prefix: str = Field(description="The first characters of the key.")
    scopes: list[str]
    created_by_id: int | None = Field(
        description="Id of the user who created the key, or null."
    )
    created_at: datetime
    last_used_at: datetime | None = Field(
        description="Time of the last request with the key, to the minute."
    )
    revoked_at: datetime | None


class CreatedApiKeyOut(ApiKeyOut):
    model_config = example(
        {**KEY_EXAMPLE, "key": "sk_Zk2m9Yd0vY1fQ2s3t4u5v6w7x8y9z0A1B2C3D4E5F6G"}
    )

    key: str = Field(description="The key; it is not shown again.")


class ApiKeyIn(InputSchema):
    model_config = example({"name": "deploy pipeline", "scopes": ["read", "write"]})

    name: str = Field(min_length=1, max_length=100)
    scopes: list[ApiScope] = Field(min_length=1, description="read, write, or both.")


class ApiKeyFilters(ListQuery):
    revoked: bool | None = Field(
        None, description="true lists only revoked keys, false only active ones."
    )


def _owned_organization(request: HttpRequest, organization_id: int) -> Organization:
    """Return the organisation if the caller owns it.

    Raises ``NotFound`` for a caller who cannot read it, and
    ``PermissionDenied`` for a reader who is not an owner.
    """
    principal: Principal = request.auth
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or not principal.can_read(organization_id):
        raise NotFound(f"No organization with id {organization_id}.")
    if not principal.is_owner(organization_id):
        raise PermissionDenied("Only owners of the organization manage its API keys.")
    return organization


@router.get(
    "/organizations/{organization_id}/api-keys",
    response={200: paginated(ApiKeyOut), **error_responses(404)},
    summary="List API keys",
    description="Lists the organisation's keys, newest first, revoked ones "
    "included unless `revoked=false`. The keys themselves are never listed.",
)
def list_api_keys(
    request: HttpRequest, organization_id: ObjectId, filters: Query[ApiKeyFilters]
):
    organization = _owned_organization(request, organization_id)

    keys = ApiKey.objects.filter(organization=organization)
    if filters.revoked is not None:
        keys = keys.filter(revoked_at__isnull=not filters.revoked)
    return paginate(request, keys, filters, "-created_at")


@router.post(
    "/organizations/{organization_id}/api-keys",
    response={201: CreatedApiKeyOut, **error_responses(400, 404, 409)},
    summary="Create an API key",
    description="Creates a key and returns it in `key`, once. The response "
    "is marked `Cache-Control: no-store`, so an `Idempotency-Key` does not "
    "keep it: a retried request creates another key.",
)
def create_key(
    request: HttpRequest,
    response: HttpResponse,
    organization_id: ObjectId,
    payload: ApiKeyIn,
):
    organization = _owned_organization(request, organization_id)
    principal: Principal = request.auth
    response["Cache-Control"] = "no-store"

    created = create_api_key(
        organization,
        payload.name,
        [scope.value for scope in payload.scopes],
        created_by=principal.user,
    )
    body = ApiKeyOut.from_orm(created.api_key).model_dump()
    return Status(201, {**body, "key": created.secret})


@router.delete(
    "/organizations/{organization_id}/api-keys/{key_id}",
    response={204: None, **error_responses(404)},
    summary="Revoke an API key",
    description="Revokes the key at once; requests with it then get 401. "
    "The key stays listed with `revoked_at` set.",
)
def revoke_key(request: HttpRequest, organization_id: ObjectId, key_id: ObjectId):
    organization = _owned_organization(request, organization_id)
    principal: Principal = request.auth

    api_key = ApiKey.objects.filter(organization=organization, pk=key_id).first()
    if api_key is None:
        raise NotFound(
            f"No API key with id {key_id} in organization {organization_id}."
        )
    revoke_api_key(api_key, actor=principal.user)
    return Status(204, None)
