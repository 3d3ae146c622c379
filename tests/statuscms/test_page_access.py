"""Private status pages: what the page, its routes and its JSON answer to
visitors without the password, sign-in or address the page asks for."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from statuscore import services
from statuscore.models import Page

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
MEMBER_PASSWORD = "a long member password"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def private_page(status_page, page, component) -> Page:
    """The ``status_page`` at ``/``, readable with ``PASSWORD``."""
    return services.update_page(page, access="password", password=PASSWORD)


@pytest.fixture
def members_page(status_page, page, component) -> Page:
    return services.update_page(page, access="members")


def make_user(name: str):
    return get_user_model().objects.create_user(name, password=MEMBER_PASSWORD)


def enter_password(client: Client, password: str = PASSWORD, next_url: str = "/"):
    return client.post("/password/", {"password": password, "next": next_url})


def test_public_page_is_indexable(client, status_page, component):
    response = client.get("/")

    assert "X-Robots-Tag" not in response
    assert b'name="robots"' not in response.content


def test_password_page_asks_for_password(client, private_page):
    response = client.get("/")

    assert response.status_code == 403
    assert b'type="password"' in response.content
    assert b"API" not in response.content


def test_private_page_sends_noindex_header(client, private_page):
    response = client.get("/")

    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_private_page_sends_noindex_meta(client, private_page):
    response = client.get("/")

    assert b'<meta name="robots" content="noindex">' in response.content


def test_private_page_is_not_cached_by_others(client, private_page):
    response = client.get("/")

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_wrong_password_refused_with_message(client, private_page):
    response = enter_password(client, "not the password")

    assert response.status_code == 403
    assert b"This password is not correct." in response.content


def test_right_password_opens_page(client, private_page):
    response = enter_password(client)
    page = client.get("/")

    assert response.status_code == 303
    assert response["Location"] == "/"
    assert page.status_code == 200
    assert b"API" in page.content


def test_opened_page_stays_private(client, private_page):
    enter_password(client)

    response = client.get("/")

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_password_rotates_session_cookie(client, private_page):
    client.get("/password/")
    client.session.save()
    before = client.cookies["sessionid"].value

    enter_password(client)

    assert client.cookies["sessionid"].value != before


def test_password_redirect_stays_on_site(client, private_page):
    response = enter_password(client, next_url="https://evil.test/")

    assert response["Location"] == "/"


def test_password_attempts_are_limited(client, private_page):
    for _ in range(10):
        enter_password(client, "not the password")

    response = enter_password(client)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many attempts" in response.content


def test_password_form_requires_csrf_token(private_page):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/password/", {"password": PASSWORD})

    assert response.status_code == 403
    assert b"API" not in client.get("/").content


def test_new_password_locks_out_old_sessions(client, private_page):
    enter_password(client)

    services.update_page(private_page, password="a brand new password")

    assert client.get("/").status_code == 403


@pytest.mark.parametrize("path", ["/history/", "/incidents/1/"])
def test_private_routes_are_denied(client, private_page, path):
    response = client.get(path)

    assert response.status_code == 403
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_subscribe_form_post_is_denied(client, private_page):
    response = client.post("/", {"notifier": "email", "email-to": "a@example.test"})

    assert response.status_code == 403
    assert not private_page.subscribers.exists()


def test_private_json_is_denied(client, private_page):
    response = client.get("/api/v2/summary.json")

    assert response.status_code == 403
    assert "components" not in response.json()
    assert "Access-Control-Allow-Origin" not in response


def test_private_json_follows_password_session(client, private_page):
    enter_password(client)

    response = client.get("/api/v2/summary.json")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Access-Control-Allow-Origin" not in response


def test_private_subscribe_api_is_denied(client, private_page):
    response = client.post(
        "/api/v2/subscribers",
        {"notifier": "email", "config": {"to": "a@example.test"}},
        content_type="application/json",
    )

    assert response.status_code == 403


def test_members_page_redirects_to_sign_in(client, members_page):
    response = client.get("/history/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fhistory%2F"


def test_member_signs_in_and_reads_page(client, members_page, organization):
    user = make_user("member")
    services.add_member(organization, user, "viewer")

    response = client.post(
        "/sign-in/",
        {"username": "member", "password": MEMBER_PASSWORD, "next": "/"},
    )

    assert response.status_code == 303
    assert b"API" in client.get("/").content


def test_non_member_gets_403_without_content(client, members_page):
    client.force_login(make_user("stranger"))

    response = client.get("/")

    assert response.status_code == 403
    assert b"API" not in response.content
    assert b"not a member" in response.content


def test_wrong_sign_in_is_refused(client, members_page):
    make_user("member")

    response = client.post("/sign-in/", {"username": "member", "password": "nope"})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_address_outside_allowlist_gets_403(status_page, page, component):
    services.update_page(page, ip_allowlist=["192.0.2.0/24"])

    response = Client(REMOTE_ADDR="198.51.100.4").get("/")

    assert response.status_code == 403
    assert b"API" not in response.content
    assert b"network address" in response.content


def test_address_inside_allowlist_reads_page(status_page, page, component):
    services.update_page(page, ip_allowlist=["192.0.2.0/24", "2001:db8::/32"])

    response = Client(REMOTE_ADDR="2001:db8::7").get("/")

    assert response.status_code == 200
    assert b"API" in response.content


def test_forwarded_for_from_untrusted_peer_cannot_pass_allowlist(
    status_page, page, component, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    services.update_page(page, ip_allowlist=["192.0.2.0/24"])

    response = Client(REMOTE_ADDR="198.51.100.4").get(
        "/", HTTP_X_FORWARDED_FOR="192.0.2.5"
    )

    assert response.status_code == 403


def test_forwarded_for_from_trusted_proxy_passes_allowlist(
    status_page, page, component, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    services.update_page(page, ip_allowlist=["192.0.2.0/24"])

    response = Client(REMOTE_ADDR="10.0.0.1").get("/", HTTP_X_FORWARDED_FOR="192.0.2.5")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/password/", "/sign-in/"])
def test_public_page_has_no_access_forms(client, status_page, path):
    assert client.get(path).status_code == 404
