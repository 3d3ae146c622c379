"""Who is calling the management API, and what they may do.

Operations pass ``auth=api_auth``. Each callable in it reads one way of
sending a credential; the first that recognises one sets ``request.auth``
to a :class:`Principal`:

- ``Authorization: Bearer <JWT access token>`` for a signed-in user;
- ``Authorization: Bearer sk_...`` or ``X-API-Key: sk_...`` for an
  organisation's API key.

A credential that is present but invalid, expired or revoked raises
:class:`Unauthenticated` (ninja's ``AuthenticationError``, so a 401) with
a message that names the failed check. With no credential at all, ninja raises a
plain ``AuthenticationError``, also a 401. ``statuscore.api.errors``
gives both the API's error shape.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader, HttpBearer

from statuscore.exceptions import AuthenticationFailed
from statuscore.models import ApiKey, ApiScope, Membership, Role
from statuscore.services.api_keys import API_KEY_PREFIX, authenticate_api_key
from statuscore.services.tokens import user_for_access_token

__all__ = [
    "ApiKeyAuth",
    "BearerAuth",
    "Principal",
    "Unauthenticated",
    "api_auth",
    "principal_for_api_key",
    "principal_for_user",
]

logger = logging.getLogger(__name__)

ALL_SCOPES = frozenset(ApiScope.values)
WRITING_ROLES = frozenset({Role.OWNER, Role.EDITOR})


@dataclass(frozen=True)
class Principal:
    """The user or API key behind a request, with its organisations.

    A user acts in the organisations they are a member of, with their role
    there, and has both scopes. A key acts in its own organisation only,
    with its scopes. A key with the ``write`` scope may also read.
    """

    user: AbstractBaseUser | None
    api_key: ApiKey | None
    organization_ids: frozenset[int]
    scopes: frozenset[str]
    role_by_organization: Mapping[int, str] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )

    def roles(self, org_id: int) -> str | None:
        """Return the user's role in the organisation (``owner``, ``editor``
        or ``viewer``), or None for a non-member or an API key."""
        return self.role_by_organization.get(org_id)

    def can_read(self, org_id: int) -> bool:
        return org_id in self.organization_ids and bool(self.scopes & ALL_SCOPES)

    def can_write(self, org_id: int) -> bool:
        if org_id not in self.organization_ids or ApiScope.WRITE not in self.scopes:
            return False
        if self.api_key is not None:
            return org_id == self.api_key.organization_id
        return self.roles(org_id) in WRITING_ROLES

    def is_owner(self, org_id: int) -> bool:
        """Return whether the user owns the organisation; an API key never does."""
        return self.api_key is None and self.roles(org_id) == Role.OWNER


def principal_for_user(user: AbstractBaseUser) -> Principal:
    """Build the principal of a signed-in user from their memberships."""
    roles = dict(
        Membership.objects.filter(user=user).values_list("organization_id", "role")
    )
    return Principal(
        user=user,
        api_key=None,
        organization_ids=frozenset(roles),
        scopes=ALL_SCOPES,
        role_by_organization=MappingProxyType(roles),
    )


def principal_for_api_key(api_key: ApiKey) -> Principal:
    return Principal(
        user=None,
        api_key=api_key,
        organization_ids=frozenset({api_key.organization_id}),
        scopes=frozenset(api_key.scopes) & ALL_SCOPES,
    )


class Unauthenticated(AuthenticationError):
    """A credential that was sent but rejected; ``message`` gives the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=401, message=message)


def _principal_for_api_key_secret(secret: str) -> Principal:
    try:
        api_key = authenticate_api_key(secret)
    except AuthenticationFailed as error:
        raise Unauthenticated(str(error)) from None
    return principal_for_api_key(api_key)


class BearerAuth(HttpBearer):
    """``Authorization: Bearer``, holding a JWT access token or an API key."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        token = token.strip()
        if not token:
            return None
        if token.startswith(API_KEY_PREFIX):
            return _principal_for_api_key_secret(token)

        try:
            user, _family = user_for_access_token(token)
        except AuthenticationFailed as error:
            raise Unauthenticated(str(error)) from None
        return principal_for_user(user)


class ApiKeyAuth(APIKeyHeader):
    """``X-API-Key: sk_...``."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        if not key:
            return None
        return _principal_for_api_key_secret(key.strip())


api_auth = [BearerAuth(), ApiKeyAuth()]
