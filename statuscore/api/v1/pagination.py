"""Limit/offset pagination and sorting, the same for every list of /api/v1/.

A list takes ``limit`` (default 50, at most 200) and ``offset`` (default 0)
and returns ``{"count": N, "next": url|null, "previous": url|null,
"results": [...]}``. ``next`` and ``previous`` are absolute URLs with the
request's other query parameters kept, so a client follows ``next`` until
it is null.

Sorting is ``ordering=<field>`` or ``ordering=-<field>`` for descending,
from a whitelist per list. The whitelist is a ``Literal`` type, so an
unknown value is a 422 naming ``query.ordering`` and the OpenAPI document
lists the allowed values.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from statuscore.api.v1.schemas import Timestamp

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "CreatedListQuery",
    "ListQuery",
    "ordering_choices",
    "paginate",
    "paginated",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Offset and limit must add up to less than a signed 64-bit integer, the
# largest number the databases take in LIMIT and OFFSET.
MAX_OFFSET = 2**62

_list_models: dict[type, type[Schema]] = {}


class ListQuery(Schema):
    """The paging parameters every list accepts; extend it with filters."""

    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per response, 1 to {MAX_LIMIT}.",
    )
    offset: int = Field(
        0, ge=0, le=MAX_OFFSET, description="Items to skip from the start."
    )


class CreatedListQuery(ListQuery):
    """Paging and a time range on ``created_at``, for lists of objects that
    record when they were created."""

    created_after: Timestamp | None = Field(
        None, description="Only objects created at or after this time, with offset."
    )
    created_before: Timestamp | None = Field(
        None, description="Only objects created before this time, with offset."
    )


def ordering_choices(*fields: str) -> Any:
    """Return a ``Literal`` type of each field, ascending and descending."""
    values = tuple(value for field in fields for value in (field, f"-{field}"))
    return Literal[values]  # type: ignore[valid-type]


def paginated(item: type[Schema]) -> type[Schema]:
    """Return the list response schema for ``item``, named ``<Item>List``."""
    if item not in _list_models:
        name = item.__name__.removesuffix("Out") + "List"
        item_examples = (item.model_config.get("json_schema_extra") or {}).get(
            "examples", []
        )
        examples = [
            {"count": 1, "next": None, "previous": None, "results": [example]}
            for example in item_examples
        ]

        class ListBase(Schema):
            model_config = ConfigDict(json_schema_extra={"examples": examples})

        _list_models[item] = create_model(
            name,
            __base__=ListBase,
            __doc__=f"One page of a list of {item.__name__.removesuffix('Out')}.",
            count=(int, Field(description="Items matching the filters in all.")),
            next=(str | None, Field(description="URL of the next items, or null.")),
            previous=(
                str | None,
                Field(description="URL of the previous items, or null."),
            ),
            results=(list[item], ...),
        )
    return _list_models[item]


def _page_url(request: HttpRequest, limit: int, offset: int) -> str:
    params = request.GET.copy()
    params["limit"] = str(limit)
    params["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    query: ListQuery,
    ordering: str | None = None,
) -> dict[str, Any]:
    """Return one page of ``queryset`` in the list response shape.

    ``ordering`` is a whitelisted value such as ``-created_at``. The primary
    key is added as the last sort key, so pages do not overlap or skip rows
    that share a value. A :class:`CreatedListQuery` also limits the rows
    to its ``created_at`` range.
    """
    created_after = getattr(query, "created_after", None)
    created_before = getattr(query, "created_before", None)
    if created_after is not None:
        queryset = queryset.filter(created_at__gte=created_after)
    if created_before is not None:
        queryset = queryset.filter(created_at__lt=created_before)

    if ordering:
        descending = ordering.startswith("-")
        tie_breaker = "-pk" if descending else "pk"
        queryset = queryset.order_by(ordering, tie_breaker)
    elif not queryset.ordered:
        queryset = queryset.order_by("pk")

    count = queryset.count()
    limit, offset = query.limit, query.offset
    results = list(queryset[offset : offset + limit])

    next_url = (
        _page_url(request, limit, offset + limit) if offset + limit < count else None
    )
    previous_url = None
    if offset > 0:
        previous_url = _page_url(request, limit, max(offset - limit, 0))
    return {
        "count": count,
        "next": next_url,
        "previous": previous_url,
        "results": results,
    }
