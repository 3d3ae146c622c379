"""The request limit per user or API key of /api/v1/.

Scripts in deploy pipelines retry; a broken loop should not take the
database with it. Requests are counted per principal in fixed one-minute
windows of the shared cache (``statuscore.subscriptions.ratelimit``), up
to ``STATUSCORE_API_RATE_LIMIT`` (600). Over it, the response is a 429 with
``Retry-After``.
"""

from __future__ import annotations

import threading

from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from statuscore.conf import get_settings
from statuscore.exceptions import RateLimited
from statuscore.subscriptions.ratelimit import client_address, hit

__all__ = ["PrincipalRateThrottle"]

WINDOW_SECONDS = 60


def principal_scope(auth: object) -> str | None:
    """Return ``user:<id>`` or ``key:<id>`` for a principal, else None."""
    api_key = getattr(auth, "api_key", None)
    if api_key is not None:
        return f"key:{api_key.pk}"
    user = getattr(auth, "user", None)
    if user is not None:
        return f"user:{user.pk}"
    return None


class PrincipalRateThrottle(BaseThrottle):
    """ninja throttle counting requests per principal, else per client IP."""

    def __init__(self) -> None:
        # One instance serves every thread; each keeps its own wait time.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        scope = principal_scope(getattr(request, "auth", None))
        key = scope or f"ip:{client_address(request)}"
        try:
            hit(
                "api",
                key,
                limit=get_settings().api_rate_limit,
                window=WINDOW_SECONDS,
            )
        except RateLimited as error:
            self._local.wait = error.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
