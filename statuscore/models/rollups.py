from django.db import models


class CheckRollup(models.Model):
    """Totals of one check's results over one bucket of time.

    Seconds follow the rules of ``statuscore.uptime``: ``known_seconds``
    is covered time outside maintenance and includes ``down_seconds`` and
    ``degraded_seconds``. The counts and latencies are over the results
    whose ``checked_at`` lies in the bucket. Latencies leave out down
    results, whose response time is mostly the timeout.
    """

    uptime_check = models.ForeignKey(
        "statuscore.Check", on_delete=models.CASCADE, related_name="+"
    )
    bucket_start = models.DateTimeField()
    bucket_end = models.DateTimeField()
    checks_count = models.PositiveIntegerField(default=0)
    failures_count = models.PositiveIntegerField(default=0)
    degraded_count = models.PositiveIntegerField(default=0)
    known_seconds = models.FloatField(default=0.0)
    down_seconds = models.FloatField(default=0.0)
    degraded_seconds = models.FloatField(default=0.0)
    maintenance_seconds = models.FloatField(default=0.0)
    latency_count = models.PositiveIntegerField(default=0)
    latency_avg_ms = models.FloatField(null=True, blank=True)
    latency_p50_ms = models.FloatField(null=True, blank=True)
    latency_p95_ms = models.FloatField(null=True, blank=True)
    latency_p99_ms = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["uptime_check", "bucket_start"]

    def __str__(self) -> str:
        return f"{self.uptime_check_id} from {self.bucket_start:%Y-%m-%d %H:%M}"


class CheckRollupHour(CheckRollup):
    """A check's totals for one UTC hour."""

    class Meta(CheckRollup.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["uptime_check", "bucket_start"], name="unique_check_rollup_hour"
            )
        ]


class CheckRollupDay(CheckRollup):
    """A check's totals for one calendar day in its page's time zone.

    ``bucket_start`` and ``bucket_end`` are the local midnights, stored in
    UTC, so a day across a daylight-saving change lasts 23 or 25 hours.
    """

    class Meta(CheckRollup.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["uptime_check", "bucket_start"], name="unique_check_rollup_day"
            )
        ]
