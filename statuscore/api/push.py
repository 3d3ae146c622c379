"""The push URL that a job calls to report that it ran.

Meant for cron jobs and scripts: ``GET`` or ``POST /api/push/<token>``,
with no authentication besides the token, no CSRF and no session. A push
costs one indexed lookup and one result row.
"""

from __future__ import annotations

from typing import Literal

import pydantic
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import ValidationError

from statuscore.api.statuspage import Error
from statuscore.services.checks import MAX_REASON_LENGTH
from statuscore.services.heartbeats import record_push

__all__ = ["TAG", "TAG_DESCRIPTION", "router"]

TAG = "Push"
TAG_DESCRIPTION = """\
The URL a job calls each time it runs, so that a heartbeat check notices
when it stops. The token in the path is the only credential: keep the URL
secret, and regenerate the token if it leaks.

- `status` is `up` (the default) or `down`. A `down` push makes the check
  down at once, with `msg` as the reason.
- `msg` is an optional message of at most 500 characters.
- Both may be sent in the query string, or for `POST` as a form body.
- An unknown token is 404; an invalid parameter is 422 naming it.
"""

router = Router(tags=[TAG])


class PushParams(pydantic.BaseModel):
    status: Literal["up", "down"] = "up"
    msg: str = pydantic.Field("", max_length=MAX_REASON_LENGTH)


class PushAccepted(Schema):
    """The push was accepted."""

    ok: bool = True
    recorded: bool = pydantic.Field(
        description="False when the check is disabled: the push is kept as the "
        "last one, but changes no state."
    )


def _read_params(request: HttpRequest) -> PushParams:
    """Validate the query string, and for a POST its form body on top of it.

    Errors are raised as django-ninja's ``ValidationError``, so the response
    is ninja's usual 422 with the location of each invalid field.
    """
    values = request.GET.dict()
    location = "query"
    if request.method == "POST" and request.POST:
        values.update(request.POST.dict())
        location = "form"
    try:
        return PushParams.model_validate(values)
    except pydantic.ValidationError as error:
        raise ValidationError(
            [
                {
                    "type": item["type"],
                    "loc": [location, *item["loc"]],
                    "msg": item["msg"],
                }
                for item in error.errors()
            ]
        ) from None


def _push(request: HttpRequest, token: str, response: HttpResponse) -> dict:
    pushed_at = timezone.now()
    params = _read_params(request)
    result = record_push(token, params.status, params.msg, pushed_at)
    response["Cache-Control"] = "no-store"
    return {"ok": True, "recorded": result is not None}


# GET and POST are two operations, because one operation serving both
# methods repeats its operationId in the schema.
@router.get(
    "/{token}",
    response={200: PushAccepted, 404: Error},
    summary="Push a heartbeat",
    url_name="push",
    operation_id="push_heartbeat",
)
def push(request: HttpRequest, token: str, response: HttpResponse) -> dict:
    """Record that the job behind this token ran, with an optional status
    and message. Query parameters: `status` (`up` or `down`), `msg`."""
    return _push(request, token, response)


@router.post(
    "/{token}",
    response={200: PushAccepted, 404: Error},
    summary="Push a heartbeat (POST)",
    operation_id="push_heartbeat_post",
)
def push_post(request: HttpRequest, token: str, response: HttpResponse) -> dict:
    """Record a push like the GET form; `status` and `msg` may also come as
    a form body."""
    return _push(request, token, response)
