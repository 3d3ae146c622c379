"""Organisation API keys: creation, storage, revocation and last use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from statuscore.exceptions import AuthenticationFailed, ValidationFailed
from statuscore.models import ApiKey
from statuscore.services.api_keys import (
    authenticate_api_key,
    create_api_key,
    revoke_api_key,
)
from statuscore.services.tokens import digest

pytestmark = pytest.mark.django_db


def test_key_stored_as_digest_and_prefix(organization):
    created = create_api_key(organization, "deploys", ["read", "write"])

    row = ApiKey.objects.get()

    assert created.secret.startswith("sk_")
    assert row.secret_digest == digest(created.secret)
    assert row.prefix == created.secret[:11]
    assert created.secret not in (row.secret_digest, row.prefix)
    assert row.scopes == ["read", "write"]


def test_key_authenticates(organization):
    created = create_api_key(organization, "deploys", ["read"])

    assert authenticate_api_key(created.secret) == created.api_key


def test_revoked_key_rejected(organization):
    created = create_api_key(organization, "deploys", ["read"])

    revoke_api_key(created.api_key)

    with pytest.raises(AuthenticationFailed, match="revoked"):
        authenticate_api_key(created.secret)


def test_unknown_key_rejected(organization):
    created = create_api_key(organization, "deploys", ["read"])

    with pytest.raises(AuthenticationFailed, match="invalid"):
        authenticate_api_key(created.secret + "x")


def test_last_used_written_once_a_minute(organization):
    created = create_api_key(organization, "deploys", ["read"])
    authenticate_api_key(created.secret)
    first = ApiKey.objects.get().last_used_at

    authenticate_api_key(created.secret)
    assert ApiKey.objects.get().last_used_at == first

    earlier = timezone.now() - timedelta(seconds=61)
    ApiKey.objects.update(last_used_at=earlier)
    authenticate_api_key(created.secret)
    assert ApiKey.objects.get().last_used_at > earlier


def test_first_use_sets_last_used(organization):
    created = create_api_key(organization, "deploys", ["read"])
    assert created.api_key.last_used_at is None

    authenticate_api_key(created.secret)

    assert ApiKey.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "scopes, message",
    [
        ([], "at least one scope"),
        (["admin"], "'admin' is not a scope"),
        ("read", "list of scopes"),
    ],
)
def test_invalid_scopes_rejected(organization, scopes, message):
    with pytest.raises(ValidationFailed) as caught:
        create_api_key(organization, "deploys", scopes)

    assert message in caught.value.errors["scopes"][0]
    assert not ApiKey.objects.exists()


def test_blank_name_rejected(organization):
    with pytest.raises(ValidationFailed) as caught:
        create_api_key(organization, "  ", ["read"])

    assert list(caught.value.errors) == ["name"]
