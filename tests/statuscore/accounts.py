"""Helpers for tests of the management API's authentication."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from statuscore import services
from statuscore.models import Organization

PASSWORD = "correct horse battery staple"


def make_user(username: str = "ada", *, email: str | None = None, **extra):
    return get_user_model().objects.create_user(
        username=username,
        email=email if email is not None else f"{username}@example.test",
        password=PASSWORD,
        **extra,
    )


def make_member(organization: Organization, role: str, username: str):
    user = make_user(username)
    services.add_member(organization, user, role)
    return user
