"""Admin screens of incident drafts, a Wagtail snippet with the draft mixins.

Wagtail's snippet views give drafts, revisions with comparison, locking,
workflows and preview. These views add three things. The choices offered
are the pages the editor may see, and the editor who wrote a draft is
recorded. A ``ValidationFailed`` raised by the core while publishing is
shown on the form, and the publication is rolled back.
"""

from __future__ import annotations

import logging

from django.http import Http404
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from statuscms.drafts import IncidentDraft
from statuscms.forms import add_service_errors
from statuscms.permissions import OrganizationScopedViewSetMixin
from statuscms.scope import visible_pages
from statuscore.exceptions import ValidationFailed
from statuscore.models import Component, Incident

__all__ = ["IncidentDraftViewSet"]

logger = logging.getLogger(__name__)


class IncidentDraftForm(WagtailAdminModelForm):
    """Offer only the pages, incidents and components the editor may see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        pages = visible_pages(self.for_user)
        self.fields["page"].queryset = pages
        self.fields["incident"].queryset = Incident.objects.filter(page__in=pages)
        self.fields["components"].queryset = Component.objects.filter(
            page__in=pages
        ).select_related("page")

    def clean(self):
        cleaned_data = super().clean()

        page = cleaned_data.get("page")
        for component in cleaned_data.get("components") or []:
            if page is not None and component.page_id != page.pk:
                self.add_error(
                    "components",
                    f"{component.name} belongs to another page; choose "
                    "components of the incident's page.",
                )
        return cleaned_data


class PublishErrorsMixin:
    """Show a ``ValidationFailed`` raised while publishing on the form.

    ``IncidentDraft.publish`` runs the core service inside the transaction
    that publishes, so the error rolls the publication back. The revision
    just saved is kept as a draft.
    """

    def _run_publishing(self, action_method):
        try:
            return action_method()
        except ValidationFailed as error:
            logger.info(
                "Publishing incident draft %s by user %s failed validation: %s",
                getattr(self.object, "pk", None),
                self.request.user.pk,
                error,
            )
            add_service_errors(self.form, error)
            self.produced_error_message = (
                "Publishing failed; correct the fields below and publish again."
            )
            return self.form_invalid(self.form)

    def publish_action(self):
        return self._run_publishing(super().publish_action)

    def workflow_action_action(self):
        return self._run_publishing(super().workflow_action_action)


class VisibleDraftMixin:
    """Raise ``Http404`` for a draft of a page the user may not see.

    Every snippet view of one draft takes its id as ``pk``, so checking it
    before the view runs covers them all, and another organisation's draft
    is not found rather than forbidden.
    """

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            visible = IncidentDraft.objects.filter(
                pk=pk, page__in=visible_pages(request.user)
            )
            if not visible.exists():
                raise Http404("No incident draft matches the given query.")
        return super().dispatch(request, *args, **kwargs)


def _scoped(view_class: type) -> type:
    return type(f"Visible{view_class.__name__}", (VisibleDraftMixin, view_class), {})


class IncidentDraftCreateView(PublishErrorsMixin, CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class IncidentDraftEditView(VisibleDraftMixin, PublishErrorsMixin, EditView):
    pass


class IncidentDraftViewSet(OrganizationScopedViewSetMixin, SnippetViewSet):
    """Incident drafts, limited to the user's organisations and roles.

    Copying is off, because a copy of a published draft would carry its
    revision history to a new object, and no chooser is registered, because
    no model refers to a draft.
    """

    model = IncidentDraft
    copy_view_enabled = False
    icon = "edit"
    menu_label = "Incident drafts"
    menu_order = 250
    add_to_admin_menu = True

    add_view_class = IncidentDraftCreateView
    edit_view_class = IncidentDraftEditView
    delete_view_class = _scoped(snippet_views.DeleteView)
    usage_view_class = _scoped(snippet_views.UsageView)
    history_view_class = _scoped(snippet_views.HistoryView)
    inspect_view_class = _scoped(snippet_views.InspectView)
    revisions_view_class = _scoped(snippet_views.PreviewRevisionView)
    revisions_compare_view_class = _scoped(snippet_views.RevisionsCompareView)
    revisions_unschedule_view_class = _scoped(snippet_views.RevisionsUnscheduleView)
    unpublish_view_class = _scoped(snippet_views.UnpublishView)
    preview_on_edit_view_class = _scoped(snippet_views.PreviewOnEditView)
    lock_view_class = _scoped(snippet_views.LockView)
    unlock_view_class = _scoped(snippet_views.UnlockView)
    workflow_action_view_class = _scoped(snippet_views.WorkflowActionView)
    collect_workflow_action_data_view_class = _scoped(
        snippet_views.CollectWorkflowActionDataView
    )
    confirm_workflow_cancellation_view_class = _scoped(
        snippet_views.ConfirmWorkflowCancellationView
    )
    workflow_preview_view_class = _scoped(snippet_views.WorkflowPreviewView)
    workflow_history_view_class = _scoped(snippet_views.WorkflowHistoryView)
    workflow_history_detail_view_class = _scoped(
        snippet_views.WorkflowHistoryDetailView
    )

    list_display = ["__str__", "kind", "page", "status", "created_at"]
    list_filter = ["kind", "page", "live"]

    edit_handler = ObjectList(
        [
            FieldPanel("kind"),
            FieldPanel("page"),
            FieldPanel("incident"),
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("status"), FieldPanel("impact")]),
            FieldPanel("body"),
            FieldRowPanel([FieldPanel("components"), FieldPanel("component_status")]),
            FieldPanel("notify_subscribers"),
        ],
        base_form_class=IncidentDraftForm,
    )

    def register_chooser_viewset(self) -> None:
        pass

    def get_queryset(self, request):
        return IncidentDraft.objects.filter(
            page__in=visible_pages(request.user)
        ).select_related("page", "incident")
