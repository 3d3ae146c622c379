"""Who may read a page: the access rule, its fields and their validation."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from statuscore import services
from statuscore.access import (
    check_access,
    check_scope_access,
    grant_password_access,
    is_public,
)
from statuscore.exceptions import ValidationFailed
from statuscore.models import Organization, OutboxEvent, Page, PageAccess

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def organization() -> Organization:
    return services.create_organization("Acme", "acme")


@pytest.fixture
def page(organization) -> Page:
    return services.create_page(organization, "Acme Status", "acme")


def make_request(address: str = "192.0.2.10", session=None, user=None):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    request.session = session if session is not None else SessionStore()
    if user is not None:
        request.user = user
    return request


def make_user(name: str, **extra):
    return get_user_model().objects.create_user(name, password="x" * 12, **extra)


def test_new_page_is_public(page):
    assert is_public(page)


def test_page_with_allowlist_is_not_public(page):
    page = services.update_page(page, ip_allowlist=["192.0.2.0/24"])

    assert not is_public(page)


def test_password_is_stored_as_a_hash(page):
    page = services.update_page(page, access="password", password=PASSWORD)

    assert page.access_password != PASSWORD
    assert check_password(PASSWORD, page.access_password)


def test_password_mode_needs_a_password(page):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, access="password")

    assert list(raised.value.errors) == ["password"]


def test_short_password_rejected_naming_field(page):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, access="password", password="short")

    assert list(raised.value.errors) == ["password"]
    assert Page.objects.get(pk=page.pk).access == PageAccess.PUBLIC


def test_unknown_access_mode_rejected(page):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, access="secret")

    assert list(raised.value.errors) == ["access"]


@pytest.mark.parametrize(
    "entries",
    [["not an address"], ["10.0.0.5/8"], ["192.0.2.0/33"], "192.0.2.1", [1]],
)
def test_invalid_allowlist_rejected_naming_field(page, entries):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, ip_allowlist=entries)

    assert list(raised.value.errors) == ["ip_allowlist"]


@pytest.mark.parametrize("entry", ["fe80::1%eth0", "fe80::%1/64"])
def test_allowlist_entry_with_zone_rejected_naming_it(page, entry):
    with pytest.raises(ValidationFailed) as raised:
        services.update_page(page, ip_allowlist=["192.0.2.0/24", entry])

    assert repr(entry) in raised.value.errors["ip_allowlist"][0]


def test_allowlist_stored_in_normal_form(page):
    page = services.update_page(
        page, ip_allowlist=["192.0.2.7", " 2001:db8::/32", "192.0.2.7/32"]
    )

    assert page.ip_allowlist == ["192.0.2.7", "2001:db8::/32"]


def test_access_change_writes_page_event(page):
    services.update_page(page, access="password", password=PASSWORD)

    event = OutboxEvent.objects.filter(kind="page.updated", page=page).get()
    assert event.payload["fields"] == ["access", "access_password"]
    assert PASSWORD not in str(event.payload)


def test_public_page_allows_anyone(page):
    assert check_access(make_request(), page).allowed


def test_password_page_denies_without_password(page):
    page = services.update_page(page, access="password", password=PASSWORD)

    decision = check_access(make_request(), page)

    assert not decision.allowed
    assert decision.reason == "password"


def test_password_grant_allows_same_session(page):
    page = services.update_page(page, access="password", password=PASSWORD)
    request = make_request()

    grant_password_access(request, page)

    assert check_access(make_request(session=request.session), page).allowed


def test_password_grant_rotates_session_key(page):
    page = services.update_page(page, access="password", password=PASSWORD)
    request = make_request()
    request.session.save()
    before = request.session.session_key

    grant_password_access(request, page)

    assert request.session.session_key != before


def test_password_grant_covers_one_page(organization, page):
    page = services.update_page(page, access="password", password=PASSWORD)
    other = services.create_page(
        organization, "Other", "other", access="password", password=PASSWORD
    )
    request = make_request()

    grant_password_access(request, page)

    assert not check_access(make_request(session=request.session), other).allowed


def test_new_password_revokes_earlier_grants(page):
    page = services.update_page(page, access="password", password=PASSWORD)
    request = make_request()
    grant_password_access(request, page)

    page = services.update_page(page, password="another password")

    assert not check_access(make_request(session=request.session), page).allowed


def test_members_page_denies_anonymous(page):
    page = services.update_page(page, access="members")

    decision = check_access(make_request(), page)

    assert decision.reason == "members"


def test_members_page_denies_non_member(page):
    page = services.update_page(page, access="members")

    decision = check_access(make_request(user=make_user("stranger")), page)

    assert decision.reason == "members"


def test_members_page_allows_member(organization, page):
    page = services.update_page(page, access="members")
    user = make_user("viewer")
    services.add_member(organization, user, "viewer")

    assert check_access(make_request(user=user), page).allowed


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("192.0.2.77", True),
        ("198.51.100.1", False),
        ("2001:db8::5", True),
        ("2001:db9::5", False),
        ("::ffff:192.0.2.1", True),
        ("", False),
    ],
)
def test_allowlist_decides_by_client_address(page, address, allowed):
    page = services.update_page(page, ip_allowlist=["192.0.2.0/24", "2001:db8::/32"])

    decision = check_access(make_request(address=address), page)

    assert decision.allowed is allowed


def test_allowlist_applies_to_members(organization, page):
    page = services.update_page(page, access="members", ip_allowlist=["192.0.2.0/24"])
    user = make_user("member")
    services.add_member(organization, user, "owner")

    decision = check_access(make_request("198.51.100.1", user=user), page)

    assert decision.reason == "ip"


def test_scope_access_reads_session_and_client(page):
    page = services.update_page(
        page, access="password", password=PASSWORD, ip_allowlist=["192.0.2.0/24"]
    )
    request = make_request()
    grant_password_access(request, page)
    scope = {
        "type": "websocket",
        "client": ("192.0.2.9", 50000),
        "headers": [],
        "session": request.session,
    }

    assert check_scope_access(scope, page).allowed


def test_scope_access_denies_outside_allowlist(page):
    page = services.update_page(page, ip_allowlist=["192.0.2.0/24"])
    scope = {"type": "websocket", "client": ("203.0.113.9", 50000), "headers": []}

    assert check_scope_access(scope, page).reason == "ip"


def test_scope_access_ignores_forwarded_for_from_untrusted_peer(page, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    page = services.update_page(page, ip_allowlist=["192.0.2.0/24"])
    scope = {
        "type": "websocket",
        "client": ("203.0.113.9", 50000),
        "headers": [(b"x-forwarded-for", b"192.0.2.9")],
    }

    assert check_scope_access(scope, page).reason == "ip"


def test_scope_access_honours_forwarded_for_from_trusted_proxy(page, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    page = services.update_page(page, ip_allowlist=["192.0.2.0/24"])
    scope = {
        "type": "websocket",
        "client": ("10.0.0.1", 50000),
        "headers": [(b"x-forwarded-for", b"192.0.2.9")],
    }

    assert check_scope_access(scope, page).allowed
