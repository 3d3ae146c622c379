"""Domain models. Change them only through ``statuscore.services``."""

from statuscore.models.checks import (
    Check,
    CheckRegion,
    CheckResult,
    CheckState,
    ResultStatus,
)
from statuscore.models.components import Component, ComponentGroup, ComponentStatus
from statuscore.models.incidents import (
    Incident,
    IncidentImpact,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    MaintenanceStatus,
)
from statuscore.models.organizations import Membership, Organization, Role
from statuscore.models.outbox import OutboxEvent
from statuscore.models.pages import Page

__all__ = [
    "Check",
    "CheckRegion",
    "CheckResult",
    "CheckState",
    "Component",
    "ComponentGroup",
    "ComponentStatus",
    "Incident",
    "IncidentImpact",
    "IncidentStatus",
    "IncidentUpdate",
    "Maintenance",
    "MaintenanceStatus",
    "Membership",
    "Organization",
    "OutboxEvent",
    "Page",
    "ResultStatus",
    "Role",
]
