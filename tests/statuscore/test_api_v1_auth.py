"""``/api/v1/auth/``: registration, sign-in, refresh, sign-out and ``me``."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from statuscore.models import Membership, Organization, RefreshToken
from statuscore.services.api_keys import create_api_key
from tests.statuscore.accounts import PASSWORD, make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _password_validators(settings):
    """Django's four validators, which statussite's settings also use."""
    validation = "django.contrib.auth.password_validation"
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": f"{validation}.UserAttributeSimilarityValidator"},
        {"NAME": f"{validation}.MinimumLengthValidator"},
        {"NAME": f"{validation}.CommonPasswordValidator"},
        {"NAME": f"{validation}.NumericPasswordValidator"},
    ]


@pytest.fixture(autouse=True)
def _open_registration(settings):
    """Registration is closed by default; these tests exercise it open."""
    settings.STATUSCORE_API_REGISTRATION = True


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def post(client, path: str, body: dict, **headers):
    return client.post(
        f"/api/v1/auth/{path}", body, content_type="application/json", headers=headers
    )


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str = "ada", password: str = PASSWORD):
    return post(client, "login", {"username": username, "password": password})


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def test_register_creates_user_and_signs_in(client):
    response = post(
        client,
        "register",
        {"username": "ada", "email": "ada@example.test", "password": PASSWORD},
    )

    assert response.status_code == 201
    body = response.json()
    user = get_user_model().objects.get(username="ada")
    assert body["user"] == {
        "id": user.pk,
        "username": "ada",
        "email": "ada@example.test",
        "memberships": [],
    }
    assert user.check_password(PASSWORD)
    assert user.password != PASSWORD
    me = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200


def test_register_with_organization_makes_owner(client):
    response = post(
        client,
        "register",
        {
            "username": "ada",
            "email": "ada@example.test",
            "password": PASSWORD,
            "organization_name": "Acme Cloud",
        },
    )

    assert response.status_code == 201
    organization = Organization.objects.get(name="Acme Cloud")
    assert organization.slug == "acme-cloud"
    membership = Membership.objects.get(organization=organization)
    assert membership.user.username == "ada"
    assert membership.role == "owner"
    assert response.json()["user"]["memberships"] == [
        {
            "organization_id": organization.pk,
            "organization_name": "Acme Cloud",
            "organization_slug": "acme-cloud",
            "role": "owner",
        }
    ]


@pytest.mark.parametrize(
    "password, message",
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("83920174659", "entirely numeric"),
        ("ada-example", "too similar"),
    ],
)
def test_register_applies_password_validators(client, password, message):
    response = post(
        client,
        "register",
        {"username": "ada", "email": "ada@example.test", "password": password},
    )

    error = assert_error(response, 422, "validation_error")
    fields = {item["field"]: item["message"] for item in error["fields"]}
    assert "body.password" in fields
    assert message in " ".join(
        item["message"] for item in error["fields"] if item["field"] == "body.password"
    )
    assert not get_user_model().objects.exists()


def test_register_names_every_bad_field(client):
    make_user("ada", email="ada@example.test")

    response = post(
        client,
        "register",
        {"username": "ADA", "email": "not-an-address", "password": "1"},
    )

    error = assert_error(response, 422, "validation_error")
    named = {item["field"] for item in error["fields"]}
    assert named == {"body.username", "body.email", "body.password"}


def test_register_rejects_taken_email(client):
    make_user("ada", email="ada@example.test")

    response = post(
        client,
        "register",
        {"username": "grace", "email": "ADA@example.test", "password": PASSWORD},
    )

    error = assert_error(response, 422, "validation_error")
    assert [item["field"] for item in error["fields"]] == ["body.email"]


def test_register_requires_fields(client):
    response = post(client, "register", {"username": "ada"})

    error = assert_error(response, 422, "validation_error")
    named = {item["field"] for item in error["fields"]}
    assert named == {"body.email", "body.password"}


def test_login_returns_tokens(client, settings):
    settings.STATUSCORE_ACCESS_TOKEN_TTL = 300
    make_user()

    response = login(client)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["refresh_token"].startswith("rt_")
    me = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.json()["username"] == "ada"


def test_login_sets_last_login(client):
    user = make_user()

    login(client)

    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize(
    "username, password", [("ada", "wrong password"), ("nobody", PASSWORD)]
)
def test_login_rejects_bad_credentials(client, username, password):
    make_user()

    response = login(client, username, password)

    error = assert_error(response, 401, "not_authenticated")
    assert error["message"] == "The username or password is incorrect."
    assert not RefreshToken.objects.exists()


def test_login_rejects_inactive_user(client):
    make_user(is_active=False)

    response = login(client)

    assert_error(response, 401, "not_authenticated")


def test_refresh_rotates_tokens(client):
    make_user()
    first = login(client).json()

    response = post(client, "refresh", {"refresh_token": first["refresh_token"]})

    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    me = client.get("/api/v1/auth/me", headers=bearer(second["access_token"]))
    assert me.status_code == 200


def test_refresh_token_reuse_revokes_family(client):
    make_user()
    first = login(client).json()
    rotated = post(client, "refresh", {"refresh_token": first["refresh_token"]}).json()

    reuse = post(client, "refresh", {"refresh_token": first["refresh_token"]})

    error = assert_error(reuse, 401, "not_authenticated")
    assert "already used" in error["message"]
    after = post(client, "refresh", {"refresh_token": rotated["refresh_token"]})
    assert_error(after, 401, "not_authenticated")
    me = client.get("/api/v1/auth/me", headers=bearer(rotated["access_token"]))
    assert_error(me, 401, "not_authenticated")


def test_reuse_spares_other_sign_ins(client):
    make_user()
    laptop = login(client).json()
    phone = login(client).json()
    post(client, "refresh", {"refresh_token": laptop["refresh_token"]})

    post(client, "refresh", {"refresh_token": laptop["refresh_token"]})

    response = post(client, "refresh", {"refresh_token": phone["refresh_token"]})
    assert response.status_code == 200


def test_logout_revokes_family(client):
    make_user()
    tokens = login(client).json()

    response = post(client, "logout", {"refresh_token": tokens["refresh_token"]})

    assert response.status_code == 204
    again = post(client, "refresh", {"refresh_token": tokens["refresh_token"]})
    assert_error(again, 401, "not_authenticated")
    me = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert_error(me, 401, "not_authenticated")


def test_logout_rejects_unknown_token(client):
    response = post(client, "logout", {"refresh_token": "rt_unknown"})

    assert_error(response, 401, "not_authenticated")


def test_me_lists_memberships_with_roles(client, organization):
    user = make_member(organization, "editor", "ada")
    other = Organization.objects.create(name="Globex", slug="globex")
    Membership.objects.create(organization=other, user=user, role="viewer")
    tokens = login(client).json()

    response = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))

    assert response.status_code == 200
    roles = {
        item["organization_slug"]: item["role"]
        for item in response.json()["memberships"]
    }
    assert roles == {"acme": "editor", "globex": "viewer"}


def test_me_rejects_api_key(client, organization):
    created = create_api_key(organization, "ci", ["read"])

    response = client.get("/api/v1/auth/me", headers={"X-API-Key": created.secret})

    assert_error(response, 403, "permission_denied")


def test_me_requires_credentials(client):
    response = client.get("/api/v1/auth/me")

    assert_error(response, 401, "not_authenticated")


def test_expired_access_token_gets_401(client, settings):
    make_user()
    settings.STATUSCORE_ACCESS_TOKEN_TTL = -1
    tokens = login(client).json()

    response = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))

    error = assert_error(response, 401, "not_authenticated")
    assert "expired" in error["message"]


def test_tampered_access_token_gets_401(client):
    make_user()
    token = login(client).json()["access_token"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"

    response = client.get("/api/v1/auth/me", headers=bearer(tampered))

    error = assert_error(response, 401, "not_authenticated")
    assert "invalid" in error["message"]


def test_login_rate_limited_per_username(client, settings):
    settings.STATUSCORE_AUTH_LIMIT_PER_USERNAME = 3
    make_user()
    for _ in range(3):
        login(client, "ada", "wrong password")

    response = login(client, "ADA", PASSWORD)

    assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1
    assert login(client, "grace", PASSWORD).status_code == 401


def test_login_rate_limited_per_client(client, settings):
    settings.STATUSCORE_AUTH_LIMIT_PER_CLIENT = 3
    for name in ("a1", "a2", "a3"):
        login(client, name)

    response = login(client, "a4")

    assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1
    other = client.post(
        "/api/v1/auth/login",
        {"username": "a5", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.7",
    )
    assert other.status_code == 401


def test_register_rate_limited(client, settings):
    settings.STATUSCORE_AUTH_LIMIT_PER_CLIENT = 2
    for number in range(2):
        post(
            client,
            "register",
            {"username": f"u{number}", "email": "x", "password": "1"},
        )

    response = post(
        client,
        "register",
        {"username": "ada", "email": "ada@example.test", "password": PASSWORD},
    )

    assert_error(response, 429, "rate_limited")
    assert "Retry-After" in response
    assert not get_user_model().objects.exists()


def test_refresh_rate_limited(client, settings):
    settings.STATUSCORE_AUTH_LIMIT_PER_CLIENT = 2
    for _ in range(2):
        post(client, "refresh", {"refresh_token": "rt_guess"})

    response = post(client, "refresh", {"refresh_token": "rt_guess"})

    assert_error(response, 429, "rate_limited")
    assert "Retry-After" in response


@pytest.mark.parametrize("path", ["login", "refresh", "register"])
def test_token_responses_not_cached(client, path):
    make_user()
    tokens = login(client).json()
    bodies = {
        "login": {"username": "ada", "password": PASSWORD},
        "refresh": {"refresh_token": tokens["refresh_token"]},
        "register": {
            "username": "grace",
            "email": "grace@example.test",
            "password": PASSWORD,
        },
    }

    response = post(client, path, bodies[path])

    assert response.status_code in (200, 201)
    assert response["Cache-Control"] == "no-store"


def test_register_closed_unless_opened(client, settings):
    del settings.STATUSCORE_API_REGISTRATION

    response = post(
        client,
        "register",
        {"username": "ada", "email": "ada@example.test", "password": PASSWORD},
    )

    assert_error(response, 403, "permission_denied")
    assert not get_user_model().objects.exists()


def test_registration_setting_defaults_to_closed():
    from statussite.settings import base

    assert base.STATUSCORE_API_REGISTRATION is False


def test_register_closed_by_setting(client, settings):
    settings.STATUSCORE_API_REGISTRATION = False

    response = post(
        client,
        "register",
        {"username": "ada", "email": "ada@example.test", "password": PASSWORD},
    )

    error = assert_error(response, 403, "permission_denied")
    assert "Registration is closed" in error["message"]
    assert not get_user_model().objects.exists()
