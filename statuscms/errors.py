"""The 404 answer of the public site, in the visitor's language.

Django calls :func:`page_not_found` for every ``Http404`` outside the
admin's own handling: unknown paths, unknown incidents, months outside the
history. When the site's root page is a status page, the answer carries
its header and brand, and its language is chosen as on the page itself.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from wagtail.models import Site

from statuscms.csp import CONTENT_SECURITY_POLICY
from statuscms.languages import (
    SHIPPED_LANGUAGES,
    render_in_language,
    respond_in_language,
)

__all__ = ["page_not_found"]

TEMPLATE = "statuscms/404.html"


def _site_status_page(request: HttpRequest):
    """Return the ``StatusPage`` at the root of the request's site, or None."""
    from statuscms.models import StatusPage

    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page.specific
    return root if isinstance(root, StatusPage) else None


def page_not_found(request: HttpRequest, exception: Exception | None = None):
    """Render the 404 page, in the language the status page would use.

    A status page that raised ``Http404`` already chose the language, and
    left it on ``request.LANGUAGE_CODE``; otherwise it is chosen from the
    visitor's header and the site's status page.
    """
    page = _site_status_page(request)

    def render() -> HttpResponse:
        context = {"page": page, "request_path": request.path}
        return TemplateResponse(request, TEMPLATE, context, status=404)

    chosen = getattr(request, "LANGUAGE_CODE", None)
    if chosen in SHIPPED_LANGUAGES:
        response = render_in_language(chosen, render)
    else:
        page_default = page.core_page.language if page else None
        response = respond_in_language(request, page_default, render)
    response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response
