from django.db import models

from statuscore.models.checks import Check


class Heartbeat(models.Model):
    """The push side of a check whose job reports in, and its last push.

    Only a SHA-256 digest of the push token is stored: the token is shown
    once when it is issued, and a lost token is replaced, not recovered.
    """

    uptime_check = models.OneToOneField(
        Check, on_delete=models.CASCADE, primary_key=True, related_name="heartbeat"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(
        help_text="Start of the schedule until the first push arrives."
    )
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_push_status = models.CharField(max_length=16, blank=True, default="")
    last_push_message = models.CharField(max_length=500, blank=True, default="")

    def __str__(self) -> str:
        return f"Heartbeat of check {self.uptime_check_id}"
