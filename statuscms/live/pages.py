"""Find the status page that a WebSocket's host and path stand for.

The socket of the page served at ``https://<host>/<path>`` is
``wss://<host>/ws/live/<path>``. The page is found by the routing that
serves it over HTTP: Wagtail's site for the host, then the page tree. So
a socket reaches a page only on the hosts and paths where the page itself
is served, custom domains included.
"""

from __future__ import annotations

import io
import logging

from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest
from wagtail.models import Site

from statuscms.models import StatusPage
from statuscore.hosts import request_host_from_scope

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
    site = Site.find_for_request(request)
    if site is None:
        return None

    components = [part for part in request.path.split("/") if part]
    try:
        route = site.root_page.specific.route(request, components)
    except Http404:
        return None

    page = route.page
    if not isinstance(page, StatusPage) or not route.args:
        return None
    view = route.args[0]
    if view != page.main_route:
        return None
    return page
