"""Incident templates: ready-made title, impact and body for common incidents.

A template is editorial material, not a published fact, so it lives in
``statuscms`` as a Wagtail snippet rather than in ``statuscore``. The
incident add form reads one with ``?template=<id>`` and pre-fills its
fields; nothing links the incident to the template afterwards.
"""

from __future__ import annotations

from django.db import models
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel

from statuscms.scope import visible_pages
from statuscore.models import IncidentImpact

__all__ = ["IncidentTemplate"]


class IncidentTemplateForm(WagtailAdminModelForm):
    """The snippet form, offering only the pages the user may see."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None or "page" not in self.fields:
            return

        self.fields["page"].queryset = visible_pages(user)
        if not user.is_superuser:
            # A template without a page belongs to no organisation, so only
            # a superuser could find it again.
            self.fields["page"].required = True
            self.fields["page"].help_text = "The page the template is offered on."


class IncidentTemplate(models.Model):
    """The title, impact and first update of a common incident.

    ``page``, when set, limits the template to one status page and
    preselects that page on the add form. A template without a page is
    offered on every page, and only a superuser can create or edit one.
    """

    name = models.CharField(
        max_length=100,
        help_text="How editors find the template, such as 'Database down'.",
    )
    title = models.CharField(
        max_length=255, help_text="The incident's title, shown to visitors."
    )
    impact = models.CharField(
        max_length=20, choices=IncidentImpact.choices, default=IncidentImpact.MINOR
    )
    body = models.TextField(
        help_text="The first update, in Markdown. Edit the details before posting."
    )
    page = models.ForeignKey(
        "statuscore.Page",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="incident_templates",
        help_text="Leave empty to offer the template on every page.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("page"),
        FieldPanel("title"),
        FieldPanel("impact"),
        FieldPanel("body"),
    ]

    base_form_class = IncidentTemplateForm

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "incident template"

    def __str__(self) -> str:
        return self.name
