"""Request and response bodies of ``/api/v1/incidents`` and their updates.

Times in requests are ``pydantic.Timestamp``: ISO 8601 with a UTC
offset or ``Z``. A time without an offset is rejected with 422 naming the
field, because guessing its zone would store a shifted instant. Times in
responses are UTC with an offset.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from statuscore.api.v1.pagination import ListQuery, ordering_choices
from statuscore.api.v1.schemas import InputSchema, ObjectId, Timestamp, example
from statuscore.models import ComponentStatus, IncidentImpact, IncidentStatus

__all__ = [
    "AffectedComponentIn",
    "IncidentCreate",
    "IncidentFilters",
    "IncidentOut",
    "IncidentPatch",
    "IncidentResolve",
    "IncidentUpdateCreate",
    "IncidentUpdateOut",
    "IncidentUpdatePatch",
]

INCIDENT_ORDERINGS = ordering_choices(
    "started_at", "created_at", "updated_at", "resolved_at"
)


class AffectedComponentIn(InputSchema):
    id: ObjectId = Field(description="Id of a component on the incident's page.")
    status: ComponentStatus = Field(
        description="The status the component moves to with this update."
    )


class IncidentCreate(InputSchema):
    model_config = example(
        {
            "page_id": 1,
            "name": "Slow API requests",
            "impact": "major",
            "status": "investigating",
            "body": "We are looking into slow API requests.",
            "components": [{"id": 5, "status": "partial_outage"}],
            "started_at": "2026-08-06T18:31:37Z",
        }
    )

    page_id: ObjectId = Field(
        description="Id of the status page the incident is shown on."
    )
    name: str = Field(min_length=1, max_length=255, examples=["Slow API requests"])
    status: IncidentStatus = IncidentStatus.INVESTIGATING
    impact: IncidentImpact = IncidentImpact.MINOR
    body: str = Field(
        min_length=1,
        description="Message of the first update (Markdown).",
        examples=["We are looking into slow API requests."],
    )
    components: list[AffectedComponentIn] = Field(
        default_factory=list,
        description="Affected components, each with the status it moves to.",
    )
    started_at: Timestamp | None = Field(
        None,
        description="When the problem began; defaults to now. Needs an offset.",
        examples=["2026-08-06T18:31:37Z"],
    )
    resolved_at: Timestamp | None = Field(
        None,
        description=(
            "Give it to record a past incident: the incident is created resolved, "
            "with both times set. Needs an offset."
        ),
    )
    is_public: bool = Field(
        True,
        description="False keeps the incident off the public page until approved.",
    )
    notify_subscribers: bool = Field(
        True, description="False records the incident without telling subscribers."
    )


class IncidentPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=255)
    impact: IncidentImpact | None = None
    started_at: Timestamp | None = Field(None, description="Needs an offset.")
    resolved_at: Timestamp | None = Field(
        None, description="Only for a resolved incident. Needs an offset."
    )


class IncidentResolve(InputSchema):
    body: str = Field(
        min_length=1,
        description="Message of the resolving update.",
        examples=["The fix is deployed and requests are fast again."],
    )
    restore_components: bool = Field(
        True, description="Put every affected component back to operational."
    )
    notify_subscribers: bool = True


class IncidentUpdateCreate(InputSchema):
    status: IncidentStatus
    body: str = Field(min_length=1, examples=["A bad deploy; rolling back."])
    components: list[AffectedComponentIn] = Field(
        default_factory=list,
        description="Components to add to the incident, each with its new status.",
    )
    impact: IncidentImpact | None = Field(
        None, description="A new impact for the incident, if it changed."
    )
    display_at: Timestamp | None = Field(
        None, description="When the update is shown to have happened; defaults to now."
    )
    notify_subscribers: bool = True


class IncidentUpdatePatch(InputSchema):
    status: IncidentStatus | None = None
    body: str | None = Field(None, min_length=1)
    display_at: Timestamp | None = Field(None, description="Needs an offset.")


class ComponentRef(Schema):
    id: int
    name: str
    status: ComponentStatus


class AffectedComponentOut(Schema):
    code: str = Field(description="The component's id.")
    name: str
    old_status: ComponentStatus
    new_status: ComponentStatus


UPDATE_EXAMPLE = {
    "id": 7,
    "incident_id": 3,
    "status": "investigating",
    "body": "We are looking into slow API requests.",
    "display_at": "2026-08-06T18:31:37Z",
    "affected_components": [
        {
            "code": "5",
            "name": "API",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ],
    "notify_subscribers": True,
    "created_at": "2026-08-06T18:32:02Z",
    "updated_at": "2026-08-06T18:32:02Z",
    "edited_at": None,
}


class IncidentUpdateOut(Schema):
    model_config = example(UPDATE_EXAMPLE)

    id: int
    incident_id: int
    status: IncidentStatus
    body: str
    display_at: datetime
    affected_components: list[AffectedComponentOut]
    notify_subscribers: bool
    created_at: datetime
    updated_at: datetime
    edited_at: datetime | None


class IncidentOut(Schema):
    model_config = example(
        {
            "id": 3,
            "page_id": 1,
            "name": "Slow API requests",
            "status": "investigating",
            "impact": "major",
            "is_public": True,
            "started_at": "2026-08-06T18:31:37Z",
            "monitoring_at": None,
            "resolved_at": None,
            "approved_at": None,
            "created_at": "2026-08-06T18:32:02Z",
            "updated_at": "2026-08-06T18:32:02Z",
            "components": [{"id": 5, "name": "API", "status": "partial_outage"}],
            "updates": [UPDATE_EXAMPLE],
        }
    )

    id: int
    page_id: int
    name: str
    status: IncidentStatus
    impact: IncidentImpact
    is_public: bool
    started_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime
    components: list[ComponentRef]
    updates: list[IncidentUpdateOut] = Field(description="Newest first.")


class IncidentFilters(ListQuery):
    page: ObjectId | None = Field(None, description="Only incidents of this page.")
    status: list[IncidentStatus] | None = Field(
        None, description="Only incidents in these statuses; repeat to give several."
    )
    component: ObjectId | None = Field(
        None, description="Only incidents affecting this component."
    )
    unresolved: bool | None = Field(
        None, description="true: only unresolved incidents; false: only resolved."
    )
    started_after: Timestamp | None = Field(
        None, description="Only incidents started at or after this time."
    )
    started_before: Timestamp | None = Field(
        None, description="Only incidents started before this time."
    )
    ordering: INCIDENT_ORDERINGS = Field(
        "-started_at", description="Field to sort on; a leading - sorts descending."
    )
