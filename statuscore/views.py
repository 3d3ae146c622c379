"""Plain Django views of statuscore."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database and the task queue answer.

    Returns 200 when both do and 503 otherwise, with each part's state, so
    a load balancer or the monitor itself can watch the site.
    """
    parts = {}

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        parts["database"] = "ok"
    except DatabaseError as error:
        logger.error("Health check: database unreachable: %s", error)
        parts["database"] = "unreachable"

    try:
        HUEY.pending_count()
        parts["queue"] = "ok"
    except Exception as error:
        logger.error("Health check: task queue unreachable: %s", error)
        parts["queue"] = "unreachable"

    healthy = all(state == "ok" for state in parts.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **parts},
        status=200 if healthy else 503,
    )
