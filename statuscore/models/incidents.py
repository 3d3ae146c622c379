from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import pgettext_lazy

from statuscore.models.pages import validate_time_zone


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", pgettext_lazy("status", "Investigating")
    IDENTIFIED = "identified", pgettext_lazy("status", "Identified")
    MONITORING = "monitoring", pgettext_lazy("status", "Monitoring")
    RESOLVED = "resolved", pgettext_lazy("status", "Resolved")


class IncidentImpact(models.TextChoices):
    NONE = "none", pgettext_lazy("impact", "None")
    MINOR = "minor", pgettext_lazy("impact", "Minor")
    MAJOR = "major", pgettext_lazy("impact", "Major")
    CRITICAL = "critical", pgettext_lazy("impact", "Critical")


class MaintenanceStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("status", "Scheduled")
    IN_PROGRESS = "in_progress", pgettext_lazy("status", "In progress")
    VERIFYING = "verifying", pgettext_lazy("status", "Verifying")
    COMPLETED = "completed", pgettext_lazy("status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")


class MaintenanceFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class IncidentQuerySet(models.QuerySet):
    def unresolved(self) -> "IncidentQuerySet":
        return self.exclude(status=IncidentStatus.RESOLVED)

    def public(self) -> "IncidentQuerySet":
        """Incidents visitors and subscribers may see: not waiting for approval."""
        return self.filter(is_public=True)


class Incident(models.Model):
    """Something that went wrong, told to visitors as a timeline of updates.

    ``started_at`` is when the problem began; it may lie before
    ``created_at`` for an incident written after the fact.

    ``is_public`` is False while an incident opened automatically waits
    for a person's approval: the public page, the v2 JSON, feeds and
    subscribers do not see it, but the team's alert channels receive its
    events.
    ``approve_incident`` makes it public and sets ``approved_at`` and
    ``approved_by``.
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
    is_public = models.BooleanField(
        default=True,
        help_text="Shown to visitors and subscribers. False while the incident "
        "waits for approval.",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
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
    """One entry of an incident's public timeline.

    ``notify_subscribers`` False records the update and emits its event
    (live updates, alert channels) but sends subscribers nothing for it.
    ``edited_at`` is set when an editor changes the entry after posting it.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(max_length=20, choices=IncidentStatus.choices)
    body = models.TextField()
    display_at = models.DateTimeField()
    affected_components = models.JSONField(default=list, blank=True)
    notify_subscribers = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True)

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

    Times are stored as UTC instants; ``time_zone`` is the IANA zone the
    editor entered them in, kept for display. ``series`` links an
    occurrence of a recurring window to its ``MaintenanceSeries``.
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
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone]
    )
    series = models.ForeignKey(
        "statuscore.MaintenanceSeries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
    )
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
            ),
            models.UniqueConstraint(
                fields=["series", "scheduled_for"],
                condition=models.Q(series__isnull=False),
                name="unique_maintenance_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MaintenanceUpdate(models.Model):
    """One entry of a maintenance's public timeline, written by an editor.

    ``status`` is the maintenance's status when the entry was posted.
    """

    maintenance = models.ForeignKey(
        Maintenance, on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(max_length=20, choices=MaintenanceStatus.choices)
    body = models.TextField()
    display_at = models.DateTimeField()
    notify_subscribers = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-display_at", "-id"]

    def __str__(self) -> str:
        return f"{self.maintenance}: {self.status}"


class MaintenanceSeries(models.Model):
    """A recurring maintenance window, such as every Sunday 02:00-03:00.

    The rule is read in ``time_zone``: ``start_time`` is a local wall-clock
    time and ``duration`` the elapsed length of each window.
    ``statuscore.recurrence.occurrences`` turns the rule into UTC instants,
    and the maintenance scheduler creates each occurrence ahead as an
    ordinary ``Maintenance`` linked by ``series``. ``weekday`` (0 is
    Monday) applies to weekly and monthly rules, ``week_of_month`` (1 to 4,
    or -1 for the last) to monthly ones. ``generated_until`` is the end of
    the range already turned into occurrences, so an occurrence an editor
    deleted is not created again.
    """

    page = models.ForeignKey(
        "statuscore.Page", on_delete=models.CASCADE, related_name="maintenance_series"
    )
    name = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    components = models.ManyToManyField(
        "statuscore.Component", blank=True, related_name="maintenance_series"
    )
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    frequency = models.CharField(max_length=10, choices=MaintenanceFrequency.choices)
    weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    week_of_month = models.SmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-1), MaxValueValidator(4)],
    )
    start_time = models.TimeField()
    duration = models.DurationField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    generated_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["page", "name", "id"]
        verbose_name_plural = "maintenance series"

    def __str__(self) -> str:
        return self.name
