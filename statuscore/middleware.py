"""Middleware for proxy headers and for the hosts the site serves.

Install both at the top of ``MIDDLEWARE``, proxy headers first::

    "statuscore.middleware.ProxyHeadersMiddleware",
    "statuscore.middleware.AllowedHostsMiddleware",

and set Django's ``ALLOWED_HOSTS = ["*"]``, with the site's own host names
in ``STATUSCORE_ALLOWED_HOSTS``. Django's documentation of
``ALLOWED_HOSTS`` advises exactly this when the list is dynamic: ``"*"``
and a validating middleware listed first. Here the dynamic part is the
custom domains of status pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host

from statuscore.hosts import page_for_domain, resolve_forwarded

__all__ = [
    "FORWARDED_PROTO_KEY",
    "MAIN_HOST_ONLY_PATHS",
    "AllowedHostsMiddleware",
    "ProxyHeadersMiddleware",
]

logger = logging.getLogger(__name__)

FORWARDED_PROTO_KEY = "STATUSCORE_FORWARDED_PROTO"
"""``request.META`` key holding the scheme a trusted proxy reported.

Settings point ``SECURE_PROXY_SSL_HEADER`` at it. A client cannot set it,
because Django names every request header's key with an ``HTTP_`` prefix.
"""

PEER_ADDRESS_KEY = "STATUSCORE_PEER_ADDR"
"""``request.META`` key holding the direct peer's address, before
``REMOTE_ADDR`` was replaced with the client a trusted proxy reported."""

FORWARDED_HEADER_KEYS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PROTO",
)

MAIN_HOST_ONLY_PATHS = (
    "/admin/",
    "/django-admin/",
    "/pages/",
    "/api/v1/",
    "/api/docs",
    "/api/openapi.json",
    "/metrics",
    "/auth/",
)
"""Paths for which a page's custom domain returns 404: the admin, the
management API, the main-domain page paths and sign-in with Google. A
custom domain serves its page, the page's public JSON and subscriptions."""


class ProxyHeadersMiddleware:
    """Apply ``X-Forwarded-For``, ``-Host`` and ``-Proto`` from trusted
    proxies, and drop them from everyone else.

    For a peer in ``TRUSTED_PROXIES``, ``REMOTE_ADDR`` becomes the client's
    address, ``HTTP_HOST`` the forwarded host, and the forwarded scheme is
    stored under :data:`FORWARDED_PROTO_KEY`. The three headers are then
    removed from ``request.META`` in every case, so that no later code
    reads them without this check.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        meta.pop(FORWARDED_PROTO_KEY, None)
        peer = meta.get("REMOTE_ADDR", "")
        forwarded = resolve_forwarded(
            peer,
            meta.get("HTTP_X_FORWARDED_FOR"),
            meta.get("HTTP_X_FORWARDED_HOST"),
            meta.get("HTTP_X_FORWARDED_PROTO"),
        )
        for key in FORWARDED_HEADER_KEYS:
            meta.pop(key, None)

        meta[PEER_ADDRESS_KEY] = peer
        meta["REMOTE_ADDR"] = forwarded.client
        if forwarded.host:
            meta["HTTP_HOST"] = forwarded.host
        if forwarded.scheme:
            meta[FORWARDED_PROTO_KEY] = forwarded.scheme
        return self.get_response(request)


def configured_hosts() -> list[str]:
    """Return the site's own host patterns, in ``ALLOWED_HOSTS`` syntax."""
    hosts = getattr(settings, "STATUSCORE_ALLOWED_HOSTS", None)
    if hosts is None:
        hosts = settings.ALLOWED_HOSTS
    return list(hosts)


class AllowedHostsMiddleware:
    """Reject with 400 a host that is neither the site's nor a page's domain.

    A host that matches ``STATUSCORE_ALLOWED_HOSTS`` (with Django's rules:
    ``.example.com`` covers subdomains, ``*`` anything) is the main site.
    A host that is a page's ``domain`` is that page's custom domain: the
    request gets ``request.custom_domain_page`` (the core page), and the
    paths of :data:`MAIN_HOST_ONLY_PATHS` answer 404 there, so the admin
    never shows on a page's domain. Any other host raises ``DisallowedHost``,
    which Django answers with 400 and logs as it does for ``ALLOWED_HOSTS``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # get_host() still rejects a malformed Host header with "*" allowed.
        host = request.get_host()
        domain, _port = split_domain_port(host)
        request.custom_domain_page = None
        if validate_host(domain, configured_hosts()):
            return self.get_response(request)

        try:
            page = page_for_domain(domain)
        except DatabaseError:
            # Without the database no page can be served; the host is
            # rejected as unknown rather than failing with a server error.
            logger.warning("Domain %r not looked up: database error", domain)
            page = None
        if page is None:
            raise DisallowedHost(
                f"Invalid HTTP_HOST header: {host!r}. It is neither in "
                "ALLOWED_HOSTS nor the domain of a status page."
            )
        request.custom_domain_page = page
        if request.path_info.startswith(MAIN_HOST_ONLY_PATHS):
            raise Http404("This address is not served on a status page's domain.")
        return self.get_response(request)
