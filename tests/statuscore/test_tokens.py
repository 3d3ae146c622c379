"""JWT access tokens and rotating refresh tokens."""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt
import pytest
from django.utils import timezone

from statuscore.exceptions import AuthenticationFailed
from statuscore.models import RefreshToken
from statuscore.services.tokens import (
    digest,
    issue_token_pair,
    refresh_token_pair,
    revoke_refresh_family,
    user_for_access_token,
)
from tests.statuscore.accounts import make_user

pytestmark = pytest.mark.django_db


def test_access_token_names_its_user():
    user = make_user()
    pair = issue_token_pair(user)

    found, family = user_for_access_token(pair.access_token)

    assert found == user
    assert RefreshToken.objects.get(family=family).user == user


def test_access_token_carries_registered_claims(settings):
    settings.STATUSCORE_ACCESS_TOKEN_TTL = 120
    user = make_user()

    token = issue_token_pair(user).access_token
    claims = jwt.decode(token, options={"verify_signature": False})

    assert claims["sub"] == str(user.pk)
    assert claims["iss"] == "statuscore"
    assert claims["aud"] == "statuscore-api"
    assert claims["exp"] - claims["iat"] == 120
    assert len(claims["jti"]) == 32


def test_access_token_signed_with_secret_key_by_default(settings):
    token = issue_token_pair(make_user()).access_token

    settings.SECRET_KEY = "another-secret-key-of-at-least-32-bytes"

    with pytest.raises(AuthenticationFailed, match="invalid"):
        user_for_access_token(token)


def test_expired_access_token_rejected(settings):
    settings.STATUSCORE_ACCESS_TOKEN_TTL = -1
    token = issue_token_pair(make_user()).access_token

    with pytest.raises(AuthenticationFailed, match="expired"):
        user_for_access_token(token)


def test_tampered_access_token_rejected():
    user = make_user()
    other = make_user("mallory")
    token = issue_token_pair(user).access_token
    header, payload, signature = token.split(".")
    forged_payload = jwt.encode(
        {
            **jwt.decode(token, options={"verify_signature": False}),
            "sub": str(other.pk),
        },
        "a-guessed-key-of-at-least-thirty-two-bytes",
        algorithm="HS256",
    ).split(".")[1]

    with pytest.raises(AuthenticationFailed, match="invalid"):
        user_for_access_token(f"{header}.{forged_payload}.{signature}")


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "another-service"},
        {"iss": "someone-else"},
        {"jti": None},
        {"sub": None},
        {"iat": None},
    ],
    ids=["audience", "issuer", "no-jti", "no-sub", "no-iat"],
)
def test_access_token_claims_checked(settings, change):
    token = issue_token_pair(make_user()).access_token
    claims = jwt.decode(token, options={"verify_signature": False})
    for name, value in change.items():
        if value is None:
            del claims[name]
        else:
            claims[name] = value
    resigned = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")

    with pytest.raises(AuthenticationFailed, match="invalid"):
        user_for_access_token(resigned)


def test_unsigned_access_token_rejected(settings):
    token = issue_token_pair(make_user()).access_token
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")

    with pytest.raises(AuthenticationFailed, match="invalid"):
        user_for_access_token(unsigned)


def test_access_token_of_inactive_user_rejected():
    user = make_user()
    token = issue_token_pair(user).access_token
    user.is_active = False
    user.save()

    with pytest.raises(AuthenticationFailed, match="disabled"):
        user_for_access_token(token)


def test_refresh_token_stored_as_digest_only():
    pair = issue_token_pair(make_user())

    row = RefreshToken.objects.get()

    assert row.token_digest == digest(pair.refresh_token)
    assert pair.refresh_token not in row.token_digest


def test_refresh_rotates_token():
    user = make_user()
    first = issue_token_pair(user)

    second = refresh_token_pair(first.refresh_token)

    assert second.refresh_token != first.refresh_token
    assert user_for_access_token(second.access_token)[0] == user
    assert RefreshToken.objects.get(token_digest=digest(first.refresh_token)).used_at
    assert RefreshToken.objects.values("family").distinct().count() == 1


def test_refresh_token_reuse_revokes_family():
    user = make_user()
    stolen = issue_token_pair(user)
    rotated = refresh_token_pair(stolen.refresh_token)

    with pytest.raises(AuthenticationFailed, match="already used"):
        refresh_token_pair(stolen.refresh_token)

    with pytest.raises(AuthenticationFailed, match="revoked"):
        refresh_token_pair(rotated.refresh_token)
    with pytest.raises(AuthenticationFailed, match="revoked"):
        user_for_access_token(rotated.access_token)
    assert not RefreshToken.objects.filter(revoked_at__isnull=True).exists()


def test_reuse_leaves_other_families_alone():
    user = make_user()
    laptop = issue_token_pair(user)
    phone = issue_token_pair(user)
    refresh_token_pair(laptop.refresh_token)

    with pytest.raises(AuthenticationFailed):
        refresh_token_pair(laptop.refresh_token)

    assert refresh_token_pair(phone.refresh_token).refresh_token


def test_expired_refresh_token_rejected():
    pair = issue_token_pair(make_user())
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(AuthenticationFailed, match="expired"):
        refresh_token_pair(pair.refresh_token)
    assert RefreshToken.objects.get().used_at is None


def test_refresh_token_lifetime_from_settings(settings):
    settings.STATUSCORE_REFRESH_TOKEN_TTL = 3600
    before = timezone.now()

    issue_token_pair(make_user())

    row = RefreshToken.objects.get()
    assert before + timedelta(seconds=3600) <= row.expires_at
    assert row.expires_at <= timezone.now() + timedelta(seconds=3600)


def test_unknown_refresh_token_rejected():
    with pytest.raises(AuthenticationFailed, match="invalid"):
        refresh_token_pair("rt_" + uuid.uuid4().hex)


def test_sign_out_revokes_family():
    pair = issue_token_pair(make_user())

    revoke_refresh_family(pair.refresh_token)

    with pytest.raises(AuthenticationFailed, match="revoked"):
        refresh_token_pair(pair.refresh_token)
    with pytest.raises(AuthenticationFailed, match="revoked"):
        user_for_access_token(pair.access_token)


@pytest.mark.django_db(transaction=True)
def test_concurrent_refresh_leaves_no_live_token():
    """Two refreshes racing with one token never leave two live successors:
    the loser counts as reuse, so the family ends revoked."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads need PostgreSQL")
    pair = issue_token_pair(make_user())

    def attempt(_):
        try:
            return refresh_token_pair(pair.refresh_token)
        except AuthenticationFailed as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(attempt, range(2)))

    failures = [
        outcome for outcome in outcomes if isinstance(outcome, AuthenticationFailed)
    ]
    assert len(failures) == 1
    assert "already used" in str(failures[0])
    assert not RefreshToken.objects.filter(revoked_at__isnull=True).exists()
