"""The public subscribe endpoint, for sites and apps that offer subscribing.

Open to anyone, like the page itself, so it reveals nothing: the response
is the same whether the address was new, pending or already subscribed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import ValidationError
from ninja.responses import Status
from pydantic import Field

from statuscore.api.pages import resolve_page
from statuscore.api.statuspage import Error
from statuscore.api.v2 import PageQuery
from statuscore.exceptions import RateLimited, ValidationFailed
from statuscore.subscriptions import confirm_code, subscribe
from statuscore.subscriptions.ratelimit import client_address

__all__ = ["TAG", "TAG_DESCRIPTION", "router"]

TAG = "Subscribers"
TAG_DESCRIPTION = """\
Subscribe to a page's updates. The page is chosen as for the public v2
JSON: by the request's host, else by `?page=<slug>`.

- **Same answer for everyone.** `202` means the request was accepted. A
  new or pending target is sent a confirmation; an active one is sent
  nothing and left as it is.
- **Confirmation** depends on the notifier: a link for email, a code for
  SMS (send it to `/subscribers/confirm`), a verification request for
  webhooks.
- **Limits.** Requests are counted per target and per client IP address;
  over the limit the response is `429` with `Retry-After`.
- **Errors.** `422` names each bad field in `detail[].loc`, such as
  `["body", "config", "to"]`.
"""

ACCEPTED = (
    "Request accepted. If the address can receive messages from this page, "
    "a confirmation is on its way."
)

router = Router(tags=[TAG])


class SubscribeRequest(Schema):
    notifier: str = Field("email", description="Name of the notifier, such as email.")
    config: dict[str, Any] = Field(
        description='The notifier\'s target, such as {"to": "ada@example.com"}.'
    )
    components: list[str] = Field(
        default_factory=list,
        description="Ids of the components to hear about; empty means the whole page.",
    )
    language: str = Field("", description="Language of messages; empty for the page's.")


class CodeRequest(Schema):
    notifier: str = Field("sms", description="Name of the notifier the code came by.")
    config: dict[str, Any] = Field(description="The same target as when subscribing.")
    code: str = Field(description="The code that was sent to the target.")


class Accepted(Schema):
    detail: str


class ErrorLocation(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(Schema):
    """Invalid input; each item names one field."""

    detail: list[ErrorLocation]


def _body_errors(error: ValidationFailed) -> ValidationError:
    """Return ninja's 422 error, locating each field of ``error`` in the body."""
    return ValidationError(
        [
            {"type": "value_error", "loc": ["body", *field.split(".")], "msg": message}
            for field, messages in error.errors.items()
            for message in messages
        ]
    )


def _too_many(response: HttpResponse, error: RateLimited) -> Status:
    response["Retry-After"] = str(error.retry_after)
    return Status(429, {"detail": str(error)})


@router.post(
    "/subscribers",
    response={
        202: Accepted,
        400: Error,
        403: Error,
        404: Error,
        422: ValidationErrors,
        429: Error,
    },
    summary="Subscribe to updates",
    url_name="v2-subscribe",
)
def create_subscriber(
    request: HttpRequest,
    body: SubscribeRequest,
    query: Query[PageQuery],
    response: HttpResponse,
) -> Status:
    """Subscribe a target to the page, or send its confirmation again."""
    page = resolve_page(request, query.page)
    response["Cache-Control"] = "no-store"
    try:
        subscribe(
            page,
            body.notifier,
            body.config,
            body.components,
            body.language,
            client=client_address(request),
        )
    except ValidationFailed as error:
        raise _body_errors(error) from None
    except RateLimited as error:
        return _too_many(response, error)
    return Status(202, {"detail": ACCEPTED})


@router.post(
    "/subscribers/confirm",
    response={
        200: Accepted,
        400: Error,
        403: Error,
        404: Error,
        422: ValidationErrors,
        429: Error,
    },
    summary="Confirm with a code",
    url_name="v2-subscriber-confirm",
)
def confirm_subscriber(
    request: HttpRequest,
    body: CodeRequest,
    query: Query[PageQuery],
    response: HttpResponse,
) -> Status:
    """Confirm a pending subscription with the code sent to its target."""
    page = resolve_page(request, query.page)
    response["Cache-Control"] = "no-store"
    try:
        confirm_code(
            page, body.notifier, body.config, body.code, client=client_address(request)
        )
    except ValidationFailed as error:
        raise _body_errors(error) from None
    except RateLimited as error:
        return _too_many(response, error)
    return Status(200, {"detail": "Subscription confirmed."})
