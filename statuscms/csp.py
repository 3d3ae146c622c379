"""The Content-Security-Policy of every public response.

The public pages load script only from their own origin, as static files,
and editor text is escaped or sanitised. The policy forbids inline script
too, so an injection that slipped through would still not run. It applies
to every response outside the Wagtail admin: status pages, incidents,
history, postmortems, subscription pages, feeds, the API and 404 answers.
The admin is left out because Wagtail's own screens use inline script.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

__all__ = ["CONTENT_SECURITY_POLICY", "ContentSecurityPolicyMiddleware"]

CONTENT_SECURITY_POLICY = "script-src 'self'; object-src 'none'; base-uri 'none'"


class ContentSecurityPolicyMiddleware:
    """Add ``CONTENT_SECURITY_POLICY`` to every response outside the admin.

    A response that already has a policy keeps it, so a view may send a
    stricter one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._admin_prefix: str | None = None

    @property
    def admin_prefix(self) -> str:
        # Resolved on first use, because the URLconf is not loaded yet when
        # Django builds the middleware chain.
        if self._admin_prefix is None:
            self._admin_prefix = reverse("wagtailadmin_home")
        return self._admin_prefix

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.admin_prefix):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
