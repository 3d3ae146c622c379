"""The ASGI fast path: serve snapshot hits before Django runs.

``SnapshotMiddleware`` wraps the HTTP application. A GET or HEAD whose
host and path (with query) are in the store is served from memory, with
no database query, no Redis and no thread hop. Everything else, and every
request it is unsure about, goes to the wrapped application unchanged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import parse_http_date_safe

from statuscms.snapshots.encodings import choose_encoding
from statuscms.snapshots.refresher import allowed_hosts
from statuscms.snapshots.store import EncodedBody, Snapshot, SnapshotStore, store
from statuscore.hosts import resolve_forwarded, trusted_proxy_networks

__all__ = ["SnapshotMiddleware"]

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Headers that a 304 response repeats, as Django's conditional responses do.
NOT_MODIFIED_HEADERS = frozenset(
    {
        b"cache-control",
        b"content-location",
        b"etag",
        b"expires",
        b"last-modified",
        b"vary",
    }
)

# Host header values already checked; bounded, because clients choose them.
MAX_CACHED_HOSTS = 1024


def _etag_matches(header: str, etag: str) -> bool:
    """Return whether an ``If-None-Match`` value names ``etag`` (weak match)."""
    if header.strip() == "*":
        return True
    strong = etag.removeprefix("W/")
    return any(
        candidate.strip().removeprefix("W/") == strong
        for candidate in header.split(",")
    )


class SnapshotMiddleware:
    """Serve stored snapshots to GET and HEAD, pass the rest to ``app``.

    A snapshot with compressed copies is sent compressed when the
    request's ``Accept-Encoding`` allows it (``encodings.choose_encoding``),
    with that copy's own ETag, which ``If-None-Match`` is compared with.

    The host is normalised as ``HttpRequest.get_host`` does it: lower-cased,
    without a trailing dot. It must match the site's allowed hosts
    (``STATUSCORE_ALLOWED_HOSTS``, else ``ALLOWED_HOSTS``) or have
    snapshots, as a page's custom domain does; otherwise the request goes
    to Django, which responds with 400. ``X-Forwarded-Host``
    and ``X-Forwarded-Proto`` count only from a peer in
    ``TRUSTED_PROXIES``, by ``statuscore.hosts.resolve_forwarded``. When
    Django's own ``USE_X_FORWARDED_HOST`` is on, a request with
    ``X-Forwarded-Host`` goes to Django. A request whose scheme differs
    from the one the snapshots were rendered for goes to Django, so
    ``SECURE_SSL_REDIRECT`` and absolute links keep working.

    ``on_first_request`` is called once, on the first HTTP request; the
    project's ASGI module starts the refresher with it.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        snapshot_store: SnapshotStore = store,
        scheme: str = "http",
        on_first_request: Callable[[], object] | None = None,
    ) -> None:
        self.app = app
        self.store = snapshot_store
        self.scheme = scheme
        self.on_first_request = on_first_request
        self._hosts: dict[bytes, tuple[str, bool] | None] = {}
        self._allowed = allowed_hosts()
        self._forwarded_host = settings.USE_X_FORWARDED_HOST
        self._trusts_proxies = bool(trusted_proxy_networks())
        self._proxy_ssl_header = None
        # Only a header counts here; a META key without the HTTP_ prefix,
        # such as the one ProxyHeadersMiddleware sets, comes from a trusted
        # proxy's X-Forwarded-Proto, which _forwarded() reads.
        name, value = settings.SECURE_PROXY_SSL_HEADER or ("", "")
        if name.startswith("HTTP_"):
            header = name.removeprefix("HTTP_").replace("_", "-").lower()
            self._proxy_ssl_header = (header.encode("latin-1"), value)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if self.on_first_request is not None:
                callback, self.on_first_request = self.on_first_request, None
                callback()
            if scope["method"] in ("GET", "HEAD") and await self._serve(scope, send):
                return
        await self.app(scope, receive, send)

    def _host(self, raw: bytes) -> tuple[str, bool] | None:
        """Return the store's key for a Host header value and whether the
        site's allowed hosts contain it, or None for a malformed host."""
        if raw in self._hosts:
            return self._hosts[raw]
        try:
            host = raw.decode("ascii")
        except UnicodeDecodeError:
            host = ""
        domain, port = split_domain_port(host)
        result = None
        if domain:
            key = f"{domain}:{port}" if port else domain
            result = (key, validate_host(domain, self._allowed))
        if len(self._hosts) < MAX_CACHED_HOSTS:
            self._hosts[raw] = result
        return result

    def _forwarded(
        self, scope: Scope, headers: dict[bytes, bytes]
    ) -> tuple[bytes | None, str | None]:
        """Return the host and scheme a trusted proxy forwarded, if any."""
        if not self._trusts_proxies:
            return None, None
        names = (b"x-forwarded-for", b"x-forwarded-host", b"x-forwarded-proto")
        if not any(name in headers for name in names):
            return None, None
        values = [
            headers[name].decode("latin-1") if name in headers else None
            for name in names
        ]
        client = scope.get("client") or (None, None)
        forwarded = resolve_forwarded(client[0], *values)
        host = forwarded.host.encode("latin-1") if forwarded.host else None
        return host, forwarded.scheme

    def _scheme(
        self, scope: Scope, headers: dict[bytes, bytes], forwarded: str | None
    ) -> str:
        if self._proxy_ssl_header is not None:
            name, secure_value = self._proxy_ssl_header
            value = headers.get(name)
            if value is not None:
                first = value.decode("latin-1").split(",", 1)[0].strip()
                return "https" if first == secure_value else "http"
        return forwarded or scope.get("scheme", "http")

    async def _serve(self, scope: Scope, send: Send) -> bool:
        if scope.get("root_path"):
            return False
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in headers:
                # A repeated header is joined by Django; leave that to it.
                if name == b"host":
                    return False
                headers[name] += b"," + value
            else:
                headers[name] = value
        if self._forwarded_host and b"x-forwarded-host" in headers:
            return False
        forwarded_host, forwarded_scheme = self._forwarded(scope, headers)
        raw_host = forwarded_host or headers.get(b"host")
        if raw_host is None:
            return False
        if self._scheme(scope, headers, forwarded_scheme) != self.scheme:
            return False
        checked = self._host(raw_host)
        if checked is None:
            return False
        host, allowed = checked
        # A page's custom domain is allowed by the database, which the fast
        # path does not read. A host with snapshots passed that check when
        # the refresher rendered them.
        if not allowed and not self.store.has_host(host):
            return False

        path = scope["path"]
        query = scope.get("query_string", b"")
        if query:
            path = f"{path}?{query.decode('latin-1')}"
        entry = self.store.get(host, path)
        if entry is None:
            if allowed:
                self.store.learn_host(host)
            return False

        accept_language = headers.get(b"accept-language")
        snapshot, language = entry.choose(
            accept_language.decode("latin-1") if accept_language else None
        )
        if snapshot is None:
            self.store.learn_language(language)
            return False
        response: Snapshot | EncodedBody = snapshot
        if snapshot.encodings:
            accept_encoding = headers.get(b"accept-encoding")
            coding = choose_encoding(
                accept_encoding.decode("latin-1") if accept_encoding else None,
                tuple(snapshot.encodings),
            )
            if coding is not None:
                response = snapshot.encodings[coding]
        if self._not_modified(headers, snapshot, response.etag):
            await self._send_not_modified(send, response)
        else:
            await self._send(send, response, with_body=scope["method"] == "GET")
        return True

    def _not_modified(
        self, headers: dict[bytes, bytes], snapshot: Snapshot, etag: str
    ) -> bool:
        """Return whether the request's validators match; ``etag`` is that
        of the copy, plain or compressed, that would be sent."""
        if_none_match = headers.get(b"if-none-match")
        if if_none_match is not None:
            return _etag_matches(if_none_match.decode("latin-1"), etag)
        if_modified_since = headers.get(b"if-modified-since")
        if if_modified_since is not None:
            since = parse_http_date_safe(if_modified_since.decode("latin-1"))
            # This server never sends a Last-Modified in the future, so a later
            # date is invalid and the page is served in full.
            if since is None or since > time.time():
                return False
            return int(snapshot.last_modified) <= since
        return False

    async def _send(
        self, send: Send, snapshot: Snapshot | EncodedBody, *, with_body: bool
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": snapshot.headers,
            }
        )
        await send(
            {"type": "http.response.body", "body": snapshot.body if with_body else b""}
        )

    async def _send_not_modified(
        self, send: Send, snapshot: Snapshot | EncodedBody
    ) -> None:
        headers = [
            (name, value)
            for name, value in snapshot.headers
            if name in NOT_MODIFIED_HEADERS
        ]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
