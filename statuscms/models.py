"""The Wagtail page type that publishes one ``statuscore.models.Page``."""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page

from statuscms.organization_models import (  # noqa: F401 (registers the models)
    OrganizationGroup,
    OrganizationLogEntry,
)
from statuscms.overview import load_page_overview
from statuscms.page_forms import StatusPageForm
from statuscms.subscribe import handle_subscribe, subscribe_forms

DEFAULT_BRAND_COLOR = "#1f6feb"

# \Z and not $, because $ also matches before a trailing newline.
BRAND_COLOR_PATTERN = re.compile(r"\A#(?:[0-9a-fA-F]{3}){1,2}\Z")

validate_brand_color = RegexValidator(
    BRAND_COLOR_PATTERN,
    message="Enter a hex colour such as #1a2b3c or #abc.",
    code="invalid_brand_color",
)


class StatusPage(Page):
    """The public status page of one core page, with its branding.

    The components, incidents and maintenances shown here belong to
    ``core_page`` and are read from ``statuscore``. This model stores only
    what the CMS owns: the page's place in the Wagtail tree and its brand.
    """

    # PROTECT, because a cascade from the core page would delete the Wagtail
    # page without updating the page tree. Delete the StatusPage first.
    core_page = models.OneToOneField(
        "statuscore.Page",
        on_delete=models.PROTECT,
        related_name="cms_page",
        help_text="The status page whose components and incidents this page shows.",
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    brand_color = models.CharField(
        "brand colour",
        max_length=7,
        default=DEFAULT_BRAND_COLOR,
        validators=[validate_brand_color],
        help_text="Hex colour of the header and links, such as #1a2b3c.",
    )
    intro = models.TextField(
        blank=True,
        default="",
        help_text="Plain text shown under the overall status.",
    )
    footer_text = models.TextField(
        blank=True,
        default="",
        help_text="Plain text shown at the bottom of the page.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("core_page"),
        FieldPanel("organization"),
        MultiFieldPanel(
            [FieldPanel("logo"), FieldPanel("brand_color")],
            heading="Branding",
        ),
        FieldPanel("intro"),
        FieldPanel("footer_text"),
        MultiFieldPanel(
            [FieldPanel("subscriber_channels"), FieldPanel("message_language")],
            heading="Subscriptions",
        ),
    ]

    base_form_class = StatusPageForm

    parent_page_types = ["wagtailcore.Page"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "status page"

    @classmethod
    def can_create_at(cls, parent) -> bool:
        # Allow only children of the tree's root, which a Site can use as its
        # root page. The "wagtailcore.Page" parent type alone would also allow
        # plain pages lower down, such as Wagtail's "Welcome" page.
        return super().can_create_at(parent) and parent.is_root()

    @property
    def safe_brand_color(self) -> str:
        """The brand colour, or the default when the stored value is invalid.

        The field validator rejects bad values in forms, but a row written
        with ``QuerySet.update()`` skips validators. The template puts this
        value inside a ``style`` attribute, so it is checked again here.
        """
        if BRAND_COLOR_PATTERN.match(self.brand_color or ""):
            return self.brand_color
        return DEFAULT_BRAND_COLOR

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["overview"] = load_page_overview(self.core_page)
        context["subscribe_forms"] = subscribe_forms(self.core_page)
        forms = context["subscribe_forms"]
        offered = {form.notifier.name: form.notifier for form in forms}
        context["subscribed"] = offered.get(request.GET.get("subscribed", ""))
        return context

    def serve(self, request, *args, **kwargs):
        """Serve the page, and take the "Subscribe to updates" forms' POST."""
        if request.method == "POST":
            return handle_subscribe(self, request)
        return super().serve(request, *args, **kwargs)


# Imported so that Django registers the snippet model with this app.
from statuscms.incident_templates import IncidentTemplate  # noqa: E402, F401
