"""Links an editor places in the footer of a status page."""

from __future__ import annotations

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable

from statuscms.branding import validate_link_url

__all__ = ["FooterLink"]


class FooterLink(Orderable):
    """One footer link: a label and an http, https or mailto URL."""

    page = ParentalKey(
        "statuscms.StatusPage", on_delete=models.CASCADE, related_name="footer_links"
    )
    label = models.CharField(max_length=80)
    url = models.CharField(
        "URL",
        max_length=500,
        validators=[validate_link_url],
        help_text="An http, https or mailto link, such as https://example.com/help.",
    )

    panels = [FieldPanel("label"), FieldPanel("url")]

    class Meta(Orderable.Meta):
        verbose_name = "footer link"

    def __str__(self) -> str:
        return self.label
