"""Web sign-in with Google, through social-auth-app-django.

Google sign-in exists only when both ``GOOGLE_OAUTH2_CLIENT_ID`` and
``GOOGLE_OAUTH2_CLIENT_SECRET`` are set: the settings module then applies
:func:`google_settings`, ``statussite.urls`` mounts social-auth's URLs
under ``/auth/`` and the admin login page shows a "Sign in with Google"
link. Unset, none of these exist.

A Google account signs in as the existing active user with the same
email address, and only when Google reports that address as verified.
New users are created only when ``GOOGLE_OAUTH2_CREATE_USERS`` is on, and
they belong to no organisation until an owner adds them.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from social_core.exceptions import AuthAssociationError, AuthPolicyError

__all__ = ["BACKEND", "PIPELINE", "google_settings", "match_user_by_email"]

logger = logging.getLogger(__name__)

BACKEND = "social_core.backends.google.GoogleOAuth2"

PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    "statussite.google.match_user_by_email",
    "social_core.pipeline.user.get_username",
    "social_core.pipeline.user.create_user",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
    "social_core.pipeline.user.user_details",
)


def google_settings(
    client_id: str, client_secret: str, *, create_users: bool, base_url: str
) -> dict[str, object]:
    """Return the Django settings that turn Google sign-in on."""
    return {
        "SOCIAL_AUTH_GOOGLE_OAUTH2_KEY": client_id,
        "SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET": client_secret,
        "SOCIAL_AUTH_URL_NAMESPACE": "social",
        "SOCIAL_AUTH_PIPELINE": PIPELINE,
        "SOCIAL_AUTH_LOGIN_REDIRECT_URL": "/admin/",
        "SOCIAL_AUTH_LOGIN_ERROR_URL": "/admin/login/",
        "SOCIAL_AUTH_REDIRECT_IS_HTTPS": base_url.startswith("https://"),
        # Google's name and address must not overwrite the ones people chose.
        "SOCIAL_AUTH_PROTECTED_USER_FIELDS": ["username", "email"],
        "STATUS_GOOGLE_CREATE_USERS": create_users,
    }


class NoMatchingUser(AuthPolicyError):
    """No active user has the Google account's email address."""

    def __str__(self) -> str:
        return (
            "No account uses this Google address. Ask an owner of your "
            "organisation to add you, then sign in again."
        )


class UnverifiedEmail(AuthPolicyError):
    def __str__(self) -> str:
        return "Google has not verified this account's email address."


def match_user_by_email(backend, details, response, *args, user=None, **kwargs):
    """Sign a Google account in as the active user with its verified email.

    A pipeline step of social-auth: it runs after ``social_user``, so an
    account linked earlier keeps its user. Raises ``NoMatchingUser`` when
    no user matches and creating users is off, and ``AuthAssociationError``
    when several users share the address.
    """
    if user is not None:
        return None

    email = (details.get("email") or "").strip()
    if not email or (response or {}).get("email_verified") is not True:
        logger.warning("Google sign-in rejected: the email address is not verified")
        raise UnverifiedEmail(backend)

    users = list(get_user_model().objects.filter(email__iexact=email, is_active=True))
    if len(users) > 1:
        logger.warning(
            "Google sign-in rejected: users %s share one email address",
            [candidate.pk for candidate in users],
        )
        raise AuthAssociationError(backend, code="email_in_use")
    if users:
        logger.info("Google sign-in matched user %s by email", users[0].pk)
        return {"user": users[0], "is_new": False}

    if getattr(settings, "STATUS_GOOGLE_CREATE_USERS", False):
        logger.info("Google sign-in creates a user for a new address")
        return None
    logger.info("Google sign-in rejected: no user has the address")
    raise NoMatchingUser(backend)
