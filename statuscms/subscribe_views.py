"""The view that takes the "Subscribe to updates" forms of a status page.

The forms post here rather than to the page, and without a CSRF token,
because the page is served from a snapshot shared by every visitor and so
cannot carry a per-visitor token. CSRF protection guards what a signed-in
visitor's cookies allow; this form uses no session and no cookie. A forged
post can do only what anyone can do by posting it directly: ask for a
subscription, which stays pending until its address confirms it (double
opt-in), within the per-address and per-client rate limits.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from statuscms.csp import CONTENT_SECURITY_POLICY
from statuscms.languages import respond_in_language
from statuscms.models import StatusPage
from statuscms.subscribe import handle_subscribe

__all__ = ["subscribe"]

logger = logging.getLogger(__name__)


def _denied(request: HttpRequest, page: StatusPage) -> bool:
    try:
        from statuscore.access import check_access
    except ImportError:
        return False
    return not check_access(request, page.core_page).allowed


@csrf_exempt
@require_POST
def subscribe(request: HttpRequest, page_id: int) -> HttpResponse:
    """Subscribe from a posted form of the live status page ``page_id``.

    Answers as ``statuscms.subscribe.handle_subscribe`` does, in the
    visitor's language; 404 when no live status page has that id, or when
    the visitor may not read it.
    """
    page = StatusPage.objects.live().filter(pk=page_id).first()
    if page is None or _denied(request, page):
        raise Http404("No status page has this id.")
    response = respond_in_language(
        request, page.core_page.language, lambda: handle_subscribe(page, request)
    )
    response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response
