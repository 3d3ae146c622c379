"""Admin screens for scheduled maintenances and recurring maintenance series.

The maintenance viewset lists maintenances with a status filter, schedules
new ones and edits open ones. Further URLs post an update, complete the
work now and cancel it, each after a form or confirmation page. The
series viewset creates, edits and ends recurring windows; the scheduler
creates their occurrences. Every change calls ``statuscore.services``, and
every object is looked up among the pages the user may see.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django import forms
from django.urls import path, reverse
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.log_actions import log

from statuscms.maintenance_forms import (
    MaintenanceCompleteForm,
    MaintenanceCreateForm,
    MaintenanceEditForm,
    MaintenanceSeriesCreateForm,
    MaintenanceSeriesEditForm,
    MaintenanceUpdatePostForm,
)
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
from statuscore.models import Maintenance, MaintenanceSeries
from statuscore.services.maintenances import OPEN

__all__ = ["MaintenanceSeriesViewSet", "MaintenanceViewSet"]

logger = logging.getLogger(__name__)


def _zone_of(maintenance: Maintenance) -> str:
    return maintenance.time_zone or maintenance.page.time_zone


def _starts(maintenance: Maintenance) -> str:
    return format_in_zone(maintenance.scheduled_for, _zone_of(maintenance))


def _ends(maintenance: Maintenance) -> str:
    return format_in_zone(maintenance.scheduled_until, _zone_of(maintenance))


def _moved(new: datetime, old: datetime) -> datetime | None:
    """Return ``new`` unless it names the same minute as ``old``.

    The form shows times to the minute, so sending back a stored time with
    seconds must not count as moving it (a running maintenance cannot
    move its start).
    """
    if new == old.replace(second=0, microsecond=0):
        return None
    return new


class MaintenanceIndexView(PageScopedIndexMixin, generic.IndexView):
    pass


class MaintenanceCreateView(UserFormKwargsMixin, ServiceFormMixin, generic.CreateView):
    def save_instance(self) -> Maintenance:
        data = self.form.cleaned_data
        page = data["page"]
        maintenance = services.schedule_maintenance(
            page,
            data["name"],
            data["starts_at"],
            data["ends_at"],
            components=data["components"],
            body=data["body"],
            time_zone=page.time_zone,
            notify_subscribers=data["notify_subscribers"],
        )
        log(maintenance, "wagtail.create", user=self.request.user)
        return maintenance


class MaintenanceEditView(
    PageScopedMixin, UserFormKwargsMixin, ServiceFormMixin, generic.EditView
):
    """Change an open maintenance, with its timeline and actions above the form."""

    def save_instance(self) -> Maintenance:
        data = self.form.cleaned_data
        stored = Maintenance.objects.get(pk=self.object.pk)
        maintenance = services.update_maintenance(
            stored,
            name=data["name"],
            starts_at=_moved(data["starts_at"], stored.scheduled_for),
            ends_at=_moved(data["ends_at"], stored.scheduled_until),
            components=data["components"],
            body=data["body"],
            notify_subscribers=data["notify_subscribers"],
        )
        log(maintenance, "wagtail.edit", user=self.request.user)
        return maintenance

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        maintenance = self.object
        zone_name = _zone_of(maintenance)
        context.update(
            is_open=maintenance.status in OPEN,
            starts=_starts(maintenance),
            ends=_ends(maintenance),
            timeline=[
                (update, format_in_zone(update.display_at, zone_name))
                for update in maintenance.updates.all()
            ],
            post_update_url=reverse(
                "status_maintenances:post_update", args=[maintenance.pk]
            ),
            complete_url=reverse("status_maintenances:complete", args=[maintenance.pk]),
            cancel_url=reverse("status_maintenances:cancel", args=[maintenance.pk]),
        )
        return context


class MaintenanceObjectFormView(ObjectFormView):
    model = Maintenance
    header_icon = "time"


class MaintenancePostUpdateView(MaintenanceObjectFormView):
    """Post an entry to the maintenance's timeline."""

    form_class = MaintenanceUpdatePostForm
    page_title = "Post an update"
    submit_label = "Post update"
    success_message = "Update posted to maintenance '%(object)s'."

    def perform(self, form) -> None:
        data = form.cleaned_data
        services.post_maintenance_update(
            self.object,
            body=data["body"],
            status=data["status"] or None,
            notify_subscribers=data["notify_subscribers"],
            actor=self.request.user,
        )
        log(self.object, "wagtail.edit", user=self.request.user)


class MaintenanceCompleteView(MaintenanceObjectFormView):
    """End the work now, before the scheduled end."""

    form_class = MaintenanceCompleteForm
    page_title = "Complete now"
    submit_label = "Complete maintenance now"
    success_message = "Maintenance '%(object)s' completed."

    def perform(self, form) -> None:
        done = services.complete_maintenance(
            self.object, restore_components=form.cleaned_data["restore_components"]
        )
        if not done:
            raise ValidationFailed.for_field(
                "status", "The maintenance is already completed or cancelled."
            )
        log(self.object, "wagtail.edit", user=self.request.user)


class MaintenanceCancelView(MaintenanceObjectFormView):
    """Call the work off after a confirmation page."""

    form_class = forms.Form
    page_title = "Cancel"
    submit_label = "Yes, cancel this maintenance"
    success_message = "Maintenance '%(object)s' cancelled."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["confirmation"] = (
            f"Cancel the maintenance from {_starts(self.object)} to "
            f"{_ends(self.object)}? Subscribers are told it is called off, and "
            "components under maintenance get their earlier status back."
        )
        return context

    def perform(self, form) -> None:
        if not services.cancel_maintenance(self.object):
            raise ValidationFailed.for_field(
                "status", "The maintenance is already completed or cancelled."
            )
        log(self.object, "wagtail.edit", user=self.request.user)


class MaintenanceViewSet(ServiceViewSet):
    model = Maintenance
    name = "status_maintenances"
    icon = "time"
    menu_label = "Maintenances"

    index_view_class = MaintenanceIndexView
    add_view_class = MaintenanceCreateView
    edit_view_class = MaintenanceEditView
    edit_template_name = "statuscms/admin/maintenance_edit.html"

    list_display = [
        "name",
        "page",
        "status",
        Column("starts", label="Starts", accessor=_starts),
        Column("ends", label="Ends", accessor=_ends),
        "series",
    ]
    filterset_class = page_filterset(Maintenance, ["status", "page"])
    search_fields = ["name"]

    def get_form_class(self, for_update: bool = False):
        return MaintenanceEditForm if for_update else MaintenanceCreateForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "post_update/<int:pk>/",
                self.object_view(MaintenancePostUpdateView),
                name="post_update",
            ),
            path(
                "complete/<int:pk>/",
                self.object_view(MaintenanceCompleteView),
                name="complete",
            ),
            path(
                "cancel/<int:pk>/",
                self.object_view(MaintenanceCancelView),
                name="cancel",
            ),
        ]


class MaintenanceSeriesIndexView(PageScopedIndexMixin, generic.IndexView):
    pass


class MaintenanceSeriesCreateView(
    UserFormKwargsMixin, ServiceFormMixin, generic.CreateView
):
    def save_instance(self) -> MaintenanceSeries:
        form = self.form
        data = form.cleaned_data
        page = data["page"]
        series = services.create_maintenance_series(
            page,
            data["name"],
            frequency=data["frequency"],
            start_time=data["start_time"],
            duration=form.duration(),
            time_zone=page.time_zone,
            starts_on=data["starts_on"],
            weekday=data["weekday"],
            week_of_month=data["week_of_month"],
            ends_on=data["ends_on"],
            components=data["components"],
            body=data["body"],
        )
        log(series, "wagtail.create", user=self.request.user)
        return series


class MaintenanceSeriesEditView(
    PageScopedMixin, UserFormKwargsMixin, ServiceFormMixin, generic.EditView
):
    def save_instance(self) -> MaintenanceSeries:
        form = self.form
        data = form.cleaned_data
        series = services.update_maintenance_series(
            MaintenanceSeries.objects.get(pk=self.object.pk),
            name=data["name"],
            body=data["body"],
            components=data["components"],
            frequency=data["frequency"],
            start_time=data["start_time"],
            duration=form.duration(),
            starts_on=data["starts_on"],
            weekday=data["weekday"],
            week_of_month=data["week_of_month"],
            ends_on=data["ends_on"],
            clear_ends_on=data["ends_on"] is None,
        )
        log(series, "wagtail.edit", user=self.request.user)
        return series

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        series = self.object
        context["end_url"] = reverse("status_maintenance_series:end", args=[series.pk])
        context["occurrences"] = [
            (maintenance, _starts(maintenance))
            for maintenance in series.occurrences.filter(status__in=OPEN)[:10]
        ]
        return context


class MaintenanceSeriesEndView(ObjectFormView):
    """Stop a series after a confirmation page."""

    model = MaintenanceSeries
    header_icon = "time"
    form_class = forms.Form
    page_title = "End series"
    submit_label = "Yes, end this series"
    success_message = "Series '%(object)s' ended."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["confirmation"] = (
            "End this series? No new windows are created, and its windows "
            "that have not started are removed."
        )
        return context

    def perform(self, form) -> None:
        services.end_maintenance_series(self.object)
        log(self.object, "wagtail.edit", user=self.request.user)


class MaintenanceSeriesViewSet(ServiceViewSet):
    model = MaintenanceSeries
    name = "status_maintenance_series"
    icon = "calendar-alt"
    menu_label = "Recurring maintenances"

    index_view_class = MaintenanceSeriesIndexView
    add_view_class = MaintenanceSeriesCreateView
    edit_view_class = MaintenanceSeriesEditView
    edit_template_name = "statuscms/admin/maintenance_series_edit.html"

    list_display = ["name", "page", "frequency", "start_time", "time_zone", "is_active"]
    filterset_class = page_filterset(
        MaintenanceSeries, ["page", "frequency", "is_active"]
    )
    search_fields = ["name"]

    def get_form_class(self, for_update: bool = False):
        return MaintenanceSeriesEditForm if for_update else MaintenanceSeriesCreateForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "end/<int:pk>/",
                self.object_view(MaintenanceSeriesEndView),
                name="end",
            ),
        ]
