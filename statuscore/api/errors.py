"""The one error shape of the management API under ``/api/v1/``.

Every 4xx and 5xx response of ``/api/v1/`` has this body::

    {"error": {"code": "validation_error",
               "message": "2 fields are invalid.",
               "fields": [{"field": "body.name", "message": "...",
                           "code": "missing"}]}}

``code`` is machine-readable and stable; ``message`` is for people and may
change. ``fields`` names every bad field of a validation error as
``<source>.<path>``: ``body.config.url``, ``query.ordering``,
``path.check_id``, ``header.Idempotency-Key``. It is empty for other errors.

Views raise :class:`ApiError` (through :func:`api_error`), or the domain's
``ValidationFailed``, ``NotFound`` and ``PermissionDenied``, and the
handlers installed by :func:`install_error_handlers` turn each into this
shape. The public v2 JSON, the subscribe endpoint and the push endpoint
keep their documented ``{"detail": ...}`` bodies, because clients written
for Atlassian Statuspage and cron jobs already read those.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import Field

from statuscore.exceptions import (
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)

__all__ = [
    "ApiError",
    "ErrorDetail",
    "ErrorField",
    "ErrorResponse",
    "STATUS_DESCRIPTIONS",
    "api_error",
    "error_body",
    "error_responses",
    "install_error_handlers",
    "is_v1_request",
]

logger = logging.getLogger(__name__)

V1_PATH = "/v1/"

# Codes of the statuses the handlers produce without a more specific code.
STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
}

# Descriptions of the error statuses in the OpenAPI document.
STATUS_DESCRIPTIONS = {
    400: "The body could not be read as JSON.",
    401: "No valid credentials: a missing, expired or revoked token or key.",
    403: "The caller can read this object but may not change it.",
    404: "No such object, or it belongs to an organisation the caller is "
    "not a member of.",
    409: "The request conflicts with stored state, such as a duplicate or an "
    "Idempotency-Key whose first request is still running.",
    422: "Invalid input; `error.fields` names every bad field.",
    429: "Too many requests; retry after the seconds in `Retry-After`.",
}

# Clearer messages for pydantic error types that people meet most.
MESSAGES = {
    "timezone_aware": "The timestamp needs an offset, such as "
    "2026-03-01T12:00:00Z or 2026-03-01T14:00:00+02:00.",
}


class ErrorField(Schema):
    """One bad field of a request."""

    field: str = Field(
        description="Where the field is: body, query, path or header, then "
        "its path, such as body.config.url.",
        examples=["body.name"],
    )
    message: str = Field(examples=["Field required"])
    code: str = Field(
        description="Machine-readable reason, such as missing, invalid or "
        "timezone_aware.",
        examples=["missing"],
    )


class ErrorDetail(Schema):
    code: str = Field(
        description="Machine-readable error code, such as validation_error, "
        "not_found or idempotency_key_reused.",
        examples=["validation_error"],
    )
    message: str = Field(examples=["1 field is invalid."])
    fields: list[ErrorField] = Field(
        default_factory=list,
        description="Every bad field of a validation error; empty otherwise.",
    )


class ErrorResponse(Schema):
    """The body of every error response of /api/v1/."""

    error: ErrorDetail


class ApiError(Exception):
    """An error response of the API, raised by a view or a helper."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: Iterable[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.fields = [dict(field) for field in fields]
        self.headers = dict(headers or {})
        super().__init__(f"{status} {code}: {message}")


def api_error(
    status: int,
    code: str,
    message: str,
    fields: Iterable[Mapping[str, str]] = (),
) -> ApiError:
    """Return an :class:`ApiError` for the caller to raise.

    ``fields`` are mappings with the keys ``field``, ``message`` and
    ``code``, as in the response body.
    """
    return ApiError(status, code, message, fields)


def error_body(
    code: str, message: str, fields: Iterable[Mapping[str, str]] = ()
) -> dict[str, Any]:
    """Return the JSON body of an error response."""
    return {"error": {"code": code, "message": message, "fields": list(fields)}}


def error_responses(*statuses: int) -> dict[int, type[ErrorResponse]]:
    """Return ``{status: ErrorResponse}`` for an operation's ``response=``.

    401, 403, 422 and 429 are always included, because every operation of
    /api/v1/ authenticates, checks write permission or input, and is
    rate-limited.
    """
    codes = sorted({401, 403, 422, 429, *statuses})
    return dict.fromkeys(codes, ErrorResponse)


def is_v1_request(request: HttpRequest) -> bool:
    """Return True when ``request`` is for the management API under /v1/."""
    match = getattr(request, "resolver_match", None)
    route = match.route if match is not None else ""
    return route.startswith("api/v1/") or request.path.startswith(f"/api{V1_PATH}")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _field_name(loc: Iterable[Any]) -> str:
    """Return ``body.name`` for ninja's location ``("body", "payload", "name")``.

    ninja puts the name of the view's body parameter after ``body``; a
    client never sees that name, so it is left out.
    """
    parts = [str(part) for part in loc]
    if len(parts) >= 2 and parts[0] == "body":
        parts = ["body", *parts[2:]]
    return ".".join(parts)


def ninja_fields(error: ValidationError) -> list[dict[str, str]]:
    """Return one field entry per item of ninja's validation error."""
    fields = []
    for item in error.errors:
        kind = str(item.get("type", "invalid"))
        message = MESSAGES.get(kind) or str(item.get("msg", "Invalid value."))
        fields.append(
            {
                "field": _field_name(item.get("loc", ())),
                "message": message.removeprefix("Value error, "),
                "code": kind,
            }
        )
    return fields


def service_fields(
    request: HttpRequest, error: ValidationFailed
) -> list[dict[str, str]]:
    """Return one field entry per message of a service's ``ValidationFailed``.

    Services name fields as the body names them (``name``, ``config.url``),
    so they are placed under ``body`` when the request has one; a field
    already naming its source (``query.since``) is kept as it is.
    """
    sources = ("body.", "query.", "path.", "header.")
    has_body = request.method in ("POST", "PUT", "PATCH")
    fields = []
    for name, messages in error.errors.items():
        if not name.startswith(sources) and has_body:
            name = f"body.{name}"
        for message in messages:
            fields.append({"field": name, "message": message, "code": "invalid"})
    return fields


def _invalid_message(fields: list[dict[str, str]]) -> str:
    names = ", ".join(dict.fromkeys(field["field"] for field in fields))
    return f"{_plural(len(fields), 'field')} invalid: {names}."


def install_error_handlers(api: NinjaAPI) -> None:
    """Register handlers that give /api/v1/ errors the shared shape.

    Other routes of ``api`` keep the handler that was registered before for
    the same exception class, so their bodies stay as documented.
    """
    # ninja offers no public way to read the handlers registered so far.
    previous = dict(api._exception_handlers)

    def respond(
        request: HttpRequest,
        status: int,
        code: str,
        message: str,
        fields: Iterable[Mapping[str, str]] = (),
    ) -> HttpResponse:
        body = error_body(code, message, fields)
        return api.create_response(request, body, status=status)

    def fall_back(request: HttpRequest, error: Exception, cls: type) -> HttpResponse:
        for base in cls.__mro__:
            if base in previous:
                return previous[base](request, error)
        raise error

    def handler(cls: type[Exception]):
        def decorator(build):
            def handle(request: HttpRequest, error: Exception) -> HttpResponse:
                if not is_v1_request(request):
                    return fall_back(request, error, cls)
                return build(request, error)

            api.add_exception_handler(cls, handle)
            return build

        return decorator

    @handler(ApiError)
    def _api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
        response = respond(
            request, error.status, error.code, error.message, error.fields
        )
        for name, value in error.headers.items():
            response[name] = value
        return response

    @handler(ValidationError)
    def _validation(request: HttpRequest, error: ValidationError) -> HttpResponse:
        fields = ninja_fields(error)
        return respond(
            request, 422, "validation_error", _invalid_message(fields), fields
        )

    @handler(ValidationFailed)
    def _failed(request: HttpRequest, error: ValidationFailed) -> HttpResponse:
        fields = service_fields(request, error)
        return respond(
            request, 422, "validation_error", _invalid_message(fields), fields
        )

    @handler(NotFound)
    def _not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
        return respond(request, 404, "not_found", str(error) or "Not found.")

    @handler(Http404)
    def _http404(request: HttpRequest, error: Http404) -> HttpResponse:
        return respond(request, 404, "not_found", "Not found.")

    @handler(PermissionDenied)
    def _denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
        message = str(error) or "You may read this object but not change it."
        return respond(request, 403, "permission_denied", message)

    @handler(RateLimited)
    def _rate_limited(request: HttpRequest, error: RateLimited) -> HttpResponse:
        response = respond(request, 429, "rate_limited", str(error))
        response["Retry-After"] = str(error.retry_after)
        return response

    @handler(HttpError)
    def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        status = error.status_code
        code = STATUS_CODES.get(status, "error")
        message = str(error)
        if isinstance(error, AuthenticationError) and message == "Unauthorized":
            message = (
                "Authentication required: send Authorization: Bearer <access "
                "token or API key>, or X-API-Key: <API key>."
            )
        response = respond(request, status, code, message)
        if isinstance(error, Throttled) and error.wait is not None:
            response["Retry-After"] = str(max(1, round(error.wait)))
        return response

    @handler(Exception)
    def _server_error(request: HttpRequest, error: Exception) -> HttpResponse:
        logger.exception(
            "Unhandled error in %s %s", request.method, request.path, exc_info=error
        )
        return respond(
            request, 500, "server_error", "The server failed to handle the request."
        )


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Return a 404 in the error shape for a path under /api/v1/ that no route
    matches."""
    from django.http import JsonResponse

    body = error_body("not_found", f"No API endpoint at {request.path}.")
    return JsonResponse(body, status=404)
