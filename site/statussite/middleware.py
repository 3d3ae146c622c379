"""Middleware of the deployable project."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from statuscore.tls import ASK_PATH, tls_ask
from statuscore.views import healthz

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answer ``/healthz`` and the TLS ask endpoint before any other
    middleware runs.

    Load balancers often probe by IP address, and a TLS proxy asks on an
    internal address, neither of which is usually in ``ALLOWED_HOSTS``;
    Django would answer them 400. The health response reveals only whether
    the database and queue answer, and the ask response only whether a
    domain is configured, so both are safe to serve for any host.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            return healthz(request)
        if request.path == ASK_PATH:
            return tls_ask(request)
        return self.get_response(request)
