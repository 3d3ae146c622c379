"""Render a page's snapshot through Django's own request handling.

Each path is requested with an internal GET that passes through the whole
middleware stack and URL resolver, exactly like a visitor's request, so
the stored bytes and headers are those Django serves. Nothing is sent
over the network.
"""

from __future__ import annotations

import hashlib
import io
import logging
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponseBase
from django.http.request import split_domain_port
from django.utils.cache import cc_delim_re
from django.utils.http import http_date
from wagtail.models import Site
from wagtail.models.sites import get_site_for_hostname

from statuscms.languages import SHIPPED_LANGUAGES
from statuscms.models import StatusPage, main_site_path
from statuscms.snapshots.encodings import compress, encoded_etag
from statuscms.snapshots.paths import API_PREFIX, SNAPSHOT_PATHS
from statuscms.snapshots.store import EncodedBody, Snapshot, SnapshotEntry
from statuscore.models import Component, Page

__all__ = [
    "DEFAULT_CACHE_CONTROL",
    "RenderFailed",
    "SnapshotBuilder",
    "Target",
    "is_public",
    "page_targets",
]

logger = logging.getLogger(__name__)

DEFAULT_CACHE_CONTROL = (
    "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"
)

# Headers that the snapshot sets itself, or that describe one response only.
REPLACED_HEADERS = frozenset(
    {
        "cache-control",
        "content-length",
        "date",
        "etag",
        "expires",
        "last-modified",
        "set-cookie",
    }
)


class RenderFailed(Exception):
    """A path of a page could not be rendered; the old snapshot stays."""


def is_public(page: Page) -> bool:
    """Return whether anyone may read ``page`` without any access rule.

    Delegates to ``statuscore.access.is_public`` when it exists; every page
    is public without it.
    """
    try:
        from statuscore.access import is_public as access_is_public
    except ImportError:
        return True
    return access_is_public(page)


@dataclass(frozen=True)
class Target:
    """One path to render for a page on a host.

    ``path`` includes the query string, if any. ``negotiated`` marks the
    paths of the status page itself, whose language variants are rendered
    whenever Django's response varies by ``Accept-Language``. ``main`` marks
    the status page's main page. ``shared`` marks the v2 JSON, which
    depends only on the page it resolves to, so one rendering serves
    every host and query that resolve to the same page.
    """

    path: str
    negotiated: bool
    main: bool = False
    shared: bool = False


def _host_parts(host: str, scheme: str) -> tuple[str, int]:
    domain, port = split_domain_port(host)
    if port:
        return domain, int(port)
    return domain, 443 if scheme == "https" else 80


def _page_url_on_host(status_page: StatusPage, host: str, scheme: str) -> str | None:
    """Return the path at which Wagtail serves ``status_page`` on ``host``."""
    hostname, port = _host_parts(host, scheme)
    try:
        site = get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None
    root_path = site.root_page.url_path
    if not status_page.url_path.startswith(root_path):
        return None
    return "/" + status_page.url_path[len(root_path) :]


def _expand(path: str, component_ids: list[int]) -> list[str]:
    if "{component_id}" not in path:
        return [path]
    return [path.format(component_id=component_id) for component_id in component_ids]


def page_targets(page: Page, host: str, scheme: str) -> list[Target]:
    """Return the paths to render for ``page`` on ``host``.

    The status page's own paths come from Wagtail's site for the host, and
    on a host that is no page's domain also from ``/pages/<slug>/``. The
    v2 JSON follows ``statuscore.api.pages.resolve_page``: a host that is a
    page's domain serves that page without a query, any other host serves
    each page with ``?page=<slug>``, and also without a query when the
    page is the only one.
    """
    component_ids = sorted(
        Component.objects.filter(page=page).values_list("pk", flat=True)
    )
    status_page = StatusPage.objects.live().filter(core_page=page).first()
    base = None
    if status_page is not None:
        base = _page_url_on_host(status_page, host, scheme)

    hostname, _port = _host_parts(host, scheme)
    domain_page_id = (
        Page.objects.filter(domain__iexact=hostname)
        .values_list("pk", flat=True)
        .first()
    )
    if domain_page_id is None:
        domain_page_id = (
            Page.objects.filter(domain__iexact=f"{hostname}.")
            .values_list("pk", flat=True)
            .first()
        )
    if domain_page_id == page.pk:
        api_queries = [""]
    elif domain_page_id is None:
        api_queries = [f"?page={page.slug}"]
        if Page.objects.count() == 1:
            api_queries.append("")
    else:
        api_queries = []

    # The main site also serves every page under /pages/<slug>/; a page's
    # custom domain does not.
    bases = [base] if base is not None else []
    if status_page is not None and domain_page_id is None:
        main_site_base = main_site_path(page.slug)
        if main_site_base not in bases:
            bases.append(main_site_base)

    targets = []
    for pattern in SNAPSHOT_PATHS:
        for path in _expand(pattern, component_ids):
            if path.startswith(API_PREFIX):
                targets.extend(
                    Target(path + query, False, shared=True) for query in api_queries
                )
            elif path.startswith("/"):
                targets.append(Target(path, False))
            else:
                targets.extend(
                    Target(prefix + path, True, main=path == "" and prefix == bases[0])
                    for prefix in bases
                )
    return targets


def _etag(body: bytes) -> str:
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
    return f'"{digest}"'


def _vary(response: HttpResponseBase) -> list[str]:
    if not response.has_header("Vary"):
        return []
    return [item.strip() for item in cc_delim_re.split(response["Vary"]) if item]


class SnapshotBuilder:
    """Render snapshot entries with a Django request handler of its own.

    Create one per thread, because the handler contains the loaded
    middleware chain.
    """

    def __init__(
        self,
        *,
        scheme: str | None = None,
        cache_control: str | None = None,
        languages: Iterable[str] = SHIPPED_LANGUAGES,
    ) -> None:
        self.scheme = scheme or snapshot_scheme()
        self.cache_control = cache_control or getattr(
            settings, "STATUS_SNAPSHOT_CACHE_CONTROL", DEFAULT_CACHE_CONTROL
        )
        # The language variants to render of pages that vary by language.
        self.languages = list(languages)
        self._handler = BaseHandler()
        self._handler.load_middleware()

    def request(
        self, host: str, path: str, accept_language: str | None = None
    ) -> HttpResponseBase:
        """Send a GET for ``path`` on ``host`` through Django; return its response."""
        path_info, _, query = path.partition("?")
        domain, port = _host_parts(host, self.scheme)
        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path_info,
            "QUERY_STRING": query,
            "SERVER_NAME": domain,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": host,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": self.scheme,
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if accept_language is not None:
            environ["HTTP_ACCEPT_LANGUAGE"] = accept_language
        return self._handler.get_response(WSGIRequest(environ))

    def _snapshot(
        self,
        response: HttpResponseBase,
        previous: Snapshot | None,
        language: str | None,
    ) -> Snapshot:
        body = response.content
        etag = response["ETag"] if response.has_header("ETag") else _etag(body)
        if previous is not None and previous.etag == etag:
            last_modified = previous.last_modified
        else:
            last_modified = time.time()

        # Compressing a large page takes tens of milliseconds; most rebuilds
        # find the body unchanged and keep the copies they have.
        if previous is not None and previous.body == body:
            copies = {c: e.body for c, e in previous.encodings.items()}
        else:
            content_type = response.get("Content-Type", "")
            copies = compress(body, content_type.split(";", 1)[0].strip().lower())

        vary = _vary(response)
        if copies and "accept-encoding" not in {v.lower() for v in vary}:
            vary.append("Accept-Encoding")

        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in response.items()
            if name.lower() not in REPLACED_HEADERS and name.lower() != "vary"
        ]
        if vary:
            headers.append((b"vary", ", ".join(vary).encode("latin-1")))
        common = [
            (b"last-modified", http_date(last_modified).encode()),
            (b"cache-control", self.cache_control.encode("latin-1")),
        ]
        encodings = {}
        for coding, data in copies.items():
            coded_etag = encoded_etag(etag, coding)
            encodings[coding] = EncodedBody(
                body=data,
                etag=coded_etag,
                headers=tuple(
                    headers
                    + [
                        (b"content-encoding", coding.encode()),
                        (b"content-length", str(len(data)).encode()),
                        (b"etag", coded_etag.encode("latin-1")),
                    ]
                    + common
                ),
            )
        headers += [
            (b"content-length", str(len(body)).encode()),
            (b"etag", etag.encode("latin-1")),
            *common,
        ]
        return Snapshot(
            body=body,
            content_type=response.get("Content-Type", ""),
            etag=etag,
            last_modified=last_modified,
            headers=tuple(headers),
            language=language,
            encodings=encodings,
        )

    def _render(self, host: str, path: str, language: str | None) -> HttpResponseBase:
        response = self.request(host, path, language)
        if response.streaming:
            raise RenderFailed(f"{path} on {host} streams its response")
        return response

    def build_entry(
        self,
        core_page_id: int,
        host: str,
        target: Target,
        previous: SnapshotEntry | None = None,
    ) -> SnapshotEntry | None:
        """Render one target; return None when it is not snapshot-safe.

        A response other than 200, or one that sets a cookie or varies by
        cookie, is left to Django. An exception raised while rendering,
        or a 5xx response, raises ``RenderFailed``.
        """
        try:
            response = self._render(host, target.path, None)
        except RenderFailed:
            raise
        except Exception as error:
            raise RenderFailed(f"{target.path} on {host}: {error!r}") from error

        if response.status_code >= 500:
            raise RenderFailed(
                f"{target.path} on {host} returned status {response.status_code}"
            )
        if response.status_code != 200:
            logger.debug(
                "Snapshot of page %s leaves out %s on %s: status %s",
                core_page_id,
                target.path,
                host,
                response.status_code,
            )
            return None
        if response.cookies or "cookie" in {v.lower() for v in _vary(response)}:
            logger.warning(
                "Snapshot of page %s leaves out %s on %s: the response sets "
                "or varies by a cookie",
                core_page_id,
                target.path,
                host,
            )
            return None

        varies = target.negotiated and "accept-language" in {
            v.lower() for v in _vary(response)
        }
        default_language = response.get("Content-Language")
        default = self._snapshot(response, previous and previous.default, None)
        languages = {}
        for code in self.languages if varies else ():
            if code == default_language:
                continue
            try:
                variant = self._render(host, target.path, code)
            except Exception as error:
                raise RenderFailed(
                    f"{target.path} on {host} in {code}: {error!r}"
                ) from error
            if variant.status_code == 200:
                old = previous.languages.get(code) if previous else None
                languages[code] = self._snapshot(variant, old, code)
        return SnapshotEntry(core_page_id, default, languages, default_language, varies)

    def build(
        self,
        page: Page,
        host: str,
        previous: dict[str, SnapshotEntry] | None = None,
        targets: Iterable[Target] | None = None,
        shared: dict[str, SnapshotEntry | None] | None = None,
        done: dict[str, SnapshotEntry | None] | None = None,
    ) -> dict[str, SnapshotEntry]:
        """Render every target of ``page`` on ``host``; return entries by path.

        ``shared`` contains the entries of shared targets by path without the
        query; pass the same dictionary for each host of one page to render
        them once. ``done`` contains entries of this host already rendered
        in this rebuild, by path, which are not rendered again. Raises
        ``RenderFailed`` when any target fails, so that a page's snapshot
        is replaced whole or not at all.
        """
        previous = previous or {}
        shared = {} if shared is None else shared
        done = done or {}
        if targets is None:
            targets = page_targets(page, host, self.scheme)
        entries = {}
        for target in targets:
            key = target.path.partition("?")[0]
            if target.path in done:
                entry = done[target.path]
            elif target.shared and key in shared:
                entry = shared[key]
            else:
                old = previous.get(target.path)
                entry = self.build_entry(page.pk, host, target, old)
                if target.shared:
                    shared[key] = entry
            if entry is not None:
                entries[target.path] = entry
        return entries


def snapshot_scheme() -> str:
    """Return the scheme that snapshots are rendered for, and served to."""
    configured = getattr(settings, "STATUS_SNAPSHOT_SCHEME", "")
    if configured:
        return configured
    return "https" if settings.SECURE_SSL_REDIRECT else "http"
