"""Web sign-in with Google, driven through social-auth's real views.

Google's token and userinfo endpoints are mocked at the HTTP level with
``responses``; everything on this side (the state check, the pipeline, the
session) runs as in production.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, clear_url_caches, reverse
from statussite.google import BACKEND, google_settings

pytestmark = pytest.mark.django_db

CLIENT_ID = "client-id.apps.googleusercontent.com"
TOKEN_URL = "https://accounts.google.com/o/oauth2/token"
USERINFO_URL = "https://www.googleapis.com/oauth2/v3/userinfo"
ROOT = Path(__file__).resolve().parents[2]


def _reload_urls() -> None:
    import statussite.urls

    importlib.reload(statussite.urls)
    clear_url_caches()


@pytest.fixture
def google(settings):
    """Google sign-in configured as the settings module would configure it."""
    configured = google_settings(
        CLIENT_ID, "client-secret", create_users=False, base_url="http://testserver"
    )
    for name, value in configured.items():
        setattr(settings, name, value)
    settings.GOOGLE_SIGN_IN = True
    settings.AUTHENTICATION_BACKENDS = [BACKEND, *settings.AUTHENTICATION_BACKENDS]
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "social_django.middleware.SocialAuthExceptionMiddleware",
    ]
    _reload_urls()

    yield settings

    settings.GOOGLE_SIGN_IN = False
    _reload_urls()


@pytest.fixture
def google_api():
    """Google's token and userinfo endpoints; no other host is reachable."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _userinfo(email: str, *, verified: bool = True) -> dict:
    return {
        "sub": "108000000000000000001",
        "email": email,
        "email_verified": verified,
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
    }


def _mock_google(google_api, userinfo: dict) -> None:
    google_api.post(
        TOKEN_URL,
        json={
            "access_token": "ya29.test-access-token",
            "token_type": "Bearer",
            "expires_in": 3599,
            "scope": "openid email profile",
        },
    )
    google_api.get(USERINFO_URL, json=userinfo)


def _sign_in(client, google_api, userinfo: dict):
    """Run begin -> Google -> callback, and return the callback's response."""
    begin = client.post("/auth/login/google-oauth2/")
    assert begin.status_code == 302
    location = urlsplit(begin["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://accounts.google.com/o/oauth2/auth"
    )
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://testserver/auth/complete/google-oauth2/"]

    _mock_google(google_api, userinfo)
    return client.get(
        "/auth/complete/google-oauth2/",
        {"state": query["state"][0], "code": "4/test-authorization-code"},
    )


def test_google_sign_in_logs_existing_user_in(client, google, google_api):
    user = get_user_model().objects.create_user("ada", "Ada@Example.test", "x")

    response = _sign_in(client, google_api, _userinfo("ada@example.test"))

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_google_sign_in_exchanges_code_for_token(client, google, google_api):
    get_user_model().objects.create_user("ada", "ada@example.test", "x")

    _sign_in(client, google_api, _userinfo("ada@example.test"))

    token_calls = [call for call in google_api.calls if call.request.url == TOKEN_URL]
    assert len(token_calls) == 1
    sent = parse_qs(token_calls[0].request.body)
    assert sent["code"] == ["4/test-authorization-code"]
    assert sent["grant_type"] == ["authorization_code"]
    userinfo_call = next(c for c in google_api.calls if c.request.url == USERINFO_URL)
    assert userinfo_call.request.headers["Authorization"] == (
        "Bearer ya29.test-access-token"
    )


def test_google_sign_in_rejects_unknown_email(client, google, google_api):
    get_user_model().objects.create_user("ada", "ada@example.test", "x")

    response = _sign_in(client, google_api, _userinfo("eve@example.test"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == 1
    login_page = client.get(response["Location"])
    assert b"No account uses this Google address" in login_page.content


def test_google_sign_in_rejects_unverified_email(client, google, google_api):
    get_user_model().objects.create_user("ada", "ada@example.test", "x")

    response = _sign_in(
        client, google_api, _userinfo("ada@example.test", verified=False)
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session


def test_google_sign_in_rejects_forged_state(client, google, google_api):
    get_user_model().objects.create_user("ada", "ada@example.test", "x")
    client.post("/auth/login/google-oauth2/")
    _mock_google(google_api, _userinfo("ada@example.test"))

    client.get(
        "/auth/complete/google-oauth2/", {"state": "forged", "code": "4/stolen-code"}
    )

    assert "_auth_user_id" not in client.session
    assert not any(call.request.url == TOKEN_URL for call in google_api.calls)


def test_google_sign_in_creates_user_when_allowed(client, google, google_api):
    google.STATUS_GOOGLE_CREATE_USERS = True

    _sign_in(client, google_api, _userinfo("grace@example.test"))

    user = get_user_model().objects.get(email="grace@example.test")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.memberships.count() == 0


def test_admin_login_page_links_to_google(client, google):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert b"Sign in with Google" in response.content
    assert b'action="/auth/login/google-oauth2/"' in response.content


def test_google_absent_without_settings(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert b"Sign in with Google" not in response.content
    assert client.post("/auth/login/google-oauth2/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("social:begin", args=["google-oauth2"])


def _settings_from_env(**extra: str) -> dict:
    """Import the production settings module in a fresh interpreter."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GOOGLE_OAUTH2_")
    }
    env.update(
        SECRET_KEY="settings-test-secret",
        DJANGO_SETTINGS_MODULE="statussite.settings.base",
        STATUS_VAR_DIR=str(ROOT / "var" / "test"),
        **extra,
    )
    script = (
        "import json; from statussite.settings import base as s; "
        "print(json.dumps({'apps': s.INSTALLED_APPS, "
        "'backends': s.AUTHENTICATION_BACKENDS, 'middleware': s.MIDDLEWARE, "
        "'key': getattr(s, 'SOCIAL_AUTH_GOOGLE_OAUTH2_KEY', None)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "PYTHONPATH": f"{ROOT}:{ROOT / 'site'}"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_leave_google_out_when_unset():
    loaded = _settings_from_env()

    assert "social_django" not in loaded["apps"]
    assert BACKEND not in loaded["backends"]
    assert not any("social_django" in name for name in loaded["middleware"])
    assert loaded["key"] is None


def test_settings_turn_google_on_when_set():
    loaded = _settings_from_env(
        GOOGLE_OAUTH2_CLIENT_ID=CLIENT_ID, GOOGLE_OAUTH2_CLIENT_SECRET="secret"
    )

    assert "social_django" in loaded["apps"]
    assert loaded["backends"][0] == BACKEND
    assert loaded["key"] == CLIENT_ID


def test_settings_reject_half_configured_google():
    with pytest.raises(subprocess.CalledProcessError) as caught:
        _settings_from_env(GOOGLE_OAUTH2_CLIENT_ID=CLIENT_ID)

    assert "GOOGLE_OAUTH2_CLIENT_SECRET" in caught.value.stderr
