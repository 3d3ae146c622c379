"""Organisation API keys: create, revoke, and look up the key of a request.

A key is ``sk_`` followed by 43 URL-safe characters (256 random bits). Only
its SHA-256 digest is stored, with the first 11 characters as a prefix
that listings show. The key itself is returned once, by
:func:`create_api_key`; a lost key is revoked and replaced.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from statuscore.exceptions import AuthenticationFailed, ValidationFailed
from statuscore.models import ApiKey, ApiScope, Organization
from statuscore.services.tokens import digest

__all__ = [
    "API_KEY_PREFIX",
    "CreatedApiKey",
    "authenticate_api_key",
    "create_api_key",
    "revoke_api_key",
]

logger = logging.getLogger(__name__)

API_KEY_PREFIX = "sk_"
PREFIX_LENGTH = 11
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per key."""


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKey
    secret: str
    """The full key; it is not stored and cannot be shown again."""


def create_api_key(
    organization: Organization,
    name: str,
    scopes: list[str] | tuple[str, ...],
    *,
    created_by: AbstractBaseUser | None = None,
) -> CreatedApiKey:
    """Create a key for ``organization`` with ``scopes`` (a non-empty subset
    of ``read`` and ``write``). Raises ``ValidationFailed`` naming ``name``
    or ``scopes``."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["A name is required."]
    elif len(name) > ApiKey._meta.get_field("name").max_length:
        errors["name"] = ["The name is longer than 100 characters."]
    scope_error = _scope_error(scopes)
    if scope_error:
        errors["scopes"] = [scope_error]
    if errors:
        raise ValidationFailed(errors)

    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            organization=organization,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            secret_digest=digest(secret),
            scopes=sorted(set(scopes)),
            created_by=created_by,
        )
    logger.info(
        "API key %s (%s) created for organization %s by user %s",
        api_key.pk,
        api_key.prefix,
        organization.pk,
        getattr(created_by, "pk", None),
    )
    return CreatedApiKey(api_key=api_key, secret=secret)


def revoke_api_key(api_key: ApiKey, *, actor: AbstractBaseUser | None = None) -> ApiKey:
    """Revoke ``api_key``; later requests with it get 401. Revoking a revoked
    key changes nothing."""
    now = timezone.now()
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=now
    )
    api_key.refresh_from_db(fields=["revoked_at"])
    if updated:
        logger.info(
            "API key %s of organization %s revoked by user %s",
            api_key.pk,
            api_key.organization_id,
            getattr(actor, "pk", None),
        )
    return api_key


def authenticate_api_key(secret: str) -> ApiKey:
    """Return the active key whose secret is ``secret`` and record its use.

    Raises ``AuthenticationFailed`` for an unknown or revoked key.
    ``last_used_at`` is written only when it is older than a minute.
    """
    api_key = (
        ApiKey.objects.select_related("organization")
        .filter(secret_digest=digest(secret))
        .first()
    )
    if api_key is None:
        raise AuthenticationFailed("The API key is invalid.")
    if api_key.revoked_at is not None:
        raise AuthenticationFailed("The API key has been revoked.")

    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(
        last_used_at__lt=now - LAST_USED_RESOLUTION
    )
    if (
        api_key.last_used_at is None
        or api_key.last_used_at < now - LAST_USED_RESOLUTION
    ):
        # Conditional, so concurrent requests with one key write once.
        ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def _scope_error(scopes) -> str | None:
    if not isinstance(scopes, list | tuple) or not all(
        isinstance(scope, str) for scope in scopes
    ):
        return "Expected a list of scopes."
    if not scopes:
        return "Choose at least one scope: read, write."
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown:
        return (
            f"{', '.join(map(repr, unknown))} is not a scope; "
            f"expected read and/or write."
        )
    return None
