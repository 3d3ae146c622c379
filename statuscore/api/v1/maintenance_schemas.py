"""Request and response bodies of ``/api/v1/maintenances`` and
``/api/v1/maintenance-series``.

Instants in requests need a UTC offset (``pydantic.Timestamp``), and a
time without one is a 422 naming the field. ``time_zone`` is the IANA zone
the window is shown in; it never changes the instant. A series' rule is
local: ``start_time`` is a wall-clock time in the series' ``time_zone``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, PlainSerializer, WithJsonSchema

from statuscore.api.v1.incident_schemas import ComponentRef
from statuscore.api.v1.pagination import ListQuery, ordering_choices
from statuscore.api.v1.schemas import InputSchema, ObjectId, Timestamp, example
from statuscore.models import MaintenanceStatus

__all__ = [
    "MaintenanceComplete",
    "MaintenanceCreate",
    "MaintenanceFilters",
    "MaintenanceOut",
    "MaintenancePatch",
    "MaintenanceUpdateCreate",
    "MaintenanceUpdateOut",
    "SeriesCreate",
    "SeriesFilters",
    "SeriesOut",
    "SeriesPatch",
]

Frequency = Literal["daily", "weekly", "monthly"]


def _require_naive(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError(
            "Give a local wall-clock time without an offset, such as 02:00; "
            "time_zone says which zone it is in."
        )
    return value


LocalTime = Annotated[
    time,
    AfterValidator(_require_naive),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
            "examples": ["02:00"],
        }
    ),
]
"""A wall-clock time such as ``02:00``, read in the series' ``time_zone``.

OpenAPI's ``time`` format demands an offset, which a local time has none
of, so the schema gives a pattern instead."""
MAINTENANCE_ORDERINGS = ordering_choices("scheduled_for", "created_at")
TIME_ZONE = Field(
    None,
    description="IANA zone the window is shown in, such as Europe/Berlin; "
    "defaults to the page's zone.",
    examples=["Europe/Berlin"],
)


class MaintenanceCreate(InputSchema):
    model_config = example(
        {
            "page_id": 1,
            "name": "Database upgrade",
            "starts_at": "2026-08-10T22:00:00Z",
            "ends_at": "2026-08-10T23:00:00Z",
            "time_zone": "Europe/Berlin",
            "components": [5],
            "body": "The database moves to new hardware.",
        }
    )

    page_id: ObjectId = Field(
        description="Id of the status page the maintenance is on."
    )
    name: str = Field(min_length=1, max_length=255, examples=["Database upgrade"])
    starts_at: Timestamp = Field(examples=["2026-08-10T22:00:00Z"])
    ends_at: Timestamp = Field(examples=["2026-08-10T23:00:00Z"])
    time_zone: str | None = TIME_ZONE
    components: list[ObjectId] = Field(
        default_factory=list,
        description="Ids of the components that go under maintenance.",
    )
    body: str = Field("", description="What the work is (Markdown).")
    notify_subscribers: bool = True


class MaintenancePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=255)
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    time_zone: str | None = None
    components: list[ObjectId] | None = Field(
        None, description="Replaces the affected components."
    )
    body: str | None = None
    notify_subscribers: bool = True


class MaintenanceComplete(InputSchema):
    restore_components: bool = Field(
        True, description="Put the components back to the status they had before."
    )


class MaintenanceUpdateCreate(InputSchema):
    body: str = Field(min_length=1, examples=["The upgrade takes longer than planned."])
    status: MaintenanceStatus | None = Field(
        None, description="Move the maintenance to this status with the update."
    )
    notify_subscribers: bool = True


class MaintenanceUpdateOut(Schema):
    id: int
    maintenance_id: int
    status: MaintenanceStatus
    body: str
    display_at: datetime
    notify_subscribers: bool
    created_at: datetime


class MaintenanceOut(Schema):
    model_config = example(
        {
            "id": 4,
            "page_id": 1,
            "series_id": None,
            "name": "Database upgrade",
            "status": "scheduled",
            "body": "The database moves to new hardware.",
            "starts_at": "2026-08-10T22:00:00Z",
            "ends_at": "2026-08-10T23:00:00Z",
            "time_zone": "Europe/Berlin",
            "started_at": None,
            "completed_at": None,
            "cancelled_at": None,
            "created_at": "2026-08-01T09:00:00Z",
            "updated_at": "2026-08-01T09:00:00Z",
            "components": [{"id": 5, "name": "API", "status": "operational"}],
            "updates": [],
        }
    )

    id: int
    page_id: int
    series_id: int | None = Field(
        description="The recurring series this window is an occurrence of, or null."
    )
    name: str
    status: MaintenanceStatus
    body: str
    starts_at: datetime = Field(validation_alias="scheduled_for")
    ends_at: datetime = Field(validation_alias="scheduled_until")
    time_zone: str
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    components: list[ComponentRef]
    updates: list[MaintenanceUpdateOut] = Field(description="Newest first.")


class MaintenanceFilters(ListQuery):
    page: ObjectId | None = None
    status: list[MaintenanceStatus] | None = Field(
        None, description="Only these statuses; repeat to give several."
    )
    component: ObjectId | None = None
    starts_after: Timestamp | None = Field(
        None, description="Only windows starting at or after this time."
    )
    starts_before: Timestamp | None = Field(
        None, description="Only windows starting before this time."
    )
    ordering: MAINTENANCE_ORDERINGS = Field(
        "scheduled_for", description="Field to sort on; a leading - sorts descending."
    )


class SeriesCreate(InputSchema):
    model_config = example(
        {
            "page_id": 1,
            "name": "Weekly patching",
            "frequency": "weekly",
            "weekday": 6,
            "start_time": "02:00",
            "duration": "PT1H",
            "time_zone": "Europe/Berlin",
            "starts_on": "2026-08-02",
            "components": [5],
        }
    )

    page_id: ObjectId
    name: str = Field(min_length=1, max_length=255, examples=["Weekly patching"])
    frequency: Frequency
    start_time: LocalTime = Field(description="Local start time in time_zone.")
    duration: timedelta = Field(
        description="Length of each window, ISO 8601 or seconds.", examples=["PT1H"]
    )
    time_zone: str = Field(examples=["Europe/Berlin"])
    starts_on: date
    ends_on: date | None = None
    weekday: int | None = Field(
        None, ge=0, le=6, description="0 is Monday; for weekly and monthly."
    )
    week_of_month: int | None = Field(
        None, ge=-1, le=4, description="1 to 4, or -1 for the last; monthly only."
    )
    components: list[ObjectId] = Field(default_factory=list)
    body: str = ""


class SeriesPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=255)
    frequency: Frequency | None = None
    start_time: LocalTime | None = None
    duration: timedelta | None = None
    time_zone: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    weekday: int | None = Field(None, ge=0, le=6)
    week_of_month: int | None = Field(None, ge=-1, le=4)
    components: list[ObjectId] | None = None
    body: str | None = None


class SeriesOut(Schema):
    model_config = example(
        {
            "id": 2,
            "page_id": 1,
            "name": "Weekly patching",
            "body": "",
            "frequency": "weekly",
            "start_time": "02:00:00",
            "duration": "PT1H",
            "time_zone": "Europe/Berlin",
            "starts_on": "2026-08-02",
            "ends_on": None,
            "weekday": 6,
            "week_of_month": None,
            "is_active": True,
            "created_at": "2026-08-01T09:00:00Z",
            "updated_at": "2026-08-01T09:00:00Z",
            "components": [{"id": 5, "name": "API", "status": "operational"}],
        }
    )

    id: int
    page_id: int
    name: str
    body: str
    frequency: Frequency
    start_time: LocalTime
    duration: timedelta
    time_zone: str
    starts_on: date
    ends_on: date | None
    weekday: int | None
    week_of_month: int | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
    components: list[ComponentRef]


class SeriesFilters(ListQuery):
    page: ObjectId | None = None
    is_active: bool | None = None
