"""Feeds, calendar, badge and widget follow the page's access rule."""

from __future__ import annotations

import pytest

from statuscore import services

PATHS = ["/feed.rss", "/feed.atom", "/maintenances.ics", "/badge.svg", "/embed/"]


@pytest.fixture
def incident(page, status_page):
    return services.create_incident(page, "Private outage", body="Down.")


PRIVATE_MODES = [
    {"access": "members"},
    {"access": "password", "password": "a long page password"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("mode", PRIVATE_MODES, ids=["members", "password"])
@pytest.mark.parametrize("path", PATHS)
def test_private_page_refuses_visitor(client, page, incident, mode, path):
    services.update_page(page, **mode)

    response = client.get(path)

    assert response.status_code == 403
    assert b"Private outage" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("mode", PRIVATE_MODES, ids=["members", "password"])
@pytest.mark.parametrize("path", PATHS)
def test_refusal_is_short_plain_text(client, page, incident, mode, path):
    services.update_page(page, **mode)

    response = client.get(path)

    assert response["Content-Type"].startswith("text/plain")
    assert b"<" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("mode", PRIVATE_MODES, ids=["members", "password"])
@pytest.mark.parametrize("path", PATHS)
def test_refusal_is_marked_noindex(client, page, incident, mode, path):
    services.update_page(page, **mode)

    response = client.get(path)

    assert response["X-Robots-Tag"].startswith("noindex")


@pytest.mark.django_db
def test_members_page_redirects_to_sign_in(client, page, incident):
    services.update_page(page, access="members")

    response = client.get("/")

    assert response.status_code == 302
    assert "sign-in/" in response["Location"]


@pytest.mark.django_db
def test_main_page_of_password_page_still_shows_form(client, page, incident):
    services.update_page(page, access="password", password="a long page password")

    response = client.get("/")

    assert b'name="password"' in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_refusal_is_not_cached(client, page, incident, path):
    services.update_page(page, access="members")

    cache_control = client.get(path)["Cache-Control"]

    assert "private" in cache_control
    assert "no-store" in cache_control


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_members_page_serves_member_privately(client, page, incident, superuser, path):
    services.update_page(page, access="members")
    client.force_login(superuser)

    response = client.get(path)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_ip_allowlist_refuses_other_address(client, page, incident, path):
    services.update_page(page, ip_allowlist=["192.0.2.0/24"])

    response = client.get(path, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 403
    assert b"Private outage" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_ip_allowlist_admits_listed_address(client, page, incident, path):
    services.update_page(page, ip_allowlist=["192.0.2.0/24"])

    response = client.get(path, REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_public_page_files_are_cacheable(client, incident, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")
    assert "X-Robots-Tag" not in response
