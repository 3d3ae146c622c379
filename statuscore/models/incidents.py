from django.conf import settings
from django.db import models


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


class IncidentImpact(models.TextChoices):
    NONE = "none", "None"
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


class MaintenanceStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    VERIFYING = "verifying", "Verifying"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class IncidentQuerySet(models.QuerySet):
    def unresolved(self) -> "IncidentQuerySet":
        return self.exclude(status=IncidentStatus.RESOLVED)


class Incident(models.Model):
    """Something that went wrong, told to visitors as a timeline of updates.

    ``started_at`` is when the problem began; it may lie before
    ``created_at`` for an incident written after the fact.
    """

    page = models.ForeignKey(
        "statuscore.Page", on_delete=models.CASCADE, related_name="incidents"
    )
    name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=20,
        choices=IncidentStatus.choices,
        default=IncidentStatus.INVESTIGATING,
    )
    impact = models.CharField(
        max_length=20, choices=IncidentImpact.choices, default=IncidentImpact.MINOR
    )
    components = models.ManyToManyField(
        "statuscore.Component", blank=True, related_name="incidents"
    )
    started_at = models.DateTimeField()
    monitoring_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["page", "status", "started_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_resolved(self) -> bool:
        return self.status == IncidentStatus.RESOLVED


class IncidentUpdate(models.Model):
    """One entry of an incident's public timeline."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(max_length=20, choices=IncidentStatus.choices)
    body = models.TextField()
    display_at = models.DateTimeField()
    affected_components = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-display_at", "-id"]

    def __str__(self) -> str:
        return f"{self.incident}: {self.status}"


class MaintenanceQuerySet(models.QuerySet):
    def active(self) -> "MaintenanceQuerySet":
        return self.filter(
            status__in=[MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING]
        )


class Maintenance(models.Model):
    """A scheduled window of planned work on some components.

    ``statuscore.services.maintenances`` moves it from scheduled to in
    progress at ``scheduled_for`` and to completed at ``scheduled_until``.
    ``statuses_before`` keeps, per component id, the status each affected
    component had when the work started, so that completing it can put the
    component back. ``reminded_at`` records that the reminder went out, so
    that it goes out once even across restarts of the scheduler.
    """

    page = models.ForeignKey(
        "statuscore.Page", on_delete=models.CASCADE, related_name="maintenances"
    )
    name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=20,
        choices=MaintenanceStatus.choices,
        default=MaintenanceStatus.SCHEDULED,
    )
    components = models.ManyToManyField(
        "statuscore.Component", blank=True, related_name="maintenances"
    )
    scheduled_for = models.DateTimeField()
    scheduled_until = models.DateTimeField()
    body = models.TextField(blank=True)
    statuses_before = models.JSONField(default=dict, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MaintenanceQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_for", "id"]
        indexes = [models.Index(fields=["status", "scheduled_for"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scheduled_until__gt=models.F("scheduled_for")),
                name="maintenance_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name
