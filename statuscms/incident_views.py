"""Admin screens for incidents and incident templates.

The incident viewset lists, opens and deletes incidents. Its edit URL is
the incident's timeline with the form for the next update. Further URLs
edit the incident's details, resolve it, and edit or delete one update.
Every change calls ``statuscore.services``, which validates it and writes
its event. Every object is looked up among the pages the user may see, so
another organisation's incident or update is not found (404).

Times on these screens are typed and shown in the page's time zone, with
the offset written out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.db import transaction
from django.forms.utils import ErrorDict
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail.admin.views import generic
from wagtail.log_actions import log
from wagtail.snippets.views import snippets as snippet_views

from statuscms.forms import IncidentCreateForm, IncidentUpdateForm, templates_for
from statuscms.incident_forms import (
    IncidentDetailsForm,
    IncidentResolveForm,
    IncidentUpdateEditForm,
)
from statuscms.incident_templates import IncidentTemplate
from statuscms.permissions import (
    OrganizationScopedViewMixin,
    OrganizationScopedViewSetMixin,
)
from statuscms.scope import visible_pages
from statuscms.service_views import (
    ObjectFormView,
    PageScopedIndexMixin,
    PageScopedMixin,
    ServiceFormMixin,
    ServiceViewSet,
    UserFormKwargsMixin,
    page_filterset,
)
from statuscms.zoned import format_in_zone
from statuscore import services
from statuscore.exceptions import ValidationFailed
from statuscore.models import Component, Incident, IncidentStatus, IncidentUpdate

__all__ = ["IncidentTemplateViewSet", "IncidentViewSet"]

logger = logging.getLogger(__name__)


def _component_statuses(chosen: Mapping[Component, str | None]) -> dict[Component, str]:
    """Map each component to its chosen status, or to its current one for None.

    Call it inside the transaction that saves. It locks the rows, so a
    monitor cannot change a status between this read and the incident's
    write, which would otherwise write the old status back.
    """
    wanted = {component.pk: status for component, status in chosen.items()}
    locked = Component.objects.select_for_update().filter(pk__in=list(wanted))
    return {component: wanted[component.pk] or component.status for component in locked}


class IncidentIndexView(PageScopedIndexMixin, generic.IndexView):
    pass


class IncidentCreateView(
    OrganizationScopedViewMixin,
    UserFormKwargsMixin,
    ServiceFormMixin,
    generic.CreateView,
):
    """Open an incident, or record a past one, pre-filled by ``?template=<id>``."""

    def get_initial(self):
        initial = super().get_initial()
        template = self.requested_template
        if template is not None:
            initial.update(
                template=template.pk,
                name=template.title,
                impact=template.impact,
                body=template.body,
            )
            if template.page_id is not None:
                initial["page"] = template.page_id
        return initial

    @cached_property
    def templates(self):
        return list(templates_for(self.request.user))

    @cached_property
    def template_error(self) -> str | None:
        raw = self.request.GET.get("template")
        if raw is None or self.request.method != "GET":
            return None
        if raw.isdigit() and any(t.pk == int(raw) for t in self.templates):
            return None
        return f"No incident template has the id {raw!r}. Choose one from the list."

    @cached_property
    def requested_template(self) -> IncidentTemplate | None:
        raw = self.request.GET.get("template", "")
        if self.template_error is not None or not raw.isdigit():
            return None
        return next(t for t in self.templates if t.pk == int(raw))

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        template = self.requested_template
        if template is not None and template.page_id is not None:
            # The scoping mixin preselects a page only when the user has one,
            # so the template's page is set again after it.
            form.initial["page"] = template.page_id
        if self.template_error is not None:
            # An unbound form runs no validation, so the error is set directly.
            form._errors = ErrorDict(
                {"template": form.error_class([self.template_error])}
            )
        return form

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.template_error is not None:
            logger.info(
                "Incident template %r not found for user %s",
                request.GET.get("template"),
                request.user.pk,
            )
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        add_url = reverse("status_incidents:add")
        context["incident_templates"] = [
            (template, f"{add_url}?template={template.pk}")
            for template in self.templates
        ]
        return context

    def save_instance(self) -> Incident:
        form = self.form
        data = form.cleaned_data
        statuses = _component_statuses(form.chosen_component_statuses())
        status = IncidentStatus.RESOLVED if data["resolved_at"] else data["status"]
        incident = services.create_incident(
            data["page"],
            data["name"],
            body=data["body"],
            status=status,
            impact=data["impact"],
            component_statuses=statuses,
            started_at=data["started_at"],
            resolved_at=data["resolved_at"],
            notify_subscribers=data["notify_subscribers"],
            actor=self.request.user,
        )

        log(incident, "wagtail.create", user=self.request.user)
        template = data.get("template")
        if template is not None:
            logger.info(
                "Incident %s created from template %s", incident.pk, template.pk
            )
        return incident


def timeline_entries(incident: Incident) -> list[dict]:
    """Return the incident's updates, newest first, with their times in the
    page's zone and the URLs that edit and delete each one."""
    zone_name = incident.page.time_zone
    return [
        {
            "update": update,
            "shown_at": format_in_zone(update.display_at, zone_name),
            "edit_url": reverse("status_incidents:update_edit", args=[update.pk]),
            "delete_url": reverse("status_incidents:update_delete", args=[update.pk]),
        }
        for update in incident.updates.all()
    ]


class IncidentUpdateView(
    PageScopedMixin, UserFormKwargsMixin, ServiceFormMixin, generic.EditView
):
    """Post an update to an incident, showing its timeline above the form."""

    page_title = "Post an update"
    submit_button_label = "Post update"
    submit_button_active_label = "Posting…"
    success_message = "Update posted to incident '%(object)s'."

    def save_instance(self) -> Incident:
        form = self.form
        data = form.cleaned_data
        incident = Incident.objects.select_related("page").get(pk=self.object.pk)
        statuses = _component_statuses(form.chosen_component_statuses())
        services.post_incident_update(
            incident,
            status=data["status"],
            body=data["body"],
            impact=data["impact"],
            component_statuses=statuses,
            components={*data["components"], *statuses},
            notify_subscribers=data["notify_subscribers"],
            actor=self.request.user,
        )
        log(incident, "wagtail.edit", user=self.request.user)
        return incident

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incident = self.object
        zone_name = incident.page.time_zone
        context.update(
            timeline=timeline_entries(incident),
            started_at=format_in_zone(incident.started_at, zone_name),
            resolved_at=format_in_zone(incident.resolved_at, zone_name),
            details_url=reverse("status_incidents:details", args=[incident.pk]),
            resolve_url=reverse("status_incidents:resolve", args=[incident.pk]),
            delete_url=reverse("status_incidents:delete", args=[incident.pk]),
        )
        return context


class IncidentDeleteView(PageScopedMixin, generic.DeleteView):
    """Delete an incident, with its timeline, after a confirmation page."""

    def delete_action(self) -> None:
        incident = self.object
        with transaction.atomic():
            log(incident, "wagtail.delete", user=self.request.user)
            services.delete_incident(incident, actor=self.request.user)
        logger.info("Incident %s deleted by user %s", incident.pk, self.request.user.pk)

    def form_valid(self, form):
        """Delete the incident, or show on the confirmation page why the
        service refused, such as a postmortem page that still refers to it."""
        try:
            return super().form_valid(form)
        except ValidationFailed as error:
            for problems in error.errors.values():
                for problem in problems:
                    messages.error(self.request, problem)
            return self.form_invalid(form)


class IncidentObjectFormView(ObjectFormView):
    model = Incident
    header_icon = "warning"


class IncidentDetailsView(IncidentObjectFormView):
    """Change the title, impact, start and resolution time of an incident."""

    form_class = IncidentDetailsForm
    page_title = "Edit details"
    submit_label = "Save details"
    success_message = "Details of incident '%(object)s' saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "incident": self.object}

    def perform(self, form) -> None:
        data = form.cleaned_data
        services.update_incident(
            self.object,
            name=data["name"],
            impact=data["impact"],
            started_at=data["started_at"],
            resolved_at=data["resolved_at"],
            actor=self.request.user,
        )
        log(self.object, "wagtail.edit", user=self.request.user)


class IncidentResolveView(IncidentObjectFormView):
    """Resolve an incident with a closing update."""

    form_class = IncidentResolveForm
    page_title = "Resolve"
    submit_label = "Resolve incident"
    success_message = "Incident '%(object)s' resolved."

    def perform(self, form) -> None:
        data = form.cleaned_data
        services.resolve_incident(
            self.object,
            body=data["body"],
            restore_components=data["restore_components"],
            notify_subscribers=data["notify_subscribers"],
            actor=self.request.user,
        )
        log(self.object, "wagtail.edit", user=self.request.user)


class IncidentUpdateObjectView(IncidentObjectFormView):
    """A view of one update, in ``self.update``, whose incident is ``self.object``."""

    def setup(self, request, *args, **kwargs) -> None:
        pages = visible_pages(request.user)
        updates = IncidentUpdate.objects.filter(incident__page__in=pages)
        self.update = (
            updates.select_related("incident__page")
            .filter(pk=kwargs["update_pk"])
            .first()
        )
        kwargs["pk"] = getattr(self.update, "incident_id", None)
        super().setup(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return f"{self.object}: update of {self.shown_at()}"

    def shown_at(self) -> str:
        return format_in_zone(self.update.display_at, self.object.page.time_zone)


class IncidentUpdateEditView(IncidentUpdateObjectView):
    """Correct the status, message or shown time of one update."""

    form_class = IncidentUpdateEditForm
    page_title = "Edit update"
    submit_label = "Save update"
    success_message = "Update of incident '%(object)s' saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "update": self.update}

    def perform(self, form) -> None:
        data = form.cleaned_data
        services.edit_incident_update(
            self.update,
            body=data["body"],
            status=data["status"],
            display_at=data["display_at"],
            actor=self.request.user,
        )
        log(self.object, "wagtail.edit", user=self.request.user)


class IncidentUpdateDeleteView(IncidentUpdateObjectView):
    """Delete one update from the timeline after a confirmation page."""

    form_class = forms.Form
    page_title = "Delete update"
    submit_label = "Yes, delete this update"
    success_message = "Update deleted from incident '%(object)s'."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["confirmation"] = (
            f"Delete the update of {self.shown_at()} from the timeline? "
            "Visitors will no longer see it."
        )
        context["update"] = self.update
        return context

    def perform(self, form) -> None:
        log(self.object, "wagtail.edit", user=self.request.user)
        services.delete_incident_update(self.update, actor=self.request.user)


class IncidentViewSet(ServiceViewSet):
    model = Incident
    name = "status_incidents"
    icon = "warning"
    menu_label = "Incidents"
    delete_view_enabled = True

    index_view_class = IncidentIndexView
    add_view_class = IncidentCreateView
    edit_view_class = IncidentUpdateView
    delete_view_class = IncidentDeleteView
    create_template_name = "statuscms/admin/incident_create.html"
    edit_template_name = "statuscms/admin/incident_update.html"

    list_display = ["name", "page", "status", "impact", "started_at", "resolved_at"]
    filterset_class = page_filterset(Incident, ["page", "status", "impact"])
    search_fields = ["name"]

    def get_form_class(self, for_update: bool = False):
        return IncidentUpdateForm if for_update else IncidentCreateForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "details/<int:pk>/",
                self.object_view(IncidentDetailsView),
                name="details",
            ),
            path(
                "resolve/<int:pk>/",
                self.object_view(IncidentResolveView),
                name="resolve",
            ),
            path(
                "updates/<int:update_pk>/edit/",
                self.object_view(IncidentUpdateEditView),
                name="update_edit",
            ),
            path(
                "updates/<int:update_pk>/delete/",
                self.object_view(IncidentUpdateDeleteView),
                name="update_delete",
            ),
        ]


class IncidentTemplateViewSet(
    OrganizationScopedViewSetMixin, snippet_views.SnippetViewSet
):
    """Incident templates, as a snippet under the "Status" menu.

    Every screen shows only the templates of the user's organisations'
    pages. A template without a page, which only a superuser can create,
    is managed by superusers and offered to everyone on the incident add
    form.
    """

    model = IncidentTemplate
    icon = "doc-full"
    menu_label = "Incident templates"
    add_to_reference_index = False
    list_display = ["name", "title", "impact", "page"]
    filterset_class = page_filterset(IncidentTemplate, ["page", "impact"])

    def register_chooser_viewset(self) -> None:
        # No model refers to a template, so no chooser is needed, and none
        # is registered that could list another organisation's templates.
        pass
