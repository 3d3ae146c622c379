"""Domain models. Change them only through ``statuscore.services``."""

from statuscore.models.accounts import ApiKey, ApiScope, RefreshToken
from statuscore.models.certificates import CertificateReminder
from statuscore.models.checks import (
    Check,
    CheckRegion,
    CheckResult,
    CheckState,
    ResultStatus,
)
from statuscore.models.components import Component, ComponentGroup, ComponentStatus
from statuscore.models.heartbeats import Heartbeat
from statuscore.models.idempotency import IdempotencyRecord
from statuscore.models.incidents import (
    Incident,
    IncidentImpact,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    MaintenanceFrequency,
    MaintenanceSeries,
    MaintenanceStatus,
    MaintenanceUpdate,
)
from statuscore.models.notifications import (
    AlertChannel,
    Delivery,
    DeliveryState,
    Subscriber,
    SubscriberState,
)
from statuscore.models.organizations import Membership, Organization, Role
from statuscore.models.outbox import OutboxEvent
from statuscore.models.pages import Page, PageAccess
from statuscore.models.rollups import CheckRollupDay, CheckRollupHour

__all__ = [
    "AlertChannel",
    "ApiKey",
    "ApiScope",
    "Delivery",
    "DeliveryState",
    "Subscriber",
    "SubscriberState",
    "CertificateReminder",
    "Check",
    "CheckRegion",
    "CheckResult",
    "CheckRollupDay",
    "CheckRollupHour",
    "CheckState",
    "Component",
    "ComponentGroup",
    "ComponentStatus",
    "Heartbeat",
    "IdempotencyRecord",
    "Incident",
    "IncidentImpact",
    "IncidentStatus",
    "IncidentUpdate",
    "Maintenance",
    "MaintenanceFrequency",
    "MaintenanceSeries",
    "MaintenanceStatus",
    "MaintenanceUpdate",
    "Membership",
    "Organization",
    "OutboxEvent",
    "Page",
    "PageAccess",
    "RefreshToken",
    "ResultStatus",
    "Role",
]
