"""Hosts, proxies and custom domains: which page a request reaches, and
which host names the site answers to at all."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from wagtail.models import Site

from statuscms.setup import ensure_status_page
from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.hosts import (
    client_address_from_scope,
    request_host_from_scope,
    scheme_from_scope,
)
from statuscore.middleware import ProxyHeadersMiddleware
from statuscore.models import Organization

pytestmark = pytest.mark.django_db

MAIN_HOST = "main.example.test"
PROXY = "10.0.0.1"
CUSTOM_DOMAIN = "status.example.test"


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.STATUSCORE_ALLOWED_HOSTS = [MAIN_HOST, "127.0.0.1"]
    settings.TRUSTED_PROXIES = [PROXY]
    settings.BASE_URL = f"https://{MAIN_HOST}"
    cache.clear()


@pytest.fixture
def organization() -> Organization:
    return services.create_organization("Acme", "acme")


@pytest.fixture
def main_page(organization):
    """The default site's page, served at the main host."""
    core = services.create_page(organization, "Main Board", "main")
    return ensure_status_page(core)


@pytest.fixture
def custom_page(organization, main_page):
    """Page P, on its own domain."""
    core = services.create_page(
        organization,
        "Payments Status",
        "payments",
        domain=CUSTOM_DOMAIN,
        url=f"https://{CUSTOM_DOMAIN}/",
    )
    services.update_page(core, subscriber_notifiers=["email"])
    return ensure_status_page(core, make_site_root=False)


def get(path: str = "/", *, peer: str = "192.0.2.50", **headers):
    return Client(REMOTE_ADDR=peer).get(path, **headers)


def shows_custom_page(response) -> bool:
    return response.status_code == 200 and b"Payments Status" in response.content


def test_custom_domain_serves_its_page(custom_page):
    response = get(HTTP_HOST=CUSTOM_DOMAIN)

    assert shows_custom_page(response)


def test_forwarded_host_from_trusted_proxy_serves_page(custom_page):
    response = get(
        peer=PROXY, HTTP_HOST="127.0.0.1:8000", HTTP_X_FORWARDED_HOST=CUSTOM_DOMAIN
    )

    assert shows_custom_page(response)


def test_forwarded_host_from_untrusted_peer_is_ignored(custom_page):
    response = get(
        peer="203.0.113.7",
        HTTP_HOST="127.0.0.1:8000",
        HTTP_X_FORWARDED_HOST=CUSTOM_DOMAIN,
    )

    assert response.status_code == 200
    assert b"Payments Status" not in response.content
    assert b"Main Board" in response.content


def test_host_with_case_port_and_dot_serves_page(custom_page):
    response = get(HTTP_HOST="STATUS.EXAMPLE.TEST.:443")

    assert shows_custom_page(response)


@pytest.mark.parametrize("path", ["/", "/admin/", "/admin/login/"])
def test_unknown_host_is_400_without_admin(custom_page, path):
    response = get(path, HTTP_HOST="evil.test")

    assert response.status_code == 400
    assert b"admin" not in response.content.lower()


def test_forwarded_unknown_host_from_proxy_is_400(custom_page):
    response = get(peer=PROXY, HTTP_HOST=MAIN_HOST, HTTP_X_FORWARDED_HOST="evil.test")

    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/pages/main/"])
def test_custom_domain_does_not_serve_main_site_paths(custom_page, path):
    response = get(path, HTTP_HOST=CUSTOM_DOMAIN)

    assert response.status_code == 404


def test_main_host_serves_admin_login(custom_page):
    response = get("/admin/login/", HTTP_HOST=MAIN_HOST)

    assert response.status_code == 200


def test_custom_domain_serves_its_json(custom_page):
    response = get("/api/v2/summary.json", HTTP_HOST=CUSTOM_DOMAIN)

    assert response.json()["page"]["name"] == "Payments Status"


def test_main_site_path_serves_page(custom_page):
    response = get("/pages/payments/", HTTP_HOST=MAIN_HOST)

    assert shows_custom_page(response)


def test_main_site_path_keeps_links_under_it(custom_page):
    response = get("/pages/payments/", HTTP_HOST=MAIN_HOST)

    assert b'href="/pages/payments/history/"' in response.content


def test_main_site_path_serves_routes(custom_page):
    response = get("/pages/payments/history/", HTTP_HOST=MAIN_HOST)

    assert response.status_code == 200
    assert b"Incident history" in response.content


def test_main_site_path_unknown_slug_is_404(custom_page):
    response = get("/pages/nothing/", HTTP_HOST=MAIN_HOST)

    assert response.status_code == 404


def test_page_without_site_linked_at_main_site_path(organization, main_page):
    core = services.create_page(organization, "Other", "other")
    status_page = ensure_status_page(core, make_site_root=False)

    assert status_page.url.endswith("/pages/other/")


def test_saving_domain_creates_site(custom_page):
    site = Site.objects.get(hostname=CUSTOM_DOMAIN)

    assert site.root_page_id == custom_page.pk
    assert site.root_url == f"https://{CUSTOM_DOMAIN}"


def test_changing_domain_moves_site(custom_page):
    services.update_page(custom_page.core_page, domain="pay.example.test")

    assert not Site.objects.filter(hostname=CUSTOM_DOMAIN).exists()
    assert Site.objects.get(hostname="pay.example.test").root_page_id == custom_page.pk


def test_clearing_domain_deletes_site(custom_page):
    services.update_page(custom_page.core_page, domain="")

    assert not Site.objects.filter(root_page=custom_page).exists()
    assert get(HTTP_HOST=CUSTOM_DOMAIN).status_code == 400


def test_domain_of_another_site_rejected_naming_domain(custom_page, main_page):
    Site.objects.create(hostname="taken.example.test", port=443, root_page=main_page)

    with pytest.raises(ValidationFailed) as raised:
        services.update_page(custom_page.core_page, domain="taken.example.test")

    assert list(raised.value.errors) == ["domain"]
    custom_page.core_page.refresh_from_db()
    assert custom_page.core_page.domain == CUSTOM_DOMAIN


def confirmation_link(smtp_sink, address: str) -> str:
    (message,) = smtp_sink.messages_to(address)
    text = message.message.as_string()
    return re.search(r"https?://[^\s\"'<>]+/subscriptions/confirm/", text).group(0)


def subscribe(peer: str, path: str, address: str, **headers):
    """Post the subscribe form of the page shown at ``path``."""
    from django.urls import reverse

    from statuscms.models import StatusPage

    status_page = StatusPage.objects.get(core_page__slug="payments")
    url = reverse("statuscms-subscribe", args=[status_page.pk])
    return Client(REMOTE_ADDR=peer).post(
        f"{url}?next={path}", {"notifier": "email", "email-to": address}, **headers
    )


def test_confirmation_link_canonical_from_untrusted_peer(
    custom_page, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(
            "203.0.113.7",
            "/",
            "ada@example.test",
            HTTP_HOST=CUSTOM_DOMAIN,
            HTTP_X_FORWARDED_HOST="evil.test",
        )

    assert response.status_code == 302
    link = confirmation_link(smtp_sink, "ada@example.test")
    assert link.startswith(f"https://{CUSTOM_DOMAIN}/subscriptions/confirm/")


def test_confirmation_link_canonical_from_trusted_proxy(
    custom_page, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(
            PROXY,
            "/pages/payments/",
            "bob@example.test",
            HTTP_HOST="127.0.0.1:8000",
            HTTP_X_FORWARDED_HOST=MAIN_HOST,
        )

    assert response.status_code == 302
    link = confirmation_link(smtp_sink, "bob@example.test")
    assert link.startswith(f"https://{CUSTOM_DOMAIN}/subscriptions/confirm/")


def test_forged_host_from_trusted_proxy_sends_nothing(
    custom_page, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(
            PROXY,
            "/",
            "eve@example.test",
            HTTP_HOST=CUSTOM_DOMAIN,
            HTTP_X_FORWARDED_HOST="evil.test",
        )

    assert response.status_code == 400
    assert smtp_sink.messages_to("eve@example.test") == []


def test_confirmation_link_ignores_forged_host_header(
    custom_page, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(
            "203.0.113.7",
            "/pages/payments/",
            "ada@example.test",
            HTTP_HOST="127.0.0.1:8000",
            HTTP_X_FORWARDED_HOST="evil.test",
        )

    assert response.status_code == 302
    link = confirmation_link(smtp_sink, "ada@example.test")
    assert link.startswith(f"https://{CUSTOM_DOMAIN}/subscriptions/confirm/")


def proxied_request(peer: str, **headers):
    request = RequestFactory().get("/", REMOTE_ADDR=peer, **headers)
    seen = {}

    def capture(request):
        seen["request"] = request
        return None

    ProxyHeadersMiddleware(capture)(request)
    return seen["request"]


def test_trusted_proxy_sets_client_host_and_scheme():
    request = proxied_request(
        PROXY,
        HTTP_HOST="127.0.0.1:8000",
        HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.1",
        HTTP_X_FORWARDED_HOST=MAIN_HOST,
        HTTP_X_FORWARDED_PROTO="https",
    )

    assert request.META["REMOTE_ADDR"] == "198.51.100.9"
    assert request.get_host() == MAIN_HOST
    assert request.is_secure()


def test_untrusted_peer_keeps_its_own_values():
    request = proxied_request(
        "203.0.113.7",
        HTTP_HOST="127.0.0.1:8000",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
        HTTP_X_FORWARDED_HOST=MAIN_HOST,
        HTTP_X_FORWARDED_PROTO="https",
    )

    assert request.META["REMOTE_ADDR"] == "203.0.113.7"
    assert request.get_host() == "127.0.0.1:8000"
    assert not request.is_secure()
    assert "HTTP_X_FORWARDED_FOR" not in request.META


def test_forged_leftmost_forwarded_for_is_skipped():
    request = proxied_request(PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.9")

    assert request.META["REMOTE_ADDR"] == "198.51.100.9"


def websocket_scope(peer: str, *headers: tuple[bytes, bytes]) -> dict:
    return {
        "type": "websocket",
        "client": (peer, 40000),
        "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
    }


def test_scope_host_from_trusted_proxy():
    scope = websocket_scope(PROXY, (b"x-forwarded-host", b"STATUS.Example.Test.:443"))

    assert request_host_from_scope(scope) == CUSTOM_DOMAIN


def test_scope_host_ignores_untrusted_forwarded_host():
    scope = websocket_scope(
        "203.0.113.7", (b"x-forwarded-host", CUSTOM_DOMAIN.encode())
    )

    assert request_host_from_scope(scope) == "127.0.0.1"


def test_scope_client_and_scheme_from_trusted_proxy():
    scope = websocket_scope(
        PROXY,
        (b"x-forwarded-for", b"198.51.100.9"),
        (b"x-forwarded-proto", b"https"),
    )

    assert client_address_from_scope(scope) == "198.51.100.9"
    assert scheme_from_scope(scope) == "wss"


def test_main_site_path_subscribe_form_returns_under_it(custom_page):
    response = get("/pages/payments/", HTTP_HOST=MAIN_HOST)

    action = f'action="/subscriptions/page/{custom_page.pk}/?next=/pages/payments/#'
    assert action.encode() in response.content


def test_subscribe_redirects_back_under_main_site_path(
    custom_page, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(
            "192.0.2.50", "/pages/payments/", "ada@example.test", HTTP_HOST=MAIN_HOST
        )

    assert response.status_code == 302
    assert response["Location"] == "/pages/payments/?subscribed=email#subscribe"


def test_subscribe_ignores_next_on_other_host(
    custom_page, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(
            "192.0.2.50", "//evil.test/", "ada@example.test", HTTP_HOST=MAIN_HOST
        )

    assert response.status_code == 302
    assert "evil.test" not in response["Location"]
