"""``Idempotency-Key`` on every POST of /api/v1/.

A client that retries a POST after a timeout cannot know whether the first
attempt created something. Sending the same ``Idempotency-Key`` header
with each attempt makes the retry safe:

1. The first request with a key runs and its response (status and body)
   is stored for 24 hours, scoped to the principal that sent it.
2. A later request with the same key and the same method, path, query and
   JSON body gets the stored response again, with the header
   ``Idempotent-Replayed: true``, and creates nothing.
3. The same key with a different request is a 422 with the code
   ``idempotency_key_reused``, because replaying an unrelated response
   would hide the client's bug.
4. While the first request is still running, a second one is a 409 with
   the code ``idempotency_key_in_progress``; retry it later.

Responses that a retry could change are not stored: 5xx, 401, 403, 409
and 429. Neither are responses marked ``Cache-Control: no-store``, which
hold a secret shown once (a new API key). Those release the key, so the
retry runs again. Operations
without authentication (signing in) are never stored, because their
responses hold tokens and have no principal to scope them to.

:func:`idempotent` wraps an operation's ``run``; the v1 router applies it
to every operation with ``Router.add_decorator``, so each new POST route
gets it without opting in.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from statuscore.api.errors import ApiError
from statuscore.api.v1.throttling import principal_scope
from statuscore.models import IdempotencyRecord

__all__ = ["HEADER", "KEY_LIFETIME", "delete_expired_keys", "idempotent"]

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# A first request that has not finished after this long is taken to have
# died with its process, and a retry may run in its place.
RUNNING_LEASE = timedelta(minutes=5)
UNSTORED_STATUSES = frozenset({401, 403, 409, 429})


def _request_hash(request: HttpRequest) -> str:
    """Return the SHA-256 of the request; JSON bodies count by their value,
    so a retry that serialises the same object differently still matches."""
    body = request.body
    try:
        body = json.dumps(json.loads(body), sort_keys=True).encode()
    except ValueError:
        pass
    digest = hashlib.sha256()
    for part in (
        request.method or "",
        request.path,
        request.META.get("QUERY_STRING", ""),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


def _invalid_key(message: str) -> ApiError:
    return ApiError(
        422,
        "validation_error",
        message,
        [{"field": f"header.{HEADER}", "message": message, "code": "invalid"}],
    )


def _check_key(key: str) -> None:
    if (
        not 1 <= len(key) <= MAX_KEY_LENGTH
        or not key.isascii()
        or not key.isprintable()
    ):
        raise _invalid_key(
            f"The {HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII "
            "characters, such as a UUID."
        )


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body),
        status=record.status_code,
        content_type=record.content_type or "application/json",
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(scope: str, key: str, request: HttpRequest, request_hash: str):
    """Return a new running record for the key, or the stored response.

    Raises ``ApiError`` when the key belongs to another request or its
    first request is still running.
    """
    now = timezone.now()
    IdempotencyRecord.objects.filter(scope=scope, key=key, expires_at__lte=now).delete()
    IdempotencyRecord.objects.filter(
        scope=scope, key=key, status_code=None, created_at__lte=now - RUNNING_LEASE
    ).delete()

    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                scope=scope,
                key=key,
                request_hash=request_hash,
                method=request.method or "",
                path=request.path[:2000],
                created_at=now,
                expires_at=now + KEY_LIFETIME,
            ), None
    except IntegrityError:
        pass

    stored = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if stored is None:
        # The other request released the key between our insert and read.
        raise ApiError(
            409,
            "idempotency_key_in_progress",
            f"Another request with this {HEADER} just finished; retry.",
        )
    if stored.request_hash != request_hash:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"This {HEADER} was used for a different request in the last 24 "
            "hours. Use a new key for each new request.",
            [
                {
                    "field": f"header.{HEADER}",
                    "message": "Already used for a different request.",
                    "code": "idempotency_key_reused",
                }
            ],
        )
    if stored.status_code is None:
        raise ApiError(
            409,
            "idempotency_key_in_progress",
            f"The first request with this {HEADER} is still running; retry later.",
        )
    return None, stored


def _store(record: IdempotencyRecord, response: HttpResponseBase) -> None:
    # A response marked no-store contains a secret shown once, such as a new
    # API key, which must not be kept in the database.
    if (
        response.status_code >= 500
        or response.status_code in UNSTORED_STATUSES
        or (response.streaming)
        or "no-store" in response.get("Cache-Control", "")
    ):
        record.delete()
        return

    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")
    record.response_body = response.content
    record.save(update_fields=["status_code", "content_type", "response_body"])


def _authenticate(operation: object, request: HttpRequest) -> object | None:
    """Run the operation's auth callables as ninja does; return the principal."""
    for callback in getattr(operation, "auth_callbacks", None) or []:
        try:
            result = callback(request)
        except Exception:
            # The operation runs the same callable again and returns its
            # error, such as a 401 for a revoked key.
            return None
        if result:
            request.auth = result  # type: ignore[attr-defined]
            return result
    return None


def idempotent(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap an operation's ``run`` to honour the ``Idempotency-Key`` header.

    Only POST requests with the header and a principal are affected.
    """
    operation = getattr(inspect.unwrap(run), "__self__", None)

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return run(request, *args, **kwargs)

        api = getattr(operation, "api", None)
        try:
            _check_key(key)
            scope = principal_scope(_authenticate(operation, request))
            if scope is None:
                return run(request, *args, **kwargs)
            record, stored = _claim(scope, key, request, _request_hash(request))
        except ApiError as error:
            if api is None:
                raise
            return api.on_exception(request, error)

        if stored is not None:
            logger.info(
                "Replayed the response to %s %s for %s (key %r)",
                request.method,
                request.path,
                scope,
                key,
            )
            return _replay(stored)

        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        _store(record, response)
        return response

    return wrapper


def delete_expired_keys() -> int:
    """Delete the stored responses older than 24 hours; return how many."""
    deleted, _ = IdempotencyRecord.objects.filter(
        expires_at__lte=timezone.now()
    ).delete()
    if deleted:
        logger.info("Deleted %s expired idempotency keys", deleted)
    return deleted
