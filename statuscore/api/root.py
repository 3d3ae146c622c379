import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from ninja import NinjaAPI

from statuscore import __version__
from statuscore.access import AccessDenied, mark_private
from statuscore.api import push, subscribers, v1, v2
from statuscore.api.errors import (
    STATUS_DESCRIPTIONS,
    error_body,
    install_error_handlers,
)
from statuscore.api.v1.idempotency import HEADER, MAX_KEY_LENGTH
from statuscore.exceptions import NotFound

IDEMPOTENCY_KEY_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Any unique string, such as a UUID. A retry with the same "
    "key and body gets the first response again and creates nothing; the same "
    "key with another body is a 422 (idempotency_key_reused). Kept 24 hours, "
    "per user or API key.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "example": "5f1d7f36-3c0e-4b8f-9a59-0c2f1b7e8d21",
}

DESCRIPTION = """\
Three APIs share this document:

- **/api/v1/**, the management API: everything the admin can do, for
  scripts and integrations. It needs a JWT access token or an API key
  (`Authorization: Bearer ...` or `X-API-Key`). Lists paginate with
  `limit` and `offset`; errors have one shape,
  `{"error": {"code", "message", "fields": [...]}}`; timestamps are ISO
  8601 with an offset, in and out; every POST accepts an
  `Idempotency-Key` header. See docs/api.md.
- **/api/v2/**, the public, read-only JSON of status pages, compatible
  with Atlassian Statuspage's, and the endpoint visitors subscribe
  through.
- **/api/push/**, where cron jobs and heartbeats report in.
"""


class StatusAPI(NinjaAPI):
    """The API with the ``Idempotency-Key`` header documented on every POST
    of /api/v1/, where :mod:`statuscore.api.v1.idempotency` honours it."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for path, operations in schema["paths"].items():
            if not path.startswith("/api/v1/"):
                continue
            for method, operation in operations.items():
                _describe_errors(operation)
                if method == "post":
                    parameters = operation.setdefault("parameters", [])
                    parameters.append(IDEMPOTENCY_KEY_PARAMETER)
        return schema


def _describe_errors(operation: dict) -> None:
    """Say in the document when each error status of ``operation`` happens."""
    for status, response in operation["responses"].items():
        description = STATUS_DESCRIPTIONS.get(int(status))
        if description is not None:
            response["description"] = description


api = StatusAPI(
    title="Status page API",
    version=__version__,
    description=DESCRIPTION,
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="statuscore-api",
    openapi_extra={
        "tags": [
            {"name": v2.TAG, "description": v2.TAG_DESCRIPTION},
            {"name": subscribers.TAG, "description": subscribers.TAG_DESCRIPTION},
            {"name": push.TAG, "description": push.TAG_DESCRIPTION},
            *v1.TAGS,
        ]
    },
)
api.add_router("/v1/", v1.router)
api.add_router("/v2/", v2.router)
api.add_router("/v2/", subscribers.router)
api.add_router("/push/", push.router)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=404)


ACCESS_DENIED_DETAILS = {
    "ip": "This status page is not available from your network address.",
    "password": "This status page needs its password. Enter it on the page "
    "in a browser; this session can then read the page's JSON.",
    "members": "This status page is for signed-in members of its "
    "organisation. Sign in on the page in a browser first.",
}


@api.exception_handler(AccessDenied)
def access_denied(request: HttpRequest, error: AccessDenied) -> HttpResponse:
    """Answer 403 without anything of the page, kept out of caches."""
    detail = ACCESS_DENIED_DETAILS[error.decision.reason or "members"]
    response = api.create_response(request, {"detail": detail}, status=403)
    return mark_private(response)


# Installed last, so that other paths keep the handlers registered above.
install_error_handlers(api)


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable:
    """Wrap a view of /api/v1/ so that its 405 has the shared error shape.

    ninja returns a plain-text 405 for a method that a path does not serve,
    before any exception handler runs, so the body is rewritten here.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response

        allowed = response["Allow"]
        body = error_body(
            "method_not_allowed",
            f"{request.method} is not allowed on {request.path}; allowed: {allowed}.",
        )
        rewritten = JsonResponse(body, status=405)
        rewritten["Allow"] = allowed
        return rewritten

    return wrapper


def api_urls() -> tuple[list, str, str]:
    """Return ``api.urls`` for ``include()``, with /v1/ returning 405 in the
    shared error shape."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if str(pattern.pattern).startswith("v1/"):
            pattern.callback = _json_method_not_allowed(pattern.callback)
    return patterns, app_name, namespace
