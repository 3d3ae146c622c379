"""HTTP caching and CORS headers for the public, read-only endpoints."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)

from statuscore.access import mark_private
from statuscore.api.pages import PRIVATE_PAGE_ATTRIBUTE

__all__ = ["PUBLIC_MAX_AGE", "public_read"]

PUBLIC_MAX_AGE = 10
"""Seconds that browsers and proxies may reuse a public response."""

Run = Callable[..., HttpResponseBase]


def public_read(run: Run) -> Run:
    """Make an operation's responses readable by any site and cacheable.

    Every response gets ``Access-Control-Allow-Origin: *``, errors too, so
    a page on another site can read the reason. A 200 response also gets
    ``Cache-Control: public, max-age=10`` and an ``ETag`` computed from its
    body, and turns into 304 Not Modified when ``If-None-Match`` names that
    ETag. Apply it with ``ninja.decorators.decorate_view``.

    A response about a page that is not public (see
    ``statuscore.api.pages.resolve_page``) is marked private instead
    (``Cache-Control: private, no-store`` and ``X-Robots-Tag``) and gets no
    ``Access-Control-Allow-Origin``: another site's script must not read a
    page that the visitor's address or session unlocks.
    """

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = run(request, *args, **kwargs)

        if getattr(request, PRIVATE_PAGE_ATTRIBUTE, False):
            if response.status_code == 200:
                set_response_etag(response)
                response = get_conditional_response(
                    request, etag=response["ETag"], response=response
                )
            return mark_private(response)

        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            set_response_etag(response)
            response = get_conditional_response(
                request, etag=response["ETag"], response=response
            )

        # Set last: a 304 made above copies only the caching headers.
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper
