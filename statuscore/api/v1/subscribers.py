"""Subscribers of status pages, for the team: list, add, remove, import.

Visitors subscribe through the public ``POST /api/v2/subscribers``; these
endpoints are the team's view. Addresses are shown as the notifier
describes them, so webhook URLs stay masked.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from statuscore.api.errors import error_responses
from statuscore.api.v1.access import (
    get_for_read,
    get_for_write,
    readable,
    writable_reference,
)
from statuscore.api.v1.pagination import (
    CreatedListQuery,
    ordering_choices,
    paginate,
    paginated,
)
from statuscore.api.v1.schemas import InputSchema, ObjectId, example
from statuscore.exceptions import ValidationFailed
from statuscore.models import Page, Subscriber, SubscriberState
from statuscore.subscriptions import remove_subscriber, subscribe
from statuscore.subscriptions.imports import import_subscribers

__all__ = ["TAG", "router"]

TAG = "Subscribers (team)"

router = Router(tags=[TAG])

StateName = Literal[tuple(SubscriberState.values)]  # type: ignore[valid-type]
MAX_CSV_CHARACTERS = 20_000_000
IMPORT_LINE_FIELD = re.compile(r"^line (\d+): (\w+)$")


class SubscriberOut(Schema):
    model_config = example(
        {
            "id": 9,
            "page_id": 1,
            "notifier": "email",
            "address": "ada@example.com",
            "components": [5],
            "language": "",
            "state": "active",
            "confirmed_at": "2026-03-01T12:10:00Z",
            "unsubscribed_at": None,
            "disabled_at": None,
            "disabled_reason": "",
            "created_at": "2026-03-01T12:00:00Z",
            "updated_at": "2026-03-01T12:10:00Z",
        }
    )

    id: int
    page_id: int
    notifier: str
    address: str = Field(description="The target as people may see it, secrets masked.")
    components: list[int] = Field(description="Component ids; empty means all.")
    language: str
    state: StateName
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    disabled_at: datetime | None
    disabled_reason: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_components(subscriber: Subscriber) -> list[int]:
        return sorted(component.pk for component in subscriber.components.all())


class SubscriberIn(InputSchema):
    model_config = example(
        {
            "page_id": 1,
            "notifier": "email",
            "config": {"to": "ada@example.com"},
            "components": [5],
        }
    )

    page_id: ObjectId
    notifier: str = Field("email", description="A notifier the page offers.")
    config: dict[str, Any] = Field(description='The target, such as {"to": "..."}.')
    components: list[ObjectId] = Field(
        default_factory=list, description="Component ids; empty means the whole page."
    )
    language: str = Field("", max_length=16)
    confirmed: bool = Field(
        False,
        description="True makes the subscriber active without a confirmation "
        "message; only for targets that agreed elsewhere.",
    )


class SubscriberImport(InputSchema):
    model_config = example(
        {
            "page_id": 1,
            "csv": "address,components,language\nada@example.com,API;Website,en\n",
            "confirmed": False,
        }
    )

    page_id: ObjectId
    csv: str = Field(
        max_length=MAX_CSV_CHARACTERS,
        description="CSV text with a header row: address (required), components "
        "(names separated by ;), language.",
    )
    confirmed: bool = Field(
        False, description="True skips confirmation; only for lists that confirmed."
    )


class ImportOut(Schema):
    model_config = example({"created": 120, "unchanged": 3, "skipped_unsubscribed": 1})

    created: int
    unchanged: int = Field(description="Addresses already subscribed or pending.")
    skipped_unsubscribed: int = Field(
        description="Addresses that unsubscribed earlier and were left alone."
    )


class SubscriberFilters(CreatedListQuery):
    page: ObjectId | None = Field(None, description="Only this page's subscribers.")
    state: StateName | None = None
    notifier: str | None = Field(None, max_length=64)
    component: ObjectId | None = Field(
        None, description="Only subscribers who chose this component."
    )
    ordering: ordering_choices("created_at", "address", "state") = "created_at"


def _subscriber(subscriber: Subscriber) -> Subscriber:
    return Subscriber.objects.prefetch_related("components").get(pk=subscriber.pk)


@router.get(
    "/subscribers",
    response={200: paginated(SubscriberOut), **error_responses()},
    summary="List subscribers",
)
def list_subscribers(request: HttpRequest, filters: Query[SubscriberFilters]):
    """List the subscribers of the caller's pages."""
    subscribers = readable(request, Subscriber.objects.prefetch_related("components"))
    if filters.page is not None:
        subscribers = subscribers.filter(page_id=filters.page)
    if filters.state is not None:
        subscribers = subscribers.filter(state=filters.state)
    if filters.notifier is not None:
        subscribers = subscribers.filter(notifier=filters.notifier)
    if filters.component is not None:
        subscribers = subscribers.filter(components=filters.component)
    return paginate(request, subscribers, filters, filters.ordering)


@router.post(
    "/subscribers",
    response={201: SubscriberOut, **error_responses(400, 409)},
    summary="Add a subscriber",
)
def create_subscriber(request: HttpRequest, payload: SubscriberIn):
    """Add a subscriber to a page. It is sent a confirmation unless
    confirmed is true; a target already subscribed is returned unchanged."""
    page = writable_reference(request, Page.objects.all(), payload.page_id, "page_id")
    subscriber = subscribe(
        page,
        payload.notifier,
        payload.config,
        payload.components,
        payload.language,
        confirmed=payload.confirmed,
        limited=False,
    )
    return Status(201, _subscriber(subscriber))


def _import_field(name: str) -> str:
    """Name a field of the import's errors within the request body."""
    match = IMPORT_LINE_FIELD.match(name)
    if match:
        return f"csv.line_{match.group(1)}.{match.group(2)}"
    return "csv" if name == "file" else name


@router.post(
    "/subscribers/import",
    response={200: ImportOut, **error_responses(400, 409)},
    summary="Import email subscribers from CSV",
)
def import_subscriber_list(request: HttpRequest, payload: SubscriberImport):
    """Import email subscribers from CSV text. Every row is checked before
    any is stored; one bad row rejects the file with a 422 naming each bad
    line as body.csv.line_<n>.<column>."""
    page = writable_reference(request, Page.objects.all(), payload.page_id, "page_id")
    try:
        result = import_subscribers(page, payload.csv, confirmed=payload.confirmed)
    except ValidationFailed as error:
        raise ValidationFailed(
            {_import_field(name): messages for name, messages in error.errors.items()}
        ) from None
    return {
        "created": result.created,
        "unchanged": result.unchanged,
        "skipped_unsubscribed": result.skipped_unsubscribed,
    }


@router.get(
    "/subscribers/{subscriber_id}",
    response={200: SubscriberOut, **error_responses(404)},
    summary="Get a subscriber",
)
def get_subscriber(request: HttpRequest, subscriber_id: ObjectId):
    """Return one subscriber."""
    return _subscriber(get_for_read(request, Subscriber.objects.all(), subscriber_id))


@router.delete(
    "/subscribers/{subscriber_id}",
    response={204: None, **error_responses(404)},
    summary="Remove a subscriber",
)
def delete_subscriber(request: HttpRequest, subscriber_id: ObjectId):
    """Remove a subscriber and everything stored about it; the target may
    subscribe again later."""
    subscriber = get_for_write(request, Subscriber.objects.all(), subscriber_id)
    remove_subscriber(subscriber)
    return Status(204, None)
