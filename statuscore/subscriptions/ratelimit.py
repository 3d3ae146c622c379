"""Fixed-window request counters in Django's cache.

Subscribing sends a message to an address that the requester may not own,
so requests are counted per target address and per client IP, and the
excess is rejected with :class:`~statuscore.exceptions.RateLimited`.
The counters live in the default cache. It must be shared by all web
processes (Redis in production) for the limits to hold across them.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.http import HttpRequest

from statuscore.exceptions import RateLimited

__all__ = ["client_address", "hit"]

logger = logging.getLogger(__name__)

KEY_PREFIX = "statuscore:ratelimit"


def hit(scope: str, key: str, *, limit: int, window: int) -> None:
    """Count one request for ``key`` in ``scope``; raise ``RateLimited``
    when it is over ``limit`` within the current ``window`` seconds.

    The window is aligned on multiples of ``window`` since the epoch, so a
    client may send up to twice the limit across a window boundary.
    """
    now = int(time.time())
    window_start = now - now % window
    cache_key = f"{KEY_PREFIX}:{scope}:{key}:{window_start}"

    # add() is atomic on every cache backend, and so is incr() on Redis and
    # Memcached, so two processes never both read the same count.
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The key expired between add() and incr().
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1

    if count > limit:
        retry_after = window_start + window - now
        logger.info("Rate limit %s reached for %s (%s requests)", scope, key, count)
        raise RateLimited(
            f"Too many requests; try again in {retry_after} seconds.",
            retry_after=retry_after,
        )


def client_address(request: HttpRequest) -> str:
    """Return the IP address of the client that sent ``request``.

    This is ``REMOTE_ADDR``, which
    :class:`statuscore.middleware.ProxyHeadersMiddleware` replaces with the
    client from ``X-Forwarded-For`` when the peer is in ``TRUSTED_PROXIES``.
    Behind a proxy that is not listed there, every visitor shares the
    proxy's address and so one per-client limit.
    """
    return request.META.get("REMOTE_ADDR", "") or "unknown"
