from django.db import models

from statuscore.models.components import ComponentStatus
from statuscore.models.incidents import IncidentImpact


class CheckState(models.TextChoices):
    """The confirmed state of a check, after its confirmation rule."""

    UNKNOWN = "unknown", "Unknown"
    UP = "up", "Up"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"


class ResultStatus(models.TextChoices):
    """The outcome of one run of a checker."""

    UP = "up", "Up"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"


class Check(models.Model):
    """An uptime check: which checker runs, how often, and whom it affects.

    ``config`` is validated by the checker plugin's configuration model
    before it is saved. The counters and ``state`` are written only by
    ``statuscore.services.checks.record_result``, and the counters also by
    the monitor's bulk path for results that change no state (see
    ``can_record_in_bulk`` in the same module).
    """

    page = models.ForeignKey(
        "statuscore.Page", on_delete=models.CASCADE, related_name="checks"
    )
    component = models.ForeignKey(
        "statuscore.Component",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checks",
    )
    name = models.CharField(max_length=200)
    checker = models.CharField(max_length=64, help_text="Registered checker name.")
    config = models.JSONField(default=dict)
    interval_seconds = models.PositiveIntegerField(default=60)
    timeout_seconds = models.FloatField(default=10.0)
    failure_threshold = models.PositiveIntegerField(
        default=2, help_text="Consecutive failures before the check is down."
    )
    recovery_threshold = models.PositiveIntegerField(
        default=1, help_text="Consecutive successes before the check is up again."
    )
    outage_status = models.CharField(
        max_length=32,
        choices=ComponentStatus.choices,
        default=ComponentStatus.MAJOR_OUTAGE,
        help_text="Component status while the check is down.",
    )
    enabled = models.BooleanField(default=True)
    retries = models.PositiveSmallIntegerField(
        default=1,
        help_text="Quick re-tries within one run before a failure is recorded.",
    )
    regions = models.JSONField(
        default=list,
        blank=True,
        help_text="Names of the regions that run the check; empty for any worker "
        "started without --region.",
    )
    region_quorum = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Regions that must see the check down; empty for a majority.",
    )
    open_incident = models.BooleanField(
        default=False,
        help_text="Open an incident when the check is confirmed down, and "
        "resolve it when the check recovers.",
    )
    incident_needs_approval = models.BooleanField(
        default=False,
        help_text="Keep the incident the check opens off the public page and "
        "away from subscribers until an editor approves it. Alert channels "
        "are told at once.",
    )
    incident_impact = models.CharField(
        max_length=20,
        choices=IncidentImpact.choices,
        default=IncidentImpact.MAJOR,
        help_text="Impact of the incident the check opens.",
    )
    incident_title = models.CharField(
        max_length=255,
        default="{check} is down",
        help_text="Title of the incident. Placeholders: {check}, {component}, "
        "{reason}, {since}.",
    )
    incident_body = models.TextField(
        default="{check} is failing: {reason}",
        help_text="First update of the incident, with the same placeholders.",
    )
    resolve_body = models.TextField(
        default="{check} has recovered.",
        help_text="Update that resolves the incident, with the same placeholders.",
    )
    auto_incident = models.ForeignKey(
        "statuscore.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The incident this check opened, kept until the check recovers.",
    )

    state = models.CharField(
        max_length=16, choices=CheckState.choices, default=CheckState.UNKNOWN
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    announced_state = models.CharField(
        max_length=16,
        choices=CheckState.choices,
        default=CheckState.UNKNOWN,
        help_text="The state last sent in a check.state_changed event.",
    )
    recent_state_changes = models.JSONField(
        default=list,
        blank=True,
        help_text="ISO times of the latest state changes, for flapping detection.",
    )
    flapping_since = models.DateTimeField(null=True, blank=True)
    last_response_time_ms = models.FloatField(null=True, blank=True)
    result_counts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Results recorded so far, by status; never decreases.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CheckResult(models.Model):
    """One run of a check, kept as measured."""

    uptime_check = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="results"
    )
    checked_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=ResultStatus.choices)
    response_time_ms = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    region = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["uptime_check", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.uptime_check_id} {self.status} at {self.checked_at:%Y-%m-%d %H:%M:%S}"


class CheckRegion(models.Model):
    """The schedule and confirmation counters of a check in one region.

    A check with regions is claimed through these rows, one per region, so
    each region's monitor runs it in every slot. ``state`` is the region's
    own confirmed state; the check's state follows the region quorum.
    """

    uptime_check = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="region_rows"
    )
    region = models.CharField(max_length=64)
    next_run_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=16, choices=CheckState.choices, default=CheckState.UNKNOWN
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uptime_check_id", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["uptime_check", "region"], name="unique_check_region"
            )
        ]
        indexes = [models.Index(fields=["region", "next_run_at"])]

    def __str__(self) -> str:
        return f"{self.uptime_check_id} in {self.region}"
