"""Access and refresh tokens of the management API.

An access token is a JWT signed with HS256 by PyJWT. It lives
``STATUSCORE_ACCESS_TOKEN_TTL`` seconds (300 by default) and names the user
(``sub``) and the refresh-token family it was issued with (``fam``).

A refresh token is an opaque random string; only its SHA-256 digest is
stored. Each refresh marks the presented token used and returns a new one
of the same family. Presenting a used token again revokes the whole family,
because one of the two parties holding it is not the user. Access tokens
of a revoked family are rejected too, so logging out and reuse detection
take effect at once rather than when the access token expires.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from statuscore.conf import get_settings
from statuscore.exceptions import AuthenticationFailed
from statuscore.models import RefreshToken

__all__ = [
    "REFRESH_TOKEN_PREFIX",
    "TokenPair",
    "issue_token_pair",
    "refresh_token_pair",
    "revoke_refresh_family",
    "user_for_access_token",
]

logger = logging.getLogger(__name__)

REFRESH_TOKEN_PREFIX = "rt_"
ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "fam"]


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    """Seconds until the access token expires."""

    refresh_expires_in: int
    """Seconds until the refresh token expires."""


def digest(token: str) -> str:
    """Return the SHA-256 hex digest under which a secret token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token_pair(user: AbstractBaseUser) -> TokenPair:
    """Start a new refresh-token family for ``user`` (a sign-in) and return
    its first refresh token with an access token."""
    family = uuid.uuid4()
    refresh_token = _create_refresh_token(user, family)
    logger.info("Token family %s issued for user %s", family, user.pk)
    return _pair(user, family, refresh_token)


def refresh_token_pair(refresh_token: str) -> TokenPair:
    """Exchange a refresh token for a new pair of the same family.

    Raises ``AuthenticationFailed`` when the token is unknown, expired,
    revoked or belongs to an inactive user. When the token was already
    used, the family is revoked first and committed, so the token the
    legitimate client rotated to stops working as well.
    """
    now = timezone.now()

    with transaction.atomic():
        row = (
            RefreshToken.objects.select_for_update()
            .select_related("user")
            .filter(token_digest=digest(refresh_token))
            .first()
        )
        if row is None:
            raise AuthenticationFailed("The refresh token is invalid.")
        if row.revoked_at is not None:
            raise AuthenticationFailed("The refresh token has been revoked.")

        # Another request may have used the token since it was read; the
        # conditional update lets exactly one of them rotate it.
        claimed = RefreshToken.objects.filter(pk=row.pk, used_at__isnull=True).update(
            used_at=now
        )
        reused = not claimed
        if reused:
            revoked = _revoke_family(row.family, now)
        else:
            if row.expires_at <= now:
                raise AuthenticationFailed("The refresh token has expired.")
            if not row.user.is_active:
                raise AuthenticationFailed("The user account is disabled.")
            new_token = _create_refresh_token(row.user, row.family)

    if reused:
        logger.warning(
            "Refresh token %s of user %s was reused; family %s revoked (%s tokens)",
            row.pk,
            row.user_id,
            row.family,
            revoked,
        )
        raise AuthenticationFailed(
            "The refresh token was already used; every token of this sign-in "
            "has been revoked. Sign in again."
        )

    logger.info("Token family %s of user %s refreshed", row.family, row.user_id)
    return _pair(row.user, row.family, new_token)


def revoke_refresh_family(refresh_token: str) -> int:
    """Revoke the family of ``refresh_token`` (a sign-out); return the number
    of tokens revoked. Raises ``AuthenticationFailed`` for an unknown token."""
    row = RefreshToken.objects.filter(token_digest=digest(refresh_token)).first()
    if row is None:
        raise AuthenticationFailed("The refresh token is invalid.")

    revoked = _revoke_family(row.family, timezone.now())
    logger.info(
        "Token family %s of user %s revoked by sign-out", row.family, row.user_id
    )
    return revoked


def revoke_family(family: uuid.UUID) -> int:
    """Revoke every refresh token of ``family`` and the access tokens issued
    with them; return the number of tokens revoked."""
    return _revoke_family(family, timezone.now())


def user_for_access_token(token: str) -> tuple[AbstractBaseUser, uuid.UUID]:
    """Return the active user an access token was issued to, and its family.

    The signature, ``exp``, ``iat``, ``iss``, ``aud``, ``sub`` and ``jti`` are
    all checked; a token of a revoked family is rejected. Raises
    ``AuthenticationFailed`` with a message that names the check that failed.
    """
    config = get_settings()
    try:
        claims = jwt.decode(
            token,
            config.jwt_signing_key,
            algorithms=[ALGORITHM],
            audience=config.jwt_audience,
            issuer=config.jwt_issuer,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("The access token has expired.") from None
    except jwt.InvalidTokenError as error:
        logger.info("Access token rejected: %s", error)
        raise AuthenticationFailed("The access token is invalid.") from None

    try:
        family = uuid.UUID(str(claims["fam"]))
        user_id = int(claims["sub"])
    except ValueError:
        raise AuthenticationFailed("The access token is invalid.") from None

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise AuthenticationFailed("The user account is disabled or deleted.")
    if RefreshToken.objects.filter(family=family, revoked_at__isnull=False).exists():
        raise AuthenticationFailed("The access token has been revoked.")
    return user, family


def _pair(user: AbstractBaseUser, family: uuid.UUID, refresh_token: str) -> TokenPair:
    config = get_settings()
    return TokenPair(
        access_token=_encode_access_token(user, family),
        refresh_token=refresh_token,
        expires_in=config.access_token_ttl,
        refresh_expires_in=config.refresh_token_ttl,
    )


def _encode_access_token(user: AbstractBaseUser, family: uuid.UUID) -> str:
    config = get_settings()
    now = timezone.now()
    claims = {
        "iss": config.jwt_issuer,
        "aud": config.jwt_audience,
        "sub": str(user.pk),
        "iat": now,
        "exp": now + timedelta(seconds=config.access_token_ttl),
        "jti": uuid.uuid4().hex,
        "fam": str(family),
    }
    return jwt.encode(claims, config.jwt_signing_key, algorithm=ALGORITHM)


def _create_refresh_token(user: AbstractBaseUser, family: uuid.UUID) -> str:
    token = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    RefreshToken.objects.create(
        user=user,
        family=family,
        token_digest=digest(token),
        issued_at=now,
        expires_at=now + timedelta(seconds=get_settings().refresh_token_ttl),
    )
    return token


def _revoke_family(family: uuid.UUID, now) -> int:
    return RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=now
    )
