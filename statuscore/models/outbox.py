from django.db import models


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change it reports.

    A huey task drains these rows after commit: it calls the plugins' event
    hook, and later fans out to notifiers and live updates. A row is done
    when ``processed_at`` is set; failures are recorded on the row and the
    drain retries it.
    """

    kind = models.CharField(max_length=64)
    page = models.ForeignKey(
        "statuscore.Page",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_events",
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(processed_at__isnull=True),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
