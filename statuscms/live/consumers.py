"""The WebSocket consumer that notifies a browser when its page changed."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from statuscms.live.broadcast import group_name, remember_server_loop
from statuscms.live.pages import find_status_page, request_from_scope
from statuscms.live.private import watcher
from statuscms.snapshots.store import store
from statuscore.access import check_scope_access, is_public
from statuscore.hosts import request_host_from_scope
from statuscore.models import Page

__all__ = ["CLOSE_FORBIDDEN", "CLOSE_NOT_FOUND", "PageConsumer"]

logger = logging.getLogger(__name__)

# Close codes in the 4000-4999 range, which RFC 6455 leaves to
# applications. The client does not reconnect after either of them.
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def is_same_origin(scope: dict) -> bool:
    """Return whether the socket was opened by a page of its own host name.

    Browsers send ``Origin`` with every WebSocket handshake, so a page on
    another site cannot open this socket with the visitor's cookies. A
    client without ``Origin`` is not a browser, and is let through here;
    ``AllowedHostsOriginValidator`` in front of the router decides on it.
    """
    origin = _header(scope, b"origin")
    if not origin:
        return True
    return (urlsplit(origin).hostname or "") == request_host_from_scope(scope)


class PageConsumer(AsyncJsonWebsocketConsumer):
    """Send ``{"type": "hello", "version": ...}`` on connect, then
    ``{"type": "changed", "version": ...}`` after each change of the page.

    The URL route gives ``page_path``, the path of the page whose changes
    the browser wants. The socket is accepted and then closed with
    ``CLOSE_NOT_FOUND`` when no status page is served there, and with
    ``CLOSE_FORBIDDEN`` when the visitor may not read it or ``Origin`` is
    another site. Accepting first lets the browser see the close code; a
    refused handshake would show only a failed connection, which the client
    retries.
    """

    core_page_id: int | None = None
    group: str | None = None
    public = True
    watching = False

    async def connect(self) -> None:
        await self.accept()

        path = "/" + self.scope["url_route"]["kwargs"]["page_path"]
        request = request_from_scope(self.scope, path)
        core_page = await database_sync_to_async(self._find_core_page)(request)
        if core_page is None:
            logger.info("Live socket closed: no status page at %s", path)
            await self.close(code=CLOSE_NOT_FOUND)
            return

        if not is_same_origin(self.scope) or not await self._allowed(core_page):
            logger.info("Live socket of page %s closed: access denied", core_page.pk)
            await self.close(code=CLOSE_FORBIDDEN)
            return

        self.core_page_id = core_page.pk
        self.public = await database_sync_to_async(is_public)(core_page)
        self.group = group_name(core_page.pk)
        remember_server_loop()
        await self.channel_layer.group_add(self.group, self.channel_name)
        if not self.public:
            watcher.watch(core_page.pk)
            self.watching = True

        version = store.version(core_page.pk)
        await self.send_json({"type": "hello", "version": version})

    async def disconnect(self, code: int) -> None:
        if self.watching:
            watcher.unwatch(self.core_page_id)
            self.watching = False
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Ignore what the browser sends; the protocol is one-way."""

    async def page_changed(self, event: dict) -> None:
        """Forward a ``page.changed`` group message to the browser.

        A socket of a page that was not public when it connected checks
        access again first, so a member removed from the organisation or a
        changed password stops the notices. A public page's sockets skip
        the check, which would cost a query per visitor; the page's content
        itself is fetched over HTTP, where access is checked every time.
        """
        if not self.public:
            core_page = await Page.objects.filter(pk=self.core_page_id).afirst()
            if core_page is None or not await self._allowed(core_page):
                await self.close(code=CLOSE_FORBIDDEN)
                return
        await self.send_json({"type": "changed", "version": event["version"]})

    @staticmethod
    def _find_core_page(request) -> Page | None:
        status_page = find_status_page(request)
        if status_page is None:
            return None
        return status_page.core_page

    async def _allowed(self, core_page: Page) -> bool:
        decision = await database_sync_to_async(check_scope_access)(
            self.scope, core_page
        )
        return decision.allowed
