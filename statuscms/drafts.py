"""Drafts of incident changes that are not public yet.

Editorial state belongs to the CMS and published facts to the core, so a
draft lives here as a Wagtail snippet with drafts, revisions, locking,
workflows and preview. Nothing in ``statuscore`` changes while it is a
draft. Publishing it, by Wagtail's publish action or by the last approval
of a workflow, calls one ``statuscore.services`` function once and records
what that produced in a ``DraftPublication`` row
(see ``statuscms.draft_publishing``).

A draft is one of three kinds:

- ``incident``: a new incident with its first update.
- ``update``: a further update to an existing incident.
- ``publish``: the approval of an incident that a check opened hidden from
  the public; publishing it calls ``approve_incident``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models, transaction
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from statuscore.models import ComponentStatus, IncidentImpact, IncidentStatus

__all__ = ["DraftKind", "DraftPublication", "IncidentDraft", "IncidentReview"]


class DraftKind(models.TextChoices):
    INCIDENT = "incident", "New incident"
    UPDATE = "update", "Update to an incident"
    PUBLISH = "publish", "Approval of an incident opened by a check"


class IncidentDraft(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    ClusterableModel,
):
    """A new incident, an incident update or an approval, not yet public.

    The fields that a kind does not use are ignored when it is published:
    ``title`` is read only for a new incident, and ``incident`` only for an
    update or an approval.
    """

    kind = models.CharField(
        max_length=20, choices=DraftKind.choices, default=DraftKind.UPDATE
    )
    page = models.ForeignKey(
        "statuscore.Page",
        on_delete=models.CASCADE,
        related_name="incident_drafts",
        help_text="The status page the incident is on.",
    )
    incident = models.ForeignKey(
        "statuscore.Incident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drafts",
        help_text="The incident to update or approve; empty for a new incident.",
    )
    title = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="Title of a new incident.",
    )
    impact = models.CharField(
        max_length=20,
        choices=IncidentImpact.choices,
        blank=True,
        default="",
        help_text="Impact of a new incident, or a new impact for an update; "
        "empty keeps the incident's impact.",
    )
    status = models.CharField(
        max_length=20,
        choices=IncidentStatus.choices,
        default=IncidentStatus.INVESTIGATING,
    )
    components = ParentalManyToManyField(
        "statuscore.Component",
        blank=True,
        related_name="+",
        help_text="Affected components, added to the incident when published.",
    )
    component_status = models.CharField(
        max_length=30,
        choices=ComponentStatus.choices,
        blank=True,
        default="",
        help_text="Status the affected components move to; empty keeps theirs.",
    )
    body = models.TextField(
        blank=True,
        default="",
        help_text="The update visitors read, in Markdown.",
    )
    notify_subscribers = models.BooleanField(
        default=True,
        help_text="Send this update to the page's subscribers when published.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    _revisions = GenericRelation(
        "wagtailcore.Revision", related_query_name="incident_draft"
    )

    class Meta:
        verbose_name = "incident draft"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        if self.kind == DraftKind.INCIDENT:
            return self.title or "New incident"
        incident = self.incident.name if self.incident_id else "no incident"
        return f"{self.get_kind_display()}: {incident}"

    @property
    def revisions(self):
        return self._revisions

    def clean(self) -> None:
        """Check that the fields the kind needs are set and on one page."""
        super().clean()
        errors: dict[str, str] = {}

        if self.kind == DraftKind.INCIDENT:
            if not self.title.strip():
                errors["title"] = "A new incident needs a title."
            if not self.impact:
                errors["impact"] = "A new incident needs an impact."
        elif self.incident_id is None:
            errors["incident"] = "Choose the incident this draft is for."
        elif self.incident.page_id != self.page_id:
            errors["incident"] = "The incident belongs to another page."

        if self.kind != DraftKind.PUBLISH and not self.body.strip():
            errors["body"] = "Write the update visitors will read."

        if errors:
            raise ValidationError(errors)

    def publish(self, revision, user=None, **kwargs):
        """Publish ``revision`` in Wagtail and, once it is live, in the core.

        A revision scheduled for later is not live yet, so the core is
        changed only when ``publish_scheduled`` publishes it.
        """
        from statuscms.draft_publishing import publish_to_core

        with transaction.atomic():
            result = super().publish(revision, user=user, **kwargs)

            is_live = IncidentDraft.objects.filter(
                pk=self.pk, live=True, live_revision=revision
            ).exists()
            if is_live:
                publish_to_core(revision.as_object(), user)
        return result

    def get_workflow(self):
        """Return the review workflow of the page's organisation, if set.

        Wagtail assigns snippet workflows per model; a per-organisation
        ``IncidentReview`` takes precedence, so each organisation chooses
        its own reviewers.
        """
        review = (
            IncidentReview.objects.filter(
                organization_id=self.page.organization_id, workflow__active=True
            )
            .select_related("workflow")
            .first()
        )
        if review is not None:
            return review.workflow
        return super().get_workflow()

    def get_preview_template(self, request, mode_name: str) -> str:
        return "statuscms/drafts/incident_draft_preview.html"

    def get_preview_context(self, request, mode_name: str) -> dict:
        from statuscms.draft_preview import preview_context

        context = super().get_preview_context(request, mode_name)
        context.update(preview_context(self))
        return context


class DraftPublication(models.Model):
    """The record of what publishing a draft produced in the core, one per draft.

    It is a separate row, not fields of the draft, because publishing a
    revision copies the revision's content onto the draft. A field of the
    draft would be reset by publishing an older revision, and the draft
    would then be published to the core a second time.
    """

    draft = models.OneToOneField(
        IncidentDraft, on_delete=models.CASCADE, related_name="publication"
    )
    incident = models.ForeignKey(
        "statuscore.Incident",
        on_delete=models.CASCADE,
        related_name="draft_publications",
    )
    update = models.ForeignKey(
        "statuscore.IncidentUpdate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.draft} → incident {self.incident_id}"


class IncidentReview(models.Model):
    """The workflow that reviews one organisation's incident drafts."""

    organization = models.OneToOneField(
        "statuscore.Organization",
        on_delete=models.CASCADE,
        related_name="incident_review",
    )
    workflow = models.ForeignKey(
        "wagtailcore.Workflow", on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.organization}: {self.workflow}"
