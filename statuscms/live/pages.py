"""Find the status page that a WebSocket's host and path stand for.

The socket of the page served at ``https://<host>/<path>`` is
``wss://<host>/ws/live/<path>``. The page is found by the routing that
serves it over HTTP: Wagtail's site for the host, then the page tree. So
a socket reaches a page only on the hosts and paths where the page itself
is served, custom domains included.

The main site's host also serves every page at ``/pages/<slug>/``
(``statuscms.page_paths``), so a socket there finds the page by its slug;
a page's custom domain does not serve that path, as over HTTP.
"""

from __future__ import annotations

import io
import logging

from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest
from django.http.request import split_domain_port, validate_host
from wagtail.models import Page, Site

from statuscms.models import MAIN_SITE_PREFIX, StatusPage
from statuscore.hosts import request_host_from_scope
from statuscore.middleware import configured_hosts

__all__ = ["find_status_page", "request_from_scope"]

logger = logging.getLogger(__name__)

# WebSocket schemes and the HTTP schemes of the pages that open them.
HTTP_SCHEMES = {"ws": "http", "wss": "https"}


def request_from_scope(scope: dict, path: str) -> HttpRequest:
    """Build the GET request for ``path`` that the WebSocket's page was
    served for, with the socket's headers, cookies and client address.

    Its ``Host`` is the host the client asked for, which a trusted proxy
    may give in ``X-Forwarded-Host``, as for HTTP requests.
    """
    host = request_host_from_scope(scope)
    headers = [(name, value) for name, value in scope["headers"] if name != b"host"]
    if host:
        headers.append((b"host", host.encode("latin-1")))
    http_scope = {
        **scope,
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": headers,
        "scheme": HTTP_SCHEMES.get(scope.get("scheme", "ws"), "http"),
    }
    return ASGIRequest(http_scope, io.BytesIO())


def find_status_page(request: HttpRequest) -> StatusPage | None:
    """Return the live StatusPage whose main page ``request.path`` is, or None.

    Only the main page has live regions, so an incident page, a history
    month or any other page gives None.
    """
    if request.path.startswith(MAIN_SITE_PREFIX):
        return _find_on_main_site_path(request)

    site = Site.find_for_request(request)
    if site is None:
        return None
    components = [part for part in request.path.split("/") if part]
    return _main_page_at(request, site.root_page.specific, components)


def _find_on_main_site_path(request: HttpRequest) -> StatusPage | None:
    """Return the page at ``/pages/<slug>/...`` on the main site's host;
    None on any other host, which does not serve that path."""
    domain, _port = split_domain_port(request.get_host())
    if not validate_host(domain, configured_hosts()):
        return None
    components = [part for part in request.path.split("/") if part][1:]
    if not components:
        return None
    slug, *rest = components
    status_page = (
        StatusPage.objects.live().filter(core_page__slug=slug).specific().first()
    )
    if status_page is None:
        return None
    return _main_page_at(request, status_page, rest)


def _main_page_at(
    request: HttpRequest, root: Page, components: list[str]
) -> StatusPage | None:
    """Route ``components`` below ``root``; return the StatusPage if they
    lead to its main route, else None."""
    try:
        route = root.route(request, components)
    except Http404:
        return None

    page = route.page
    if not isinstance(page, StatusPage) or not route.args:
        return None
    view = route.args[0]
    if view != page.main_route:
        return None
    return page
