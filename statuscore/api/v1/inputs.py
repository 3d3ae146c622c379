"""Reject NUL characters in the query and the JSON body of /api/v1/.

PostgreSQL stores neither a NUL in text columns nor ``\\u0000`` in
``jsonb``, so such a value would fail at the database as a 500. No field
of the API has a use for it, so it is a 422 naming each field that contains
one, whichever database is in use.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from statuscore.api.errors import ApiError

__all__ = ["reject_nul_characters"]

MESSAGE = "NUL characters (U+0000) are not allowed."


def _nul_paths(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                yield f"{path}.{key.replace(chr(0), '')}"
            yield from _nul_paths(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}.{index}")


def _fields_with_nul(request: HttpRequest) -> list[str]:
    fields = [
        f"query.{name.replace(chr(0), '')}"
        for name, values in request.GET.lists()
        if "\x00" in name or any("\x00" in value for value in values)
    ]
    if request.method in ("POST", "PUT", "PATCH") and b"\\u0000" in request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            return fields
        fields.extend(_nul_paths(body, "body"))
    return fields


def reject_nul_characters(
    run: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Wrap an operation's ``run`` to return 422 for NUL characters."""
    operation = getattr(inspect.unwrap(run), "__self__", None)

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        fields = _fields_with_nul(request)
        if not fields:
            return run(request, *args, **kwargs)

        error = ApiError(
            422,
            "validation_error",
            f"{MESSAGE} Fields: {', '.join(fields)}.",
            [
                {"field": field, "message": MESSAGE, "code": "nul_character"}
                for field in fields
            ],
        )
        return operation.api.on_exception(request, error)

    return wrapper
