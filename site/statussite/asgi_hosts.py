"""Host and origin checks for WebSocket connections.

HTTP requests are checked by ``statuscore.middleware.AllowedHostsMiddleware``.
WebSocket connections skip Django's middleware, so this ASGI wrapper applies
the same rule to them, with the host resolved by
``statuscore.hosts.request_host_from_scope`` (``X-Forwarded-Host`` only
from trusted proxies). It replaces Channels' ``AllowedHostsOriginValidator``,
which would allow every origin, because Django's ``ALLOWED_HOSTS`` is
``"*"`` in this project.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.http.request import split_domain_port

from statuscore.hosts import is_allowed_host, request_host_from_scope

__all__ = ["WebSocketHostValidator"]

logger = logging.getLogger(__name__)


def _origin_host(scope: dict) -> str | None:
    """Return the normalised host of the ``Origin`` header, "" when the
    header is malformed, or None when there is none."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"origin":
            netloc = urlsplit(value.decode("latin-1")).netloc
            return split_domain_port(netloc)[0] if netloc else ""
    return None


class WebSocketHostValidator:
    """Reject a WebSocket connection whose host the site does not serve,
    or whose ``Origin`` is another host.

    A browser always sends ``Origin``; a page on a foreign site must not
    open a connection that carries the visitor's cookies. Clients that
    send no ``Origin`` (scripts) are checked by host alone. A rejected
    connection is closed before it is accepted, which servers send as
    HTTP 403.
    """

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.application(scope, receive, send)

        host = request_host_from_scope(scope)
        origin = _origin_host(scope)
        allowed = await sync_to_async(is_allowed_host)(host)
        if allowed and origin is not None and origin != host:
            allowed = False
        if not allowed:
            logger.info("WebSocket to host %r from origin %r rejected", host, origin)
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 1008})
            return None
        return await self.application(scope, receive, send)
