"""Members-only pages with Google sign-in: the page's sign-in form starts
Google's flow and returns the member to the page they asked for."""

# The shared fixtures are imported by name, and pytest passes them back as
# parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model

from statuscms.setup import ensure_status_page
from statuscore import services
from tests.statussite.test_google_sign_in import (  # noqa: F401
    _mock_google,
    _userinfo,
    google,
    google_api,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_page(organization):
    core = services.create_page(organization, "Internal", "internal")
    services.create_component(core, "Ledger")
    core = services.update_page(core, access="members")
    return ensure_status_page(core)


@pytest.fixture
def member(organization):
    user = get_user_model().objects.create_user("ada", "ada@example.test", "x")
    services.add_member(organization, user, "viewer")
    return user


def test_sign_in_form_offers_google(client, google, members_page):
    response = client.get("/sign-in/?next=/history/")

    assert b"Sign in with Google" in response.content
    assert b'action="/auth/login/google-oauth2/"' in response.content


def test_google_member_returns_to_page(
    client, google, google_api, members_page, member
):
    begin = client.post("/auth/login/google-oauth2/", {"next": "/history/"})
    state = parse_qs(urlsplit(begin["Location"]).query)["state"][0]
    _mock_google(google_api, _userinfo("ada@example.test"))

    done = client.get(
        "/auth/complete/google-oauth2/",
        {"state": state, "code": "4/test-authorization-code"},
    )

    assert done.status_code == 302
    assert done["Location"] == "/history/"
    assert b"Ledger" in client.get("/").content
