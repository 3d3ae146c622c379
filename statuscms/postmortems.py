"""Postmortems: a rich Wagtail page per incident, under its status page.

A postmortem is editorial content with no effect on the domain, so it is
an ordinary page: Wagtail gives it drafts, preview, revisions, workflows and
scheduled publishing, and publishing it emits no event in ``statuscore``.
The public incident page shows ``incident.postmortem_page`` once it is live.
"""

from __future__ import annotations

from django import forms
from django.db import models
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page

from statuscms.csp import CONTENT_SECURITY_POLICY
from statuscms.languages import respond_in_language
from statuscore.models import Incident

__all__ = ["IncidentPostmortem", "PostmortemForm"]


class TimelineEntryBlock(blocks.StructBlock):
    """One moment of the incident: when it happened and what happened."""

    time = blocks.DateTimeBlock(
        help_text=(
            "When it happened, in your admin time zone (Account settings, or "
            "the server's zone). The page shows it in the status page's zone."
        )
    )
    text = blocks.TextBlock(help_text="What happened or what the team did.")

    class Meta:
        icon = "time"
        template = "statuscms/blocks/timeline_entry.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=255)

    class Meta:
        icon = "openquote"
        template = "statuscms/blocks/quote.html"


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=255)

    class Meta:
        icon = "image"
        template = "statuscms/blocks/figure.html"


POSTMORTEM_RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "code"]


class PostmortemBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        max_length=255, form_classname="title", template="statuscms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(features=POSTMORTEM_RICH_TEXT_FEATURES)
    timeline_entry = TimelineEntryBlock()
    quote = QuoteBlock()
    image = FigureBlock()


class PostmortemForm(WagtailAdminPageForm):
    """Offer only the incidents of the parent status page, each once.

    The parent is known when the page is created (``parent_page``) and
    from the page itself when it is edited.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        status_page = self._status_page()
        incidents = Incident.objects.none()
        if status_page is not None:
            incidents = Incident.objects.filter(page=status_page.core_page_id)
        self.fields["incident"].queryset = incidents

    def _status_page(self):
        """Return the parent ``StatusPage``, or None when there is none."""
        parent = self.parent_page
        if parent is None and self.instance.pk is not None:
            parent = self.instance.get_parent()
        if parent is None:
            return None

        parent = parent.specific
        if not hasattr(parent, "core_page_id"):
            return None
        return parent

    def clean_incident(self) -> Incident:
        incident = self.cleaned_data["incident"]
        existing = IncidentPostmortem.objects.filter(incident=incident).exclude(
            pk=self.instance.pk
        )
        if existing.exists():
            raise forms.ValidationError(
                "This incident already has a postmortem; edit that page instead.",
                code="postmortem_exists",
            )
        return incident


class IncidentPostmortem(Page):
    """The account of one incident: what happened, why, and what changes after it."""

    incident = models.OneToOneField(
        "statuscore.Incident",
        on_delete=models.PROTECT,
        related_name="postmortem_page",
        help_text="The incident this postmortem explains; each has at most one.",
    )
    summary = models.TextField(
        blank=True,
        default="",
        help_text="Plain text shown above the body and on the incident page.",
    )
    body = StreamField(PostmortemBodyBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("incident"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]

    base_form_class = PostmortemForm

    parent_page_types = ["statuscms.StatusPage"]
    subpage_types: list[str] = []

    # NOTE: Wagtail's "Copy" action fails on this page type, because the
    # copy would need a second postmortem for the same incident.

    class Meta:
        verbose_name = "incident postmortem"

    @property
    def status_page(self):
        """The ``StatusPage`` this postmortem sits under."""
        return self.get_parent().specific

    @property
    def safe_brand_color(self) -> str:
        """The status page's brand colour, which the shared base template reads."""
        return self.status_page.safe_brand_color

    @property
    def logo(self):
        return self.status_page.logo

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["status_page"] = self.status_page
        # Times show in the page's zone with their offset, as on the incident page.
        context["time_zone"] = self.status_page.core_page.time_zone
        return context

    def serve(self, request, *args, **kwargs):
        """Serve the postmortem in the visitor's language, with the policy."""
        response = respond_in_language(
            request,
            self.status_page.core_page.language,
            lambda: super(IncidentPostmortem, self).serve(request, *args, **kwargs),
        )
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
