"""The endpoint Caddy's on-demand TLS asks before it obtains a certificate."""

from __future__ import annotations

import pytest

from statuscore import services

ASK = "/tls/ask"


@pytest.fixture
def base_url(settings):
    settings.BASE_URL = "https://status.main.test"


def ask(client, domain: str | None):
    data = {} if domain is None else {"domain": domain}
    return client.get(ASK, data)


def test_tls_ask_allows_page_domain(client, page):
    response = ask(client, "status.acme.test")

    assert response.status_code == 200


def test_tls_ask_allows_base_url_host(client, db, base_url):
    response = ask(client, "status.main.test")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "domain", ["Status.ACME.test", "status.acme.test.", " status.acme.test "]
)
def test_tls_ask_allows_spellings_of_same_host(client, page, domain):
    response = ask(client, domain)

    assert response.status_code == 200


def test_tls_ask_allows_unicode_domain_asked_in_ascii(client, organization):
    services.create_page(organization, "Bücher", "buecher", domain="status.bücher.test")

    response = ask(client, "status.xn--bcher-kva.test")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "domain", ["unknown.acme.test", "acme.test", "status.acme.test.evil.test"]
)
def test_tls_ask_refuses_unknown_domain(client, page, base_url, domain):
    response = ask(client, domain)

    assert response.status_code == 404


def test_tls_ask_refuses_domain_of_deleted_page(client, page):
    page.delete()

    response = ask(client, "status.acme.test")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "domain",
    [
        None,
        "",
        "   ",
        "127.0.0.1",
        "203.0.113.7",
        "[::1]",
        "::1",
        "status.acme.test:443",
        "https://status.acme.test/",
        "status.acme.test..",
        "localhost",
        "a" * 64 + ".test",
        ("a" * 60 + ".") * 4 + "example.test",
        "x" * 10_000,
    ],
)
def test_tls_ask_rejects_malformed_domain(client, page, domain):
    response = ask(client, domain)

    assert response.status_code == 400
    assert response.json()["field"] == "domain"


def test_tls_ask_rejects_post(client, page):
    response = client.post(ASK, {"domain": "status.acme.test"})

    assert response.status_code == 405


def test_tls_ask_is_not_cached(client, page):
    response = ask(client, "status.acme.test")

    assert "no-cache" in response["Cache-Control"]
