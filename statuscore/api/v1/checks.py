"""Uptime checks, their results and their daily uptime.

A check's ``config`` is validated by its checker's own ``Config`` model,
so an invalid value is a 422 naming ``body.config.<field>``. Fields the
model types ``SecretStr`` (passwords, tokens) are shown as
``"**********"``, and sending that mask back in a change keeps the stored
secret.

NOTE: only ``SecretStr`` fields are masked. A credential put in a plain
field, such as an ``Authorization`` value in the HTTP checker's
``headers``, is shown as stored; use the checker's ``bearer_token`` or
``basic_auth`` for credentials.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from statuscore import services
from statuscore.api.errors import error_responses
from statuscore.api.v1.access import (
    get_for_read,
    get_for_write,
    readable,
    writable_reference,
)
from statuscore.api.v1.masking import masked_config, restore_masked
from statuscore.api.v1.pagination import (
    CreatedListQuery,
    ListQuery,
    ordering_choices,
    paginate,
    paginated,
)
from statuscore.api.v1.schemas import (
    InputSchema,
    ObjectId,
    Timestamp,
    example,
)
from statuscore.exceptions import UnknownChecker, ValidationFailed
from statuscore.history import uptime_history
from statuscore.models import (
    Check,
    CheckResult,
    CheckState,
    Component,
    IncidentImpact,
    Page,
    ResultStatus,
)
from statuscore.plugins import get_checker
from statuscore.services.checks import MAX_RETRIES
from statuscore.services.heartbeats import create_push_check

__all__ = ["TAG", "router"]

TAG = "Checks"

router = Router(tags=[TAG])

MAX_UPTIME_DAYS = 366
# Bounds that keep numbers within the database columns; the check service
# applies the tighter limits of its settings and names the field.
MAX_SECONDS = 10**9
MAX_THRESHOLD = 10_000

StateName = Literal[tuple(CheckState.values)]  # type: ignore[valid-type]
ResultStatusName = Literal[tuple(ResultStatus.values)]  # type: ignore[valid-type]
OutageStatus = Literal["degraded_performance", "partial_outage", "major_outage"]
ImpactName = Literal[tuple(IncidentImpact.values)]  # type: ignore[valid-type]

CHECK_EXAMPLE = {
    "id": 4,
    "page_id": 1,
    "component_id": 5,
    "name": "API health",
    "checker": "http",
    "config": {"url": "https://api.acme.example/health", "expected_status": "200"},
    "interval_seconds": 60,
    "timeout_seconds": 10.0,
    "failure_threshold": 2,
    "recovery_threshold": 1,
    "outage_status": "major_outage",
    "enabled": True,
    "retries": 1,
    "regions": [],
    "region_quorum": None,
    "open_incident": False,
    "incident_impact": "major",
    "incident_title": "{check} is down",
    "incident_body": "{check} is failing: {reason}",
    "resolve_body": "{check} has recovered.",
    "state": "up",
    "state_changed_at": "2026-03-01T12:01:00Z",
    "last_run_at": "2026-03-01T12:05:00Z",
    "next_run_at": "2026-03-01T12:06:00Z",
    "last_response_time_ms": 84.2,
    "push_token": None,
    "created_at": "2026-03-01T12:00:00Z",
    "updated_at": "2026-03-01T12:00:00Z",
}


class CheckOut(Schema):
    model_config = example(CHECK_EXAMPLE)

    id: int
    page_id: int
    component_id: int | None
    name: str
    checker: str
    config: dict[str, Any] = Field(
        description="The checker's settings, secrets masked."
    )
    interval_seconds: int
    timeout_seconds: float
    failure_threshold: int
    recovery_threshold: int
    outage_status: OutageStatus
    enabled: bool
    retries: int
    regions: list[str]
    region_quorum: int | None
    open_incident: bool
    incident_impact: ImpactName
    incident_title: str
    incident_body: str
    resolve_body: str
    state: StateName
    state_changed_at: datetime | None
    last_run_at: datetime | None
    next_run_at: datetime | None
    last_response_time_ms: float | None
    push_token: str | None = Field(
        None,
        description="Token of the push URL /api/push/<token>, shown only in the "
        "response that created a push check.",
    )
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_config(check: Check) -> dict[str, Any]:
        try:
            config_model = get_checker(check.checker).Config
        except UnknownChecker:
            config_model = None
        return masked_config(config_model, check.config)


class CheckSettings(InputSchema):
    """Settings shared by creating and changing a check."""

    interval_seconds: int = Field(
        60, ge=1, le=MAX_SECONDS, description="Seconds between two runs."
    )
    timeout_seconds: float = Field(
        10.0, gt=0, le=MAX_SECONDS, description="Seconds one run may take."
    )
    failure_threshold: int = Field(2, ge=1, le=MAX_THRESHOLD)
    recovery_threshold: int = Field(1, ge=1, le=MAX_THRESHOLD)
    outage_status: OutageStatus = "major_outage"
    enabled: bool = True
    retries: int = Field(1, ge=0, le=MAX_RETRIES)
    regions: list[str] = Field(default_factory=list)
    region_quorum: int | None = Field(None, ge=1, le=MAX_THRESHOLD)
    open_incident: bool = False
    incident_impact: ImpactName = "major"
    incident_title: str | None = Field(None, max_length=255)
    incident_body: str | None = None
    resolve_body: str | None = None


class CheckIn(CheckSettings):
    model_config = example(
        {
            "page_id": 1,
            "component_id": 5,
            "name": "API health",
            "checker": "http",
            "config": {"url": "https://api.acme.example/health"},
            "interval_seconds": 60,
        }
    )

    page_id: ObjectId
    component_id: ObjectId | None = None
    name: str = Field(min_length=1, max_length=200)
    checker: str = Field(description="A checker name from GET /api/v1/plugins.")
    config: dict[str, Any] = Field(
        default_factory=dict, description="Settings validated by the checker."
    )


class CheckPatch(InputSchema):
    """The fields to change; fields left out keep their value. In
    ``config``, a secret sent as ``"**********"`` keeps its stored value."""

    model_config = example({"interval_seconds": 30, "enabled": False})

    name: str = Field(None, min_length=1, max_length=200)
    component_id: ObjectId | None = None
    config: dict[str, Any] = None
    interval_seconds: int = Field(None, ge=1, le=MAX_SECONDS)
    timeout_seconds: float = Field(None, gt=0, le=MAX_SECONDS)
    failure_threshold: int = Field(None, ge=1, le=MAX_THRESHOLD)
    recovery_threshold: int = Field(None, ge=1, le=MAX_THRESHOLD)
    outage_status: OutageStatus = None
    enabled: bool = None
    retries: int = Field(None, ge=0, le=MAX_RETRIES)
    regions: list[str] = None
    region_quorum: int | None = Field(None, ge=1, le=MAX_THRESHOLD)
    open_incident: bool = None
    incident_impact: ImpactName = None
    incident_title: str = Field(None, max_length=255)
    incident_body: str = None
    resolve_body: str = None


class CheckFilters(CreatedListQuery):
    page: ObjectId | None = Field(None, description="Only this page's checks.")
    component: ObjectId | None = Field(
        None, description="Only checks of this component."
    )
    state: StateName | None = Field(None, description="Only checks in this state.")
    checker: str | None = Field(None, description="Only checks of this checker.")
    enabled: bool | None = None
    ordering: ordering_choices("name", "state", "last_run_at", "created_at") = "name"


class ResultOut(Schema):
    model_config = example(
        {
            "id": 812,
            "checked_at": "2026-03-01T12:05:00.120Z",
            "status": "down",
            "response_time_ms": None,
            "reason": "connection refused",
            "details": {"attempts": 2},
            "region": "",
        }
    )

    id: int
    checked_at: datetime
    status: ResultStatusName
    response_time_ms: float | None
    reason: str
    details: dict[str, Any]
    region: str = Field(description="Region of the monitor that ran it, or empty.")


class ResultFilters(ListQuery):
    since: Timestamp | None = Field(
        None, description="Only results at or after this time, with an offset."
    )
    until: Timestamp | None = Field(
        None, description="Only results before this time, with an offset."
    )
    status: ResultStatusName | None = None
    region: str | None = None
    ordering: ordering_choices("checked_at") = "-checked_at"


class UptimeDay(Schema):
    date: str = Field(
        description="Calendar day in the page's time zone.", examples=["2026-03-01"]
    )
    start: datetime
    end: datetime
    uptime_percent: float | None = Field(
        description="Percent of the known time that was not down; null without data."
    )
    coverage: float | None = Field(description="Share of the day with results, 0 to 1.")
    worst_status: str | None = Field(description="down, degraded, up, or null.")
    known_seconds: float
    down_seconds: float
    degraded_seconds: float
    maintenance_seconds: float


class UptimeOut(Schema):
    model_config = example(
        {
            "check_id": 4,
            "time_zone": "Europe/Berlin",
            "uptime_percent": 99.95,
            "coverage": 0.98,
            "days": [
                {
                    "date": "2026-03-01",
                    "start": "2026-02-28T23:00:00Z",
                    "end": "2026-03-01T23:00:00Z",
                    "uptime_percent": 99.95,
                    "coverage": 0.98,
                    "worst_status": "down",
                    "known_seconds": 84672.0,
                    "down_seconds": 42.0,
                    "degraded_seconds": 0.0,
                    "maintenance_seconds": 0.0,
                }
            ],
        }
    )

    check_id: int
    time_zone: str
    uptime_percent: float | None
    coverage: float | None
    days: list[UptimeDay] = Field(description="Oldest first; the last is today.")


class UptimeQuery(Schema):
    days: int = Field(
        30,
        ge=1,
        le=MAX_UPTIME_DAYS,
        description="Number of local days, today included.",
    )


def _component_of_page(page_id: int, component_id: int | None) -> Component | None:
    if component_id is None:
        return None
    component = Component.objects.filter(pk=component_id, page_id=page_id).first()
    if component is None:
        raise ValidationFailed.for_field(
            "component_id", f"No component with id {component_id} on this page."
        )
    return component


def _require_object(config: Any) -> dict:
    if not isinstance(config, dict):
        raise ValidationFailed.for_field(
            "config", "Expected a JSON object of settings."
        )
    return config


@router.get(
    "/checks",
    response={200: paginated(CheckOut), **error_responses()},
    summary="List checks",
)
def list_checks(request: HttpRequest, filters: Query[CheckFilters]):
    """List the checks of the caller's pages, filtered by page, component,
    state, checker or enabled."""
    checks = readable(request, Check.objects.all())
    for field, value in (
        ("page_id", filters.page),
        ("component_id", filters.component),
        ("state", filters.state),
        ("checker", filters.checker),
        ("enabled", filters.enabled),
    ):
        if value is not None:
            checks = checks.filter(**{field: value})
    return paginate(request, checks, filters, filters.ordering)


@router.post(
    "/checks",
    response={201: CheckOut, **error_responses(400, 409)},
    summary="Create a check",
)
def create_check(request: HttpRequest, payload: CheckIn, response: HttpResponse):
    """Create a check. Its config is validated by the checker; an invalid
    field is a 422 naming body.config.<field>. A push checker (such as
    heartbeat) gets a push token, returned in this response only."""
    page = writable_reference(request, Page.objects.all(), payload.page_id, "page_id")
    options = payload.dict(
        exclude={"page_id", "component_id", "name", "checker", "config"}
    )
    options["component"] = _component_of_page(page.pk, payload.component_id)
    try:
        accepts_pushes = get_checker(payload.checker).accepts_pushes
    except UnknownChecker as error:
        raise ValidationFailed.for_field("checker", str(error)) from None

    if accepts_pushes:
        check, token = create_push_check(
            page, payload.name, payload.checker, payload.config, **options
        )
        check.push_token = token
        # The token is shown once; neither caches nor the idempotency
        # store may keep it.
        response["Cache-Control"] = "no-store"
    else:
        check = services.create_check(
            page, payload.name, payload.checker, payload.config, **options
        )
    return Status(201, check)


@router.get(
    "/checks/{check_id}",
    response={200: CheckOut, **error_responses(404)},
    summary="Get a check",
)
def get_check(request: HttpRequest, check_id: ObjectId):
    """Return one check with its current state; secrets in config are masked."""
    return get_for_read(request, Check.objects.all(), check_id)


@router.patch(
    "/checks/{check_id}",
    response={200: CheckOut, **error_responses(400, 404)},
    summary="Change a check",
)
def update_check(request: HttpRequest, check_id: ObjectId, payload: CheckPatch):
    """Change a check. A changed config is validated again by the checker;
    secrets sent back masked keep their stored value."""
    check = get_for_write(request, Check.objects.all(), check_id)
    changes = payload.dict(exclude_unset=True)
    if "component_id" in changes:
        changes["component"] = _component_of_page(
            check.page_id, changes.pop("component_id")
        )
    if "config" in changes:
        changes["config"] = restore_masked(
            _require_object(changes["config"]), check.config
        )
    return services.update_check(check, **changes)


@router.delete(
    "/checks/{check_id}",
    response={204: None, **error_responses(404)},
    summary="Delete a check",
)
def delete_check(request: HttpRequest, check_id: ObjectId):
    """Delete a check with its results. Its component keeps its status."""
    check = get_for_write(request, Check.objects.all(), check_id)
    services.delete_check(check)
    return Status(204, None)


@router.get(
    "/checks/{check_id}/results",
    response={200: paginated(ResultOut), **error_responses(404)},
    summary="List a check's results",
)
def list_results(
    request: HttpRequest, check_id: ObjectId, filters: Query[ResultFilters]
):
    """List the raw results of a check, newest first, in a time range.
    Raw results are kept for STATUSCORE_RESULT_RETENTION_DAYS (30) days;
    use /uptime for older days."""
    check = get_for_read(request, Check.objects.all(), check_id)
    if filters.since and filters.until and filters.since >= filters.until:
        raise ValidationFailed.for_field("query.until", "Must be later than since.")

    results = CheckResult.objects.filter(uptime_check=check)
    if filters.since is not None:
        results = results.filter(checked_at__gte=filters.since)
    if filters.until is not None:
        results = results.filter(checked_at__lt=filters.until)
    if filters.status is not None:
        results = results.filter(status=filters.status)
    if filters.region is not None:
        results = results.filter(region=filters.region)
    return paginate(request, results, filters, filters.ordering)


@router.get(
    "/checks/{check_id}/uptime",
    response={200: UptimeOut, **error_responses(404)},
    summary="Get a check's daily uptime",
)
def get_uptime(request: HttpRequest, check_id: ObjectId, query: Query[UptimeQuery]):
    """Return the uptime of a check per calendar day in its page's time zone,
    from the hourly roll-ups and today's results. Maintenance time is not
    counted as downtime."""
    check = get_for_read(request, Check.objects.select_related("page"), check_id)
    history = uptime_history(check, query.days)
    return {
        "check_id": check.pk,
        "time_zone": history.time_zone,
        "uptime_percent": history.uptime_percent,
        "coverage": history.coverage,
        "days": [
            {
                "date": bar.day.isoformat(),
                "start": bar.start,
                "end": bar.end,
                "uptime_percent": bar.uptime_percent,
                "coverage": bar.coverage,
                "worst_status": bar.worst_status,
                "known_seconds": bar.known_seconds,
                "down_seconds": bar.down_seconds,
                "degraded_seconds": bar.degraded_seconds,
                "maintenance_seconds": bar.maintenance_seconds,
            }
            for bar in history.days
        ],
    }
