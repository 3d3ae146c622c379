from django.db import models
from django.utils.translation import pgettext_lazy


class ComponentStatus(models.TextChoices):
    """The five component statuses of Atlassian Statuspage's v2 format."""

    OPERATIONAL = "operational", pgettext_lazy("status", "Operational")
    DEGRADED_PERFORMANCE = (
        "degraded_performance",
        pgettext_lazy("status", "Degraded performance"),
    )
    PARTIAL_OUTAGE = "partial_outage", pgettext_lazy("status", "Partial outage")
    MAJOR_OUTAGE = "major_outage", pgettext_lazy("status", "Major outage")
    UNDER_MAINTENANCE = (
        "under_maintenance",
        pgettext_lazy("status", "Under maintenance"),
    )


class ComponentGroup(models.Model):
    page = models.ForeignKey(
        "statuscore.Page", on_delete=models.CASCADE, related_name="component_groups"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Component(models.Model):
    """A part of the service whose status visitors see."""

    page = models.ForeignKey(
        "statuscore.Page", on_delete=models.CASCADE, related_name="components"
    )
    group = models.ForeignKey(
        ComponentGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="components",
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=32,
        choices=ComponentStatus.choices,
        default=ComponentStatus.OPERATIONAL,
    )
    position = models.PositiveIntegerField(default=0)
    showcase = models.BooleanField(default=True)
    only_show_if_degraded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
