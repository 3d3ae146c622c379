import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value: str) -> None:
    """Reject names that are not IANA time zones, such as ``Europe/Berlin``."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone name.")


def default_subscriber_notifiers() -> list[str]:
    return ["email"]


class Page(models.Model):
    """A public status page: what visitors see at one address.

    ``domain`` is the custom host name that serves this page, if any. The
    public API picks the page by request host, with ``?page=<slug>`` as a
    fallback.
    """

    organization = models.ForeignKey(
        "statuscore.Organization", on_delete=models.PROTECT, related_name="pages"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    domain = models.CharField(max_length=253, blank=True, default="")
    url = models.URLField(
        blank=True, default="", help_text="Canonical public address of this page."
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        max_length=16,
        default="en",
        help_text="Language of messages to subscribers who did not choose one.",
    )
    subscriber_notifiers = models.JSONField(
        default=default_subscriber_notifiers,
        blank=True,
        help_text="Names of the notifiers visitors may subscribe through.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"],
                condition=~models.Q(domain=""),
                name="unique_page_domain",
            )
        ]

    def __str__(self) -> str:
        return self.name
