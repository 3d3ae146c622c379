"""Admin screens for components and checks, and the "Status" menu that
groups them with incidents, maintenances and subscribers.

Wagtail's generic views save the model form. Each screen lists and opens
only the objects of the user's organisations
(``statuscms.permissions``). These views replace
``save_instance`` with calls to ``statuscore.services``, so every change
from the admin is validated by the core and recorded with its event. A
``ValidationFailed`` from a service rolls back the whole save and shows on
the form. Deleting and copying are turned off, because no service deletes
components.
"""

from __future__ import annotations

from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.log_actions import log

from statuscms.check_forms import CheckCreateForm, CheckEditForm
from statuscms.forms import (
    ComponentCreateForm,
    ComponentEditForm,
    ComponentGroupCreateForm,
    ComponentGroupEditForm,
)
from statuscms.incident_views import IncidentTemplateViewSet, IncidentViewSet
from statuscms.maintenance_views import MaintenanceSeriesViewSet, MaintenanceViewSet
from statuscms.service_views import ServiceFormMixin, ServiceViewSet
from statuscms.subscriber_admin import SubscriberViewSet
from statuscore import services
from statuscore.models import Check, Component, ComponentGroup
from statuscore.plugins import get_checkers

__all__ = ["ServiceFormMixin", "ServiceViewSet", "StatusViewSetGroup"]


class ComponentIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("page", "group")


class ComponentCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self) -> Component:
        data = self.form.cleaned_data
        component = services.create_component(
            data["page"],
            data["name"],
            status=data["status"],
            group=data["group"],
            description=data["description"],
            position=data["position"],
        )
        log(component, "wagtail.create", user=self.request.user)
        return component


class ComponentEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self) -> Component:
        data = self.form.cleaned_data

        # Read a fresh, locked row. The form has already copied the submitted
        # values onto self.object, and update_component saves every field,
        # so saving self.object would write the new status without its event.
        component = (
            Component.objects.select_for_update(of=("self",))
            .select_related("page")
            .get(pk=self.object.pk)
        )
        services.update_component(
            component,
            name=data["name"],
            description=data["description"],
            group=data["group"],
            position=data["position"],
        )
        services.set_component_status(component, data["status"], source=self.source())

        log(component, "wagtail.edit", user=self.request.user)
        return component


class ComponentGroupIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("page")


class ComponentGroupCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self) -> ComponentGroup:
        data = self.form.cleaned_data
        group = services.create_component_group(
            data["page"],
            data["name"],
            description=data["description"],
            position=data["position"],
        )
        log(group, "wagtail.create", user=self.request.user)
        return group


class ComponentGroupEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self) -> ComponentGroup:
        data = self.form.cleaned_data
        group = ComponentGroup.objects.select_for_update().get(pk=self.object.pk)
        services.update_component_group(
            group,
            name=data["name"],
            description=data["description"],
            position=data["position"],
        )
        log(group, "wagtail.edit", user=self.request.user)
        return group


class ComponentViewSet(ServiceViewSet):
    model = Component
    name = "status_components"
    icon = "list-ul"
    menu_label = "Components"

    index_view_class = ComponentIndexView
    add_view_class = ComponentCreateView
    edit_view_class = ComponentEditView

    list_display = ["name", "page", "group", "position", "status", "updated_at"]
    list_filter = ["page", "status", "group"]
    search_fields = ["name", "description"]

    def get_form_class(self, for_update: bool = False):
        return ComponentEditForm if for_update else ComponentCreateForm


class ComponentGroupViewSet(ServiceViewSet):
    model = ComponentGroup
    name = "status_component_groups"
    icon = "folder-open-inverse"
    menu_label = "Component groups"

    index_view_class = ComponentGroupIndexView
    add_view_class = ComponentGroupCreateView
    edit_view_class = ComponentGroupEditView

    list_display = ["name", "page", "position", "updated_at"]
    list_filter = ["page"]
    search_fields = ["name", "description"]

    def get_form_class(self, for_update: bool = False):
        return ComponentGroupEditForm if for_update else ComponentGroupCreateForm


def _checker_label(check: Check) -> str:
    """Return the label of the check's checker, or its name if none is registered."""
    checker = get_checkers().get(check.checker)
    return check.checker if checker is None else checker.label


class CheckIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("page", "component")


class CheckCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self) -> Check:
        data = self.form.cleaned_data
        check = services.create_check(
            data["page"],
            data["name"],
            data["checker"],
            data["config"],
            component=data["component"],
            interval_seconds=data["interval_seconds"],
            timeout_seconds=data["timeout_seconds"],
            failure_threshold=data["failure_threshold"],
            recovery_threshold=data["recovery_threshold"],
            outage_status=data["outage_status"],
            enabled=data["enabled"],
            retries=data["retries"],
            regions=data["regions"],
            region_quorum=data["region_quorum"],
            open_incident=data["open_incident"],
            incident_impact=data["incident_impact"],
            incident_title=data["incident_title"],
            incident_body=data["incident_body"],
            resolve_body=data["resolve_body"],
        )
        log(check, "wagtail.create", user=self.request.user)
        return check


class CheckEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self) -> Check:
        data = self.form.cleaned_data

        # update_check reads a fresh, locked row, because the form has
        # already copied the submitted values onto self.object.
        check = services.update_check(
            self.object,
            name=data["name"],
            config=data["config"],
            component=data["component"],
            interval_seconds=data["interval_seconds"],
            timeout_seconds=data["timeout_seconds"],
            failure_threshold=data["failure_threshold"],
            recovery_threshold=data["recovery_threshold"],
            outage_status=data["outage_status"],
            enabled=data["enabled"],
            retries=data["retries"],
            regions=data["regions"],
            region_quorum=data["region_quorum"],
            open_incident=data["open_incident"],
            incident_impact=data["incident_impact"],
            incident_title=data["incident_title"],
            incident_body=data["incident_body"],
            resolve_body=data["resolve_body"],
        )
        log(check, "wagtail.edit", user=self.request.user)
        return check


class CheckViewSet(ServiceViewSet):
    model = Check
    name = "status_checks"
    icon = "pick"
    menu_label = "Checks"

    index_view_class = CheckIndexView
    add_view_class = CheckCreateView
    edit_view_class = CheckEditView

    # The configuration is left out, because it may contain secrets.
    list_display = [
        "name",
        Column("checker", label="Checker", accessor=_checker_label),
        "component",
        "state",
        "interval_seconds",
        "last_run_at",
    ]
    list_filter = ["page", "checker", "state", "enabled"]
    search_fields = ["name"]

    def get_form_class(self, for_update: bool = False):
        return CheckEditForm if for_update else CheckCreateForm


class StatusViewSetGroup(ModelViewSetGroup):
    """The "Status" menu: incidents and their templates, maintenances and
    recurring maintenances, components, their groups, checks and subscribers."""

    menu_label = "Status"
    menu_icon = "info-circle"
    menu_order = 150
    items = (
        IncidentViewSet,
        IncidentTemplateViewSet,
        MaintenanceViewSet,
        MaintenanceSeriesViewSet,
        ComponentViewSet,
        ComponentGroupViewSet,
        CheckViewSet,
        SubscriberViewSet,
    )
