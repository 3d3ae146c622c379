"""User accounts created through the management API.

Passwords are checked by Django's ``AUTH_PASSWORD_VALIDATORS`` and stored
by its password hashers. Usernames and email addresses are unique without
regard to case, because Google sign-in matches users by email address.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from statuscore.exceptions import ValidationFailed
from statuscore.models import Organization
from statuscore.services.pages import create_organization

__all__ = ["register_user"]

logger = logging.getLogger(__name__)


def register_user(
    username: str,
    email: str,
    password: str,
    *,
    organization_name: str | None = None,
) -> tuple[AbstractBaseUser, Organization | None]:
    """Create a user, and with ``organization_name`` an organisation they own.

    Raises ``ValidationFailed`` naming every bad field among ``username``,
    ``email``, ``password`` and ``organization_name``; nothing is stored
    then.
    """
    username = (username or "").strip()
    email = (email or "").strip()
    organization_name = (organization_name or "").strip() or None

    errors = _account_errors(username, email, password)
    if organization_name is not None:
        max_length = Organization._meta.get_field("name").max_length
        if len(organization_name) > max_length:
            errors["organization_name"] = [
                f"The name is longer than {max_length} characters."
            ]
    if errors:
        raise ValidationFailed(errors)

    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=username, email=email, password=password
            )
            organization = None
            if organization_name is not None:
                organization = create_organization(
                    organization_name, _free_slug(organization_name), owner=user
                )
    except IntegrityError:
        # Another registration took the username between the check and
        # the insert.
        raise ValidationFailed.for_field(
            "username", "A user with that username already exists."
        ) from None

    logger.info(
        "User %s registered through the API (organization %s)",
        user.pk,
        getattr(organization, "pk", None),
    )
    return user, organization


def _account_errors(username: str, email: str, password: str) -> dict[str, list[str]]:
    user_model = get_user_model()
    errors: dict[str, list[str]] = {}

    if not username:
        errors["username"] = ["A username is required."]
    else:
        try:
            user_model.username_validator(username)
            user_model._meta.get_field("username").run_validators(username)
        except ValidationError as error:
            errors["username"] = list(error.messages)
        else:
            if user_model.objects.filter(username__iexact=username).exists():
                errors["username"] = ["A user with that username already exists."]

    if not email:
        errors["email"] = ["An email address is required."]
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Enter a valid email address."]
        else:
            if user_model.objects.filter(email__iexact=email).exists():
                errors["email"] = ["A user with that email address already exists."]

    if not password:
        errors["password"] = ["A password is required."]
    else:
        try:
            password_validation.validate_password(
                password, user=user_model(username=username, email=email)
            )
        except ValidationError as error:
            errors["password"] = list(error.messages)
    return errors


def _free_slug(name: str) -> str:
    """Return a slug for ``name`` that no organisation uses yet."""
    base = slugify(name)[:90] or "organization"
    slug = base
    suffix = 2
    while Organization.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug
