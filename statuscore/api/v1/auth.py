"""Registration, sign-in, token refresh and sign-out: ``/api/v1/auth/``.

``login`` and ``register`` return a short-lived JWT access token and an
opaque refresh token. ``refresh`` exchanges the refresh token for a new
pair and marks the old one used; presenting a used refresh token again
revokes the whole sign-in. ``logout`` revokes the sign-in too.

``login``, ``register`` and ``refresh`` are rate-limited per client IP
address and, for the first two, per username, with a 429 and
``Retry-After`` beyond the limit.
"""

from __future__ import annotations

import logging

from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser, update_last_login
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from statuscore.api.auth import Principal, Unauthenticated, api_auth
from statuscore.api.errors import error_responses
from statuscore.api.v1.schemas import InputSchema, example
from statuscore.conf import get_settings
from statuscore.exceptions import AuthenticationFailed, PermissionDenied
from statuscore.models import Membership
from statuscore.services.accounts import register_user
from statuscore.services.tokens import (
    TokenPair,
    issue_token_pair,
    refresh_token_pair,
    revoke_refresh_family,
)
from statuscore.subscriptions.ratelimit import client_address, hit

__all__ = ["TAG", "TAG_DESCRIPTION", "router"]

logger = logging.getLogger(__name__)

TAG = "Authentication"
TAG_DESCRIPTION = """\
Sign in to get a JWT access token (`Authorization: Bearer <token>`, valid
for `expires_in` seconds) and a refresh token. Exchange the refresh token
at `refresh` before the access token expires; each refresh returns a new
refresh token and the old one stops working. A refresh token presented a
second time revokes every token of that sign-in. Scripts can use an API key
of their organisation instead (see API keys).
"""

router = Router(tags=[TAG])

TOKENS_EXAMPLE = {
    "token_type": "Bearer",
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3In0.c2ln",
    "expires_in": 300,
    "refresh_token": "rt_Zk2m9Yd0vY1fQ2s3t4u5v6w7x8y9z0A1B2C3D4E5F6G",
    "refresh_expires_in": 1209600,
}


class TokensOut(Schema):
    model_config = example(TOKENS_EXAMPLE)

    token_type: str = Field("Bearer", description="Always Bearer.")
    access_token: str = Field(description="JWT for `Authorization: Bearer`.")
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(
        description="Opaque token for `refresh` and `logout`; usable once."
    )
    refresh_expires_in: int = Field(
        description="Seconds until the refresh token expires."
    )


class MembershipOut(Schema):
    organization_id: int
    organization_name: str
    organization_slug: str
    role: str = Field(description="owner, editor or viewer.")


class UserOut(Schema):
    model_config = example(
        {
            "id": 7,
            "username": "ada",
            "email": "ada@example.com",
            "memberships": [
                {
                    "organization_id": 1,
                    "organization_name": "Acme",
                    "organization_slug": "acme",
                    "role": "owner",
                }
            ],
        }
    )

    id: int
    username: str
    email: str
    memberships: list[MembershipOut]


class RegisteredOut(TokensOut):
    model_config = example(
        {
            **TOKENS_EXAMPLE,
            "user": {
                "id": 7,
                "username": "ada",
                "email": "ada@example.com",
                "memberships": [],
            },
        }
    )

    user: UserOut


class RegisterIn(InputSchema):
    model_config = example(
        {
            "username": "ada",
            "email": "ada@example.com",
            "password": "correct horse battery staple",
            "organization_name": "Acme",
        }
    )

    username: str = Field(max_length=150)
    email: str = Field(max_length=254)
    password: str = Field(
        max_length=4096, description="Checked by the server's password rules."
    )
    organization_name: str | None = Field(
        None,
        max_length=200,
        description="Creates this organisation with the new user as its owner.",
    )


class LoginIn(InputSchema):
    model_config = example(
        {"username": "ada", "password": "correct horse battery staple"}
    )

    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)


class RefreshIn(InputSchema):
    model_config = example({"refresh_token": TOKENS_EXAMPLE["refresh_token"]})

    refresh_token: str = Field(max_length=200)


def _limit(request: HttpRequest, action: str, username: str | None = None) -> None:
    """Count one request of ``action``; raise ``RateLimited`` over a limit."""
    config = get_settings()
    hit(
        f"auth-{action}-client",
        client_address(request),
        limit=config.auth_limit_per_client,
        window=config.auth_limit_window,
    )
    if username:
        hit(
            f"auth-{action}-username",
            username.strip().lower(),
            limit=config.auth_limit_per_username,
            window=config.auth_limit_window,
        )


def _tokens(pair: TokenPair) -> dict:
    return {
        "token_type": "Bearer",
        "access_token": pair.access_token,
        "expires_in": pair.expires_in,
        "refresh_token": pair.refresh_token,
        "refresh_expires_in": pair.refresh_expires_in,
    }


def _user_out(user: AbstractBaseUser) -> dict:
    memberships = Membership.objects.filter(user=user).select_related("organization")
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": user.email,
        "memberships": [
            {
                "organization_id": membership.organization_id,
                "organization_name": membership.organization.name,
                "organization_slug": membership.organization.slug,
                "role": membership.role,
            }
            for membership in memberships.order_by("organization__name")
        ],
    }


@router.post(
    "/auth/register",
    auth=None,
    response={201: RegisteredOut, **error_responses(400)},
    summary="Create a user account",
    description="Creates a user and signs them in. With `organization_name`, "
    "also creates that organisation with the user as its owner. An invalid "
    "field, a taken username or email, or a password the server's password "
    "rules reject is a 422 naming the field. Registration is closed unless "
    "the server sets `STATUSCORE_API_REGISTRATION=1`; closed, it returns 403.",
)
def register(request: HttpRequest, response: HttpResponse, payload: RegisterIn):
    response["Cache-Control"] = "no-store"
    if not get_settings().api_registration:
        raise PermissionDenied(
            "Registration is closed on this server; ask an administrator for "
            "an account."
        )
    _limit(request, "register", payload.username)

    user, _organization = register_user(
        payload.username,
        payload.email,
        payload.password,
        organization_name=payload.organization_name,
    )
    pair = issue_token_pair(user)
    return Status(201, {**_tokens(pair), "user": _user_out(user)})


@router.post(
    "/auth/login",
    auth=None,
    response={200: TokensOut, **error_responses(400)},
    summary="Sign in with username and password",
    description="Returns an access token and a refresh token. A wrong "
    "username or password is a 401 that does not say which was wrong.",
)
def login(request: HttpRequest, response: HttpResponse, payload: LoginIn):
    response["Cache-Control"] = "no-store"
    _limit(request, "login", payload.username)

    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        logger.info(
            "API sign-in failed for a username from %s", client_address(request)
        )
        raise Unauthenticated("The username or password is incorrect.")

    update_last_login(None, user)
    return _tokens(issue_token_pair(user))


@router.post(
    "/auth/refresh",
    auth=None,
    response={200: TokensOut, **error_responses(400)},
    summary="Exchange a refresh token for new tokens",
    description="Returns a new access token and a new refresh token; the "
    "refresh token sent stops working. Sending a refresh token that was "
    "already exchanged revokes every token of that sign-in (401), because "
    "a copy of it is in someone else's hands.",
)
def refresh(request: HttpRequest, response: HttpResponse, payload: RefreshIn):
    response["Cache-Control"] = "no-store"
    _limit(request, "refresh")

    try:
        pair = refresh_token_pair(payload.refresh_token)
    except AuthenticationFailed as error:
        raise Unauthenticated(str(error)) from None
    return _tokens(pair)


@router.post(
    "/auth/logout",
    auth=None,
    response={204: None, **error_responses(400)},
    summary="Sign out",
    description="Revokes the refresh token and every token of the same "
    "sign-in, including access tokens issued with it.",
)
def logout(request: HttpRequest, payload: RefreshIn):
    _limit(request, "refresh")

    try:
        revoke_refresh_family(payload.refresh_token)
    except AuthenticationFailed as error:
        raise Unauthenticated(str(error)) from None
    return Status(204, None)


@router.get(
    "/auth/me",
    auth=api_auth,
    response={200: UserOut, **error_responses()},
    summary="The signed-in user and their organisations",
    description="Returns the user of the access token with their role in "
    "each organisation. An API key has no user, so it gets a 403.",
)
def me(request: HttpRequest):
    principal: Principal = request.auth
    if principal.user is None:
        raise PermissionDenied(
            "An API key has no user; sign in with a username and password."
        )
    return _user_out(principal.user)
