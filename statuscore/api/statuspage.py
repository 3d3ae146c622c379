"""Schemas of Atlassian Statuspage's public v2 JSON, for validation and docs.

``statuscore.summary`` builds the payloads. These schemas describe them in
the OpenAPI document and check them on the way out. Every schema rejects
unknown fields, so a payload that gains or loses a field fails loudly
instead of drifting from the documented format.
"""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from statuscore.models import (
    ComponentStatus,
    IncidentImpact,
    IncidentStatus,
    MaintenanceStatus,
)

__all__ = [
    "Component",
    "ComponentGroup",
    "ComponentsResponse",
    "Error",
    "Incident",
    "IncidentUpdate",
    "IncidentsResponse",
    "Page",
    "ScheduledMaintenance",
    "ScheduledMaintenancesResponse",
    "Status",
    "StatusResponse",
    "SummaryResponse",
]

Timestamp = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time"},
        examples=["2026-08-06T18:31:37.000Z"],
        description="ISO 8601 in the page's time zone, with milliseconds and offset.",
    ),
]
OptionalTimestamp = Annotated[
    str | None,
    Field(
        json_schema_extra={"format": "date-time"},
        description="ISO 8601 in the page's time zone, or null.",
    ),
]
Indicator = Literal["none", "minor", "major", "critical", "maintenance"]
PublicMaintenanceStatus = Literal["scheduled", "in_progress", "verifying", "completed"]


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class Page(StrictSchema):
    """The status page the response is about."""

    id: str
    name: str
    url: str = Field(description="Canonical public address, or an empty string.")
    time_zone: str = Field(examples=["Europe/Berlin"], description="IANA zone name.")
    updated_at: Timestamp = Field(
        description="When the page or anything on it last changed."
    )


class Status(StrictSchema):
    """The page's overall state, set by its most severe cause."""

    indicator: Indicator
    description: str = Field(examples=["All Systems Operational"])


class Component(StrictSchema):
    """A component whose status visitors see."""

    id: str
    name: str
    status: ComponentStatus
    created_at: Timestamp
    updated_at: Timestamp
    position: int
    description: str | None
    showcase: bool
    start_date: str | None = Field(description="Always null.")
    group_id: str | None = Field(description="Id of the group it belongs to.")
    page_id: str
    group: Literal[False]
    only_show_if_degraded: bool


class ComponentGroup(StrictSchema):
    """A group of components, listed among them and before its members."""

    id: str = Field(examples=["group-3"])
    name: str
    status: ComponentStatus = Field(description="The worst status of its members.")
    created_at: Timestamp
    updated_at: Timestamp
    position: int
    description: str | None
    showcase: Literal[False]
    start_date: None
    group_id: None
    page_id: str
    group: Literal[True]
    only_show_if_degraded: Literal[False]
    components: list[str] = Field(description="Ids of its members, in order.")


class AffectedComponent(StrictSchema):
    """A component whose status an incident update changed."""

    code: str = Field(description="The component's id.")
    name: str
    old_status: ComponentStatus
    new_status: ComponentStatus


class IncidentUpdate(StrictSchema):
    """One entry of an incident's timeline."""

    id: str
    status: IncidentStatus
    body: str = Field(description="The message, as written.")
    incident_id: str
    created_at: Timestamp
    updated_at: Timestamp
    display_at: Timestamp
    affected_components: list[AffectedComponent] | None
    deliver_notifications: bool
    custom_tweet: None
    tweet_id: None


class Incident(StrictSchema):
    """An incident with its timeline, newest update first."""

    id: str
    name: str
    status: IncidentStatus
    created_at: Timestamp
    updated_at: Timestamp
    monitoring_at: OptionalTimestamp
    resolved_at: OptionalTimestamp
    impact: IncidentImpact
    shortlink: str | None = Field(
        description="The address of the incident's own page, or null when "
        "the status page has no canonical URL."
    )
    started_at: Timestamp
    page_id: str
    incident_updates: list[IncidentUpdate]
    components: list[Component]


class MaintenanceUpdate(StrictSchema):
    """One entry of a maintenance's timeline."""

    id: str
    status: MaintenanceStatus
    body: str
    incident_id: str
    created_at: Timestamp
    updated_at: Timestamp
    display_at: Timestamp
    affected_components: list[AffectedComponent] | None
    deliver_notifications: bool
    custom_tweet: None
    tweet_id: None


class ScheduledMaintenance(StrictSchema):
    """A maintenance: to come, in progress, being verified or completed."""

    id: str
    name: str
    status: PublicMaintenanceStatus
    created_at: Timestamp
    updated_at: Timestamp
    monitoring_at: None
    resolved_at: OptionalTimestamp = Field(
        description="When the work was completed, or null until then."
    )
    impact: Literal["maintenance"]
    shortlink: str | None
    started_at: Timestamp
    page_id: str
    incident_updates: list[MaintenanceUpdate] = Field(
        description="The updates posted on the maintenance, newest first."
    )
    components: list[Component]
    scheduled_for: Timestamp
    scheduled_until: Timestamp


class SummaryResponse(StrictSchema):
    page: Page
    components: list[ComponentGroup | Component]
    incidents: list[Incident]
    scheduled_maintenances: list[ScheduledMaintenance]
    status: Status


class IncidentsResponse(StrictSchema):
    page: Page
    incidents: list[Incident]


class ScheduledMaintenancesResponse(StrictSchema):
    page: Page
    scheduled_maintenances: list[ScheduledMaintenance]


class StatusResponse(StrictSchema):
    page: Page
    status: Status


class ComponentsResponse(StrictSchema):
    page: Page
    components: list[ComponentGroup | Component]


class Error(Schema):
    """An error, explained in one sentence."""

    detail: str
