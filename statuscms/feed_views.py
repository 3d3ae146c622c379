"""Serve a status page's feeds, calendar, badge and embeddable widget.

These are routes of ``StatusPage`` (see ``statuscms.models``). Each one:

1. applies the page's access rule first (``statuscore.access``), so a
   private page's files are refused, and those it serves carry
   ``Cache-Control: private, no-store`` and ``X-Robots-Tag: noindex``;
2. builds its bytes from the database alone, in the language that
   ``StatusPage.serve`` chose from ``Accept-Language`` and the page's own
   language, so all visitors who send the same header receive the same
   bytes and a snapshot of each language is exact;
3. goes through Django's ``ConditionalGetMiddleware``, which sets an
   ``ETag`` from the content and returns 304 for a matching
   ``If-None-Match``.

Only the embed page may be shown in another site's frame.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.http import ConditionalGetMiddleware
from django.template.response import TemplateResponse
from django.utils.decorators import decorator_from_middleware
from django.utils.translation import gettext

from statuscms.addresses import page_address
from statuscms.badge import build_badge
from statuscms.feeds import AtomIncidentFeed, RssIncidentFeed
from statuscms.labels import status_sentence
from statuscms.maintenance_calendar import build_maintenance_calendar
from statuscore.access import check_access, is_public, mark_private
from statuscore.status import PageStatus
from statuscore.summary import build_status

__all__ = [
    "BADGE_CSP",
    "EMBED_CSP",
    "serve_atom",
    "serve_badge",
    "serve_calendar",
    "serve_embed",
    "serve_rss",
]

logger = logging.getLogger(__name__)

conditional_get = decorator_from_middleware(ConditionalGetMiddleware)

BADGE_CSP = "default-src 'none'; frame-ancestors 'none'"
"""An SVG opened on its own may run script; this badge needs none."""

EMBED_CSP = (
    "default-src 'none'; style-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)
"""The embed page loads one stylesheet and may be framed by any site."""


def _denied(request: HttpRequest, status_page) -> HttpResponse | None:
    """Return a 403 response when the visitor may not read the page, else None.

    Where ``StatusPage.serve`` checks access itself, a refused visitor
    gets the page's own response (a password form, a sign-in link) and
    never reaches this check. This one keeps the files private however
    the view is reached, and its response reveals nothing of the page.
    """
    decision = check_access(request, status_page.core_page)
    if decision.allowed:
        return None

    logger.info(
        "Feed of page %s denied (%s)", status_page.core_page_id, decision.reason
    )
    response = HttpResponseForbidden(
        gettext("This status page is private."),
        content_type="text/plain; charset=utf-8",
    )
    return mark_private(response)


def _finish(response: HttpResponse, status_page) -> HttpResponse:
    """Keep the response of a private page out of shared caches and indexes."""
    if not is_public(status_page.core_page):
        mark_private(response)
    return response


@conditional_get
def serve_rss(request: HttpRequest, status_page) -> HttpResponse:
    """Serve the RSS 2.0 feed of the page's public incident updates."""
    denied = _denied(request, status_page)
    if denied is not None:
        return denied
    return _finish(RssIncidentFeed()(request, status_page=status_page), status_page)


@conditional_get
def serve_atom(request: HttpRequest, status_page) -> HttpResponse:
    """Serve the Atom feed of the page's public incident updates."""
    denied = _denied(request, status_page)
    if denied is not None:
        return denied
    return _finish(AtomIncidentFeed()(request, status_page=status_page), status_page)


@conditional_get
def serve_calendar(request: HttpRequest, status_page) -> HttpResponse:
    """Serve the iCalendar file of the page's maintenances."""
    denied = _denied(request, status_page)
    if denied is not None:
        return denied

    response = HttpResponse(
        build_maintenance_calendar(status_page),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="maintenances.ics"'
    return _finish(response, status_page)


def _page_status(status_page) -> PageStatus:
    """Return the page's overall status, as the v2 JSON computes it."""
    status = build_status(status_page.core_page)["status"]
    return PageStatus(status["indicator"], status["description"])


@conditional_get
def serve_badge(request: HttpRequest, status_page) -> HttpResponse:
    """Serve the SVG badge of the page's overall status."""
    denied = _denied(request, status_page)
    if denied is not None:
        return denied

    status = _page_status(status_page)
    svg = build_badge(status_page.title, status.indicator, status_sentence(status))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = BADGE_CSP
    return _finish(response, status_page)


@conditional_get
def serve_embed(request: HttpRequest, status_page) -> HttpResponse:
    """Serve the small page that other sites show in an iframe.

    It is the only response of a status page without ``X-Frame-Options``,
    and its policy allows any frame ancestor.
    """
    denied = _denied(request, status_page)
    if denied is not None:
        return denied

    status = _page_status(status_page)
    response = TemplateResponse(
        request,
        "statuscms/embed.html",
        {
            "page": status_page,
            "page_address": page_address(status_page),
            "indicator": status.indicator,
            "description": status_sentence(status),
        },
    )
    response["Content-Security-Policy"] = EMBED_CSP
    response.xframe_options_exempt = True
    return _finish(response, status_page)
