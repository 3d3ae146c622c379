from django.db import models

from statuscore.models.checks import Check


class CertificateReminder(models.Model):
    """An expiry threshold already crossed by one certificate of one check.

    A row exists once the reminder for that threshold has been sent, or was
    covered by a reminder for a tighter threshold, so no threshold fires
    twice for the same certificate, across restarts included.
    """

    uptime_check = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="certificate_reminders"
    )
    fingerprint_sha256 = models.CharField(max_length=64)
    threshold_days = models.PositiveIntegerField()
    not_after = models.DateTimeField()
    days_left = models.IntegerField(help_text="Days left when the row was written.")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["uptime_check", "fingerprint_sha256", "threshold_days"],
                name="unique_certificate_reminder",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.uptime_check_id} {self.fingerprint_sha256[:12]} "
            f"at {self.threshold_days} days"
        )
